package rest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"switchyard/connectors/httpx"
	"switchyard/core/meta"
)

// ErrBadResponse: the API answered with JSON of an unexpected shape.
var ErrBadResponse = errors.New("the REST API sent an unexpected response")

// Catalog resolves the entities (declared, else discovered from the OpenAPI
// document, else from json-server's /db), reads a sample of each to infer its
// fields, applies the declared field overrides and marks lookups: a field
// named like "customerId" or "customer_id" whose prefix names another entity
// ("customer", "customers") is a lookup to it.
func (c *Client) Catalog(ctx context.Context) ([]meta.Entity, error) {
	eps, err := c.resolve(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]meta.Entity, 0, len(eps))
	byName := map[string]Endpoint{}
	for _, ep := range eps {
		byName[ep.Name] = ep
		e, err := c.describe(ctx, ep)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	for i := range out {
		markLookups(&out[i], byName)
		applyOverrides(&out[i], byName[out[i].Name])
	}
	c.mu.Lock()
	c.endpoints, c.entities = byName, map[string]meta.Entity{}
	c.order = c.order[:0]
	for _, e := range out {
		c.entities[e.Name] = e
		c.order = append(c.order, e.Name)
	}
	c.mu.Unlock()
	return out, nil
}

// SetCatalog gives the client a catalog to read and write by (e.g. the schema
// cached in the workspace), so that it need not sample the API.
func (c *Client) SetCatalog(ctx context.Context, entities []meta.Entity) error {
	eps, err := c.resolve(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.endpoints, c.entities = map[string]Endpoint{}, map[string]meta.Entity{}
	for _, ep := range eps {
		c.endpoints[ep.Name] = ep
	}
	for _, e := range entities {
		c.entities[e.Name] = e
	}
	return nil
}

// resolve returns the entity declarations: declared, else discovered.
func (c *Client) resolve(ctx context.Context) ([]Endpoint, error) {
	if len(c.settings.Declared) > 0 {
		return c.settings.Declared, nil
	}
	if c.settings.OpenAPI != "" {
		return c.discoverOpenAPI(ctx)
	}
	if c.settings.Preset == PresetJSONServer {
		return c.discoverJSONServer(ctx)
	}
	return nil, fmt.Errorf("find the entities of %s: none are declared: list them in the entities setting, or set openapi to the API's OpenAPI document",
		httpx.RedactURL(c.settings.URL))
}

// discoverJSONServer lists the collections of a json-server from its /db.
func (c *Client) discoverJSONServer(ctx context.Context) ([]Endpoint, error) {
	resp, err := c.http.Get(ctx, "db", nil)
	if err != nil {
		return nil, fmt.Errorf("discover the entities of json-server: %w", err)
	}
	v, err := decodeJSON(resp.Body)
	obj, ok := v.(map[string]any)
	if err != nil || !ok {
		return nil, fmt.Errorf("discover the entities of json-server: %w: %s is not a JSON object of collections", ErrBadResponse, httpx.RedactURL(resp.URL))
	}
	var names []string
	for k, x := range obj {
		if _, isList := x.([]any); isList {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return ParseEntities(strings.Join(names, ","), c.settings.Defaults)
}

// describe samples the records of ep (the sample setting's number, read
// across pages) and infers its entity.
func (c *Client) describe(ctx context.Context, ep Endpoint) (meta.Entity, error) {
	e := meta.Entity{Name: ep.Name, Key: []string{ep.Key}, TypeName: ep.List}
	sample := ep
	sample.Paging.Size = min(ep.Paging.Size, c.settings.Sample)
	var lq listQuery
	if ep.Paging.Style == PagingPage || ep.Paging.Style == PagingOffset {
		lq.sort = sortQuery(ep, []string{ep.Key}) // numbered pages need a stable order
	}
	var raw []meta.Record
	for st := (pageState{}); len(raw) < c.settings.Sample; {
		pg, err := c.fetchList(ctx, sample, lq, st)
		if errors.Is(err, ErrIncomplete) && len(raw) > 0 {
			break // a read would fail; the sample has what came
		}
		if err != nil {
			return e, fmt.Errorf("sample %s to infer its fields: %w", ep.Name, err)
		}
		if st.first() {
			c.noteSize(ep.Name, pg, sample.Paging.Size)
		}
		raw = append(raw, pg.raw...)
		if st = pg.next; st.first() || st.kind == tokenShort {
			break
		}
	}
	if len(raw) > c.settings.Sample {
		raw = raw[:c.settings.Sample]
	}
	e.Fields = infer(ep.Key, raw)
	for i := range e.Fields {
		if ep.readOnly(e.Fields[i].Name) {
			e.Fields[i].ReadOnly = true
		}
	}
	if !hasField(e.Fields, ep.Key) && len(raw) > 0 {
		return e, fmt.Errorf("describe %s: its records have no key field %q: set key (or the entity's key) to the field that identifies a record", ep.Name, ep.Key)
	}
	return e, nil
}

func hasField(fs []meta.Field, name string) bool {
	for _, f := range fs {
		if f.Name == name {
			return true
		}
	}
	return false
}

// markLookups turns foreign-key fields into lookups to the entities they name.
func markLookups(e *meta.Entity, eps map[string]Endpoint) {
	for i, f := range e.Fields {
		if f.Name == e.Key[0] || (f.Type != meta.Int && f.Type != meta.String && f.Type != meta.GUID) {
			continue
		}
		var prefix string
		switch {
		case strings.HasSuffix(f.Name, "Id") && len(f.Name) > 2:
			prefix = f.Name[:len(f.Name)-2]
		case strings.HasSuffix(f.Name, "_id") && len(f.Name) > 3:
			prefix = f.Name[:len(f.Name)-3]
		default:
			continue
		}
		for _, cand := range []string{prefix, prefix + "s", prefix + "es", strings.TrimSuffix(prefix, "y") + "ies"} {
			if _, ok := eps[cand]; ok {
				e.Fields[i].Type, e.Fields[i].Target = meta.Lookup, cand
				e.Fields[i].ForeignKey = f.Name
				break
			}
		}
	}
}

// applyOverrides replaces inferred fields by the declared ones of the same
// name and adds the others.
func applyOverrides(e *meta.Entity, ep Endpoint) {
	for _, o := range ep.Fields {
		if o.ExternalType == "" {
			if cur, ok := e.Field(o.Name); ok {
				o.ExternalType = cur.ExternalType
			} else {
				o.ExternalType = externalType(o.Type)
			}
		}
		if ep.readOnly(o.Name) {
			o.ReadOnly = true
		}
		replaced := false
		for i := range e.Fields {
			if e.Fields[i].Name == o.Name {
				e.Fields[i], replaced = o, true
			}
		}
		if !replaced {
			e.Fields = append(e.Fields, o)
		}
	}
}

// entity returns the catalog entry and declaration of the entity called
// name, reading the catalog on first need.
func (c *Client) entity(ctx context.Context, name string) (meta.Entity, Endpoint, error) {
	c.mu.Lock()
	loaded := c.entities != nil
	e, ok := c.entities[name]
	ep := c.endpoints[name]
	c.mu.Unlock()
	if !loaded {
		if _, err := c.Catalog(ctx); err != nil {
			return meta.Entity{}, Endpoint{}, err
		}
		c.mu.Lock()
		e, ok = c.entities[name]
		ep = c.endpoints[name]
		c.mu.Unlock()
	}
	if !ok {
		return meta.Entity{}, Endpoint{}, fmt.Errorf("find entity %q: the REST API at %s has no such entity: refresh the catalog and check the mapping",
			name, httpx.RedactURL(c.settings.URL))
	}
	return e, ep, nil
}
