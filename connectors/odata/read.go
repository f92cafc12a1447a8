package odata

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"switchyard/connectors/httpx"
	"switchyard/core/connector"
	"switchyard/core/filter"
	"switchyard/core/meta"
)

// ErrBadResponse: the service answered with something that is not a valid OData response.
var ErrBadResponse = errors.New("the OData service sent an invalid response")

// countCappedKey is Dataverse's annotation of a count it stopped at 5,000:
// the count is then a lower bound, not the total.
const countCappedKey = "@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"

// skipToken starts the page tokens of client-driven paging: "$skip=N".
const skipToken = "$skip="

// pageBody is an OData JSON collection response.
type pageBody struct {
	Count json.Number      `json:"@odata.count"`
	Value []map[string]any `json:"value"`
	Next  string           `json:"@odata.nextLink"`
	Delta string           `json:"@odata.deltaLink"`
	// CountCapped: the count is a lower bound (Dataverse stops counting at
	// 5,000 and says so with countCappedKey).
	CountCapped bool `json:"@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"`
	// Typed: the records' values are converted already (typedRecord), and
	// Annotated tells which records carry annotations.
	Typed     bool   `json:"-"`
	Annotated []bool `json:"-"`
}

// ReadPage reads one page of q.Entity. The first page (token "") is built
// from q: $select of q.Fields (a lookup selects its foreign-key field, or
// expands the navigation's key where it has none) plus the key, $filter of
// q.Filter (passed through as OData text) and of the cursor when q.Since is
// set, $orderby (cursor then key for incremental reads), $count. With server
// paging the next token is the service's @odata.nextLink; with client paging
// it is "$skip=N". Values arrive as connector.Query documents; a record's
// ETag comes under connector.ETagKey.
func (c *Client) ReadPage(ctx context.Context, q connector.Query, token string) (connector.Page, error) {
	f, err := c.FetchPage(ctx, q, token)
	if err != nil {
		return connector.Page{}, err
	}
	return f.Decode()
}

// FetchPage asks for the page of q that token names, as ReadPage does, and
// returns the answer undecoded (connector.PageFetcher): the engine asks for
// the next page by its hint while this one is decoded. A page read through
// $batch (its URL is longer than maxurl) comes decoded, its next link exact.
func (c *Client) FetchPage(ctx context.Context, q connector.Query, token string) (connector.FetchedPage, error) {
	e, err := c.entity(ctx, q.Entity)
	if err != nil {
		return nil, err
	}
	req, skip, size, err := c.pageRequest(e, q, token)
	if err != nil {
		return nil, err
	}
	full, fits, err := c.fits(req)
	if err != nil {
		return nil, connector.ReadErr(q.Entity, err)
	}
	if !fits {
		resp, err := c.getLong(ctx, e, req, full)
		if err != nil {
			return nil, connector.ReadErr(q.Entity, c.explain(err))
		}
		page, err := c.decodePageResponse(e, q, resp, skip, size)
		page.Request = requestLine(full, true)
		page.Next = c.batchedNext(e, page.Next)
		return decodedPage{page: page, err: err}, nil
	}
	resp, err := c.http.Do(ctx, req)
	if err != nil {
		return nil, connector.ReadErr(q.Entity, c.explain(err))
	}
	return &fetchedPage{c: c, e: e, q: q, resp: resp, skip: skip, size: size, full: full}, nil
}

// fetchedPage is an answer of the service not decoded yet.
type fetchedPage struct {
	c          *Client
	e          meta.Entity
	q          connector.Query
	resp       *httpx.Response
	skip, size int
	full       string
}

// NextHint guesses the next link from the raw answer (guessNextLink); a
// page of client paging, whose next token is computed once decoded, and a
// next link longer than maxurl (read through $batch when its turn comes)
// give none.
func (f *fetchedPage) NextHint() (string, bool) {
	if f.skip >= 0 && f.c.settings.Paging == PagingClient {
		return "", false
	}
	token, ok := guessNextLink(f.resp.Body)
	if !ok || strings.HasPrefix(token, skipToken) {
		return "", false
	}
	req, _, _, err := f.c.pageRequest(f.e, f.q, token)
	if err != nil {
		return "", false
	}
	if _, fits, _ := f.c.fits(req); !fits {
		return "", false
	}
	return token, true
}

