package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/internal/testenv"
)

// cappedAPI serves n records (id 1..n, "v" = id) under several paths, at
// most limit a page whatever the client asks, and records the requests.
//
//	/offset/items?skip=&limit=      {"data": [...], "total": n}
//	/page/items?page=&per_page=     a bare list and X-Total-Count; page p starts at (p-1)*per_page as asked
//	/pages/items?page=&per_page=    {"data": [...], "pages": P}, P counted at the server's page size
//	/nototal/items?skip=&limit=     {"data": [...]}
//	/link/items?page=&size=         a bare list, X-Total-Count and a Link to the next page
//
// short > 0 makes the page that reaches the end of the list send that many
// records fewer, while the total still counts them.
type cappedAPI struct {
	srv      *httptest.Server
	n, limit int
	short    int
	mu       sync.Mutex
	requests []string
}

func newCappedAPI(t *testing.T, n, limit, short int) *cappedAPI {
	t.Helper()
	a := &cappedAPI{n: n, limit: limit, short: short}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *cappedAPI) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.requests = append(a.requests, r.Method+" "+r.URL.RequestURI())
	a.mu.Unlock()
	q := r.URL.Query()
	window := func(from, size int) []map[string]any {
		size = min(size, a.limit)
		out := []map[string]any{}
		for id := from + 1; id <= min(from+size, a.n); id++ {
			out = append(out, map[string]any{"id": id, "v": id})
		}
		if a.short > 0 && from+size >= a.n {
			out = out[:max(0, len(out)-a.short)]
		}
		return out
	}
	switch r.URL.Path {
	case "/offset/items":
		writeJSON(w, map[string]any{"data": window(atoi(q.Get("skip"), 0), atoi(q.Get("limit"), 10)), "total": a.n})
	case "/nototal/items":
		writeJSON(w, map[string]any{"data": window(atoi(q.Get("skip"), 0), atoi(q.Get("limit"), 10))})
	case "/page/items":
		size := atoi(q.Get("per_page"), 10)
		w.Header().Set("X-Total-Count", strconv.Itoa(a.n))
		writeJSON(w, window((atoi(q.Get("page"), 1)-1)*size, size))
	case "/pages/items":
		size := min(atoi(q.Get("per_page"), 10), a.limit)
		writeJSON(w, map[string]any{"data": window((atoi(q.Get("page"), 1)-1)*size, size), "pages": (a.n + size - 1) / size})
	case "/link/items":
		page, size := atoi(q.Get("page"), 1), atoi(q.Get("size"), 10)
		size = min(size, a.limit)
		if page*size < a.n {
			w.Header().Set("Link", fmt.Sprintf(`<http://%s/link/items?page=%d&size=%d>; rel="next"`, r.Host, page+1, size))
		}
		w.Header().Set("X-Total-Count", strconv.Itoa(a.n))
		writeJSON(w, window((page-1)*size, size))
	default:
		http.NotFound(w, r)
	}
}

func (a *cappedAPI) seen() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := a.requests
	a.requests = nil
	return out
}

// cappedSettings are the settings of each path of cappedAPI.
func cappedSettings(url, style string) spec.Values {
	switch style {
	case "offset", "nototal", "detected":
		path := style
		if style == "detected" { // the total is in the body, but no setting says so
			path = "offset"
		}
		v := spec.Values{"url": url + "/" + path + "/", "entities": "items", "paging": PagingOffset, "offsetparam": "skip", "sizeparam": "limit", "records": "data"}
		if style == "offset" {
			v["total"] = "total"
		}
		return v
	case "page":
		return spec.Values{"url": url + "/page/", "entities": "items", "paging": PagingPage, "pageparam": "page", "sizeparam": "per_page", "totalheader": "X-Total-Count"}
	case "pages":
		return spec.Values{"url": url + "/pages/", "entities": "items", "paging": PagingPage, "pageparam": "page", "sizeparam": "per_page", "records": "data", "totalpages": "pages"}
	case "link":
		return spec.Values{"url": url + "/link/", "entities": "items", "paging": PagingLink, "pageparam": "page", "sizeparam": "size", "totalheader": "X-Total-Count"}
	}
	panic(style)
}

// readAll reads every page of q, and returns the records and the error that
// ended the read, if any.
func readAll(c *Client, q connector.Query) ([]meta.Record, []string, error) {
	var recs []meta.Record
	var requests []string
	for token := ""; ; {
		p, err := c.ReadPage(context.Background(), q, token)
		if err != nil {
			return recs, requests, err
		}
		recs = append(recs, p.Records...)
		requests = append(requests, p.Request)
		if token = p.Next; token == "" || len(requests) > 1000 {
			return recs, requests, nil
		}
	}
}

