package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"switchyard/core/connector"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/store"
)

// memSystem is a test double of an external system: entities of records,
// served in pages of pageSize; readHook runs before each page is served.
type memSystem struct {
	mu       sync.Mutex
	data     map[string][]meta.Record
	pageSize int
	readHook func(entity string, page int)
	queries  []connector.Query
}

func (m *memSystem) Catalog(context.Context) ([]meta.Entity, error) { return nil, nil }
func (m *memSystem) Close() error                                   { return nil }

func (m *memSystem) ReadPage(ctx context.Context, q connector.Query, token string) (connector.Page, error) {
	if err := ctx.Err(); err != nil {
		return connector.Page{}, err
	}
	start := 0
	if token != "" {
		fmt.Sscan(token, &start)
	}
	if m.readHook != nil {
		m.readHook(q.Entity, start/m.pageSize)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if token == "" {
		m.queries = append(m.queries, q)
	}
	recs := m.data[q.Entity]
	end := min(start+m.pageSize, len(recs))
	page := connector.Page{Total: int64(len(recs))}
	for _, r := range recs[start:end] {
		out := meta.Record{}
		for _, f := range q.Fields {
			out[f] = r[f]
		}
		page.Records = append(page.Records, out)
	}
	if end < len(recs) {
		page.Next = fmt.Sprint(end)
	}
	return page, nil
}

var _ connector.Reader = (*memSystem)(nil)

func acc(id, name, parent string, revenue string) meta.Record {
	r := meta.Record{"ID": id, "name": name, "revenue": json.Number(revenue), "parent_ID": nil}
	if parent != "" {
		r["parent_ID"] = parent
	}
	return r
}

func guid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func newSystem() *memSystem {
	return &memSystem{pageSize: 2, data: map[string][]meta.Record{
		"Accounts": {
			acc(guid(1), "Child of 3", guid(3), "10.50"), // its parent comes later in the same entity
			acc(guid(2), "Zoë \"Quoted\"\nLtd", "", "1234567890123.45"),
			acc(guid(3), "Parent", "", "0"),
			acc(guid(4), "Bad revenue", "", "lots"),
			acc(guid(5), "Orphan", guid(99), "1"),
		},
		"Contacts": {
			{"ID": guid(11), "lastname": "Ng", "birthdate": "1990-02-28", "account_ID": guid(2)},
			{"ID": guid(12), "lastname": "Østergård", "birthdate": nil, "account_ID": guid(3)},
			{"ID": nil, "lastname": "Keyless", "birthdate": nil, "account_ID": nil},
		},
	}}
}

func crm() mapping.Integration {
	return mapping.Integration{Name: "crm", Connector: "mem", Entities: []mapping.EntityMapping{
		{External: "Contacts", Local: "contact", PrimaryKey: "externalid", Direction: mapping.Download, Fields: []mapping.FieldMapping{
			{External: "ID", Local: "externalid"}, {External: "lastname", Local: "lastname"},
			{External: "birthdate", Local: "birthdate"}, {External: "account_ID", Local: "accountid", Lookup: "account"},
		}},
		{External: "Accounts", Local: "account", PrimaryKey: "externalid", Direction: mapping.Bidirectional, Fields: []mapping.FieldMapping{
			{External: "ID", Local: "externalid"}, {External: "name", Local: "name"}, {External: "revenue", Local: "revenue"},
			{External: "parent_ID", Local: "parentaccountid", Lookup: "account"},
		}},
	}}
}

// newWorkspace returns an in-memory workspace with the integration saved and its local entities created.
func newWorkspace(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	setUp(t, st)
	return st
}

// newFileWorkspace is newWorkspace in a file (WAL, as admins run it).
func newFileWorkspace(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	setUp(t, st)
	return st
}

// setUp saves the integration and creates its local entities.
func setUp(t testing.TB, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.SaveIntegration(ctx, crm()))
	must(st.CreateEntity(ctx, meta.Entity{Name: "account", Fields: []meta.Field{
		{Name: "externalid", Type: meta.GUID}, {Name: "name", Type: meta.String}, {Name: "revenue", Type: meta.Decimal},
		{Name: "parentaccountid", Type: meta.Lookup, Target: "account"},
	}}))
	must(st.CreateEntity(ctx, meta.Entity{Name: "contact", Fields: []meta.Field{
		{Name: "externalid", Type: meta.GUID}, {Name: "lastname", Type: meta.String}, {Name: "birthdate", Type: meta.Date},
		{Name: "accountid", Type: meta.Lookup, Target: "account"},
	}}))
}

