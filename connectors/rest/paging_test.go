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
	"testing"

	"switchyard/connectors/conntest"
	"switchyard/connectors/httpx"
	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

const fakeTotal = 23

// fakeItems are the records of the fake API: ids 1..23.
func fakeItems() []map[string]any {
	out := make([]map[string]any, fakeTotal)
	for i := range out {
		out[i] = map[string]any{"id": i + 1, "name": fmt.Sprintf("item %d", i+1), "score": float64(i+1) * 1.5,
			"seen": fmt.Sprintf("2024-03-%02dT10:00:00Z", i+1), "dims": map[string]any{"w": i, "h": 2 * i}}
	}
	return out
}

func atoi(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

func window(from, size int) []map[string]any {
	items := fakeItems()
	if from >= len(items) {
		return []map[string]any{}
	}
	return items[from:min(from+size, len(items))]
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// fakeAPI serves the same 23 records with every pagination style, one path each.
func fakeAPI(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	// page + size, the records under data, the number of pages in meta.
	mux.HandleFunc("/pages/items", func(w http.ResponseWriter, r *http.Request) {
		page, size := atoi(r.URL.Query().Get("page"), 1), atoi(r.URL.Query().Get("per_page"), 10)
		writeJSON(w, map[string]any{"data": window((page-1)*size, size), "meta": map[string]any{"total_pages": (fakeTotal + size - 1) / size}})
	})
	// page + size, a bare list: stop on a short page.
	mux.HandleFunc("/short/items", func(w http.ResponseWriter, r *http.Request) {
		page, size := atoi(r.URL.Query().Get("p"), 0), atoi(r.URL.Query().Get("n"), 10)
		writeJSON(w, window(page*size, size))
	})
	// offset + limit, with a total count.
	mux.HandleFunc("/offset/items", func(w http.ResponseWriter, r *http.Request) {
		off, lim := atoi(r.URL.Query().Get("offset"), 0), atoi(r.URL.Query().Get("limit"), 10)
		writeJSON(w, map[string]any{"results": window(off, lim), "count": fakeTotal})
	})
	// a cursor in the body, null on the last page.
	mux.HandleFunc("/cursor/items", func(w http.ResponseWriter, r *http.Request) {
		from := 0
		if c := r.URL.Query().Get("cursor"); c != "" {
			from = atoi(strings.TrimPrefix(c, "after-"), -1)
			if from < 0 {
				http.Error(w, `{"error": "bad cursor"}`, http.StatusBadRequest)
				return
			}
		}
		items := window(from, atoi(r.URL.Query().Get("limit"), 10))
		var next any
		if from+len(items) < fakeTotal {
			next = fmt.Sprintf("after-%d", from+len(items))
		}
		writeJSON(w, map[string]any{"items": items, "meta": map[string]any{"next_cursor": next}})
	})
	// a relative next URL in the body.
	mux.HandleFunc("/nexturl/items", func(w http.ResponseWriter, r *http.Request) {
		from, size := atoi(r.URL.Query().Get("from"), 0), atoi(r.URL.Query().Get("size"), 10)
		body := map[string]any{"data": window(from, size), "links": map[string]any{}}
		if from+size < fakeTotal {
			body["links"] = map[string]any{"next": fmt.Sprintf("items?from=%d&size=%d", from+size, size)}
		}
		writeJSON(w, body)
	})
	// a Link header, GitHub style.
	mux.HandleFunc("/link/items", func(w http.ResponseWriter, r *http.Request) {
		page, size := atoi(r.URL.Query().Get("page"), 1), atoi(r.URL.Query().Get("size"), 10)
		if page*size < fakeTotal {
			w.Header().Set("Link", fmt.Sprintf(`<http://%s/link/items?page=%d&size=%d>; rel="next", <http://%s/link/items?page=1&size=%d>; rel="first"`,
				r.Host, page+1, size, r.Host, size))
		}
		w.Header().Set("X-Total", strconv.Itoa(fakeTotal))
		writeJSON(w, window((page-1)*size, size))
	})
	// no paging at all.
	mux.HandleFunc("/none/items", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, fakeItems()) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestPagingStyles(t *testing.T) {
	srv := fakeAPI(t)
	tests := []struct {
		name      string
		settings  spec.Values
		wantPages int
		wantTotal int64
	}{
		{"page with total pages", spec.Values{"url": srv.URL + "/pages/", "paging": PagingPage, "pageparam": "page", "sizeparam": "per_page",
			"records": "data", "totalpages": "meta.total_pages"}, 5, -1},
		{"page until a short page", spec.Values{"url": srv.URL + "/short/", "entities": `[{"name": "items", "paging": {"style": "page", "pageParam": "p", "sizeParam": "n", "firstPage": 0}}]`}, 5, -1},
		{"offset and limit", spec.Values{"url": srv.URL + "/offset/", "paging": PagingOffset, "offsetparam": "offset", "sizeparam": "limit",
			"records": "results", "total": "count"}, 5, fakeTotal},
		{"cursor in the body", spec.Values{"url": srv.URL + "/cursor/", "paging": PagingCursor, "cursorparam": "cursor", "sizeparam": "limit",
			"next": "meta.next_cursor", "records": "items"}, 5, -1},
		{"next URL in the body", spec.Values{"url": srv.URL + "/nexturl/", "paging": PagingNextURL, "sizeparam": "size", "next": "links.next"}, 5, -1},
		{"Link header", spec.Values{"url": srv.URL + "/link/", "paging": PagingLink, "pageparam": "page", "sizeparam": "size", "totalheader": "X-Total"}, 5, fakeTotal},
		{"none", spec.Values{"url": srv.URL + "/none/"}, 1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.settings.Clone()
			if v["entities"] == "" {
				v["entities"] = "items"
			}
			c, err := New(context.Background(), v)
			if err != nil {
				t.Fatal(err)
			}
			recs, pages := conntest.ReadAll(t.Context(), t, c, connector.Query{Entity: "items", PageSize: 5})
			if len(recs) != fakeTotal || pages != tt.wantPages {
				t.Fatalf("read %d records in %d pages, want %d in %d", len(recs), pages, fakeTotal, tt.wantPages)
			}
			for i, r := range recs {
				if r["id"] != int64(i+1) || r["dims.h"] != int64(2*i) {
					t.Fatalf("record %d = %v, want id %d with dims.h %d", i, r, i+1, 2*i)
				}
			}
			p, err := c.ReadPage(t.Context(), connector.Query{Entity: "items", PageSize: 5, Count: true}, "")
			if err != nil || p.Total != tt.wantTotal {
				t.Errorf("Total = %d (%v), want %d", p.Total, err, tt.wantTotal)
			}
			// A filter the API cannot take is applied in Go, across pages.
			got, _ := conntest.ReadAll(t.Context(), t, c, connector.Query{Entity: "items", PageSize: 5, Filter: "score gt 30 and name ne 'item 22'"})
			if len(got) != 2 || got[0]["id"] != int64(21) || got[1]["id"] != int64(23) {
				t.Errorf("filtered read: %v, want ids 21 and 23", got)
			}
		})
	}
}

func TestFilterPushDownJSONServer(t *testing.T) {
	e := meta.Entity{Name: "c", Key: []string{"id"}, Fields: []meta.Field{{Name: "id", Type: meta.Int}, {Name: "name", Type: meta.String},
		{Name: "at", Type: meta.DateTime}, {Name: "score", Type: meta.Decimal}, {Name: "vip", Type: meta.Bool}}}
	tests := []struct {
		filter    string
		wantQuery string
		wantExact bool
	}{
		{"id in (1,2,3)", "id=1&id=2&id=3", true},
		{"name eq 'Ann' and vip eq true", "name=Ann&vip=true", true},
		{"score ge 10.5 and score lt 20", "score_gte=10.5&score_lte=20", false},
		{"at ge 2024-01-01T10:00:00+02:00", "at_gte=2024-01-01T08%3A00%3A00.000Z", true},
		{"contains(name, 'a.b')", "name_like=a%5C.b", false},
		{"name eq 'x' or id eq 2", "", false},
		{"5 le id", "id_gte=5", true},
		{"score eq 1.5", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			c := &Client{settings: Settings{Filters: FiltersJSONServer}}
			_, q, exact, err := c.plan(e, Endpoint{Key: "id"}, connector.Query{Filter: tt.filter})
			if err != nil {
				t.Fatal(err)
			}
			if got := q.base.Encode(); got != tt.wantQuery || exact != tt.wantExact {
				t.Errorf("query %q exact %v, want %q %v", got, exact, tt.wantQuery, tt.wantExact)
			}
		})
	}
}

func TestInfer(t *testing.T) {
	recs := []meta.Record{
		flatten(map[string]any{"id": json.Number("1"), "n": json.Number("2"), "d": "2024-01-31", "at": "2024-01-31T10:00:00Z", "g": "0B6C9F2E-8D4A-4C1E-9B7A-2F3E4D5C6B7A",
			"b": true, "mixed": json.Number("1"), "x": map[string]any{"y": "z"}, "list": []any{json.Number("1")}, "none": nil}),
		flatten(map[string]any{"id": json.Number("2"), "n": json.Number("2.5"), "d": "2024-02-01", "at": "2024-01-31 10:00:00.5+01:00",
			"b": false, "mixed": "text", "x": map[string]any{"y": nil}, "none": nil}),
	}
	want := map[string]meta.Field{
		"id": {Type: meta.Int}, "n": {Type: meta.Decimal}, "d": {Type: meta.Date}, "at": {Type: meta.DateTime},
		"g": {Type: meta.GUID, Nullable: true}, "b": {Type: meta.Bool}, "mixed": {Type: meta.String}, "x.y": {Type: meta.String, Nullable: true},
		"list": {Type: meta.String, Nullable: true}, "none": {Type: meta.String, Nullable: true},
	}
	fields := infer("id", recs)
	if fields[0].Name != "id" || len(fields) != len(want) {
		t.Fatalf("fields %v", fields)
	}
	for _, f := range fields {
		w := want[f.Name]
		if f.Type != w.Type || f.Nullable != w.Nullable {
			t.Errorf("%s: %s nullable %v, want %s nullable %v", f.Name, f.Type, f.Nullable, w.Type, w.Nullable)
		}
	}
}

func TestLinkNext(t *testing.T) {
	tests := []struct{ header, want string }{
		{`<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last"`, "https://api.github.com/x?page=2"},
		{`<https://h/x?page=1>; rel="prev first", <https://h/x?page=3>; rel="next"`, "https://h/x?page=3"},
		{`<https://h/x?page=1>; rel=first`, ""},
		{``, ""},
	}
	for _, tt := range tests {
		if got := linkNext([]string{tt.header}); got != tt.want {
			t.Errorf("linkNext(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestSettingsProblems(t *testing.T) {
	tests := []struct {
		name string
		v    spec.Values
		want string
	}{
		{"no url", spec.Values{}, "Base URL is required"},
		{"bad JSON", spec.Values{"url": "http://h/", "entities": `[{"name": "a", "lst": "x"}]`}, `unknown field "lst"`},
		{"cursor without param", spec.Values{"url": "http://h/", "entities": "a", "paging": "cursor", "next": "n"}, "cursorParam"},
		{"duplicate", spec.Values{"url": "http://h/", "entities": "a, a"}, "declared twice"},
		{"since without value", spec.Values{"url": "http://h/", "entities": "a", "since": "changed=1"}, "{value}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(context.Background(), tt.v)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestWriteOutcomes checks how the API's answers become results.
func TestWriteOutcomes(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		got = append(got, r.Method+" "+r.URL.Path+" "+fmt.Sprint(body))
		switch {
		case r.Method == http.MethodGet:
			writeJSON(w, []any{map[string]any{"code": "A1", "qty": 1, "meta": map[string]any{"color": "red"}}})
		case r.Method == http.MethodPost:
			w.Header().Set("Location", "/api/things/B2")
			w.WriteHeader(http.StatusCreated)
		case strings.HasSuffix(r.URL.Path, "/gone"):
			http.Error(w, `{"message": "no such thing"}`, http.StatusNotFound)
		case strings.HasSuffix(r.URL.Path, "/busy"):
			http.Error(w, `{"message": "edited by someone else"}`, http.StatusConflict)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer srv.Close()
	c, err := New(context.Background(), spec.Values{"url": srv.URL + "/api/", "entities": `[{"name": "things", "key": "code", "updateMethod": "put"}]`})
	if err != nil {
		t.Fatal(err)
	}
	c.http = httpx.New(httpx.Config{BaseURL: srv.URL + "/api/", Retries: -1})
	ctx := t.Context()
	res, err := c.Write(ctx, "things", connector.Create, []meta.Record{{"qty": int64(2), "meta.color": "blue"}})
	if err != nil || res[0].Err != nil || res[0].Key != "B2" {
		t.Fatalf("create: %+v %v", res, err)
	}
	res, err = c.Write(ctx, "things", connector.Update, []meta.Record{{"code": "A1", "qty": int64(3)}, {"code": "gone", "qty": int64(1)}, {"code": "busy"}, {"qty": int64(1)}})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || !errors.Is(res[1].Err, connector.ErrDeleted) || !errors.Is(res[2].Err, connector.ErrConflict) || res[3].Err == nil {
		t.Errorf("update results: %v / %v / %v / %v", res[0].Err, res[1].Err, res[2].Err, res[3].Err)
	}
	if !strings.Contains(res[1].Err.Error(), "no such thing") {
		t.Errorf("the server's message is lost: %v", res[1].Err)
	}
	res, _ = c.Write(ctx, "things", connector.Upsert, []meta.Record{{"code": "gone", "qty": int64(1)}})
	if res[0].Err != nil || !res[0].Created {
		t.Errorf("upsert of a missing record: %+v, want created", res[0])
	}
	wantSeen := []string{
		"POST /api/things map[meta:map[color:blue] qty:2]",
		"PUT /api/things/A1 map[qty:3]",
	}
	for _, w := range wantSeen {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("the API never saw %q; it saw %q", w, got)
		}
	}
}
