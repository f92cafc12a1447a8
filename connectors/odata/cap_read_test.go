package odata

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"switchyard/connectors/conntest"
	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

func TestCAPPaging(t *testing.T) {
	tests := []struct {
		name      string
		settings  spec.Values
		pageSize  int
		wantPages int
	}{
		{"server pages of 50 (CAP's limit) through next links, the last one empty", spec.Values{}, 1000, capItems/50 + 1},
		{"client pages of 40 with $top and $skip", spec.Values{"paging": "client"}, 40, capItems/40 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ownClient(t, tt.settings)
			ctx := context.Background()
			first, err := c.ReadPage(ctx, connector.Query{Entity: "Items", Count: true, PageSize: tt.pageSize}, "")
			if err != nil {
				t.Fatal(err)
			}
			if first.Total != capItems {
				t.Errorf("first page total = %d, want %d", first.Total, capItems)
			}
			recs, pages := conntest.ReadAll(ctx, t, c, connector.Query{Entity: "Items", PageSize: tt.pageSize})
			if len(recs) != capItems || pages != tt.wantPages {
				t.Errorf("read %d records in %d pages, want %d in %d", len(recs), pages, capItems, tt.wantPages)
			}
			ids := make([]int64, len(recs))
			for i, r := range recs {
				ids[i] = r["ID"].(int64)
			}
			slices.Sort(ids)
			for i, id := range ids {
				if id != int64(i+1) {
					t.Fatalf("IDs sorted: position %d holds %d, want %d (records lost or doubled)", i, id, i+1)
				}
			}
			r := recs[0]
			grp, _, mod := item(int(r["ID"].(int64)))
			if r["grp"] != int64(grp) || !r["modifiedAt"].(time.Time).Equal(mod) || r["modifiedAt"].(time.Time).Location() != time.UTC {
				t.Errorf("record %v: grp or modifiedAt wrong (want %d, %s UTC)", r, grp, mod)
			}
			if _, ok := r["price"].(json.Number); !ok {
				t.Errorf("price is %T, want json.Number", r["price"])
			}
		})
	}
}

func TestCAPSelectAndTypes(t *testing.T) {
	c := capClient(t, testenvURL(t))
	ctx := context.Background()
	recs, _ := conntest.ReadAll(ctx, t, c, connector.Query{Entity: "Accounts", Fields: []string{"name", "founded", "revenue", "parent", "active"},
		Filter: "accountnumber eq 'ACC-1002'"})
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1", len(recs))
	}
	r := recs[0]
	want := meta.Record{"ID": "ddd4331a-e0bb-58b6-8836-0923fb3ed50c", "name": "Fabrikam, Inc.", "founded": "1958-03-03",
		"revenue": json.Number("62453000.33"), "parent_ID": "aea00b94-3481-5df7-b7e1-89ec3da7558f",
		"parent": "aea00b94-3481-5df7-b7e1-89ec3da7558f", "active": true}
	for k, v := range want {
		if r[k] != v {
			t.Errorf("%s = %#v (%T), want %#v", k, r[k], r[k], v)
		}
	}
	if _, ok := r["email"]; ok || len(r) != len(want) {
		t.Errorf("record has fields %v, want only the selected ones, the key and the lookup's foreign key", connector.BusinessFields(r))
	}
}

func TestCAPFilter(t *testing.T) {
	c := ownClient(t, nil)
	want := 0
	for id := 1; id <= capItems; id++ {
		if grp, price, _ := item(id); grp == 3 && price > 50 {
			want++
		}
	}
	recs, _ := conntest.ReadAll(context.Background(), t, c, connector.Query{Entity: "Items", Filter: "grp eq 3 and price gt 50", Fields: []string{"grp", "price"}})
	if len(recs) != want {
		t.Fatalf("%d records, want %d", len(recs), want)
	}
	for _, r := range recs {
		if p, _ := r["price"].(json.Number).Float64(); r["grp"] != int64(3) || p <= 50 {
			t.Fatalf("record %v does not match the filter", r)
		}
	}
}