// rows reads entity's rows by external id: field → value as stored.
func rows(t *testing.T, st *store.Store, entity string, fields ...string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	err := st.View(context.Background(), func(tx *store.Tx) error {
		all, err := tx.Scan(entity, append([]string{"externalid"}, fields...), nil, "", 1000)
		for _, r := range all {
			r.Values["id"] = r.ID
			out[fmt.Sprint(r.Values["externalid"])] = r.Values
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestImport(t *testing.T) { eachWorkspace(t, testImport) }

func testImport(t *testing.T, st *store.Store) {
	ctx := context.Background()
	sys := newSystem()
	e := &Engine{Workspace: store.Ports[Tx](st)}
	var seen []RecordResult
	res, err := e.Run(ctx, sys, Options{Integration: crm(), Direction: Import, OnRecord: func(r RecordResult) { seen = append(seen, r) }})
	if err != nil {
		t.Fatal(err)
	}
	// Accounts run first (contacts point to them); within accounts, guid 1's parent comes later.
	if res.Entities[0].Entity != "Accounts" || res.Entities[1].Entity != "Contacts" {
		t.Fatalf("order = %s, %s", res.Entities[0].Entity, res.Entities[1].Entity)
	}
	if got := res.Summary(); got != "RESULTS: ALL (8) : IMPORTED (5); UPDATED (0); UNCHANGED (0); FAILED (2); WARNINGS (1)" {
		t.Errorf("Summary() = %q", got)
	}
	if res.Status != Partial || len(seen) != 8 {
		t.Errorf("status %s, %d records seen", res.Status, len(seen))
	}
	failures, warnings := map[string]string{}, map[string]string{}
	for _, r := range seen {
		switch r.Action {
		case Fail:
			failures[r.Key] = r.Error
		case Warn:
			warnings[r.Key] = r.Warning
		}
	}
	if !strings.Contains(failures[guid(4)], `field revenue (from revenue): "lots" is not a decimal number`) {
		t.Errorf("bad revenue failure = %q", failures[guid(4)])
	}
	// The orphan's parent is missing: written without it, with a warning (missingParent's default).
	if !strings.Contains(warnings[guid(5)], "lookup parentaccountid: no account has externalid = "+guid(99)+": written without it") {
		t.Errorf("orphan warning = %q", warnings[guid(5)])
	}
	accounts := rows(t, st, "account", "name", "revenue", "parentaccountid")
	if len(accounts) != 4 { // the bad revenue did not land; the orphan did, without its parent
		t.Fatalf("accounts = %v", accounts)
	}
	if accounts[guid(1)]["parentaccountid"] != accounts[guid(3)]["id"] {
		t.Errorf("the deferred self lookup was not resolved: %v", accounts[guid(1)])
	}
	if accounts[guid(2)]["name"] != "Zoë \"Quoted\"\nLtd" || !store.SameStored(meta.Decimal, "1234567890123.45", accounts[guid(2)]["revenue"]) {
		t.Errorf("values drifted: %v", accounts[guid(2)])
	}
	contacts := rows(t, st, "contact", "lastname", "birthdate", "accountid")
	if contacts[guid(11)]["accountid"] != accounts[guid(2)]["id"] || contacts[guid(11)]["birthdate"] != "1990-02-28" {
		t.Errorf("contact = %v", contacts[guid(11)])
	}
	if got := sys.queries[0]; got.Entity != "Accounts" || strings.Join(got.Fields, ",") != "ID,name,revenue,parent_ID" || !got.Count {
		t.Errorf("query = %+v", got)
	}

	// The log holds the run, per entity, with its failures.
	ents, _ := st.LogEntities(ctx, res.LogID)
	fails, _ := st.LogFailures(ctx, res.LogID, 0)
	if len(ents) != 2 || ents[0].All != 5 || ents[0].Imported != 3 || ents[0].Failed != 1 || ents[0].Warnings != 1 || len(fails) != 3 || !fails[2].Warning {
		t.Errorf("log entities %+v, failures %+v", ents, fails)
	}

	// Again: everything that landed is unchanged.
	res, err = e.Run(ctx, sys, Options{Integration: crm(), Direction: Import})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Totals()
	if c.Unchanged != 5 || c.Imported != 0 || c.Updated != 0 || c.Failed != 2 || c.Warnings != 1 {
		// The bad revenue and the keyless contact fail again, the orphan warns again; the rest is unchanged.
		t.Errorf("second run totals = %+v", c)
	}

	// A change in the external system updates exactly that record, with the change listed.
	sys.data["Accounts"][2]["name"] = "Parent renamed"
	seen = nil
	res, err = e.Run(ctx, sys, Options{Integration: crm(), Direction: Import, Entities: []string{"Accounts"}, OnRecord: func(r RecordResult) { seen = append(seen, r) }})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Totals(); c.Updated != 1 || len(res.Entities) != 1 {
		t.Fatalf("after a change: %+v", c)
	}
	for _, r := range seen {
		if r.Action == Update && (r.Key != guid(3) || len(r.Changes) != 1 || r.Changes[0] != (Change{Field: "name", Old: "Parent", New: "Parent renamed"})) {
			t.Errorf("update = %+v", r)
		}
	}
}

func TestPreviewWritesNothing(t *testing.T) { eachWorkspace(t, testPreviewWritesNothing) }

func testPreviewWritesNothing(t *testing.T, st *store.Store) {
	ctx := context.Background()
	e := &Engine{Workspace: store.Ports[Tx](st)}
	res, err := e.Run(ctx, newSystem(), Options{Integration: crm(), Direction: Import, Preview: true, PreviewLimit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.LogID != 0 || len(res.Entities[0].Preview) != 3 || res.Entities[0].Preview[0].Action != Create {
		t.Fatalf("preview = %+v", res.Entities[0])
	}
	if n, _ := st.CountRows(ctx, "account"); n != 0 {
		t.Errorf("preview wrote %d accounts", n)
	}
	if logs, _ := st.Logs(ctx, "crm", 0); len(logs) != 0 {
		t.Errorf("preview logged %d runs", len(logs))
	}
	// A contact whose account is not imported yet is planned, not failed: the import would bring the account first.
	for _, r := range res.Entities[1].Preview {
		if r.Action == Fail && r.Key != "" {
			t.Errorf("preview failed %+v", r)
		}
	}
}

func TestCancelKeepsWrittenPages(t *testing.T) { eachWorkspace(t, testCancelKeepsWrittenPages) }

func testCancelKeepsWrittenPages(t *testing.T, st *store.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	sys := newSystem()
	sys.readHook = func(entity string, page int) {
		if page == 1 {
			cancel() // while the first page is being written
		}
	}
	res, err := (&Engine{Workspace: store.Ports[Tx](st)}).Run(ctx, sys, Options{Integration: crm(), Direction: Import})
	if !errors.Is(err, context.Canceled) || res.Status != Cancelled {
		t.Fatalf("Run() = %v, status %s", err, res.Status)
	}
	if n, _ := st.CountRows(context.Background(), "account"); n != 2 {
		t.Errorf("%d accounts kept, want the first page's 2", n)
	}
	logs, _ := st.Logs(context.Background(), "crm", 1)
	if len(logs) != 1 || logs[0].Status != "cancelled" {
		t.Errorf("log = %+v", logs)
	}
}

func TestConfigErrors(t *testing.T) { eachWorkspace(t, testConfigErrors) }

func testConfigErrors(t *testing.T, st *store.Store) {
	e := &Engine{Workspace: store.Ports[Tx](st)}
	in := crm()
	tests := []struct {
		name string
		opt  Options
		want string
	}{
		{"unknown entity", Options{Integration: in, Direction: Import, Entities: []string{"Leads"}}, `maps no external entity "Leads"`},
		{"wrong direction", Options{Integration: in, Direction: Export, Entities: []string{"Contacts"}}, `mapped for download only`},
		{"bad direction", Options{Integration: in, Direction: "sideways"}, `unknown run direction`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Run(context.Background(), newSystem(), tt.opt)
			var ce *ConfigError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run() = %v, want a ConfigError with %q", err, tt.want)
			}
		})
	}
	in.Entities[0].Fields[1].Local = "surname"
	_, err := e.Run(context.Background(), newSystem(), Options{Integration: in, Direction: Import})
	if err == nil || !strings.Contains(err.Error(), `local field "surname" of entity "contact" does not exist`) {
		t.Errorf("Run() with a missing local field = %v", err)
	}
}

func TestEmptySourceClearsUnlessKept(t *testing.T) { eachWorkspace(t, testEmptySourceClearsUnlessKept) }

func testEmptySourceClearsUnlessKept(t *testing.T, st *store.Store) {
	ctx := context.Background()
	sys := newSystem()
	e := &Engine{Workspace: store.Ports[Tx](st)}
	if _, err := e.Run(ctx, sys, Options{Integration: crm(), Direction: Import, Entities: []string{"Accounts"}}); err != nil {
		t.Fatal(err)
	}
	sys.data["Accounts"][1]["name"] = nil // guid 2
	sys.data["Accounts"][2]["name"] = ""  // guid 3
	in := crm()
	in.Entities[1].Fields[1].KeepWhenEmpty = true
	res, err := e.Run(ctx, sys, Options{Integration: in, Direction: Import, Entities: []string{"Accounts"}})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Totals(); c.Updated != 0 {
		t.Errorf("kept names were updated: %+v", c)
	}
	if got := rows(t, st, "account", "name"); got[guid(2)]["name"] != "Zoë \"Quoted\"\nLtd" {
		t.Errorf("name not kept: %v", got[guid(2)])
	}
	res, err = e.Run(ctx, sys, Options{Integration: crm(), Direction: Import, Entities: []string{"Accounts"}})
	if err != nil {
		t.Fatal(err)
	}
	got := rows(t, st, "account", "name")
	if c := res.Totals(); c.Updated != 2 || got[guid(2)]["name"] != nil || got[guid(3)]["name"] != "" {
		t.Errorf("empty names did not clear: %+v, %v / %v", c, got[guid(2)], got[guid(3)])
	}
}
