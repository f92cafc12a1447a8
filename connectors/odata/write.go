package odata

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"switchyard/connectors/httpx"
	"switchyard/core/connector"
	"switchyard/core/meta"
)

// op is one prepared write request.
type op struct {
	index  int
	kind   connector.Op
	method string
	path   string // relative to the service root
	header http.Header
	body   []byte
	key    string      // the record's key as connector.KeyString formats it, "" when the server assigns it
	create *op         // for an upsert: the POST to send when the PATCH finds no record
	rec    meta.Record // the record, for the fallback and the key of a create
	// unbind names the navigation properties whose references to clear
	// (DELETE …/nav/$ref) once this PATCH has succeeded; clears is that
	// navigation property on such a DELETE.
	unbind []string
	clears string
}

// reply is a service's answer to one op.
type reply struct {
	status int
	header http.Header
	body   []byte
	err    error // no answer at all (transport failure, the whole $batch refused)
	url    string
}

// Write creates, updates, upserts or deletes recs in the entity set entity
// and returns one Result per record, in order. Creates send POST, with a Guid
// key made locally when the entity has a single writable Guid key that the
// record lacks (so a retried create cannot make a duplicate); updates send
// PATCH with If-Match set to the record's connector.ETagKey, or "*"; deletes
// send DELETE likewise; upserts send PATCH to the key with If-Match likewise and,
// when the service answers 404, POST. Lookups are written as the lookups
// setting says, and so is a plain field that holds the key of lookups (its
// ForeignKey, as Dataverse's _x_value properties do): in bind mode it goes
// out as "nav@odata.bind", the navigation property chosen by the record's
// connector.TargetKey; an empty one is left out of a create, and after an
// update it is cleared with DELETE …/nav/$ref. Read-only fields, and the
// fields the preset's system computes, are left out. With a batch format,
// records go in $batch requests of at most batchsize operations, each
// independent (in a multipart $batch, each in a change set of its own), so
// one failure fails only its record. A 404 on update or delete fails the
// record with connector.ErrDeleted, a 412 with connector.ErrConflict.
func (c *Client) Write(ctx context.Context, entity string, kind connector.Op, recs []meta.Record) ([]connector.Result, error) {
	e, err := c.entity(ctx, entity)
	if err != nil {
		return nil, err
	}
	e = c.settings.Preset.markReadOnly(e)
	switch kind {
	case connector.Create, connector.Update, connector.Delete, connector.Upsert:
	default:
		return nil, fmt.Errorf("write %s: operation %q: %w", entity, kind, connector.ErrUnsupported)
	}
	results := make([]connector.Result, len(recs))
	ops := make([]*op, 0, len(recs))
	for i, rec := range recs {
		o, err := c.prepare(e, kind, rec)
		if err != nil {
			results[i].Err = fmt.Errorf("%s record %d of %s: %w", kind, i+1, entity, err)
			continue
		}
		o.index = i
		results[i].Key = o.key
		ops = append(ops, o)
	}
	replies := c.send(ctx, ops)
	var fallback, unbinds []*op
	for j, o := range ops {
		r := replies[j]
		if o.kind == connector.Upsert && r.err == nil && r.status == http.StatusNotFound && o.create != nil {
			fallback = append(fallback, o.create)
			continue
		}
		results[o.index] = c.result(e, o, r)
		if results[o.index].Err == nil {
			unbinds = append(unbinds, o.unbinds()...)
		}
	}
	if len(fallback) > 0 {
		for j, r := range c.send(ctx, fallback) {
			res := c.result(e, fallback[j], r)
			res.Created = res.Err == nil
			results[fallback[j].index] = res
		}
	}
	if len(unbinds) > 0 {
		for j, r := range c.send(ctx, unbinds) {
			u := unbinds[j]
			res := &results[u.index]
			res.ETag = "" // the record changed again after the PATCH that gave it
			// The PATCH found the record, so a 404 means there was no reference to clear.
			if res.Err != nil || (r.err == nil && (r.status < 400 || r.status == http.StatusNotFound)) {
				continue
			}
			res.Err = fmt.Errorf("clear lookup %s (updated the other fields): %w", u.clears, c.result(e, u, r).Err)
		}
	}
	if err := ctx.Err(); err != nil {
		return results, fmt.Errorf("write %s: %w", entity, err)
	}
	return results, nil
}

// send sends ops in $batch requests, or one by one (several at once) when
// batches are off or there is a single op.
func (c *Client) send(ctx context.Context, ops []*op) []reply {
	out := make([]reply, len(ops))
	if c.settings.Batch != BatchNone && len(ops) > 1 {
		for start := 0; start < len(ops); start += c.settings.BatchSize {
			end := min(start+c.settings.BatchSize, len(ops))
			copy(out[start:end], c.batch(ctx, ops[start:end]))
		}
		return out
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, c.settings.Concurrency)
	for i, o := range ops {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i] = c.single(ctx, o)
		}()
	}
	wg.Wait()
	return out
}

