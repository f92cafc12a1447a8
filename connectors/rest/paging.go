package rest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"switchyard/connectors/httpx"
	"switchyard/core/connector"
	"switchyard/core/meta"
)

// ErrIncomplete: the API announced more records than it sent before it ran
// out of pages. The read is no success, though every record it sent is valid.
var ErrIncomplete = errors.New("the REST API sent fewer records than it counted")

// The kinds of page tokens.
const (
	tokenPage   = "page"   // page number
	tokenOffset = "offset" // offset
	tokenCursor = "cursor" // a cursor for the cursor parameter
	tokenURL    = "url"    // a next URL from the API
	tokenItem   = "item"   // the index of the next key to GET by its item path
	tokenShort  = "short"  // no page: the read ended short of the total (value "total last-page-URL")
)

// pageState is what a page token carries from one page of a read to the
// next. A token is "kind:got,size,found|value"; "" is the first page.
type pageState struct {
	kind  string
	value string // the page number, offset, cursor, URL or key index
	got   int64  // records the API sent before this page
	size  int    // the page size the server really sends (page style), 0 until known
	found int    // keys found so far, in a list read for keys
}

// first reports whether the state is the first page's.
func (s pageState) first() bool { return s.kind == "" }

// token writes the state as a page token.
func (s pageState) token() string {
	return fmt.Sprintf("%s:%d,%d,%d|%s", s.kind, s.got, s.size, s.found, s.value)
}

// parseToken reads a page token; "" is the first page. A bare URL (a token of
// an older version) is a next URL with nothing read before it.
func parseToken(token string) (pageState, error) {
	if token == "" {
		return pageState{}, nil
	}
	bad := fmt.Errorf("page token %q is not valid: start the read again", connector.ShortRequest(token))
	kind, rest, ok := strings.Cut(token, ":")
	switch kind {
	case tokenPage, tokenOffset, tokenCursor, tokenURL, tokenItem, tokenShort:
	default:
		if strings.Contains(token, "://") {
			return pageState{kind: tokenURL, value: token}, nil
		}
		return pageState{}, bad
	}
	head, value, ok2 := strings.Cut(rest, "|")
	if !ok || !ok2 {
		return pageState{}, bad
	}
	st := pageState{kind: kind, value: value}
	parts := strings.Split(head, ",")
	if len(parts) != 3 {
		return pageState{}, bad
	}
	var err1, err2, err3 error
	st.got, err1 = strconv.ParseInt(parts[0], 10, 64)
	st.size, err2 = strconv.Atoi(parts[1])
	st.found, err3 = strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || st.got < 0 || st.size < 0 || st.found < 0 {
		return pageState{}, bad
	}
	if kind == tokenPage || kind == tokenOffset || kind == tokenItem {
		if n, err := strconv.Atoi(value); err != nil || n < 0 {
			return pageState{}, bad
		}
	}
	return st, nil
}

// totalNames are the names of a total count beside the records in a list
// response that is an object, read when no total setting says where it is.
var totalNames = []string{"total", "totalCount", "total_count", "totalItems", "total_items", "totalResults", "total_results"}

// listPage is one list response, before filtering.
type listPage struct {
	raw     []meta.Record // the records as sent, flattened
	next    pageState     // the next page; kind "" when this page is the last
	total   int64         // the total the API announced, -1 when none
	size    int           // the page size the server really sends, 0 when unknown
	request string        // what was sent: "GET /path?query"
}

// sortQuery is the part of a list's query that orders it, in the order of
// fields: SortParam=a,b (and OrderParam=asc,asc), or, when SortParam holds
// {field}, one SortParam per field valued 1 ($sort[a]=1&$sort[b]=1), whose
// order is the sort's and so is kept as written.
func sortQuery(ep Endpoint, fields []string) string {
	if len(fields) == 0 || ep.SortParam == "" {
		return ""
	}
	if strings.Contains(ep.SortParam, "{field}") {
		parts := make([]string, len(fields))
		for i, f := range fields {
			parts[i] = httpx.QueryEscape(strings.ReplaceAll(ep.SortParam, "{field}", f)) + "=1"
		}
		return strings.Join(parts, "&")
	}
	q := url.Values{ep.SortParam: {strings.Join(fields, ",")}}
	if ep.OrderParam != "" {
		q.Set(ep.OrderParam, strings.TrimSuffix(strings.Repeat("asc,", len(fields)), ","))
	}
	return httpx.EncodeQuery(q)
}

// listQuery is the query of a list read: the conditions sent to the server
// (base) and its order (sortQuery's text).
type listQuery struct {
	base url.Values
	sort string
}

