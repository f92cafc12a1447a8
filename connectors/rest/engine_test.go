package rest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"switchyard/core/connector"
	"switchyard/core/engine"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/store"
	"switchyard/internal/testenv"
)

const shopFile = `{"format": "switchyard.integration/v1", "name": "shop", "connector": "rest",
 "settings": {"url": "@URL@", "preset": "json-server"},
 "entities": [
  {"external": "customers", "local": "customer", "primaryKey": "externalid", "direction": "bidirectional",
   "downloadFilter": "", "uploadFilter": "",
   "fields": [{"external": "id", "local": "externalid"}, {"external": "name", "local": "name"},
              {"external": "email", "local": "email"}, {"external": "vip", "local": "vip"},
              {"external": "creditLimit", "local": "creditlimit"}, {"external": "since", "local": "since"},
              {"external": "address.city", "local": "city"}, {"external": "updatedAt", "local": "updatedat"}]},
  {"external": "orders", "local": "salesorder", "primaryKey": "externalid", "direction": "download",
   "downloadFilter": "status ne 'cancelled'", "uploadFilter": "",
   "fields": [{"external": "id", "local": "externalid"}, {"external": "number", "local": "number"},
              {"external": "total", "local": "total"}, {"external": "status", "local": "status"},
              {"external": "orderedOn", "local": "orderedon"}, {"external": "customerId", "local": "customerid", "lookup": "customer"}]}],
 "schedules": []}`

// shop is a workspace with the local entities of the shop integration, as
// importing its file makes them, and the engine over it.
type shop struct {
	st      *store.Store
	in      mapping.Integration
	catalog []meta.Entity
}