// single sends one op on its own.
func (c *Client) single(ctx context.Context, o *op) reply {
	resp, err := c.http.Do(ctx, httpx.Request{Method: o.method, URL: o.path, Header: o.header, Body: o.body})
	if resp != nil {
		return reply{status: resp.Status, header: resp.Header, body: resp.Body, url: httpx.RedactURL(resp.URL)}
	}
	return reply{err: c.explain(err)}
}

// prepare builds the request for one record.
func (c *Client) prepare(e meta.Entity, kind connector.Op, rec meta.Record) (*op, error) {
	o := &op{kind: kind, rec: rec, header: http.Header{"Accept": {"application/json"}, "OData-Version": {"4.0"}}}
	if kind == connector.Create {
		rec = c.withLocalKey(e, rec)
		o.rec = rec
		if k, err := connector.KeyString(rec, e.Key); err == nil {
			o.key = k
		}
		body, _, err := c.payload(e, rec, true)
		if err != nil {
			return nil, err
		}
		o.method, o.path, o.body = http.MethodPost, c.setPath(e.Name), body
		o.header.Set("Content-Type", "application/json")
		o.header.Set("Prefer", "return=representation")
		return o, nil
	}
	pred, key, err := c.keyPredicate(e, rec)
	if err != nil {
		return nil, err
	}
	o.key, o.path = key, c.setPath(e.Name)+"("+pred+")"
	etag, _ := rec[connector.ETagKey].(string)
	if etag == "" {
		etag = "*"
	}
	// An upsert updates with If-Match too (services with ETags refuse a
	// PATCH without one, 428); a 404 then makes it create.
	o.header.Set("If-Match", etag)
	if kind == connector.Delete {
		o.method = http.MethodDelete
		return o, nil
	}
	body, unbind, err := c.payload(e, rec, false)
	if err != nil {
		return nil, err
	}
	o.method, o.body, o.unbind = http.MethodPatch, body, unbind
	o.header.Set("Content-Type", "application/json")
	o.header.Set("Prefer", "return=representation")
	if kind == connector.Upsert {
		create, err := c.prepare(e, connector.Create, rec)
		if err != nil {
			return nil, err
		}
		create.kind = connector.Upsert
		o.create = create
	}
	return o, nil
}

// withLocalKey returns rec with a new Guid key when e has one writable Guid
// key that rec lacks.
func (c *Client) withLocalKey(e meta.Entity, rec meta.Record) meta.Record {
	if len(e.Key) != 1 {
		return rec
	}
	f, ok := e.Field(e.Key[0])
	if !ok || f.Type != meta.GUID || f.ReadOnly || (rec[f.Name] != nil && rec[f.Name] != "") {
		return rec
	}
	out := make(meta.Record, len(rec)+1)
	for k, v := range rec {
		out[k] = v
	}
	out[f.Name] = c.newGUID()
	return out
}

// keyPredicate returns the key predicate of rec for a URL and its key text.
func (c *Client) keyPredicate(e meta.Entity, rec meta.Record) (pred, key string, err error) {
	key, err = connector.KeyString(rec, e.Key)
	if err != nil {
		return "", "", err
	}
	parts := make([]string, len(e.Key))
	for i, k := range e.Key {
		f, _ := e.Field(k)
		lit, err := keyLiteral(f.Type, rec[k])
		if err != nil {
			return "", "", fmt.Errorf("key field %s: %w", k, err)
		}
		parts[i] = lit
		if len(e.Key) > 1 {
			parts[i] = k + "=" + lit
		}
	}
	return strings.Join(parts, ","), key, nil
}

