package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"switchyard/connectors/httpx"
	"switchyard/core/connector"
	"switchyard/core/filter"
	"switchyard/core/meta"
)

// The prefixes of page tokens that are not URLs.
const (
	pageToken   = "page:"
	offsetToken = "offset:"
	cursorToken = "cursor:"
)

// listPage is one list response, before filtering.
type listPage struct {
	raw   []meta.Record // the records as sent, flattened
	next  string        // the next page's token, "" on the last page
	total int64         // the total the API announced, -1 when none
}

// ReadPage reads one page of q.Entity. The first page (token "") asks for
// q's conditions the API's filter style can express, the changes since
// q.Since (the since query, ordered by cursor then key with the sort
// parameters) and the first page of the entity's pagination; the next token
// is a URL (link, nexturl) or "page:N", "offset:N", "cursor:C". Every record
// is then checked against q.Filter and q.Since in Go, so that the result is
// exact whatever the API understood; Page.Total is set only when the API's
// count covers exactly the same condition.
func (c *Client) ReadPage(ctx context.Context, q connector.Query, token string) (connector.Page, error) {
	e, ep, err := c.entity(ctx, q.Entity)
	if err != nil {
		return connector.Page{}, err
	}
	if q.PageSize > 0 {
		ep.Paging.Size = q.PageSize
	}
	cond, base, exact, err := c.plan(e, ep, q)
	if err != nil {
		return connector.Page{}, err
	}
	req, err := pageRequest(ep, base, token)
	if err != nil {
		return connector.Page{}, fmt.Errorf("read %s: %w", q.Entity, err)
	}
	lp, err := c.fetch(ctx, ep, req, token)
	if err != nil {
		return connector.Page{}, fmt.Errorf("read %s: %w", q.Entity, err)
	}
	page := connector.Page{Next: lp.next, Total: -1, Records: make([]meta.Record, 0, len(lp.raw))}
	if q.Count && exact {
		page.Total = lp.total
	}
	for i, raw := range lp.raw {
		rec, err := decodeRecord(e, raw)
		if err != nil {
			return connector.Page{}, fmt.Errorf("read %s: record %d: %w: %w", q.Entity, i+1, ErrBadResponse, err)
		}
		ok, err := filter.Eval(cond, rec)
		if err != nil {
			return connector.Page{}, fmt.Errorf("read %s: apply the filter: %w", q.Entity, err)
		}
		if ok {
			page.Records = append(page.Records, rec)
		}
	}
	return page, nil
}

// plan returns the condition every record must meet (q.Filter and q.Since),
// the query of the first page (server-side filters, since, sort), and
// whether the server applies the whole condition.
func (c *Client) plan(e meta.Entity, ep Endpoint, q connector.Query) (filter.Expr, url.Values, bool, error) {
	var terms []filter.Expr
	base := url.Values{}
	exact := true
	if strings.TrimSpace(q.Filter) != "" {
		x, err := filter.Parse(q.Filter)
		if err != nil {
			return nil, nil, false, fmt.Errorf("read %s: filter %q: %w", e.Name, q.Filter, err)
		}
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
			return nil, nil, false, fmt.Errorf("read %s incrementally: no change cursor: set updatedat (or the entity's updatedAt) to the field the API stamps on every change", e.Name)
		}
		f, ok := e.Field(cursor)
		if !ok || (f.Type != meta.DateTime && f.Type != meta.Date) {
			return nil, nil, false, fmt.Errorf("read %s incrementally: cursor %q is not a date-time field of the entity: set updatedat to its change timestamp", e.Name, cursor)
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
				return nil, nil, false, fmt.Errorf("read %s incrementally: since %q is not a query: %w", e.Name, ep.Since, err)
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
				return nil, nil, false, fmt.Errorf("read %s: descending order %q is not supported by the REST connector", e.Name, o)
			}
			if len(f) > 0 {
				sort = append(sort, f[0])
			}
		}
	} else if ep.Paging.Style == PagingPage || ep.Paging.Style == PagingOffset {
		sort = []string{ep.Key} // numbered pages need a stable order
	}
	if len(sort) > 0 && ep.SortParam != "" {
		base.Set(ep.SortParam, strings.Join(sort, ","))
		if ep.OrderParam != "" {
			base.Set(ep.OrderParam, strings.TrimSuffix(strings.Repeat("asc,", len(sort)), ","))
		}
	}
	var cond filter.Expr
	switch len(terms) {
	case 0:
	case 1:
		cond = terms[0]
	default:
		cond = &filter.Logical{Op: filter.And, Terms: terms}
	}
	return cond, base, exact, nil
}

// firstRequest is the request of the first page: base plus the first page's paging parameters.
func firstRequest(ep Endpoint, base url.Values) httpx.Request {
	r, _ := pageRequest(ep, base, "")
	return r
}