// pageRequest is the request of the page st names.
func pageRequest(ep Endpoint, lq listQuery, st pageState) httpx.Request {
	header := http.Header{"Accept": {"application/json"}}
	if st.kind == tokenURL { // a next URL, which carries its own query
		return httpx.Request{URL: st.value, Header: header}
	}
	q := url.Values{}
	for k, vs := range lq.base {
		q[k] = append([]string(nil), vs...)
	}
	p := ep.Paging
	size := p.Size
	switch st.kind {
	case "":
		switch p.Style {
		case PagingLink, PagingPage:
			if p.PageParam != "" {
				q.Set(p.PageParam, strconv.Itoa(p.FirstPage))
			}
		case PagingOffset:
			q.Set(p.OffsetParam, "0")
		}
	case tokenPage:
		q.Set(p.PageParam, st.value)
		if st.size > 0 {
			size = st.size // the server's own page size, so that page numbers count its pages
		}
	case tokenOffset:
		q.Set(p.OffsetParam, st.value)
	case tokenCursor:
		q.Set(p.CursorParam, st.value)
	}
	if p.SizeParam != "" && p.Style != PagingNone {
		q.Set(p.SizeParam, strconv.Itoa(size))
	}
	ref := ep.List
	if lq.sort != "" {
		ref += "?" + lq.sort
	}
	return httpx.Request{URL: ref, Query: q, Header: header}
}

// requestLine is what the run log shows of a GET of full: the method, and
// the path and query as sent, secrets redacted.
func requestLine(method, full string) string {
	if u, err := url.Parse(full); err == nil {
		return method + " " + httpx.RedactURL(u.RequestURI())
	}
	return method + " " + httpx.RedactURL(full)
}

// fetchList sends the request of the page st names and reads its records,
// total and next page. Paging goes on while the API says there is more: a
// next link or cursor, or, with a total (or a number of pages), until that
// many records came; only without either does a short page end the read.
// The first page's size is the server's page size when it sends fewer than
// asked and the total says there are more (a server cap): offset paging
// advances by what came, page paging asks for pages of the server's size.
// A read that runs out of records before the total fails with ErrIncomplete,
// after the records it did send. Without a total setting, a total, totalCount
// or total_count (totalNames) beside the records is the total.
func (c *Client) fetchList(ctx context.Context, ep Endpoint, lq listQuery, st pageState) (listPage, error) {
	resp, err := c.http.Do(ctx, pageRequest(ep, lq, st))
	if err != nil {
		return listPage{}, err
	}
	r, lp, err := readList(resp, ep)
	if err != nil {
		return listPage{}, err
	}
	p := ep.Paging
	lp.total, r.totalAt = totalOf(r.body, resp.Header, p)
	r.n = len(lp.raw)
	r.got = st.got + int64(r.n)
	r.asked = p.Size // the page size this request asked for
	if st.kind == tokenPage && st.size > 0 {
		r.asked = st.size
	}
	if st.first() {
		lp.size = r.asked
		if lp.total >= 0 && r.n > 0 && r.n < r.asked && int64(r.n) < lp.total {
			lp.size = r.n // the server's cap
		}
	}
	next := pageState{got: r.got, size: st.size, found: st.found}
	if err := r.advance(p, st, lp, &next); err != nil {
		return listPage{}, err
	}
	if next.kind == "" && lp.total >= 0 && r.got < lp.total {
		if r.n == 0 {
			return listPage{}, shortRead(lp.total, r.got, r.totalAt, r.where)
		}
		// The records of this page are good: the read fails after them.
		next.kind, next.value = tokenShort, strconv.FormatInt(lp.total, 10)+" "+r.totalAt+"\n"+r.where
	}
	if next.kind != "" {
		lp.next = next
	}
	return lp, nil
}

// listReply is a page of a list as it came, for finding the next page.
type listReply struct {
	resp    *httpx.Response
	body    any    // the decoded JSON
	where   string // the URL, redacted
	n       int    // the records it holds
	got     int64  // the records read with it
	asked   int    // the page size it asked for
	totalAt string // where the total was read: a JSON path, or a header
}

// readList decodes the records of a list page.
func readList(resp *httpx.Response, ep Endpoint) (*listReply, listPage, error) {
	where := httpx.RedactURL(resp.URL)
	body, err := decodeJSON(resp.Body)
	if err != nil {
		return nil, listPage{}, fmt.Errorf("%w: %s is not JSON (%v): check the URL and the list path", ErrBadResponse, where, err)
	}
	list, err := recordsOf(body, ep.Records)
	if err != nil {
		return nil, listPage{}, fmt.Errorf("%w: %s: %v", ErrBadResponse, where, err)
	}
	lp := listPage{total: -1, raw: make([]meta.Record, 0, len(list)), request: requestLine(http.MethodGet, resp.URL)}
	for i, x := range list {
		obj, ok := x.(map[string]any)
		if !ok {
			return nil, listPage{}, fmt.Errorf("%w: %s: record %d is not a JSON object", ErrBadResponse, where, i+1)
		}
		lp.raw = append(lp.raw, flatten(obj))
	}
	return &listReply{resp: resp, body: body, where: where}, lp, nil
}

