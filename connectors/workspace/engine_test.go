package workspace

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/core/connector"
	"switchyard/core/engine"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/store"
)

const crmFile = `{"format": "switchyard.integration/v1", "name": "other", "connector": "workspace",
 "settings": {"path": "@PATH@"},
 "entities": [
  {"external": "account", "local": "account", "primaryKey": "externalid", "direction": "bidirectional", "downloadFilter": "", "uploadFilter": "",
   "fields": [{"external": "id", "local": "externalid"}, {"external": "name", "local": "name"},
              {"external": "revenue", "local": "revenue"}, {"external": "active", "local": "active"}]},
  {"external": "contact", "local": "contact", "primaryKey": "externalid", "direction": "bidirectional", "downloadFilter": "", "uploadFilter": "",
   "fields": [{"external": "id", "local": "externalid"}, {"external": "lastname", "local": "lastname"},
              {"external": "email", "local": "email"}, {"external": "accountid", "local": "parentcustomerid", "lookup": "account"}]}],
 "schedules": []}`

// otherCRM makes the external workspace: 10 accounts and 25 contacts.
func otherCRM(t *testing.T) string {
	t.Helper()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "other.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, e := range []meta.Entity{
		{Name: "account", Fields: []meta.Field{{Name: "name", Type: meta.String}, {Name: "revenue", Type: meta.Decimal}, {Name: "active", Type: meta.Bool}}},
		{Name: "contact", Fields: []meta.Field{{Name: "lastname", Type: meta.String}, {Name: "email", Type: meta.String},
			{Name: "accountid", Type: meta.Lookup, Target: "account"}}},
	} {
		if err := st.CreateEntity(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	err = st.Update(ctx, func(tx *store.Tx) error {
		var ids []string
		for i := 1; i <= 10; i++ {
			id, err := tx.Insert("account", map[string]any{"name": fmt.Sprintf("Account %d", i), "revenue": fmt.Sprintf("%d000.5", i), "active": int64(i % 2)})
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		for i := 1; i <= 25; i++ {
			var acc any
			if i%5 != 0 {
				acc = ids[i%10]
			}
			if _, err := tx.Insert("contact", map[string]any{"lastname": fmt.Sprintf("Person %d", i), "email": fmt.Sprintf("p%d@example.com", i), "accountid": acc}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// rowsOf reads every row of entity in st, values as text, by the key field.
func rowsOf(t *testing.T, st *store.Store, entity, key string, fields ...string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	err := st.View(t.Context(), func(tx *store.Tx) error {
		rows, err := tx.Scan(entity, fields, nil, "", 100000)
		for _, r := range rows {
			m := map[string]string{"id": r.ID}
			for k, v := range r.Values {
				if v != nil {
					m[k] = fmt.Sprint(v)
				}
			}
			out[m[key]] = m
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWorkspaceToWorkspace imports another workspace's CRM, checks it row by
// row, exports local changes back, checks the other workspace row by row,
// and finds nothing left to import.
func TestWorkspaceToWorkspace(t *testing.T) {
	ctx := t.Context()
	otherPath := otherCRM(t)
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "local.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	in, err := mapping.Decode(strings.NewReader(strings.ReplaceAll(crmFile, "@PATH@", otherPath)))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := connector.Default.Open(ctx, Name, in.Values())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	catalog, err := conn.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	plan, ps := mapping.CheckSchemas(in, catalog, nil)
	if len(ps) > 0 {
		t.Fatal(ps)
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
	eng := &engine.Engine{Workspace: store.Ports[engine.Tx](st)}
	run := func(d engine.Direction) map[string]engine.Counts {
		t.Helper()
		res, err := eng.Run(ctx, conn, engine.Options{Integration: in, Direction: d, Catalog: catalog, PageSize: 7})
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		out := map[string]engine.Counts{}
		for _, e := range res.Entities {
			out[e.Entity] = e.Counts
		}
		return out
	}
	other := conn.(*Client).Store()

	c := run(engine.Import)
	if c["account"].Imported != 10 || c["contact"].Imported != 25 || c["contact"].Failed != 0 {
		t.Fatalf("import: %+v", c)
	}
	theirAcc := rowsOf(t, other, "account", "id", "name", "revenue", "active")
	theirCon := rowsOf(t, other, "contact", "id", "lastname", "email", "accountid")
	ourAcc := rowsOf(t, st, "account", "externalid", "externalid", "name", "revenue", "active")
	ourCon := rowsOf(t, st, "contact", "externalid", "externalid", "lastname", "email", "parentcustomerid")
	for id, a := range theirAcc {
		l := ourAcc[id]
		if l == nil || l["name"] != a["name"] || l["revenue"] != a["revenue"] || l["active"] != a["active"] {
			t.Errorf("account %v: local %v", a, l)
		}
	}
	for id, x := range theirCon {
		l := ourCon[id]
		want := ""
		if x["accountid"] != "" {
			want = ourAcc[x["accountid"]]["id"]
		}
		if l == nil || l["lastname"] != x["lastname"] || l["email"] != x["email"] || l["parentcustomerid"] != want {
			t.Errorf("contact %v: local %v (want parent %q)", x, l, want)
		}
	}

	// Local changes go to the other workspace.
	var someAcc string
	for id := range theirAcc {
		someAcc = id
		break
	}
	err = st.Update(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateRow("account", ourAcc[someAcc]["id"], map[string]any{"name": "Renamed here", "revenue": 1.5}); err != nil {
			return err
		}
		_, err := tx.Insert("contact", map[string]any{"lastname": "Newcomer", "email": "new@example.com", "parentcustomerid": ourAcc[someAcc]["id"]})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c = run(engine.Export)
	if c["account"].Updated != 1 || c["account"].Unchanged != 9 || c["contact"].Exported != 1 || c["contact"].Unchanged != 25 {
		t.Fatalf("export: %+v", c)
	}
	theirAcc = rowsOf(t, other, "account", "id", "name", "revenue")
	if a := theirAcc[someAcc]; a["name"] != "Renamed here" || a["revenue"] != "1.5" {
		t.Errorf("the other workspace's account after export: %v", a)
	}
	theirCon = rowsOf(t, other, "contact", "lastname", "lastname", "email", "accountid")
	nc := theirCon["Newcomer"]
	if nc == nil || nc["email"] != "new@example.com" || nc["accountid"] != someAcc {
		t.Errorf("the new contact in the other workspace: %v (want account %s)", nc, someAcc)
	}
	if ours := rowsOf(t, st, "contact", "lastname", "lastname", "externalid")["Newcomer"]; nc == nil || ours["externalid"] != nc["id"] {
		t.Errorf("local newcomer %v does not carry the other workspace's id %v", ours, nc)
	}

	c = run(engine.Import)
	if c["account"].Unchanged != 10 || c["contact"].Unchanged != 26 || c["contact"].Imported != 0 {
		t.Errorf("import after export: %+v, want everything unchanged", c)
	}
}