func (f *fetchedPage) Size() int { return len(f.resp.Body) }

func (f *fetchedPage) Decode() (connector.Page, error) {
	page, err := f.c.decodePageResponse(f.e, f.q, f.resp, f.skip, f.size)
	page.Request = requestLine(f.full, false)
	return page, err
}

func (f *fetchedPage) Release() { f.resp.Release() }

// decodedPage is a page that came decoded (read through $batch).
type decodedPage struct {
	page connector.Page
	err  error
}

func (d decodedPage) NextHint() (string, bool)        { return d.page.Next, d.err == nil }
func (d decodedPage) Size() int                       { return 0 }
func (d decodedPage) Decode() (connector.Page, error) { return d.page, d.err }
func (d decodedPage) Release()                        {}

// pageRequest builds the request for the page token names, and tells the
// $skip it reads (-1 for a next or delta link) and the page size.
func (c *Client) pageRequest(e meta.Entity, q connector.Query, token string) (req httpx.Request, skip, size int, err error) {
	size = q.PageSize
	if size <= 0 {
		size = c.settings.PageSize
	}
	if q.Limit > 0 && q.Limit < size {
		size = q.Limit
	}
	req = httpx.Request{Header: http.Header{"Accept": {"application/json"}, "OData-Version": {"4.0"}, "OData-MaxVersion": {"4.01"}}, ReuseBody: true}
	prefer := []string{}
	if c.settings.Paging == PagingServer {
		prefer = append(prefer, "odata.maxpagesize="+strconv.Itoa(size))
	}
	skip = -1
	switch {
	case strings.HasPrefix(token, skipToken):
		n, err := strconv.Atoi(strings.TrimPrefix(token, skipToken))
		if err != nil || n < 0 {
			return req, 0, 0, connector.ReadErr(q.Entity, fmt.Errorf("page token %q is not valid: start the read again", token))
		}
		skip = n
	case token != "":
		// A next link or delta link: absolute or relative to the service root.
		req.URL = withoutCount(token)
	case q.Delta != "":
		req.URL = q.Delta
	default:
		skip = 0
	}
	if skip >= 0 {
		if skip > 0 {
			q.Count = false // the first page brought the total
		}
		qs, err := c.buildQuery(e, q)
		if err != nil {
			return req, 0, 0, err
		}
		if c.settings.Paging == PagingClient {
			qs.Set("$top", strconv.Itoa(size))
			if skip > 0 {
				qs.Set("$skip", strconv.Itoa(skip))
			}
		}
		req.URL, req.Query = c.setPath(e.Name), qs
		if q.Track {
			prefer = append(prefer, "odata.track-changes")
		}
	}
	if len(prefer) > 0 {
		req.Header.Set("Prefer", strings.Join(prefer, ","))
	}
	return req, skip, size, nil
}

