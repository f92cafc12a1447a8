package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"switchyard/core/connector"
	"switchyard/core/filter"
	"switchyard/core/meta"
	"switchyard/core/store"
)

// memWriter adds writes to memSystem: creates get the next guid, an empty name is refused.
type memWriter struct {
	*memSystem
	next   int
	writes []connector.Op
}

func (m *memWriter) Write(ctx context.Context, entity string, op connector.Op, recs []meta.Record) ([]connector.Result, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes = append(m.writes, op)
	out := make([]connector.Result, len(recs))
	for i, rec := range recs {
		if name, ok := rec["name"]; ok && (name == nil || name == "") {
			out[i].Err = errors.New("400 Bad Request: name is mandatory")
			continue
		}
		switch op {
		case connector.Create:
			if rec["ID"] == nil {
				m.next++
				rec["ID"] = guid(500 + m.next)
			}
			m.data[entity] = append(m.data[entity], rec)
			out[i].Key = fmt.Sprint(rec["ID"])
		case connector.Update:
			for _, cur := range m.data[entity] {
				if cur["ID"] == rec["ID"] {
					for k, v := range rec {
						cur[k] = v
					}
				}
			}
			out[i].Key = fmt.Sprint(rec["ID"])
		}
	}
	return out, nil
}

// keyFilter of memSystem: ReadPage ignores filters, which only makes the comparison read more.

var catalog = []meta.Entity{{Name: "Accounts", Key: []string{"ID"}, Fields: []meta.Field{
	{Name: "ID", Type: meta.GUID}, {Name: "name", Type: meta.String}, {Name: "revenue", Type: meta.Decimal},
	{Name: "parent_ID", Type: meta.GUID},
}}}

func TestExport(t *testing.T) { eachWorkspace(t, testExport) }

func testExport(t *testing.T, st *store.Store) {
	ctx := context.Background()
	sys := &memWriter{memSystem: newSystem()}
	sys.data["Accounts"] = sys.data["Accounts"][1:3] // guid 2 and guid 3 exist externally
	e := &Engine{Workspace: store.Ports[Tx](st)}
	if _, err := e.Run(ctx, sys, Options{Integration: crm(), Direction: Import, Entities: []string{"Accounts"}}); err != nil {
		t.Fatal(err)
	}
	// Local changes: a new account under guid 3, a changed name, an account the system will refuse.
	err := st.Update(ctx, func(tx *store.Tx) error {
		parent, _ := tx.FindBy("account", "externalid", []any{guid(3)}, nil)
		if _, err := tx.Insert("account", map[string]any{"name": "New local", "revenue": "99.90", "parentaccountid": parent[guid(3)].ID}); err != nil {
			return err
		}
		if _, err := tx.Insert("account", map[string]any{"name": ""}); err != nil {
			return err
		}
		found, _ := tx.FindBy("account", "externalid", []any{guid(2)}, nil)
		return tx.UpdateRow("account", found[guid(2)].ID, map[string]any{"name": "Renamed locally"})
	})
	if err != nil {
		t.Fatal(err)
	}
	var seen []RecordResult
	res, err := e.Run(ctx, sys, Options{Integration: crm(), Direction: Export, Catalog: catalog, OnRecord: func(r RecordResult) { seen = append(seen, r) }})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Summary(); got != "RESULTS: ALL (4) : EXPORTED (1); UPDATED (1); UNCHANGED (1); FAILED (1); WARNINGS (0)" {
		t.Errorf("Summary() = %q; records %+v", got, seen)
	}
	var created meta.Record
	for _, r := range sys.data["Accounts"] {
		if r["name"] == "New local" {
			created = r
		}
	}
	if created == nil || created["parent_ID"] != guid(3) || fmt.Sprint(created["revenue"]) != "99.9" {
		t.Fatalf("created record = %v", created)
	}
	accounts := rows(t, st, "account", "name")
	if _, ok := accounts[fmt.Sprint(created["ID"])]; !ok {
		t.Errorf("the new key was not stored locally: %v", accounts)
	}
	for _, r := range seen {
		if r.Action == Fail && !strings.Contains(r.Error, "name is mandatory") {
			t.Errorf("failure = %+v", r)
		}
		if r.Action == Update && (len(r.Changes) != 1 || r.Changes[0].Field != "name" || r.Changes[0].New != "Renamed locally") {
			t.Errorf("update = %+v", r)
		}
	}
	// Again: the refused one fails again, the rest is unchanged; nothing is written twice.
	writes := len(sys.writes)
	res, err = e.Run(ctx, sys, Options{Integration: crm(), Direction: Export, Catalog: catalog})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Totals(); c.Unchanged != 3 || c.Failed != 1 || c.Exported != 0 {
		t.Errorf("second export = %+v", c)
	}
	if len(sys.writes) != writes+1 { // only the refused create is tried again
		t.Errorf("writes %v", sys.writes[writes:])
	}
}