// TestServerCap: asked for 500 records a page, the server sends 100 and a
// total of 406. Every style with a total reads all 406, once each, in 5
// requests: offset paging advances by what came; page paging takes the
// first page's size as the server's and asks for pages of that size, so
// that a server counting pages by the size asked skips nothing.
func TestServerCap(t *testing.T) {
	api := newCappedAPI(t, 406, 100, 0)
	for _, style := range []string{"offset", "detected", "page", "pages", "link"} {
		t.Run(style, func(t *testing.T) {
			v := cappedSettings(api.srv.URL, style)
			v["pagesize"] = "500"
			c, err := New(context.Background(), v)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Catalog(t.Context()); err != nil {
				t.Fatal(err)
			}
			api.seen()
			recs, requests, err := readAll(c, connector.Query{Entity: "items"})
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 406 {
				t.Fatalf("read %d records, want 406", len(recs))
			}
			for i, r := range recs {
				if r["id"] != int64(i+1) {
					t.Fatalf("record %d has id %v: records skipped or repeated", i, r["id"])
				}
			}
			seen := api.seen()
			if len(seen) != 5 || strings.Join(seen, "\n") != strings.Join(requests, "\n") {
				t.Errorf("the server saw %q; the pages said %q; want the same 5", seen, requests)
			}
		})
	}
	// Without a total nor a next link, a short page is the end: the rule of
	// such APIs (they cannot tell a cap from the end).
	c, err := New(context.Background(), cappedSettings(api.srv.URL, "nototal"))
	if err != nil {
		t.Fatal(err)
	}
	recs, _, err := readAll(c, connector.Query{Entity: "items", PageSize: 500})
	if err != nil || len(recs) != 100 {
		t.Errorf("without a total: %d records, %v; want the first page's 100", len(recs), err)
	}
}

// TestUnderDelivery: the server says 406 but the page that reaches the end
// sends 3 records fewer. The read is no success: after the 403 records
// sent, it fails with ErrIncomplete naming both numbers, whatever the paging
// style that has a total (with only a number of pages, a short last page
// cannot be told from the end).
func TestUnderDelivery(t *testing.T) {
	api := newCappedAPI(t, 406, 100, 3)
	for _, style := range []string{"offset", "detected", "page", "link"} {
		t.Run(style, func(t *testing.T) {
			c, err := New(context.Background(), cappedSettings(api.srv.URL, style))
			if err != nil {
				t.Fatal(err)
			}
			recs, _, err := readAll(c, connector.Query{Entity: "items", PageSize: 100})
			if !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), "counted 406 records") || !strings.Contains(err.Error(), "the read ended after 403") {
				t.Fatalf("read %d records, error %v: want ErrIncomplete naming 406 and 403", len(recs), err)
			}
			if len(recs) != 403 {
				t.Errorf("%d records came before the error, want the 403 sent", len(recs))
			}
		})
	}
}

// TestPageSizeSettings: the page size asked is the entity's paging.size,
// else the pagesize setting, and q.PageSize only when above 0; Page.Request
// is the request as sent.
func TestPageSizeSettings(t *testing.T) {
	api := newCappedAPI(t, 50, 1000, 0)
	tests := []struct {
		name     string
		extra    spec.Values
		pageSize int
		want     string
	}{
		{"default pagesize", nil, 0, "GET /offset/items?limit=100&skip=0"},
		{"pagesize setting", spec.Values{"pagesize": "25"}, 0, "GET /offset/items?limit=25&skip=0"},
		{"entity paging.size", spec.Values{"pagesize": "25", "entities": `[{"name": "items", "paging": {"size": 37}}]`}, 0, "GET /offset/items?limit=37&skip=0"},
		{"the query's page size", spec.Values{"entities": `[{"name": "items", "paging": {"size": 37}}]`}, 7, "GET /offset/items?limit=7&skip=0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := cappedSettings(api.srv.URL, "offset")
			for k, x := range tt.extra {
				v[k] = x
			}
			c, err := New(context.Background(), v)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Catalog(t.Context()); err != nil {
				t.Fatal(err)
			}
			api.seen()
			p, err := c.ReadPage(t.Context(), connector.Query{Entity: "items", PageSize: tt.pageSize}, "")
			if err != nil {
				t.Fatal(err)
			}
			if seen := api.seen(); p.Request != tt.want || len(seen) != 1 || seen[0] != tt.want {
				t.Errorf("Request %q, the server saw %q; want %q", p.Request, seen, tt.want)
			}
		})
	}
}