// decodePageResponse decodes the page in resp (and gives its buffer back).
func (c *Client) decodePageResponse(e meta.Entity, q connector.Query, resp *httpx.Response, skip, size int) (connector.Page, error) {
	body, err := decodePageReusing(resp.Body, c.spare, c.fieldTypes(e))
	resp.Release() // the decoded page holds copies
	if err != nil {
		return connector.Page{}, connector.ReadErr(q.Entity, fmt.Errorf("%w: the page from %s is not OData JSON (%v): check that the URL is an OData v4 service", ErrBadResponse, httpx.RedactURL(resp.URL), err))
	}
	if body.Value == nil {
		return connector.Page{}, connector.ReadErr(q.Entity, fmt.Errorf("%w: the page from %s has no \"value\" list", ErrBadResponse, httpx.RedactURL(resp.URL)))
	}
	page := connector.Page{Total: -1, Records: make([]meta.Record, 0, len(body.Value))}
	if body.Count != "" && !body.CountCapped { // a capped count is no total
		if n, err := body.Count.Int64(); err == nil {
			page.Total = n
		}
	}
	targets, fields := c.targetKeys(e), newFieldTable(e)
	for i, raw := range body.Value {
		if body.Typed {
			page.Records = append(page.Records, typedRecord(raw, body.Annotated[i]))
			continue
		}
		if removed(raw) {
			key, err := removedKey(e, raw)
			if err != nil {
				return connector.Page{}, connector.ReadErr(q.Entity, fmt.Errorf("deleted entry %d: %w", i, err))
			}
			page.Deleted = append(page.Deleted, key)
			continue
		}
		rec, err := decodeRecord(fields, raw, targets)
		if err != nil {
			return connector.Page{}, connector.ReadErr(q.Entity, fmt.Errorf("record %d of the page from %s: %w: %w", i, httpx.RedactURL(resp.URL), ErrBadResponse, err))
		}
		page.Records = append(page.Records, rec)
	}
	switch {
	case body.Next != "":
		page.Next = body.Next
	case c.settings.Paging == PagingClient && skip >= 0 && len(body.Value) >= size:
		page.Next = skipToken + strconv.Itoa(skip+len(body.Value))
	}
	if page.Next == "" {
		page.Delta = body.Delta
	}
	return page, nil
}

// withoutCount drops $count=true from the query of a next link. Services such
// as SAP CAP repeat the first request's options in their next links, and so
// count the whole set again for every page; the total came with the first
// page and does not change meanwhile. The rest of the link stays as the
// service wrote it.
func withoutCount(link string) string {
	q := strings.IndexByte(link, '?')
	if q < 0 {
		return link
	}
	parts := strings.Split(link[q+1:], "&")
	kept := parts[:0]
	for _, part := range parts {
		name, value, _ := strings.Cut(part, "=")
		if (name == "$count" || strings.EqualFold(name, "%24count")) && strings.EqualFold(value, "true") {
			continue
		}
		kept = append(kept, part)
	}
	if len(kept) == len(parts) {
		return link
	}
	return link[:q+1] + strings.Join(kept, "&")
}

// spareRecords is how many recycled record maps a client keeps: two pages of
// 5,000 (more are left to the garbage collector).
const spareRecords = 10_000

// Recycle takes back records of pages ReadPage returned, for later pages to
// reuse (connector.Recycler).
func (c *Client) Recycle(records []meta.Record) {
	for _, r := range records {
		if r == nil {
			continue
		}
		clear(r)
		select {
		case c.spare <- r:
		default:
			return // enough kept
		}
	}
}

// TracksChanges reports whether the service tracks changes with delta links:
// true for the Dataverse preset.
func (c *Client) TracksChanges(ctx context.Context, entity string) (bool, error) {
	if _, err := c.entity(ctx, entity); err != nil {
		return false, err
	}
	return c.settings.Preset.Delta, nil
}

// selectsEvery reports whether sel names every property that a response
// without $select brings for entity set name: then $select is left out,
// since it only costs the service work (SAP CAP pages 3–4 % slower with a
// $select of all nine properties of an entity than without one).
func (c *Client) selectsEvery(name string, sel []string) bool {
	c.mu.Lock()
	props, known := c.props[name]
	c.mu.Unlock()
	if !known || len(sel) < len(props) {
		return false
	}
	selected := make(map[string]bool, len(sel))
	for _, s := range sel {
		selected[s] = true
	}
	for _, p := range props {
		if !selected[p] {
			return false
		}
	}
	return true
}