// totalOf returns the total a page announces (-1 when none) and where it
// was read: the total setting, the total header, or, without either, a
// total beside the records (totalNames).
func totalOf(body any, header http.Header, p Paging) (int64, string) {
	total := int64(-1)
	if p.TotalHeader != "" {
		if n, err := strconv.ParseInt(strings.TrimSpace(header.Get(p.TotalHeader)), 10, 64); err == nil {
			total = n
		}
	}
	if p.Total != "" {
		if n, ok := intAt(body, p.Total); ok {
			total = n
		}
	}
	totalAt := p.Total
	if totalAt == "" && p.TotalHeader != "" {
		totalAt = p.TotalHeader + " header"
	}
	if obj, ok := body.(map[string]any); ok && p.Total == "" && p.TotalHeader == "" {
		for _, k := range totalNames {
			if n, ok := intAt(obj, k); ok && n >= 0 {
				return n, k
			}
		}
	}
	return total, totalAt
}

// advance sets next to the page after st by the paging style p, or leaves
// its kind "" when the read ends by the style's rule.
func (r *listReply) advance(p Paging, st pageState, lp listPage, next *pageState) error {
	switch p.Style {
	case PagingLink, PagingNextURL:
		var ref string
		if p.Style == PagingLink {
			ref = linkNext(r.resp.Header.Values("Link"))
		} else if v, ok := lookupPath(r.body, p.Next); ok && v != nil {
			ref = fmt.Sprint(v)
		}
		if ref != "" {
			next.kind, next.value = tokenURL, resolveRef(r.resp.URL, ref)
			if st.kind == tokenURL && next.value == st.value {
				return fmt.Errorf("%w: %s names itself as the next page", ErrBadResponse, r.where)
			}
		}
	case PagingCursor:
		if v, ok := lookupPath(r.body, p.Next); ok && v != nil && fmt.Sprint(v) != "" && r.n > 0 {
			next.kind, next.value = tokenCursor, fmt.Sprint(v)
			if st.kind == tokenCursor && next.value == st.value {
				return fmt.Errorf("%w: %s names its own cursor as the next page", ErrBadResponse, r.where)
			}
		}
	case PagingPage:
		return r.nextPage(p, st, lp, next)
	case PagingOffset:
		off := 0
		if st.kind == tokenOffset {
			off, _ = strconv.Atoi(st.value)
		}
		more := r.n > 0 && int64(off+r.n) < lp.total
		if lp.total < 0 {
			more = !r.short()
		}
		if more {
			next.kind, next.value = tokenOffset, strconv.Itoa(off+r.n)
		}
	}
	return nil
}

// short reports the end of the read when the API gives no total: a page
// with fewer records than asked.
func (r *listReply) short() bool { return r.n == 0 || r.n < r.asked }

// nextPage is advance for page numbers: the read goes on until the total,
// or the number of pages, or else a short page.
func (r *listReply) nextPage(p Paging, st pageState, lp listPage, next *pageState) error {
	page := p.FirstPage
	if st.kind == tokenPage {
		page, _ = strconv.Atoi(st.value)
	} else {
		next.size = lp.size
	}
	pages, hasPages := int64(-1), false
	if p.TotalPages != "" {
		pages, hasPages = intAt(r.body, p.TotalPages)
	}
	var more bool
	switch {
	case lp.total >= 0:
		more = r.got < lp.total
	case hasPages:
		more = int64(page-p.FirstPage+1) < pages
	default:
		more = !r.short()
	}
	if more {
		next.kind, next.value = tokenPage, strconv.Itoa(page+1)
	}
	if more && r.n == 0 {
		if lp.total < 0 {
			return fmt.Errorf("%w: the API announced %d pages, but page %d (%s) came empty after %d records: run the read again",
				ErrIncomplete, pages, page, r.where, r.got)
		}
		next.kind = ""
	}
	return nil
}

// shortRead is the error of a read that ended after got records of the total
// the API announced at totalAt (a JSON path, or a header); where is the URL
// of the last page.
func shortRead(total, got int64, totalAt, where string) error {
	return fmt.Errorf("%w: it counted %d records (%s), but the read ended after %d (the last page: %s): "+
		"records were deleted while it ran, or the server cut its pages short; run the read again "+
		"(if %s is not the count of all records, set total or totalheader to where the API gives it)",
		ErrIncomplete, total, totalAt, got, where, totalAt)
}

// shortToken returns the error a short token stands for.
func shortToken(st pageState) error {
	t, rest, _ := strings.Cut(st.value, " ")
	totalAt, where, _ := strings.Cut(rest, "\n")
	total, _ := strconv.ParseInt(t, 10, 64)
	return shortRead(total, st.got, totalAt, where)
}