// payload builds the JSON body of a create (keys included) or an update,
// and for an update the navigation properties whose references to clear
// (see bindForeignKey).
func (c *Client) payload(e meta.Entity, rec meta.Record, create bool) ([]byte, []string, error) {
	isKey := map[string]bool{}
	for _, k := range e.Key {
		isKey[k] = true
	}
	var navs map[string][]meta.Field // lookups by foreign key
	for _, f := range e.Fields {
		if f.Type == meta.Lookup && f.ForeignKey != "" {
			if navs == nil {
				navs = map[string][]meta.Field{}
			}
			navs[f.ForeignKey] = append(navs[f.ForeignKey], f)
		}
	}
	body := make(map[string]any, len(rec))
	var unbind []string
	flat := c.flatPaths(e.Name)
	for _, name := range connector.BusinessFields(rec) {
		v := rec[name]
		f, ok := e.Field(name)
		if !ok {
			return nil, nil, fmt.Errorf("field %q is not in entity %s: refresh the catalog and check the mapping", name, e.Name)
		}
		if isKey[name] && !create {
			continue
		}
		if f.Type != meta.Lookup && !isKey[name] && len(navs[name]) > 0 && c.bindsForeignKey(f) {
			target, _ := rec[connector.TargetKey(name)].(string)
			clear, err := c.bindForeignKey(body, navs[name], target, v, create)
			if err != nil {
				return nil, nil, fmt.Errorf("field %s: %w", name, err)
			}
			unbind = append(unbind, clear...)
			continue
		}
		if f.ReadOnly {
			continue
		}
		if f.Type == meta.Lookup {
			if err := c.lookupPayload(body, e, f, v); err != nil {
				return nil, nil, fmt.Errorf("lookup %s: %w", name, err)
			}
			continue
		}
		x, err := encodeValue(f.Type, v)
		if err != nil {
			return nil, nil, fmt.Errorf("field %s: %w", name, err)
		}
		if path, ok := flat[name]; ok {
			unflatten(body, path, x)
			continue
		}
		body[name] = x
	}
	b, err := json.Marshal(body)
	return b, unbind, err
}

// bindsForeignKey reports whether f, the foreign key of lookups, is written
// through their navigation properties (@odata.bind) rather than as itself:
// always in bind mode, never in fk mode, and in auto mode when f is read-only
// or named like Dataverse's _x_value properties.
func (c *Client) bindsForeignKey(f meta.Field) bool {
	switch c.settings.Lookups {
	case LookupsBind:
		return true
	case LookupsAuto:
		return f.ReadOnly || isValueProperty(f.Name)
	}
	return false
}

// bindForeignKey writes v, the value of the foreign key of the lookups navs,
// as "nav@odata.bind": "/Target(key)", nav being the one of navs that leads
// to the entity set target (the record's connector.TargetKey annotation), or
// the only one when target is "". An empty v is left out of a create; for an
// update bindForeignKey returns the navigation properties whose references
// to clear (target's, or every candidate's when target is ""), with DELETE
// …/nav/$ref, which OData 4.0 defines and every Dataverse version takes.
// Read-only navigation properties are never written.
func (c *Client) bindForeignKey(body map[string]any, navs []meta.Field, target string, v any, create bool) ([]string, error) {
	writable := make([]meta.Field, 0, len(navs))
	for _, n := range navs {
		if !n.ReadOnly {
			writable = append(writable, n)
		}
	}
	if len(writable) == 0 {
		return nil, nil // the system sets it
	}
	var chosen []meta.Field
	switch {
	case target != "":
		for _, n := range writable {
			if n.Target == target {
				chosen = append(chosen, n)
				break
			}
		}
		if len(chosen) == 0 {
			return nil, fmt.Errorf("it points to %s, but none of the navigation properties that have it as their key leads there (%s): "+
				"map the lookup to a local entity that is mapped to %s", target, candidates(writable), targets(writable))
		}
	case v == nil || len(writable) == 1:
		chosen = writable
	default:
		return nil, fmt.Errorf("it holds the key of a lookup with several navigation properties (%s) and the record does not say which entity set it points to: "+
			"map the lookup to a local entity that is mapped to one of %s", candidates(writable), targets(writable))
	}
	if v == nil {
		if create {
			return nil, nil
		}
		names := make([]string, len(chosen))
		for i, n := range chosen {
			names[i] = n.Name
		}
		return names, nil
	}
	ref, err := c.bindRef(chosen[0].Target, v)
	if err != nil {
		return nil, fmt.Errorf("navigation property %s: %w", chosen[0].Name, err)
	}
	body[chosen[0].Name+"@odata.bind"] = ref
	return nil, nil
}

// candidates lists navigation properties with their targets, for errors.
func candidates(navs []meta.Field) string {
	parts := make([]string, len(navs))
	for i, n := range navs {
		parts[i] = n.Name + " → " + n.Target
	}
	return strings.Join(parts, ", ")
}

// targets lists the entity sets navs lead to, for errors.
func targets(navs []meta.Field) string {
	parts := make([]string, len(navs))
	for i, n := range navs {
		parts[i] = n.Target
	}
	return strings.Join(parts, ", ")
}