// buildQuery builds the system query options of a first page.
func (c *Client) buildQuery(e meta.Entity, q connector.Query) (url.Values, error) {
	qs := url.Values{}
	if len(q.Fields) > 0 {
		sel, expand, err := selectFields(e, q.Fields, c.flatPaths(e.Name))
		if err != nil {
			return nil, connector.ReadErr(e.Name, err)
		}
		if len(expand) > 0 || !c.selectsEvery(e.Name, sel) {
			qs.Set("$select", strings.Join(sel, ","))
		}
		if len(expand) > 0 {
			qs.Set("$expand", strings.Join(expand, ","))
		}
	}
	filters := []string{}
	if f := strings.TrimSpace(q.Filter); f != "" {
		filters = append(filters, "("+propertyPaths(q, c.flatPaths(e.Name))+")")
	}
	orderBy := q.OrderBy
	if !q.Since.IsZero() {
		cursor := q.CursorField
		if cursor == "" {
			cursor = c.settings.CursorField
		}
		if cursor == "" {
			return nil, fmt.Errorf("read %s incrementally: no change cursor field: set the cursorfield setting (e.g. modifiedAt)", e.Name)
		}
		f, ok := e.Field(cursor)
		if !ok || (f.Type != meta.DateTime && f.Type != meta.Date) {
			return nil, fmt.Errorf("read %s incrementally: cursor field %q is not a date or datetime field of the entity: set cursorfield to its change timestamp", e.Name, cursor)
		}
		filters = append(filters, cursor+" ge "+filterLiteral(f.Type, q.Since.Add(-q.Overlap)))
		orderBy = append([]string{cursor + " asc"}, keyOrder(e)...)
	}
	if len(orderBy) == 0 && c.settings.Paging == PagingClient {
		orderBy = keyOrder(e) // $skip needs a stable order
	}
	if len(filters) > 0 {
		qs.Set("$filter", strings.Join(filters, " and "))
	}
	if len(orderBy) > 0 {
		qs.Set("$orderby", strings.Join(orderBy, ","))
	}
	if q.Count {
		qs.Set("$count", "true")
	}
	if q.Limit > 0 && c.settings.Paging == PagingServer {
		qs.Set("$top", strconv.Itoa(q.Limit)) // the whole read, not a page: CAP ignores odata.maxpagesize
	}
	return qs, nil
}

func keyOrder(e meta.Entity) []string {
	out := make([]string, len(e.Key))
	for i, k := range e.Key {
		out[i] = k + " asc"
	}
	return out
}

// selectFields returns $select (the key always included) and $expand items
// for fields; a field flattened from a complex property selects the property.
func selectFields(e meta.Entity, fields []string, flat map[string][]string) (sel, expand []string, err error) {
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			sel = append(sel, n)
		}
	}
	for _, k := range e.Key {
		add(k)
	}
	for _, name := range fields {
		f, ok := e.Field(name)
		if !ok {
			return nil, nil, fmt.Errorf("field %q is not in the entity: refresh the catalog and check the mapping", name)
		}
		if path, ok := flat[name]; ok {
			add(path[0])
			continue
		}
		if f.Type != meta.Lookup {
			add(name)
			continue
		}
		if f.ForeignKey != "" {
			add(f.ForeignKey)
			continue
		}
		expand = append(expand, f.Name)
	}
	return sel, expand, nil
}

// propertyPaths returns the filter text of q with the flattened complex
// fields it names (address_city) as the property paths the service knows
// (address/city), renamed on the expression q carries (Query.Condition), or
// q.Filter as it is when it names none. A filter that does not parse is sent
// as written, for the service to judge.
func propertyPaths(q connector.Query, flat map[string][]string) string {
	text := strings.TrimSpace(q.Filter)
	if len(flat) == 0 {
		return text
	}
	cond, err := q.Condition()
	if err != nil || cond == nil {
		return text
	}
	if !slices.ContainsFunc(filter.Fields(cond), func(name string) bool { _, ok := flat[name]; return ok }) {
		return text
	}
	return filter.ToOData(filter.Renamed(cond, func(name string) string {
		if path, ok := flat[name]; ok {
			return strings.Join(path, "/")
		}
		return name
	}))
}
