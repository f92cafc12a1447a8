package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"switchyard/core/connector"
	"switchyard/core/filter"
	"switchyard/core/meta"
)

// ReadPage reads one page of q.Entity. The first page (token "") asks for
// q's conditions the API's filter style can express, the changes since
// q.Since (the since query, ordered by cursor then key with the sort
// parameters) and the first page of the entity's pagination, of the entity's
// page size (paging.size, else the pagesize setting) unless q.PageSize is
// above 0; the next token carries where the read is and how many records
// came (see fetchList for when a read goes on). A read of records by key
// (q.Filter "key in (…)" or "key eq v") that the API cannot filter GETs
// each item, or reads the list once (see readKeys). Every record is then
// checked against q.Filter and q.Since in Go, so that the result is exact
// whatever the API understood; Page.Total is set only when the API's count
// covers exactly the same condition. Page.Request is the request sent.
func (c *Client) ReadPage(ctx context.Context, q connector.Query, token string) (connector.Page, error) {
	e, ep, err := c.entity(ctx, q.Entity)
	if err != nil {
		return connector.Page{}, err
	}
	st, err := parseToken(token)
	if err != nil {
		return connector.Page{}, connector.ReadErr(q.Entity, err)
	}
	own := ep.Paging.Size
	if q.PageSize > 0 {
		ep.Paging.Size = q.PageSize
	}
	cond, lq, exact, err := c.plan(e, ep, q)
	if err != nil {
		return connector.Page{}, err
	}
	if st.kind == tokenShort {
		return connector.Page{}, connector.ReadErr(q.Entity, shortToken(st))
	}
	if kr, ok := c.keyRead(e, ep, cond); ok {
		if q.PageSize < own {
			ep.Paging.Size = own // a page of the list, not one per key
		}
		return c.readKeys(ctx, e, ep, q, cond, lq, kr, st)
	}
	lp, err := c.fetchList(ctx, ep, lq, st)
	if err != nil {
		return connector.Page{}, connector.ReadErr(q.Entity, err)
	}
	if cond == nil && st.first() {
		c.noteSize(q.Entity, lp, ep.Paging.Size)
	}
	page := connector.Page{Total: -1, Request: lp.request}
	if lp.next.kind != "" {
		page.Next = lp.next.token()
	}
	if q.Count && exact {
		page.Total = lp.total
	}
	page.Records, err = keep(e, cond, lp.raw)
	if err != nil {
		return connector.Page{}, connector.ReadErr(q.Entity, err)
	}
	return page, nil
}

// keep decodes raw records into e's types and returns those that meet cond.
func keep(e meta.Entity, cond filter.Expr, raw []meta.Record) ([]meta.Record, error) {
	out := make([]meta.Record, 0, len(raw))
	for _, r := range raw {
		rec := decodeRecord(e, r)
		ok, err := filter.Eval(cond, rec)
		if err != nil {
			return nil, fmt.Errorf("apply the filter: %w", err)
		}
		if ok {
			out = append(out, rec)
		}
	}
	return out, nil
}