// lookupPayload writes the lookup f of e with the target key v: into its foreign
// key field, or as "f@odata.bind": "/Target(key)".
func (c *Client) lookupPayload(body map[string]any, e meta.Entity, f meta.Field, v any) error {
	fkField, hasFK := e.Field(f.ForeignKey)
	mode := c.settings.Lookups
	if mode == LookupsAuto {
		mode = LookupsBind
		if hasFK && !fkField.ReadOnly && !isValueProperty(fkField.Name) {
			mode = LookupsFK
		}
	}
	if mode == LookupsFK {
		if f.ForeignKey == "" {
			return fmt.Errorf("it has no foreign-key field: set lookups to bind")
		}
		if v == nil {
			body[f.ForeignKey] = nil
			return nil
		}
		t := meta.String
		if hasFK {
			t = fkField.Type
		}
		x, err := encodeValue(t, v)
		if err != nil {
			return err
		}
		body[f.ForeignKey] = x
		return nil
	}
	if v == nil {
		body[f.Name+"@odata.bind"] = nil
		return nil
	}
	ref, err := c.bindRef(f.Target, v)
	if err != nil {
		return err
	}
	body[f.Name+"@odata.bind"] = ref
	return nil
}

// bindRef returns the reference "/Set(key)" to the record of entity set set
// whose key is v, for an @odata.bind.
func (c *Client) bindRef(set string, v any) (string, error) {
	c.mu.Lock()
	target, known := c.entities[set]
	c.mu.Unlock()
	if !known || len(target.Key) != 1 {
		return "", fmt.Errorf("its target %s is not in the catalog with a single key: refresh the catalog", set)
	}
	kf, _ := target.Field(target.Key[0])
	lit, err := keyLiteral(kf.Type, v)
	if err != nil {
		return "", err
	}
	return "/" + set + "(" + lit + ")", nil
}

// unbinds returns the DELETE …/nav/$ref requests that clear the references
// o.unbind names, to send once o has succeeded. They carry no If-Match: o
// changed the record's ETag.
func (o *op) unbinds() []*op {
	out := make([]*op, len(o.unbind))
	for i, nav := range o.unbind {
		out[i] = &op{index: o.index, kind: o.kind, method: http.MethodDelete, path: o.path + "/" + nav + "/$ref", key: o.key, clears: nav,
			header: http.Header{"Accept": {"application/json"}, "OData-Version": {"4.0"}}}
	}
	return out
}

// result turns the reply to o into the record's Result.
func (c *Client) result(e meta.Entity, o *op, r reply) connector.Result {
	res := connector.Result{Key: o.key}
	if r.err != nil {
		res.Err = fmt.Errorf("%s %s: %w", o.kind, describe(e, o), r.err)
		return res
	}
	if r.status >= 400 {
		he := &httpx.Error{Status: r.status, Method: o.method, URL: r.url, Message: httpx.ServerMessage(r.header.Get("Content-Type"), r.body)}
		if he.URL == "" {
			he.URL = o.path
		}
		switch {
		case r.status == http.StatusNotFound && (o.kind == connector.Update || o.kind == connector.Delete):
			res.Err = fmt.Errorf("%s %s: %w: %w", o.kind, describe(e, o), connector.ErrDeleted, he)
		case r.status == http.StatusPreconditionFailed:
			res.Err = fmt.Errorf("%s %s: %w: read it again: %w", o.kind, describe(e, o), connector.ErrConflict, he)
		case r.status == http.StatusPreconditionRequired:
			res.Err = fmt.Errorf("%s %s: %w: the service requires the record's ETag (read it again to get one): %w", o.kind, describe(e, o), connector.ErrConflict, he)
		default:
			res.Err = fmt.Errorf("%s %s: %w", o.kind, describe(e, o), c.explain(he))
		}
		return res
	}
	res.ETag = r.header.Get("ETag")
	if o.kind == connector.Upsert {
		res.Created = r.status == http.StatusCreated
	}
	fromBody := false
	if len(bytes.TrimSpace(r.body)) > 0 {
		var raw map[string]any
		d := json.NewDecoder(bytes.NewReader(r.body))
		d.UseNumber()
		if d.Decode(&raw) == nil {
			if tag, ok := raw["@odata.etag"].(string); ok && res.ETag == "" {
				res.ETag = tag
			}
			if rec, err := decodeRecord(newFieldTable(e), raw, nil); err == nil {
				if k, err := connector.KeyString(rec, e.Key); err == nil {
					res.Key, fromBody = k, true
				}
			}
		}
	}
	if !fromBody && o.method == http.MethodPost {
		// 204 No Content: the key is in OData-EntityId / Location, as the
		// service took it (a key sent in upper case comes back as it keeps it).
		for _, h := range []string{"OData-EntityId", "Location"} {
			if k, ok := keyFromID(r.header.Get(h)); ok && r.header.Get(h) != "" {
				res.Key = k
				break
			}
		}
	}
	return res
}

// describe names the record an op writes, for error messages.
func describe(e meta.Entity, o *op) string {
	if o.key != "" {
		return e.Name + "(" + o.key + ")"
	}
	return fmt.Sprintf("a new record of %s", e.Name)
}

// errBatch wraps a failure of a whole $batch request, reported on each of its records.
var errBatch = errors.New("the $batch request failed")