// pageRequest is the request of the page that token names.
func pageRequest(ep Endpoint, base url.Values, token string) (httpx.Request, error) {
	q := url.Values{}
	for k, vs := range base {
		q[k] = append([]string(nil), vs...)
	}
	p := ep.Paging
	size := strconv.Itoa(p.Size)
	switch {
	case token == "":
		switch p.Style {
		case PagingLink, PagingPage:
			if p.PageParam != "" {
				q.Set(p.PageParam, strconv.Itoa(p.FirstPage))
			}
		case PagingOffset:
			q.Set(p.OffsetParam, "0")
		}
	case strings.HasPrefix(token, pageToken):
		n, err := strconv.Atoi(strings.TrimPrefix(token, pageToken))
		if err != nil {
			return httpx.Request{}, fmt.Errorf("page token %q is not valid: start the read again", token)
		}
		q.Set(p.PageParam, strconv.Itoa(n))
	case strings.HasPrefix(token, offsetToken):
		n, err := strconv.Atoi(strings.TrimPrefix(token, offsetToken))
		if err != nil || n < 0 {
			return httpx.Request{}, fmt.Errorf("page token %q is not valid: start the read again", token)
		}
		q.Set(p.OffsetParam, strconv.Itoa(n))
	case strings.HasPrefix(token, cursorToken):
		q.Set(p.CursorParam, strings.TrimPrefix(token, cursorToken))
	default: // a next URL, which carries its own query
		return httpx.Request{URL: token, Header: http.Header{"Accept": {"application/json"}}}, nil
	}
	if p.SizeParam != "" && p.Style != PagingNone {
		q.Set(p.SizeParam, size)
	}
	return httpx.Request{URL: ep.List, Query: q, Header: http.Header{"Accept": {"application/json"}}}, nil
}

// fetch sends a list request and reads its records, total and next token.
func (c *Client) fetch(ctx context.Context, ep Endpoint, req httpx.Request, token string) (listPage, error) {
	resp, err := c.http.Do(ctx, req)
	if err != nil {
		return listPage{}, err
	}
	where := httpx.RedactURL(resp.URL)
	body, err := decodeJSON(resp.Body)
	if err != nil {
		return listPage{}, fmt.Errorf("%w: %s is not JSON (%v): check the URL and the list path", ErrBadResponse, where, err)
	}
	list, err := recordsOf(body, ep.Records)
	if err != nil {
		return listPage{}, fmt.Errorf("%w: %s: %v", ErrBadResponse, where, err)
	}
	lp := listPage{total: -1, raw: make([]meta.Record, 0, len(list))}
	for i, x := range list {
		obj, ok := x.(map[string]any)
		if !ok {
			return listPage{}, fmt.Errorf("%w: %s: record %d is not a JSON object", ErrBadResponse, where, i+1)
		}
		lp.raw = append(lp.raw, flatten(obj))
	}
	p := ep.Paging
	if p.TotalHeader != "" {
		if n, err := strconv.ParseInt(strings.TrimSpace(resp.Header.Get(p.TotalHeader)), 10, 64); err == nil {
			lp.total = n
		}
	}
	if p.Total != "" {
		if n, ok := intAt(body, p.Total); ok {
			lp.total = n
		}
	}
	switch p.Style {
	case PagingLink:
		if next := linkNext(resp.Header.Values("Link")); next != "" {
			lp.next = resolveRef(resp.URL, next)
		}
	case PagingNextURL:
		if v, ok := lookupPath(body, p.Next); ok && v != nil && fmt.Sprint(v) != "" {
			lp.next = resolveRef(resp.URL, fmt.Sprint(v))
		}
	case PagingCursor:
		if v, ok := lookupPath(body, p.Next); ok && v != nil && fmt.Sprint(v) != "" && len(list) > 0 {
			lp.next = cursorToken + fmt.Sprint(v)
		}
	case PagingPage:
		n := p.FirstPage
		if strings.HasPrefix(token, pageToken) {
			n, _ = strconv.Atoi(strings.TrimPrefix(token, pageToken))
		}
		pages, hasPages := int64(-1), false
		if p.TotalPages != "" {
			pages, hasPages = intAt(body, p.TotalPages)
		}
		done := int64(n-p.FirstPage+1) * int64(p.Size)
		switch {
		case len(list) == 0, len(list) < p.Size:
		case hasPages && int64(n-p.FirstPage+1) >= pages:
		case lp.total >= 0 && done >= lp.total:
		default:
			lp.next = pageToken + strconv.Itoa(n+1)
		}
	case PagingOffset:
		off := 0
		if strings.HasPrefix(token, offsetToken) {
			off, _ = strconv.Atoi(strings.TrimPrefix(token, offsetToken))
		}
		end := off + len(list)
		switch {
		case len(list) == 0, len(list) < p.Size:
		case lp.total >= 0 && int64(end) >= lp.total:
		default:
			lp.next = offsetToken + strconv.Itoa(end)
		}
	}
	if lp.next != "" && lp.next == token {
		return listPage{}, fmt.Errorf("%w: %s names itself as the next page", ErrBadResponse, where)
	}
	return lp, nil
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
// fields the catalog does not know pass as decoded.
func decodeRecord(e meta.Entity, raw meta.Record) (meta.Record, error) {
	rec := make(meta.Record, len(raw))
	for k, v := range raw {
		f, ok := e.Field(k)
		if !ok {
			rec[k] = v
			continue
		}
		x, err := decodeValue(f, v)
		if err != nil {
			return nil, err
		}
		rec[k] = x
	}
	return rec, nil
}