// TestSampleAcrossPages: sample 300 reads 3 pages of a server capping at
// 100, and sees the decimals and text that come after the first page.
func TestSampleAcrossPages(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		skip, limit := atoi(r.URL.Query().Get("skip"), 0), min(atoi(r.URL.Query().Get("limit"), 10), 100)
		var data []map[string]any
		for id := skip + 1; id <= min(skip+limit, 250); id++ {
			rec := map[string]any{"id": id, "n": json.Number(strconv.Itoa(id)), "code": id}
			if id > 120 {
				rec["n"], rec["code"] = json.Number(strconv.Itoa(id)+".5"), "C"+strconv.Itoa(id)
			}
			data = append(data, rec)
		}
		writeJSON(w, map[string]any{"data": data, "total": 250})
	}))
	defer srv.Close()
	for _, tt := range []struct {
		sample      string
		n, code     meta.Type
		wantN, want any
	}{
		{"300", meta.Decimal, meta.String, json.Number("130.5"), "C130"},
		{"100", meta.Int, meta.Int, "130.5", "C130"}, // values that do not fit pass as their text
	} {
		v := cappedSettings(srv.URL, "offset")
		v["url"], v["sample"], v["pagesize"] = srv.URL+"/", tt.sample, "500"
		c, err := New(context.Background(), v)
		if err != nil {
			t.Fatal(err)
		}
		cat, err := c.Catalog(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		n, _ := cat[0].Field("n")
		code, _ := cat[0].Field("code")
		if n.Type != tt.n || code.Type != tt.code {
			t.Errorf("sample %s: n %s, code %s; want %s and %s", tt.sample, n.Type, code.Type, tt.n, tt.code)
		}
		recs, _, err := readAll(c, connector.Query{Entity: "items"})
		if err != nil || len(recs) != 250 {
			t.Fatalf("sample %s: read %d records, %v", tt.sample, len(recs), err)
		}
		if recs[129]["n"] != tt.wantN || recs[129]["code"] != tt.want {
			t.Errorf("sample %s: record 130 n %#v code %#v, want %#v %#v", tt.sample, recs[129]["n"], recs[129]["code"], tt.wantN, tt.want)
		}
	}
}

func TestDecodeRecordPassesMisfits(t *testing.T) {
	e := meta.Entity{Name: "x", Key: []string{"id"}, Fields: []meta.Field{{Name: "id", Type: meta.Int}, {Name: "b", Type: meta.Bool},
		{Name: "at", Type: meta.DateTime}, {Name: "n", Type: meta.Int}}}
	rec := decodeRecord(e, meta.Record{"id": json.Number("1"), "b": json.Number("2"), "at": "yesterday", "n": json.Number("1.5"), "other": true})
	want := meta.Record{"id": int64(1), "b": "2", "at": "yesterday", "n": "1.5", "other": true}
	if fmt.Sprint(rec) != fmt.Sprint(want) {
		t.Errorf("decodeRecord = %#v, want %#v", rec, want)
	}
}

func TestPageTokens(t *testing.T) {
	for _, st := range []pageState{
		{kind: tokenPage, value: "3", got: 200, size: 100},
		{kind: tokenOffset, value: "250", got: 250},
		{kind: tokenCursor, value: "a|b:c,d", got: 7, found: 2},
		{kind: tokenURL, value: "http://h/x?page=2&a=b|c", got: 1},
		{kind: tokenItem, value: "4"},
	} {
		got, err := parseToken(st.token())
		if err != nil || got != st {
			t.Errorf("parseToken(%q) = %+v, %v; want %+v", st.token(), got, err, st)
		}
	}
	if st, err := parseToken("http://h/x?page=2"); err != nil || st.kind != tokenURL || st.value != "http://h/x?page=2" {
		t.Errorf("a bare URL token: %+v, %v", st, err)
	}
	for _, bad := range []string{"page:3", "page:1,2|x", "offset:0,0,0|-4", "what:0,0,0|1", "nonsense"} {
		if _, err := parseToken(bad); err == nil {
			t.Errorf("parseToken(%q) succeeded", bad)
		}
	}
}