func TestFilters(t *testing.T) { eachWorkspace(t, testFilters) }

func testFilters(t *testing.T, st *store.Store) {
	ctx := context.Background()
	sys := &memWriter{memSystem: newSystem()}
	e := &Engine{Workspace: store.Ports[Tx](st), Now: func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }}
	in := crm()
	in.Entities[1].DownloadFilter = "revenue ge 0 and createdAt ge now() sub duration'P30D'"
	_, err := e.Run(ctx, sys, Options{Integration: in, Direction: Import, Entities: []string{"Accounts"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := sys.queries[0].Filter; got != "revenue ge 0 and createdAt ge 2026-10-23T12:00:00Z" {
		t.Errorf("download filter sent = %q", got)
	}
	// Connectors that evaluate the filter get it parsed, now() resolved as in the text.
	if got := sys.queries[0].Where; got == nil || !filter.Equal(got, filter.MustParse(sys.queries[0].Filter)) {
		t.Errorf("download filter parsed = %v, want the tree of %q", got, sys.queries[0].Filter)
	}

	// Only the local rows matching the upload filter are exported.
	if err := st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.Insert("account", map[string]any{"name": "Send me"})
		if err == nil {
			_, err = tx.Insert("account", map[string]any{"name": "Keep me"})
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	in.Entities[1].UploadFilter = "externalid eq null and startswith(name, 'Send')"
	res, err := e.Run(ctx, sys, Options{Integration: in, Direction: Export, Catalog: catalog})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Totals(); c.All != 1 || c.Exported != 1 {
		t.Errorf("filtered export = %+v", c)
	}

	in.Entities[1].UploadFilter = "nmae eq 'x'"
	_, err = e.Run(ctx, sys, Options{Integration: in, Direction: Export, Catalog: catalog})
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), `upload filter of Accounts "nmae eq 'x'"`) || !strings.Contains(err.Error(), "did you mean name") {
		t.Errorf("bad upload filter = %v", err)
	}
}

// TestCreateOnlyFieldsAreNotUpdated: a field the external system sets only on
// create is sent with creates, and neither sent with nor counted in updates.
func TestCreateOnlyFieldsAreNotUpdated(t *testing.T) {
	eachWorkspace(t, testCreateOnlyFieldsAreNotUpdated)
}

func testCreateOnlyFieldsAreNotUpdated(t *testing.T, st *store.Store) {
	ctx := context.Background()
	sys := &memWriter{memSystem: newSystem()}
	sys.data["Accounts"] = sys.data["Accounts"][1:3]
	e := &Engine{Workspace: store.Ports[Tx](st)}
	if _, err := e.Run(ctx, sys, Options{Integration: crm(), Direction: Import, Entities: []string{"Accounts"}}); err != nil {
		t.Fatal(err)
	}
	cat := []meta.Entity{{Name: "Accounts", Key: []string{"ID"}, Fields: append([]meta.Field(nil), catalog[0].Fields...)}}
	cat[0].Fields[2].CreateOnly = true // revenue
	err := st.Update(ctx, func(tx *store.Tx) error {
		found, _ := tx.FindBy("account", "externalid", []any{guid(2)}, nil)
		return tx.UpdateRow("account", found[guid(2)].ID, map[string]any{"revenue": "1", "name": "Renamed"})
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Run(ctx, sys, Options{Integration: crm(), Direction: Export, Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Totals(); c.Updated != 1 || c.Unchanged != 1 {
		t.Fatalf("export = %+v", c)
	}
	for _, r := range sys.data["Accounts"] {
		if r["ID"] == guid(2) && (r["name"] != "Renamed" || fmt.Sprint(r["revenue"]) == "1") {
			t.Errorf("server record = %v: want the new name and the old revenue", r)
		}
	}
	res, err = e.Run(ctx, sys, Options{Integration: crm(), Direction: Export, Catalog: cat})
	if err != nil || res.Totals().Unchanged != 2 {
		t.Errorf("second export = %+v, %v: a create-only difference must not count as a change", res.Totals(), err)
	}
}
