package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"switchyard/connectors/conntest"
	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/internal/testenv"
)

// The Feathers test server (testdata/feathers/serve.js) serves 406 items and
// 10,000 accounts, $limit/$skip paging capped at 50 records a page, the
// records under data and the total under total.
const feathersItems = 406

// feathers opens the connector on the Feathers server at root with the
// feathers preset, the entities items and accounts, and extra settings.
func feathers(t testing.TB, root string, extra spec.Values) *Client {
	t.Helper()
	v := spec.Values{"url": root, "preset": PresetFeathers, "entities": "items, accounts", "updatedat": "updatedAt"}
	for k, x := range extra {
		v[k] = x
	}
	c, err := New(context.Background(), v)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// readPages reads every page of q and returns the records, the requests the
// pages say were sent, and the total of the first page.
func readPages(t testing.TB, r connector.Reader, q connector.Query) ([]meta.Record, []string, int64) {
	t.Helper()
	var recs []meta.Record
	var requests []string
	total := int64(-2)
	for token := ""; ; {
		p, err := r.ReadPage(t.Context(), q, token)
		if err != nil {
			t.Fatalf("read %s page %d: %v", q.Entity, len(requests)+1, err)
		}
		if total == -2 {
			total = p.Total
		}
		if p.Request == "" {
			t.Errorf("page %d of %s says nothing of its request", len(requests)+1, q.Entity)
		}
		recs = append(recs, p.Records...)
		requests = append(requests, p.Request)
		if token = p.Next; token == "" {
			return recs, requests, total
		}
		if len(requests) > 10000 {
			t.Fatal("the read does not end")
		}
	}
}

func TestConformanceFeathers(t *testing.T) {
	root := testenv.OwnFeathers(t)
	conntest.Run(t, conntest.Suite{
		Open: func(t *testing.T) connector.Connector {
			return feathers(t, root, conformanceDateTime("items", "accounts"))
		},
		Paged:         "items",
		PagedTotal:    feathersItems,
		PageSize:      7,
		Filter:        "active eq true and price ge 0",
		FilterMatches: feathersItems - feathersItems/3,
		Match:         func(r meta.Record) bool { return r["active"] == true },
		CursorField:   "updatedAt",
		Since:         time.Date(2024, 1, 1, 3, 0, 0, 0, time.UTC), // items 180 and after
		SinceMatches:  feathersItems - 179,
		Entity:        "items",
		NewRecord: func(i int) meta.Record {
			return meta.Record{"name": fmt.Sprintf("Conformance %d", i), "sku": fmt.Sprintf("C-%d", i), "price": json.Number("12.5"),
				"qty": int64(i), "active": true, "category": "tools", "releasedOn": "2024-02-29", "supplier.name": "Conformance", "supplier.country": "BE",
				"lastContact": time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
		},
		Change:    func(meta.Record) meta.Record { return meta.Record{"name": "Changed", "qty": int64(99)} },
		KeyFilter: func(key string) string { return "id eq " + key },
	})
}

// TestFeathersCapFollowed: the client asks for more records a page than the
// server sends (its cap of 50): the read follows the server's page size until
// the total and reads every record once, in order; each page says the
// request it sent, and the server saw exactly those.
func TestFeathersCapFollowed(t *testing.T) {
	root := testenv.OwnFeathers(t)
	tests := []struct {
		name     string
		settings spec.Values
		asked    string
	}{
		{"preset, pagesize 100", spec.Values{}, "$limit=100"},
		{"generic settings, paging.size 500", spec.Values{"preset": PresetGeneric, "records": "data", "total": "total", "paging": PagingOffset,
			"offsetparam": "$skip", "sizeparam": "$limit", "sortparam": "$sort[{field}]",
			"entities": `[{"name": "items", "paging": {"size": 500}}, "accounts"]`}, "$limit=500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := feathers(t, root, tt.settings)
			if _, err := c.Catalog(t.Context()); err != nil {
				t.Fatal(err)
			}
			testenv.ResetFeathersStats(t, root)
			recs, requests, total := readPages(t, c, connector.Query{Entity: "items", Count: true})
			if len(recs) != feathersItems || total != feathersItems {
				t.Fatalf("read %d items, total %d: want all %d (the server sends 50 a page)", len(recs), total, feathersItems)
			}
			for i, r := range recs {
				if r["id"] != int64(i+1) {
					t.Fatalf("record %d has id %v, want %d: records lost or repeated", i, r["id"], i+1)
				}
			}
			if len(requests) != 9 {
				t.Errorf("%d requests, want 9 pages of 50: %q", len(requests), requests)
			}
			for i, r := range requests {
				want := fmt.Sprintf("GET /items?$sort%%5Bid%%5D=1&%s&$skip=%d", tt.asked, i*50)
				if r != want {
					t.Errorf("page %d: request %q, want %q", i+1, r, want)
				}
			}
			stats := testenv.FeathersStats(t, root)
			if stats.Requests != len(requests) || !slices.Equal(stats.Recent, requests) {
				t.Errorf("the server saw %d requests %q; the pages said %q", stats.Requests, stats.Recent, requests)
			}
		})
	}
}

// TestFeathersShortRead: a server that says 406 but runs out at 403 fails the
// read, naming both numbers, after the records it did send.
func TestFeathersShortRead(t *testing.T) {
	root := testenv.OwnFeathers(t, testenv.FeathersEnv(testenv.FeathersDropVar, 3))
	c := feathers(t, root, nil)
	ctx := t.Context()
	q := connector.Query{Entity: "items"}
	read := 0
	var err error
	for token := ""; ; {
		var p connector.Page
		if p, err = c.ReadPage(ctx, q, token); err != nil {
			break
		}
		read += len(p.Records)
		if token = p.Next; token == "" {
			break
		}
	}
	if err == nil || !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), "406") || !strings.Contains(err.Error(), "403") {
		t.Fatalf("read %d items, error %v: want ErrIncomplete naming 406 and 403", read, err)
	}
	if read != 403 {
		t.Errorf("%d records came before the error, want the 403 sent", read)
	}
}

