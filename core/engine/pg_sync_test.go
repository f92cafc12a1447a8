package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchyard/connectors/odata"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/core/store"
	"switchyard/internal/pgtest"
	"switchyard/internal/testenv"
)

// capSync synchronises the CAP server's Contacts both ways, with their
// Accounts downloaded for the lookup (cmd/switchyard's syncFile).
func capSync(root string) mapping.Integration {
	return mapping.Integration{Name: "crm", Connector: "odata", Settings: spec.Values{"url": root, "auth": "none"}, Entities: []mapping.EntityMapping{
		{External: "Accounts", Local: "account", PrimaryKey: "externalid", Direction: mapping.Download, Fields: []mapping.FieldMapping{
			{External: "ID", Local: "externalid"}, {External: "name", Local: "name"},
			{External: "parent_ID", Local: "parentaccountid", Lookup: "account"},
		}},
		{External: "Contacts", Local: "contact", PrimaryKey: "externalid", Direction: mapping.Bidirectional, Fields: []mapping.FieldMapping{
			{External: "ID", Local: "externalid"}, {External: "firstname", Local: "firstname"}, {External: "lastname", Local: "lastname"},
			{External: "account_ID", Local: "accountid", Lookup: "account"},
		}},
	}}
}

// syncWorkspace is a workspace for capSync on backend (a file, or a
// schema), and a function that runs SQL on it as another program would.
func syncWorkspace(t *testing.T, backend string, in mapping.Integration) (*store.Store, func(stmts ...string)) {
	t.Helper()
	ctx := context.Background()
	ws := filepath.Join(t.TempDir(), "w.db")
	if backend == "postgres" {
		ws = pgtest.NewSchema(t).URL
	}
	st, err := store.Open(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, err := range []error{
		st.SaveIntegration(ctx, in),
		st.CreateEntity(ctx, meta.Entity{Name: "account", Fields: []meta.Field{
			{Name: "externalid", Type: meta.GUID}, {Name: "name", Type: meta.String}, {Name: "parentaccountid", Type: meta.Lookup, Target: "account"},
		}}),
		st.CreateEntity(ctx, meta.Entity{Name: "contact", Fields: []meta.Field{
			{Name: "externalid", Type: meta.GUID}, {Name: "firstname", Type: meta.String}, {Name: "lastname", Type: meta.String},
			{Name: "accountid", Type: meta.Lookup, Target: "account"},
		}}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	exec := func(stmts ...string) {
		t.Helper()
		if backend == "postgres" {
			conn := pgtest.Connect(t, ws)
			defer conn.Close(ctx)
			for _, q := range stmts {
				if _, err := conn.Exec(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			return
		}
		db, err := sql.Open("sqlite3", ws+"?_busy_timeout=5000")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, q := range stmts {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	return st, exec
}

// TestSyncBothWaysAgainstCAP is cmd/switchyard's test of the same name
// through the engine, on both backends, each against a CAP server of its
// own: the first sync is a full download that queues nothing to send back;
// changes made on both sides (the local ones in plain SQL, captured by
// the triggers) are carried over, deletions included, and a record changed
// on both sides in different fields is merged against its baseline without
// a conflict; a third sync moves nothing and leaves no change waiting.
func TestSyncBothWaysAgainstCAP(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) { testSyncBothWaysAgainstCAP(t, backend) })
	}
}

func testSyncBothWaysAgainstCAP(t *testing.T, backend string) {
	ctx := context.Background()
	root := testenv.OwnCAP(t)
	in := capSync(root)
	st, exec := syncWorkspace(t, backend, in)
	conn, err := odata.New(ctx, in.Settings)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cat, err := conn.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{Workspace: store.Ports[Tx](st)}
	sync := func(what string) *Result {
		t.Helper()
		res, err := e.Sync(ctx, conn, SyncOptions{Integration: in, Catalog: cat})
		if err != nil || res.Status != Succeeded {
			t.Fatalf("%s sync: %v, %+v", what, err, res)
		}
		return res
	}
	res := sync("first")
	server := capContacts(t, root)
	if c := syncCounts(res, "Contacts", Import); c.Imported != len(server) || c.Failed != 0 {
		t.Errorf("first sync imported %+v, want %d", c, len(server))
	}
	if c := syncCounts(res, "Contacts", Export); c.All != 0 {
		t.Errorf("first sync exported %+v, want nothing to send", c)
	}
	var ids []string
	for id := range server {
		ids = append(ids, id)
	}
	if len(ids) < 5 {
		t.Fatalf("the server has %d contacts, the test needs 5", len(ids))
	}
	patched, deletedThere, editedHere, deletedHere, both := ids[0], ids[1], ids[2], ids[3], ids[4]
	capSend(t, "PATCH", root+"Contacts("+patched+")", `{"lastname": "Patched on the server"}`)
	capSend(t, "PATCH", root+"Contacts("+both+")", `{"lastname": "Both: there"}`)
	capSend(t, "DELETE", root+"Contacts("+deletedThere+")", ``)
	capSend(t, "POST", root+"Contacts", `{"lastname": "Posted on the server", "firstname": "Sam"}`)
	exec(`INSERT INTO contact (lastname, firstname) VALUES ('Inserted locally', 'Lou')`,
		`UPDATE contact SET firstname = 'Edited locally' WHERE externalid = '`+editedHere+`'`,
		`DELETE FROM contact WHERE externalid = '`+deletedHere+`'`,
		`UPDATE contact SET firstname = 'Both: here' WHERE externalid = '`+both+`'`)

	res = sync("incremental")
	if c := syncCounts(res, "Contacts", Import); c.Imported != 1 || c.Updated != 2 || c.Failed != 0 || c.Deleted != 1 {
		t.Errorf("incremental download %+v, want 1 imported, 2 updated, 1 deleted", c)
	}
	if c := syncCounts(res, "Contacts", Export); c.Exported != 1 || c.Updated != 2 || c.Deleted != 1 || c.Failed != 0 || c.All != 4 {
		t.Errorf("incremental upload %+v, want 1 exported, 2 updated, 1 deleted", c)
	}
	server = capContacts(t, root)
	local := rows(t, st, "contact", "lastname", "firstname")
	if len(local) != len(server) {
		t.Errorf("%d local contacts, %d on the server", len(local), len(server))
	}
	for id, c := range server {
		l, ok := local[id]
		if !ok || fmt.Sprint(l["lastname"]) != fmt.Sprint(c["lastname"]) || fmt.Sprint(l["firstname"]) != fmt.Sprint(c["firstname"]) {
			t.Errorf("contact %s: server %v, local %v", id, c, l)
		}
	}
	if _, ok := server[deletedHere]; ok {
		t.Errorf("the contact deleted locally is still on the server")
	}
	if local[patched]["lastname"] != "Patched on the server" || server[editedHere]["firstname"] != "Edited locally" {
		t.Errorf("changes not carried: local %v, server %v", local[patched], server[editedHere])
	}
	// Changed on both sides, in different fields: merged against the baseline, no conflict.
	if l := local[both]; l["lastname"] != "Both: there" || l["firstname"] != "Both: here" {
		t.Errorf("the contact changed on both sides: local %v, server %v, want both changes", l, server[both])
	}
	if cs, err := st.Conflicts(ctx, "crm", 0); err != nil || len(cs) != 0 {
		t.Errorf("conflicts logged: %+v, %v", cs, err)
	}

	res = sync("third")
	for _, er := range res.Entities {
		if c := er.Counts; c.Imported+c.Exported+c.Updated+c.Deleted+c.Failed != 0 {
			t.Errorf("third sync: %s %s %+v", er.Entity, er.Direction, c)
		}
	}
	if n, err := st.CountRows(ctx, "contact"); err != nil || int(n) != len(server) {
		t.Errorf("%d contacts after the third sync (%v), want %d", n, err, len(server))
	}
	err = st.View(ctx, func(tx *store.Tx) error {
		left, err := tx.LocalChanges("crm", "contact", "", 10)
		if err == nil && len(left) != 0 {
			t.Errorf("changes still waiting: %+v", left)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// syncCounts returns the counts of entity in direction of a sync's result.
func syncCounts(res *Result, entity string, d Direction) Counts {
	for _, er := range res.Entities {
		if er.Entity == entity && er.Direction == d {
			return er.Counts
		}
	}
	return Counts{All: -1}
}

// capContacts returns the CAP server's contacts by ID (one page: the test
// server has a few).
func capContacts(t *testing.T, root string) map[string]map[string]any {
	t.Helper()
	resp, err := http.Get(root + "Contacts?$top=1000")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Value []map[string]any `json:"value"`
		Next  string           `json:"@odata.nextLink"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || page.Next != "" {
		t.Fatalf("read the server's contacts: %v (next %q)", err, page.Next)
	}
	out := map[string]map[string]any{}
	for _, c := range page.Value {
		out[fmt.Sprint(c["ID"])] = c
	}
	return out
}

// capSend sends body to the CAP server with method.
func capSend(t *testing.T, method, url, body string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %s", method, url, resp.Status)
	}
}

// TestSyncConflictNewestOnBothBackends: on both backends, a field changed on
// both sides is a conflict; under the policy newest the local change, made
// after the server's, wins on both sides, and the conflict is logged with
// both versions (cmd/switchyard's TestSyncConflictPolicies, through the engine).
func TestSyncConflictNewestOnBothBackends(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) { testSyncConflictNewest(t, backend) })
	}
}

func testSyncConflictNewest(t *testing.T, backend string) {
	ctx := context.Background()
	root := testenv.OwnCAP(t)
	in := capSync(root)
	in.Entities[1].Conflict = mapping.ConflictNewest
	st, _ := syncWorkspace(t, backend, in)
	conn, err := odata.New(ctx, in.Settings)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cat, err := conn.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{Workspace: store.Ports[Tx](st)}
	sync := func(what string) {
		t.Helper()
		if res, err := e.Sync(ctx, conn, SyncOptions{Integration: in, Catalog: cat}); err != nil || res.Status != Succeeded {
			t.Fatalf("%s sync: %v, %+v", what, err, res)
		}
	}
	sync("first")
	id := ""
	for k := range capContacts(t, root) {
		id = k
		break
	}
	capSend(t, "PATCH", root+"Contacts("+id+")", `{"lastname": "Server"}`)
	st.Now = func() time.Time { return time.Now().Add(time.Minute) } // stamped after the server's change
	err = st.Update(ctx, func(tx *store.Tx) error {
		found, err := tx.FindBy("contact", "externalid", []any{id}, nil)
		if err != nil {
			return err
		}
		return tx.UpdateRow("contact", found[id].ID, map[string]any{"lastname": "Local"})
	})
	st.Now = time.Now
	if err != nil {
		t.Fatal(err)
	}
	sync("second")
	local, server := rows(t, st, "contact", "lastname"), capContacts(t, root)
	if local[id]["lastname"] != "Local" || server[id]["lastname"] != "Local" {
		t.Errorf("after the conflict: local %v, server %v, want Local on both", local[id]["lastname"], server[id]["lastname"])
	}
	cs, err := st.Conflicts(ctx, "crm", 0)
	if err != nil || len(cs) != 1 || cs[0].Winner != "local" || cs[0].Local["lastname"] != "Local" || cs[0].External["lastname"] != "Server" {
		t.Errorf("conflicts logged: %+v, %v", cs, err)
	}
}
