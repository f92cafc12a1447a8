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
// setting says. Read-only fields are left out. With a batch format, records
// go in $batch requests of at most batchsize operations, each independent,
// so one failure fails only its record. A 404 on update or delete fails the
// record with connector.ErrDeleted, a 412 with connector.ErrConflict.
func (c *Client) Write(ctx context.Context, entity string, kind connector.Op, recs []meta.Record) ([]connector.Result, error) {
	e, err := c.entity(ctx, entity)
	if err != nil {
		return nil, err
	}
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
	var fallback []*op
	for j, o := range ops {
		r := replies[j]
		if o.kind == connector.Upsert && r.err == nil && r.status == http.StatusNotFound && o.create != nil {
			fallback = append(fallback, o.create)
			continue
		}
		results[o.index] = c.result(e, o, r)
	}
	if len(fallback) > 0 {
		for j, r := range c.send(ctx, fallback) {
			res := c.result(e, fallback[j], r)
			res.Created = res.Err == nil
			results[fallback[j].index] = res
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
		body, err := c.payload(e, rec, true)
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
	body, err := c.payload(e, rec, false)
	if err != nil {
		return nil, err
	}
	o.method, o.body = http.MethodPatch, body
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

// payload builds the JSON body of a create (keys included) or an update.
func (c *Client) payload(e meta.Entity, rec meta.Record, create bool) ([]byte, error) {
	isKey := map[string]bool{}
	for _, k := range e.Key {
		isKey[k] = true
	}
	body := make(map[string]any, len(rec))
	flat := c.flatPaths(e.Name)
	for _, name := range connector.BusinessFields(rec) {
		v := rec[name]
		f, ok := e.Field(name)
		if !ok {
			return nil, fmt.Errorf("field %q is not in entity %s: refresh the catalog and check the mapping", name, e.Name)
		}
		if f.ReadOnly || (isKey[name] && !create) {
			continue
		}
		if f.Type == meta.Lookup {
			if err := c.lookupPayload(body, e, f, v); err != nil {
				return nil, fmt.Errorf("lookup %s: %w", name, err)
			}
			continue
		}
		x, err := encodeValue(f.Type, v)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", name, err)
		}
		if path, ok := flat[name]; ok {
			unflatten(body, path, x)
			continue
		}
		body[name] = x
	}
	return json.Marshal(body)
}

// lookupPayload writes the lookup f of e with the target key v: into its foreign
// key field, or as "f@odata.bind": "/Target(key)".
func (c *Client) lookupPayload(body map[string]any, e meta.Entity, f meta.Field, v any) error {
	c.mu.Lock()
	target, known := c.entities[f.Target]
	c.mu.Unlock()
	fkField, hasFK := e.Field(f.ForeignKey)
	mode := c.settings.Lookups
	if mode == LookupsAuto {
		mode = LookupsBind
		if hasFK && !fkField.ReadOnly {
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
	if !known || len(target.Key) != 1 {
		return fmt.Errorf("its target %s is not in the catalog with a single key: refresh the catalog", f.Target)
	}
	kf, _ := target.Field(target.Key[0])
	lit, err := keyLiteral(kf.Type, v)
	if err != nil {
		return err
	}
	body[f.Name+"@odata.bind"] = "/" + f.Target + "(" + lit + ")"
	return nil
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
					res.Key = k
				}
			}
		}
	}
	if res.Key == "" && o.kind == connector.Create {
		// 204 No Content: the key is in OData-EntityId / Location.
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