func newShop(t *testing.T, root string) *shop {
	t.Helper()
	ctx := t.Context()
	st, err := store.Open(ctx, t.TempDir()+"/w.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	in, err := mapping.Decode(strings.NewReader(strings.ReplaceAll(shopFile, "@URL@", root)))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonServer(t, root, nil)
	catalog, err := c.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	plan, ps := mapping.CheckSchemas(in, catalog, nil)
	if len(ps) > 0 {
		t.Fatalf("the shop mapping does not fit the catalog: %v", ps)
	}
	for _, e := range plan.Entities {
		if err := st.CreateEntity(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range plan.AddFields {
		if err := st.AddField(ctx, f.Entity, f.Field); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SaveIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	return &shop{st: st, in: in, catalog: catalog}
}

// run runs the engine in direction d and returns the counts of each entity.
func (s *shop) run(t *testing.T, d engine.Direction) map[string]engine.Counts {
	t.Helper()
	ctx := t.Context()
	c, err := connector.Default.Open(ctx, s.in.Connector, s.in.Values())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	e := &engine.Engine{Workspace: store.Ports[engine.Tx](s.st)}
	res, err := e.Run(ctx, c, engine.Options{Integration: s.in, Direction: d, Catalog: s.catalog, PageSize: 25})
	if err != nil {
		t.Fatalf("%s: %v", d, err)
	}
	out := map[string]engine.Counts{}
	for _, er := range res.Entities {
		out[er.Entity] = er.Counts
	}
	return out
}

// rows reads a local entity's rows by their externalid, values as text.
func (s *shop) rows(t *testing.T, entity string, fields ...string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	err := s.st.View(t.Context(), func(tx *store.Tx) error {
		rows, err := tx.Scan(entity, append([]string{"externalid"}, fields...), nil, "", 100000)
		for _, r := range rows {
			m := map[string]string{"id": r.ID}
			for k, v := range r.Values {
				if v != nil {
					m[k] = fmt.Sprint(v)
				}
			}
			out[m["externalid"]] = m
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// text renders a server value as the workspace stores it, as text.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "1"
		}
		return "0"
	}
	return fmt.Sprint(v)
}

func sameNumber(a, b string) bool {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	return err1 == nil && err2 == nil && x == y
}

// TestEngineJSONServer imports the shop through the engine, checks every
// record field by field, imports again after a change on the server, exports
// local changes and a new record, and checks the server row by row.
func TestEngineJSONServer(t *testing.T) {
	root := testenv.OwnREST(t)
	s := newShop(t, root)

	counts := s.run(t, engine.Import)
	serverCustomers := getList(t, root+"customers")
	serverOrders := getList(t, root+"orders")
	kept := 0
	for _, o := range serverOrders {
		if o["status"] != "cancelled" {
			kept++
		}
	}
	if c := counts["customers"]; c.All != 60 || c.Imported != 60 || c.Failed != 0 {
		t.Errorf("customers: %+v, want 60 imported", c)
	}
	if c := counts["orders"]; c.All != kept || c.Imported != kept || c.Failed != 0 {
		t.Errorf("orders: %+v, want %d imported (the download filter leaves out cancelled ones)", c, kept)
	}
	customers := s.rows(t, "customer", "name", "email", "vip", "creditlimit", "since", "city", "updatedat")
	for _, sc := range serverCustomers {
		l := customers[text(sc["id"])]
		addr := sc["address"].(map[string]any)
		if l == nil || l["name"] != sc["name"] || l["email"] != text(sc["email"]) || l["vip"] != text(sc["vip"]) ||
			!sameNumber(l["creditlimit"], text(sc["creditLimit"])) || l["since"] != sc["since"] || l["city"] != addr["city"] ||
			l["updatedat"] != sc["updatedAt"] {
			t.Errorf("customer %v: local %v", sc, l)
		}
	}
	orders := s.rows(t, "salesorder", "number", "total", "status", "orderedon", "customerid")
	if len(orders) != kept {
		t.Errorf("%d local orders, want %d", len(orders), kept)
	}
	for _, so := range serverOrders {
		l, ok := orders[text(so["id"])]
		if so["status"] == "cancelled" {
			if ok {
				t.Errorf("cancelled order %v was imported", so["id"])
			}
			continue
		}
		if !ok || l["number"] != so["number"] || !sameNumber(l["total"], text(so["total"])) || l["orderedon"] != so["orderedOn"] ||
			l["customerid"] != customers[text(so["customerId"])]["id"] {
			t.Errorf("order %v: local %v", so, l)
		}
	}

	// A change on the server: the next import updates exactly that record.
	send(t, "PATCH", root+"customers/10", `{"name": "Renamed on the server"}`)
	counts = s.run(t, engine.Import)
	if c := counts["customers"]; c.Updated != 1 || c.Unchanged != 59 {
		t.Errorf("import after a change: customers %+v, want 1 updated, 59 unchanged", c)
	}
	if c := counts["orders"]; c.Unchanged != kept {
		t.Errorf("import after a change: orders %+v, want %d unchanged", c, kept)
	}
	if got := s.rows(t, "customer", "name")["10"]["name"]; got != "Renamed on the server" {
		t.Errorf("customer 10 is %q locally", got)
	}

	// Local changes go back: an update and a new record, which gets the key the server gives it.
	err := s.st.Update(t.Context(), func(tx *store.Tx) error {
		if err := tx.UpdateRow("customer", customers["5"]["id"], map[string]any{"name": "Renamed locally", "creditlimit": 42.5}); err != nil {
			return err
		}
		_, err := tx.Insert("customer", map[string]any{"name": "Made locally", "vip": 1, "since": "2024-02-29", "city": "Utrecht", "creditlimit": 10})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	counts = s.run(t, engine.Export)
	if c := counts["customers"]; c.All != 61 || c.Exported != 1 || c.Updated != 1 || c.Unchanged != 59 || c.Failed != 0 {
		t.Errorf("export: customers %+v, want 1 exported, 1 updated, 59 unchanged", c)
	}
	after := map[string]map[string]any{}
	for _, sc := range getList(t, root+"customers") {
		after[text(sc["id"])] = sc
	}
	if c := after["5"]; c["name"] != "Renamed locally" || text(c["creditLimit"]) != "42.5" || c["email"] != "customer5@example.com" {
		t.Errorf("customer 5 on the server after export: %v", c)
	}
	local := s.rows(t, "customer", "name")
	var made map[string]string
	for _, l := range local {
		if l["name"] == "Made locally" {
			made = l
		}
	}
	if made == nil || made["externalid"] != "61" {
		t.Fatalf("the new local customer has externalid %v, want 61 (given by the server)", made)
	}
	if c := after["61"]; c["name"] != "Made locally" || c["vip"] != true || c["since"] != "2024-02-29" ||
		c["address"].(map[string]any)["city"] != "Utrecht" || c["createdAt"] == nil {
		t.Errorf("customer 61 on the server: %v", c)
	}

	// And back: only the server's new timestamps of the two records written differ.
	counts = s.run(t, engine.Import)
	if c := counts["customers"]; c.All != 61 || c.Imported != 0 || c.Updated != 2 || c.Unchanged != 59 {
		t.Errorf("import after export: customers %+v, want 2 updated (updatedAt), 59 unchanged", c)
	}
}
