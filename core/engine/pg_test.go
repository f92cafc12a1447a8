package engine

import (
	"context"
	"fmt"
	"testing"

	"switchyard/connectors/odata"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/core/store"
	"switchyard/internal/pgtest"
	"switchyard/internal/testenv"
)

// capAccounts imports the CAP test server's Accounts and Contacts: every
// kind of value the server has (decimals, integers, booleans, dates,
// date-times with milliseconds) and a lookup.
func capAccounts(root string) mapping.Integration {
	return mapping.Integration{Name: "cap", Connector: "odata", Settings: spec.Values{"url": root}, Entities: []mapping.EntityMapping{
		{External: "Accounts", Local: "account", PrimaryKey: "externalid", Direction: mapping.Download, Fields: []mapping.FieldMapping{
			{External: "ID", Local: "externalid"}, {External: "name", Local: "name"}, {External: "revenue", Local: "revenue"},
			{External: "employees", Local: "employees"}, {External: "active", Local: "active"},
			{External: "founded", Local: "founded"}, {External: "modifiedAt", Local: "changed"},
			{External: "parent_ID", Local: "parentaccountid", Lookup: "account"},
		}},
		{External: "Contacts", Local: "contact", PrimaryKey: "externalid", Direction: mapping.Download, Fields: []mapping.FieldMapping{
			{External: "ID", Local: "externalid"}, {External: "lastname", Local: "lastname"},
			{External: "birthdate", Local: "birthdate"}, {External: "account_ID", Local: "accountid", Lookup: "account"},
		}},
	}}
}

// capWorkspace saves the integration in st and creates its local entities.
func capWorkspace(t *testing.T, st *store.Store, in mapping.Integration) {
	t.Helper()
	ctx := context.Background()
	for _, err := range []error{
		st.SaveIntegration(ctx, in),
		st.CreateEntity(ctx, meta.Entity{Name: "account", Fields: []meta.Field{
			{Name: "externalid", Type: meta.GUID}, {Name: "name", Type: meta.String}, {Name: "revenue", Type: meta.Decimal},
			{Name: "employees", Type: meta.Int}, {Name: "active", Type: meta.Bool}, {Name: "founded", Type: meta.Date},
			{Name: "changed", Type: meta.DateTime}, {Name: "parentaccountid", Type: meta.Lookup, Target: "account"},
		}}),
		st.CreateEntity(ctx, meta.Entity{Name: "contact", Fields: []meta.Field{
			{Name: "externalid", Type: meta.GUID}, {Name: "lastname", Type: meta.String}, {Name: "birthdate", Type: meta.Date},
			{Name: "accountid", Type: meta.Lookup, Target: "account"},
		}}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestImportFromCAPOnPostgreSQL imports from the CAP server into a
// PostgreSQL workspace and into a SQLite one: the counts are the server's,
// the two workspaces hold the same values (decimals, date-times, booleans,
// dates, lookups resolved), and a second run finds everything unchanged.
func TestImportFromCAPOnPostgreSQL(t *testing.T) {
	ctx := context.Background()
	root := testenv.ODataURL(t)
	schema := pgtest.NewSchema(t)
	in := capAccounts(root)
	got := map[string]map[string]map[string]any{}
	for _, ws := range []string{":memory:", schema.URL} {
		st, err := store.Open(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		capWorkspace(t, st, in)
		conn, err := odata.New(ctx, in.Settings)
		if err != nil {
			t.Fatal(err)
		}
		e := &Engine{Workspace: store.Ports[Tx](st)}
		res, err := e.Run(ctx, conn, Options{Integration: in, Direction: Import})
		if err != nil {
			t.Fatalf("import into %s: %v", ws, err)
		}
		c := res.Totals()
		if res.Status != Succeeded || c.Imported == 0 || c.Imported != c.All || c.Failed != 0 {
			t.Fatalf("import into %s: %s, %+v", ws, res.Status, c)
		}
		accounts := rows(t, st, "account", "name", "revenue", "employees", "active", "founded", "changed", "parentaccountid")
		if n, _ := st.CountRows(ctx, "account"); int(n) != res.Entities[0].Counts.Imported || len(accounts) != int(n) {
			t.Errorf("%s: %d accounts, %d imported", ws, n, res.Entities[0].Counts.Imported)
		}
		external := map[any]string{} // lookups point to local ids: compare their external ids
		for ext, a := range accounts {
			external[a["id"]] = ext
		}
		for _, a := range accounts {
			a["id"] = nil
			if p := a["parentaccountid"]; p != nil {
				a["parentaccountid"] = external[p]
			}
		}
		got[st.Path()] = accounts
		again, err := e.Run(ctx, conn, Options{Integration: in, Direction: Import})
		if err != nil {
			t.Fatal(err)
		}
		if c2 := again.Totals(); c2.Unchanged != c.All || c2.Updated != 0 || c2.Imported != 0 {
			t.Errorf("%s: the second import changed records: %+v", ws, c2)
		}
	}
	sqlite, pg := got[":memory:"], got[schema.URL]
	if len(sqlite) == 0 || len(sqlite) != len(pg) {
		t.Fatalf("SQLite holds %d accounts, PostgreSQL %d", len(sqlite), len(pg))
	}
	types := map[string]meta.Type{"revenue": meta.Decimal, "employees": meta.Int, "active": meta.Bool, "changed": meta.DateTime}
	decimals, times := 0, 0
	for key, want := range sqlite {
		for field, w := range want {
			v := pg[key][field]
			if !store.SameStored(types[field], w, v) || fmt.Sprint(w) != fmt.Sprint(v) && types[field] != meta.Decimal {
				t.Errorf("account %s %s: SQLite %#v, PostgreSQL %#v", key, field, w, v)
			}
			if w != nil && field == "revenue" {
				decimals++
			}
			if w != nil && field == "changed" {
				times++
			}
		}
	}
	if decimals == 0 || times == 0 {
		t.Errorf("the server's accounts have %d revenues and %d date-times: the test compares too little", decimals, times)
	}
}

// eachWorkspace runs fn as a subtest per backend, with newWorkspace's
// workspace: in memory (SQLite), and in a schema of its own on the
// PostgreSQL test server.
func eachWorkspace(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, newWorkspace(t)) })
	t.Run("postgres", func(t *testing.T) {
		st, err := store.Open(context.Background(), pgtest.NewSchema(t).URL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		setUp(t, st)
		fn(t, st)
	})
}