func TestCAPIncremental(t *testing.T) {
	c := ownClient(t, nil)
	ctx := context.Background()
	tests := []struct {
		name    string
		since   time.Time
		overlap time.Duration
		filter  string
		want    int
	}{
		{"from group 10", itemsBase.Add(10 * time.Minute), 0, "", capItems - 1000},
		{"between groups", itemsBase.Add(10*time.Minute + 30*time.Second), 0, "", capItems - 1100},
		{"overlap reaches back a group", itemsBase.Add(10*time.Minute + 30*time.Second), time.Minute, "", capItems - 1000},
		{"with a filter", itemsBase.Add(40 * time.Minute), 0, "grp eq 0", 143}, // IDs 4001–5000 divisible by 7
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, pages := conntest.ReadAll(ctx, t, c, connector.Query{Entity: "Items", Since: tt.since, Overlap: tt.overlap, Filter: tt.filter})
			if len(recs) != tt.want {
				t.Fatalf("%d records in %d pages, want %d", len(recs), pages, tt.want)
			}
			// Ordered by (modifiedAt, ID): 100 records share each timestamp and pages hold 50.
			for i := 1; i < len(recs); i++ {
				a, b := recs[i-1], recs[i]
				ta, tb := a["modifiedAt"].(time.Time), b["modifiedAt"].(time.Time)
				if tb.Before(ta) || (tb.Equal(ta) && b["ID"].(int64) <= a["ID"].(int64)) {
					t.Fatalf("records %d and %d out of (modifiedAt, ID) order: %v, %v", i-1, i, a, b)
				}
			}
		})
	}

	// After PATCHes on the server, an incremental read from just before them returns exactly those records.
	before := time.Now().Add(-2 * time.Second)
	ids := []int64{4901, 4902, 4903, 4950} // in the range the conformance suite reads since minute 45
	upd := make([]meta.Record, len(ids))
	for i, id := range ids {
		upd[i] = meta.Record{"ID": id, "note": "patched"}
	}
	res, err := c.Write(ctx, "Items", connector.Update, upd)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("update %d: %v", ids[i], r.Err)
		}
	}
	recs, _ := conntest.ReadAll(ctx, t, c, connector.Query{Entity: "Items", Since: before, Overlap: time.Second})
	var got []int64
	for _, r := range recs {
		got = append(got, r["ID"].(int64))
		if r["note"] != "patched" {
			t.Errorf("record %v: note not patched", r)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, ids) {
		t.Errorf("changed since %s: %v, want %v", before.Format(time.RFC3339Nano), got, ids)
	}
}

func TestCAPConformance(t *testing.T) {
	url := ownCAP(t)
	customers := 0
	// The probed Timestamp says seven digits; DateTimeDigits below is CAP's SQLite keeping three.
	cat, err := ownClient(t, nil).Catalog(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if e, _ := meta.FindEntity(cat, "Customers"); !slices.ContainsFunc(e.Fields, func(f meta.Field) bool {
		return f.Name == "lastContact" && f.Type == meta.DateTime && f.Precision == 7
	}) {
		t.Errorf("Customers.lastContact is not a datetime of Precision 7: %+v", e.Fields)
	}
	conntest.Run(t, conntest.Suite{
		Open: func(t *testing.T) connector.Connector {
			return ownClient(t, spec.Values{"url": url})
		},
		Paged: "Items", PagedTotal: capItems, PageSize: 50,
		Filter: "grp eq 6", FilterMatches: 714, // IDs ≡ 6 mod 7 in 1–5000
		Match:       func(r meta.Record) bool { return r["grp"] == int64(6) },
		CursorField: "modifiedAt", Since: itemsBase.Add(45 * time.Minute), SinceMatches: 500,
		Entity: "Customers",
		NewRecord: func(i int) meta.Record {
			customers++
			return meta.Record{"name": "Conformance customer " + time.Now().Format(time.RFC3339Nano),
				"lastContact": time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)} // a Timestamp: the suite probes its seven digits
		},
		Change:    func(meta.Record) meta.Record { return meta.Record{"name": "Renamed by the conformance suite"} },
		Invalid:   meta.Record{"name": nil},
		KeyFilter: func(key string) string { return "ID eq " + key },
		// CAP's SQLite database keeps milliseconds of a Timestamp (its
		// input converter writes ISO text with %f), though $metadata says
		// Precision 7: the seven-digit probe comes back truncated.
		DateTimeDigits: 3,
	})
}

// testenvURL returns the shared CAP server's crm service (read-only tests).
func testenvURL(t *testing.T) string {
	t.Helper()
	return ownCAP(t)[:len(ownCAP(t))-len("test/")] + "crm/"
}