// TestFeathersSample: type inference reads the sample across pages. Sampling
// 1000 sees every item: weight (whole up to item 60) is a decimal and
// legacyCode (text after item 400) a string. Sampling 50 sees whole numbers
// only; a read then passes the values that do not fit as their text, and
// does not fail.
func TestFeathersSample(t *testing.T) {
	root := testenv.OwnFeathers(t, testenv.FeathersEnv(testenv.FeathersAccountsVar, 10))
	types := func(c *Client) (weight, legacyCode meta.Type) {
		t.Helper()
		cat, err := c.Catalog(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		e, _ := meta.FindEntity(cat, "items")
		w, _ := e.Field("weight")
		l, _ := e.Field("legacyCode")
		return w.Type, l.Type
	}
	testenv.ResetFeathersStats(t, root)
	wide := feathers(t, root, spec.Values{"sample": "1000"})
	if w, l := types(wide); w != meta.Decimal || l != meta.String {
		t.Errorf("sample 1000: weight %s, legacyCode %s; want decimal and string", w, l)
	}
	if s := testenv.FeathersStats(t, root); s.ByService["items"] != 9 {
		t.Errorf("sampling 1000 of 406 items took %d requests, want 9 pages of 50: %q", s.ByService["items"], s.Recent)
	}
	narrow := feathers(t, root, nil)
	if w, l := types(narrow); w != meta.Int || l != meta.Int {
		t.Errorf("sample 50: weight %s, legacyCode %s; want int and int", w, l)
	}
	recs, _, _ := readPages(t, narrow, connector.Query{Entity: "items"})
	if len(recs) != feathersItems {
		t.Fatalf("read %d items, want %d", len(recs), feathersItems)
	}
	if recs[0]["weight"] != int64(1) || recs[60]["weight"] != "61.5" || recs[399]["legacyCode"] != int64(4000) || recs[400]["legacyCode"] != "X-401" {
		t.Errorf("items 1, 61, 400, 401: weight %v %v, legacyCode %v %v", recs[0]["weight"], recs[60]["weight"], recs[399]["legacyCode"], recs[400]["legacyCode"])
	}
}

// TestFeathersKeyReads: reads by a list of keys (as the engine sends them)
// against an API whose filters the connector does not send cost a request
// per key when few (GET of the item path), or a read of the list that stops
// once every key came, never a request per record of the entity.
func TestFeathersKeyReads(t *testing.T) {
	root := testenv.OwnFeathers(t)
	c := feathers(t, root, nil)
	if _, err := c.Catalog(t.Context()); err != nil {
		t.Fatal(err)
	}
	keys := func(ids ...int) string {
		parts := make([]string, len(ids))
		for i, id := range ids {
			parts[i] = fmt.Sprintf("'%d'", id) // the workspace's text keys, as the engine writes them
		}
		return "id in (" + strings.Join(parts, ",") + ")"
	}
	ids := func(recs []meta.Record) []int64 {
		out := []int64{}
		for _, r := range recs {
			out = append(out, r["id"].(int64))
		}
		return out
	}
	seq := func(from, n, step int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = from + i*step
		}
		return out
	}
	// The catalog's sample told the total: 10,000 accounts, 100 pages of the page size.
	tests := []struct {
		name      string
		filter    string
		want      []int64
		wantReads int
		wantFirst string
	}{
		{"few keys: item GETs", keys(9001, 17, 123456, 4242), []int64{9001, 17, 4242}, 4, "GET /accounts/9001"},
		{"one key and a condition", "(active eq true) and (id in ('10'))", []int64{}, 1, "GET /accounts/10"},
		{"fewer keys than pages: item GETs", keys(seq(10000, 40, -250)...), nil, 40, "GET /accounts/10000"},
		{"more keys than pages: one list read until all came", keys(seq(1, 150, 1)...), nil, 3,
			"GET /accounts?$sort%5Bid%5D=1&$limit=150&$skip=0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testenv.ResetFeathersStats(t, root)
			n := strings.Count(tt.filter, ",") + 1
			recs, requests, _ := readPages(t, c, connector.Query{Entity: "accounts", Filter: tt.filter, PageSize: n})
			if got := ids(recs); tt.want != nil && !slices.Equal(got, tt.want) {
				t.Errorf("read %v, want %v", got, tt.want)
			} else if tt.want == nil && len(got) != n {
				t.Errorf("read %d records, want %d", len(got), n)
			}
			stats := testenv.FeathersStats(t, root)
			if stats.Requests != tt.wantReads || len(requests) != tt.wantReads || requests[0] != tt.wantFirst {
				t.Errorf("%d requests (pages said %q, server saw %q), want %d starting with %q", stats.Requests, requests, stats.Recent, tt.wantReads, tt.wantFirst)
			}
		})
	}
	// A read of the list shows that the server caps its pages at 50: the
	// list has 200 pages, and 150 keys spread over it are 150 item GETs.
	if p, err := c.ReadPage(t.Context(), connector.Query{Entity: "accounts", Count: true}, ""); err != nil || p.Total != 10000 || len(p.Records) != 50 {
		t.Fatalf("first page: %d records of %d, %v", len(p.Records), p.Total, err)
	}
	testenv.ResetFeathersStats(t, root)
	recs, _, _ := readPages(t, c, connector.Query{Entity: "accounts", Filter: keys(seq(10000, 150, -60)...), PageSize: 150})
	if s := testenv.FeathersStats(t, root); len(recs) != 150 || s.Requests != 150 || s.Recent[0] != "GET /accounts/10000" {
		t.Errorf("150 keys of 10,000: %d records in %d requests (%q...), want 150 item GETs", len(recs), s.Requests, s.Recent[:min(3, len(s.Recent))])
	}
}
