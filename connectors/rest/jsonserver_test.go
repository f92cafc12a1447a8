package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"switchyard/connectors/conntest"
	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/internal/testenv"
)

// jsonServer opens the connector on the json-server at root.
func jsonServer(t testing.TB, root string, extra spec.Values) *Client {
	t.Helper()
	v := spec.Values{"url": root, "preset": PresetJSONServer}
	for k, x := range extra {
		v[k] = x
	}
	c, err := New(context.Background(), v)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The seed (testdata/rest/db.json): 60 customers, every 4th a VIP, updatedAt
// 2024-01-01T00:00Z plus one hour per 10 ids; 150 orders.
func TestConformanceJSONServer(t *testing.T) {
	root := testenv.OwnREST(t)
	conntest.Run(t, conntest.Suite{
		Open: func(t *testing.T) connector.Connector {
			return jsonServer(t, root, conformanceDateTime("customers", "orders"))
		},
		Paged:         "customers",
		PagedTotal:    60,
		PageSize:      7,
		Filter:        "vip eq true and creditLimit ge 0",
		FilterMatches: 15,
		Match:         func(r meta.Record) bool { return r["vip"] == true },
		CursorField:   "updatedAt",
		Since:         time.Date(2024, 1, 1, 3, 0, 0, 0, time.UTC),
		SinceMatches:  30,
		Entity:        "customers",
		NewRecord: func(i int) meta.Record {
			return meta.Record{"name": fmt.Sprintf("Conformance %d", i), "email": fmt.Sprintf("c%d@example.com", i), "vip": i%2 == 0,
				"creditLimit": json.Number("1234.56"), "since": "2020-02-29", "address.city": "Gent", "address.country": "BE",
				"lastContact": time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
		},
		Change:    func(meta.Record) meta.Record { return meta.Record{"name": "Changed", "address.city": "Leuven"} },
		Invalid:   meta.Record{"id": int64(1), "name": "a duplicate id, which json-server refuses"},
		KeyFilter: func(key string) string { return "id eq " + key },
	})
}

// conformanceDateTime declares the entities, the first with a date-time
// field lastContact that its seed records lack: the conformance suite's
// write part probes the date-times a record sets, and json-server and
// Feathers keep any JSON field a record is created with (their createdAt
// and updatedAt are the server's).
func conformanceDateTime(entity string, others ...string) spec.Values {
	decl := []any{map[string]any{"name": entity, "fields": []meta.Field{{Name: "lastContact", Type: meta.DateTime, Nullable: true}}}}
	for _, o := range others {
		decl = append(decl, o)
	}
	b, err := json.Marshal(decl)
	if err != nil {
		panic(err)
	}
	return spec.Values{"entities": string(b)}
}

func TestCatalogJSONServer(t *testing.T) {
	c := jsonServer(t, testenv.RESTURL(t), nil)
	cat, err := c.Catalog(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, e := range cat {
		names = append(names, e.Name)
	}
	if !slices.Equal(names, []string{"customers", "orders"}) {
		t.Fatalf("entities %v, want customers and orders from /db", names)
	}
	want := map[string]map[string]meta.Field{
		"customers": {
			"id":           {Type: meta.Int},
			"name":         {Type: meta.String},
			"email":        {Type: meta.String, Nullable: true},
			"vip":          {Type: meta.Bool},
			"creditLimit":  {Type: meta.Decimal},
			"since":        {Type: meta.Date},
			"address.city": {Type: meta.String},
			"tags":         {Type: meta.String},
			"updatedAt":    {Type: meta.DateTime, ReadOnly: true},
			"createdAt":    {Type: meta.DateTime, ReadOnly: true},
		},
		"orders": {
			"customerId": {Type: meta.Lookup, Target: "customers"},
			"total":      {Type: meta.Decimal},
			"orderedOn":  {Type: meta.Date},
		},
	}
	for _, e := range cat {
		if !slices.Equal(e.Key, []string{"id"}) {
			t.Errorf("%s key %v", e.Name, e.Key)
		}
		for name, w := range want[e.Name] {
			f, ok := e.Field(name)
			if !ok {
				t.Errorf("%s has no field %s: %v", e.Name, name, e.FieldNames())
				continue
			}
			if f.Type != w.Type || f.Nullable != w.Nullable || f.ReadOnly != w.ReadOnly || f.Target != w.Target {
				t.Errorf("%s.%s = %+v, want type %s nullable %v readOnly %v target %q", e.Name, name, f, w.Type, w.Nullable, w.ReadOnly, w.Target)
			}
		}
	}
	rep, err := c.Test(t.Context())
	if err != nil || rep.System != "json-server" || rep.Entities != 2 {
		t.Errorf("Test() = %+v, %v", rep, err)
	}
}

// TestIncrementalJSONServer reads what changed since a moment: the records
// written after it, and no other, with their cursor in order.
func TestIncrementalJSONServer(t *testing.T) {
	root := testenv.OwnREST(t)
	c := jsonServer(t, root, nil)
	ctx := t.Context()
	before := time.Now().Add(-time.Second) // json-server's clock is this machine's
	all, _ := conntest.ReadAll(ctx, t, c, connector.Query{Entity: "orders", CursorField: "updatedAt", Since: before, PageSize: 5})
	if len(all) != 0 {
		t.Fatalf("before any change, %d orders changed since %s", len(all), before)
	}
	for _, id := range []string{"7", "140", "33"} {
		send(t, http.MethodPatch, root+"orders/"+id, `{"status": "refunded"}`)
	}
	send(t, http.MethodPost, root+"orders", `{"customerId": 3, "number": "SO-9999", "total": 12.5, "status": "new", "orderedOn": "2024-12-24"}`)
	got, _ := conntest.ReadAll(ctx, t, c, connector.Query{Entity: "orders", CursorField: "updatedAt", Since: before, Overlap: time.Second, PageSize: 2})
	var ids []int64
	for _, r := range got {
		ids = append(ids, r["id"].(int64))
		if r["status"] != "refunded" && r["number"] != "SO-9999" {
			t.Errorf("unchanged record read as a change: %v", r)
		}
	}
	if !slices.Equal(ids, []int64{7, 140, 33, 151}) {
		t.Errorf("changed orders %v, want 7, 140, 33, 151 in the order they changed", ids)
	}
}
