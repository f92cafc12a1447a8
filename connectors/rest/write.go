package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"sync"

	"switchyard/connectors/httpx"
	"switchyard/core/connector"
	"switchyard/core/meta"
)

// Write creates, updates, upserts or deletes recs in the entity and returns
// one Result per record, in order. Creates send the entity's create method
// (POST to the list path) with the record as JSON ("a.b" fields nested
// again) and take the key from the answer (or its Location header); updates
// send the update method (PATCH) to the item path with the record's fields
// but its key; deletes send DELETE to the item path; upserts update and, when
// the API answers 404, create. Read-only fields are never sent. A 404 on
// update or delete fails the record with connector.ErrDeleted, a 409 or 412
// with connector.ErrConflict, a 405 or 501 with connector.ErrUnsupported.
// Up to the concurrency setting's requests are in flight at once.
func (c *Client) Write(ctx context.Context, entity string, op connector.Op, recs []meta.Record) ([]connector.Result, error) {
	e, ep, err := c.entity(ctx, entity)
	if err != nil {
		return nil, err
	}
	switch op {
	case connector.Create, connector.Update, connector.Delete, connector.Upsert:
	default:
		return nil, fmt.Errorf("write %s: operation %q: %w", entity, op, connector.ErrUnsupported)
	}
	results := make([]connector.Result, len(recs))
	sem := make(chan struct{}, c.settings.Concurrency)
	var wg sync.WaitGroup
	for i, rec := range recs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			for j := i; j < len(recs); j++ {
				results[j].Err = fmt.Errorf("%s record %d of %s: %w", op, j+1, entity, ctx.Err())
			}
			wg.Wait()
			return results, fmt.Errorf("write %s: %w", entity, ctx.Err())
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			res := c.writeOne(ctx, e, ep, op, rec)
			if res.Err != nil {
				res.Err = fmt.Errorf("%s record %d of %s: %w", op, i+1, entity, res.Err)
			}
			results[i] = res
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return results, fmt.Errorf("write %s: %w", entity, err)
	}
	return results, nil
}

// writeOne sends one record's write.
func (c *Client) writeOne(ctx context.Context, e meta.Entity, ep Endpoint, op connector.Op, rec meta.Record) connector.Result {
	key := ""
	if rec[ep.Key] != nil {
		key = fmt.Sprint(rec[ep.Key])
	}
	if op != connector.Create && key == "" {
		return connector.Result{Err: fmt.Errorf("the key field %s is empty", ep.Key)}
	}
	switch op {
	case connector.Delete:
		_, err := c.send(ctx, ep.Delete.Method, ep.path(ep.Delete.Path, key), nil)
		return connector.Result{Key: key, Err: classify(err, true)}
	case connector.Create:
		return c.create(ctx, e, ep, rec)
	}
	body, err := encodeRecord(e, ep, rec, false)
	if err != nil {
		return connector.Result{Key: key, Err: err}
	}
	resp, err := c.send(ctx, ep.Update.Method, ep.path(ep.Update.Path, key), body)
	if op == connector.Upsert && httpx.StatusOf(err) == http.StatusNotFound {
		res := c.create(ctx, e, ep, rec)
		res.Created = res.Err == nil
		return res
	}
	res := connector.Result{Key: key, Err: classify(err, true)}
	if resp != nil {
		res.ETag = resp.Header.Get("ETag")
	}
	return res
}

// create posts rec and returns the key the API gave it.
func (c *Client) create(ctx context.Context, e meta.Entity, ep Endpoint, rec meta.Record) connector.Result {
	body, err := encodeRecord(e, ep, rec, true)
	if err != nil {
		return connector.Result{Err: err}
	}
	resp, err := c.send(ctx, ep.Create.Method, ep.path(ep.Create.Path, ""), body)
	if err != nil {
		return connector.Result{Err: classify(err, false)}
	}
	res := connector.Result{ETag: resp.Header.Get("ETag")}
	if v, err := decodeJSON(resp.Body); err == nil {
		if obj, ok := v.(map[string]any); ok {
			if k, ok := flatten(obj)[ep.Key]; ok && k != nil {
				res.Key = fmt.Sprint(k)
			}
		}
	}
	if res.Key == "" {
		if loc := resp.Header.Get("Location"); loc != "" {
			res.Key = path.Base(loc)
		} else if rec[ep.Key] != nil {
			res.Key = fmt.Sprint(rec[ep.Key])
		}
	}
	if res.Key == "" {
		res.Err = fmt.Errorf("%w: created, but the answer names no %s and has no Location header", ErrBadResponse, ep.Key)
	}
	return res
}

// send sends one write request with a JSON body.
func (c *Client) send(ctx context.Context, method, ref string, body []byte) (*httpx.Response, error) {
	h := http.Header{"Accept": {"application/json"}}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	return c.http.Do(ctx, httpx.Request{Method: method, URL: ref, Header: h, Body: body})
}

// classify wraps the HTTP failures the engine tells apart.
func classify(err error, existing bool) error {
	if err == nil {
		return nil
	}
	switch httpx.StatusOf(err) {
	case http.StatusNotFound:
		if existing {
			return fmt.Errorf("%w: %w", connector.ErrDeleted, err)
		}
	case http.StatusConflict, http.StatusPreconditionFailed:
		return fmt.Errorf("%w: %w", connector.ErrConflict, err)
	case http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return fmt.Errorf("%w: %w", connector.ErrUnsupported, err)
	}
	return err
}

// encodeRecord writes rec as the JSON body of a create (key included when
// set) or an update (key left out): business fields but read-only ones,
// typed by the catalog, nested again.
func encodeRecord(e meta.Entity, ep Endpoint, rec meta.Record, create bool) ([]byte, error) {
	out := map[string]any{}
	for _, name := range connector.BusinessFields(rec) {
		if name == ep.Key && (!create || rec[name] == nil) {
			continue
		}
		f, ok := e.Field(name)
		if !ok { // a field the catalog does not know goes as it is
			out[name] = rec[name]
			continue
		}
		if f.ReadOnly || ep.readOnly(name) {
			continue
		}
		v, err := encodeValue(f, rec[name])
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	return json.Marshal(unflatten(out))
}