// TestKeyReadsJSONServer: a read by a list of keys goes to json-server as
// its own filter, id=a&id=b, in one request; FilterRoom's measure counts the
// keys exactly as they travel, so that lists split by it fit maxurl.
func TestKeyReadsJSONServer(t *testing.T) {
	counter := testenv.CountRequests(t, testenv.RESTURL(t))
	const maxURL = minMaxURL
	c := jsonServer(t, counter.URL, spec.Values{"maxurl": strconv.Itoa(maxURL)})
	ctx := t.Context()
	if _, err := c.Catalog(ctx); err != nil {
		t.Fatal(err)
	}
	counter.Reset()
	p, err := c.ReadPage(ctx, connector.Query{Entity: "orders", Filter: "id in ('7','140','33')", PageSize: 3}, "")
	if err != nil || len(p.Records) != 3 || p.Next != "" {
		t.Fatalf("read by 3 keys: %d records, next %q, %v", len(p.Records), p.Next, err)
	}
	want := "GET /orders?_limit=3&_page=1&id=7&id=140&id=33"
	if s := counter.Stats(); s.Requests != 1 || p.Request != want || s.Recent[0] != want {
		t.Errorf("Request %q, the server saw %q; want one %q", p.Request, s.Recent, want)
	}

	// Split 150 keys as the engine does (core/engine/bykey.go), with a
	// download filter; each read's URL is what the measure said, within maxurl.
	base := "status ne 'cancelled'"
	q := connector.Query{Entity: "orders", Filter: base, PageSize: 500}
	room, measure, err := c.FilterRoom(ctx, q)
	if err != nil || room < 100 || room > maxURL {
		t.Fatalf("FilterRoom = %d, %v", room, err)
	}
	full := func(q connector.Query) int {
		t.Helper()
		_, lq, _, err := c.plan(mustEntity(t, c, "orders"), mustEndpoint(t, c, "orders"), q)
		if err != nil {
			t.Fatal(err)
		}
		ep := mustEndpoint(t, c, "orders")
		ep.Paging.Size = q.PageSize
		req := pageRequest(ep, lq, pageState{})
		u, err := c.http.Resolve(req.URL, req.Query)
		if err != nil {
			t.Fatal(err)
		}
		return len(u)
	}
	start := full(q)
	fixed := measure("id in (") + measure(")")
	var chunks [][]string
	var cur []string
	used := 0
	for i := 1; i <= 150; i++ {
		lit := fmt.Sprintf("'%d'", i)
		cost := measure(lit)
		if len(cur) > 0 {
			cost += measure(",")
		}
		if len(cur) > 0 && fixed+used+cost > room {
			chunks, cur, used = append(chunks, cur), nil, 0
			cost = measure(lit)
		}
		cur = append(cur, lit)
		used += cost
	}
	chunks = append(chunks, cur)
	if len(chunks) < 3 {
		t.Fatalf("150 keys in %d reads: maxurl %d is not binding", len(chunks), maxURL)
	}
	counter.Reset()
	total := 0
	for _, keys := range chunks {
		kq := connector.Query{Entity: "orders", Filter: "(" + base + ") and (id in (" + strings.Join(keys, ",") + "))", PageSize: len(keys)}
		cost := fixed
		for i, k := range keys {
			cost += measure(k)
			if i > 0 {
				cost += measure(",")
			}
		}
		grown := full(kq) - full(connector.Query{Entity: "orders", Filter: base, PageSize: len(keys)})
		if grown != cost || full(kq) > maxURL || full(kq) > start+room {
			t.Errorf("%d keys: the URL grew by %d, the measure said %d; %d characters, maxurl %d", len(keys), grown, cost, full(kq), maxURL)
		}
		recs, _, err := readAll(c, kq)
		if err != nil {
			t.Fatal(err)
		}
		total += len(recs)
	}
	s := counter.Stats()
	if s.Requests != len(chunks) || s.MaxURL > maxURL || total == 0 {
		t.Errorf("%d reads sent %d requests (longest %d, maxurl %d), %d records", len(chunks), s.Requests, s.MaxURL, maxURL, total)
	}
}

func mustEntity(t *testing.T, c *Client, name string) meta.Entity {
	t.Helper()
	e, _, err := c.entity(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func mustEndpoint(t *testing.T, c *Client, name string) Endpoint {
	t.Helper()
	_, ep, err := c.entity(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

// TestKeyReadsWithoutFilters: an API that cannot filter and has no item path
// of its own is read by key with pages of its page size (100, capped here at
// 100), not of one record per key as the engine's page size (the number of
// keys) would make them, and the read stops once every key came.
func TestKeyReadsWithoutFilters(t *testing.T) {
	api := newCappedAPI(t, 406, 100, 0)
	c, err := New(context.Background(), cappedSettings(api.srv.URL, "offset"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Catalog(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		filter   string
		want     int
		requests int
	}{
		{"id in ('3')", 1, 1},
		{"id in ('350','5')", 2, 4},
		{"id in ('350','5','9999')", 2, 5}, // a key the API does not have: the whole list
	} {
		api.seen()
		n := strings.Count(tt.filter, ",") + 1
		recs, requests, err := readAll(c, connector.Query{Entity: "items", Filter: tt.filter, PageSize: n})
		seen := api.seen()
		if err != nil || len(recs) != tt.want || len(seen) != tt.requests || len(requests) != tt.requests || !strings.Contains(seen[0], "limit=100&skip=0") {
			t.Errorf("%s: %d records in %d requests %q (%v); want %d in %d", tt.filter, len(recs), len(seen), seen, err, tt.want, tt.requests)
		}
	}
}