// plan returns the condition every record must meet (q.Filter and q.Since),
// the query of the list (server-side filters, since, sort), and whether the
// server applies the whole condition.
func (c *Client) plan(e meta.Entity, ep Endpoint, q connector.Query) (filter.Expr, listQuery, bool, error) {
	var terms []filter.Expr
	base := url.Values{}
	exact := true
	x, err := q.Condition()
	if err != nil {
		return nil, listQuery{}, false, connector.ReadErr(e.Name, fmt.Errorf("filter %q: %w", q.Filter, err))
	}
	if x != nil {
		terms = append(terms, x)
		if !pushDown(c.settings.Filters, e, x, base) {
			exact = false
		}
	}
	var sort []string
	if !q.Since.IsZero() {
		cursor := q.CursorField
		if cursor == "" {
			cursor = ep.UpdatedAt
		}
		if cursor == "" {
			return nil, listQuery{}, false, fmt.Errorf("read %s incrementally: no change cursor: set updatedat (or the entity's updatedAt) to the field the API stamps on every change", e.Name)
		}
		f, ok := e.Field(cursor)
		if !ok || (f.Type != meta.DateTime && f.Type != meta.Date) {
			return nil, listQuery{}, false, fmt.Errorf("read %s incrementally: cursor %q is not a date-time field of the entity: set updatedat to its change timestamp", e.Name, cursor)
		}
		since := q.Since.Add(-q.Overlap)
		terms = append(terms, &filter.Compare{Op: filter.Ge, Left: &filter.Field{Name: cursor}, Right: &filter.Literal{Value: filter.DateTimeValue(since)}})
		if ep.Since == "" {
			exact = false
		} else {
			tpl := strings.ReplaceAll(ep.Since, "{field}", cursor)
			tpl = strings.ReplaceAll(tpl, "{value}", url.QueryEscape(formatDateTime(since)))
			extra, err := url.ParseQuery(tpl)
			if err != nil {
				return nil, listQuery{}, false, fmt.Errorf("read %s incrementally: since %q is not a query: %w", e.Name, ep.Since, err)
			}
			for k, vs := range extra {
				base[k] = append(base[k], vs...)
			}
		}
		sort = []string{cursor, ep.Key}
	} else if len(q.OrderBy) > 0 {
		for _, o := range q.OrderBy {
			f := strings.Fields(o)
			if len(f) > 1 && strings.EqualFold(f[1], "desc") {
				return nil, listQuery{}, false, connector.ReadErr(e.Name, fmt.Errorf("descending order %q is not supported by the REST connector", o))
			}
			if len(f) > 0 {
				sort = append(sort, f[0])
			}
		}
	} else if ep.Paging.Style == PagingPage || ep.Paging.Style == PagingOffset {
		sort = []string{ep.Key} // numbered pages need a stable order
	}
	cond := filter.AllOf(terms...)
	return cond, listQuery{base: base, sort: sortQuery(ep, sort)}, exact, nil
}

// recordsOf finds the list of records in a response body: at path, or the
// body itself, or the only array in a body object.
func recordsOf(body any, path string) ([]any, error) {
	v, ok := lookupPath(body, path)
	if !ok {
		return nil, fmt.Errorf("the response has nothing at the records path %q: set records to where the list is", path)
	}
	if list, ok := v.([]any); ok {
		return list, nil
	}
	if obj, ok := v.(map[string]any); ok && path == "" {
		var found []any
		n := 0
		for _, x := range obj {
			if l, ok := x.([]any); ok {
				found, n = l, n+1
			}
		}
		if n == 1 {
			return found, nil
		}
		return nil, fmt.Errorf("the response is an object with %d lists: set records to the JSON path of the records, e.g. data", n)
	}
	return nil, fmt.Errorf("the records at %q are not a JSON array: set records to the JSON path of the list", path)
}

// intAt reads a whole number at a JSON path.
func intAt(body any, path string) (int64, bool) {
	v, ok := lookupPath(body, path)
	if !ok {
		return 0, false
	}
	switch x := v.(type) {
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil
	}
	return 0, false
}

var linkRE = regexp.MustCompile(`<([^>]*)>\s*((?:;\s*[^;,]+)*)`)

// linkNext returns the target of rel="next" in Link headers (RFC 8288).
func linkNext(headers []string) string {
	for _, h := range headers {
		for _, m := range linkRE.FindAllStringSubmatch(h, -1) {
			for _, param := range strings.Split(m[2], ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(param), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(v), `"`)) {
					if strings.EqualFold(rel, "next") {
						return m[1]
					}
				}
			}
		}
	}
	return ""
}

// resolveRef resolves ref against the URL of the response it came in.
func resolveRef(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return b.ResolveReference(r).String()
}

// decodeRecord converts a flattened JSON record into a record of e's types;
// fields the catalog does not know pass as decoded. A value its field's type
// cannot hold (a field inferred from a sample that held other kinds) passes
// as its text, as it came, so that the record alone fails where it is
// written, with the reason, and the read goes on.
func decodeRecord(e meta.Entity, raw meta.Record) meta.Record {
	rec := make(meta.Record, len(raw))
	for k, v := range raw {
		f, ok := e.Field(k)
		if !ok {
			rec[k] = v
			continue
		}
		x, err := decodeValue(f, v)
		if err != nil {
			x = rawText(v)
		}
		rec[k] = x
	}
	return rec
}

// rawText is a JSON value as text, as it came.
func rawText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
