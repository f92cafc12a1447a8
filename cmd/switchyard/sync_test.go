package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchyard/core/store"
	"switchyard/core/values"
	"switchyard/internal/testenv"
)

// syncFile is an integration with Accounts downloaded and Contacts synchronised both ways.
func syncFile(url, conflict string) string {
	return `{"format": "switchyard.integration/v1", "name": "crm", "connector": "odata",
 "settings": {"url": "` + url + `", "auth": "none"},
 "entities": [
  {"external": "Accounts", "local": "account", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "name", "local": "name"},
              {"external": "parent_ID", "local": "parentaccountid", "lookup": "account"}]},
  {"external": "Contacts", "local": "contact", "primaryKey": "externalid", "direction": "bidirectional", "conflict": "` + conflict + `",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "firstname", "local": "firstname"},
              {"external": "lastname", "local": "lastname"},
              {"external": "account_ID", "local": "accountid", "lookup": "account"}]}],
 "schedules": [{"cron": "30 2 * * 1-5", "enabled": true}, {"every": "15m", "enabled": true}]}`
}

// setUpSync imports the sync integration into a new workspace against root and returns the workspace path.
func setUpSync(t *testing.T, root, conflict string) string {
	t.Helper()
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	file := filepath.Join(dir, "crm.json")
	if err := os.WriteFile(file, []byte(syncFile(root, conflict)), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := switchyard(t, "", "--workspace", ws, "integration", "import", file); code != exitOK {
		t.Fatalf("integration import: %d %s", code, errOut)
	}
	return ws
}

// runSyncJSON runs --run-sync crm --json and decodes the summary.
func runSyncJSON(t *testing.T, ws string, extra ...string) (int, syncJSON) {
	t.Helper()
	code, out, errOut := switchyard(t, "", append([]string{"--workspace", ws, "--run-sync", "crm", "--json"}, extra...)...)
	var s syncJSON
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("--run-sync: exit %d, not JSON: %v\n%s\n%s", code, err, out, errOut)
	}
	return code, s
}

// counts returns the counts of entity in direction of a sync summary.
func counts(s syncJSON, entity, direction string) entityJSON {
	for _, e := range s.Entities {
		if e.Entity == entity && string(e.Direction) == direction {
			return e
		}
	}
	return entityJSON{All: -1}
}

// sqlExec runs statements on the workspace file with plain SQL, as another program would.
func sqlExec(t *testing.T, ws string, stmts ...string) {
	t.Helper()
	db := openSQL(t, ws)
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func sqlValue(t *testing.T, ws, query string, args ...any) string {
	t.Helper()
	db := openSQL(t, ws)
	defer db.Close()
	var v sql.NullString
	if err := db.QueryRow(bindFor(ws, query), args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v.String
}

// serverContacts returns the server's contacts by ID.
func serverContacts(t *testing.T, root string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, c := range odataGet(t, root, "Contacts") {
		out[fmt.Sprint(c["ID"])] = c
	}
	return out
}

func TestSyncBothWaysAgainstCAP(t *testing.T) {
	root := testenv.OwnCAP(t)
	ws := setUpSync(t, root, "")

	// The first sync is full.
	code, s := runSyncJSON(t, ws)
	server := serverContacts(t, root)
	if code != exitOK || s.Status != "succeeded" {
		t.Fatalf("first sync: exit %d %+v", code, s)
	}
	if c := counts(s, "Contacts", "import"); c.Imported != len(server) || c.Failed != 0 {
		t.Errorf("first sync imported %+v, want %d", c, len(server))
	}
	// The download just wrote every contact as the server has it: nothing is queued to go back.
	if c := counts(s, "Contacts", "export"); c.All != 0 || c.Exported != 0 || c.Updated != 0 {
		t.Errorf("first sync exported %+v, want nothing to send", c)
	}
	local := workspaceRows(t, ws, "contact", "lastname", "firstname")
	if len(local) != len(server) {
		t.Fatalf("%d local contacts, %d on the server", len(local), len(server))
	}

	// Changes on both sides.
	var ids []string
	for id := range server {
		ids = append(ids, id)
	}
	patched, deletedThere, editedHere, deletedHere := ids[0], ids[1], ids[2], ids[3]
	odataSend(t, "PATCH", root+"Contacts("+patched+")", `{"lastname": "Patched on the server"}`)
	odataSend(t, "DELETE", root+"Contacts("+deletedThere+")", ``)
	odataSend(t, "POST", root+"Contacts", `{"lastname": "Posted on the server", "firstname": "Sam"}`)
	sqlExec(t, ws,
		`INSERT INTO contact (lastname, firstname) VALUES ('Inserted locally', 'Lou')`,
		`UPDATE contact SET firstname = 'Edited locally' WHERE externalid = '`+editedHere+`'`,
		`DELETE FROM contact WHERE externalid = '`+deletedHere+`'`)
	if n := sqlValue(t, ws, `SELECT count(*) FROM sy_integration_transaction WHERE status = 'pending' AND entity = 'contact'`); n != "3" {
		t.Errorf("%s pending local changes captured, want 3", n)
	}

	code, s = runSyncJSON(t, ws)
	if code != exitOK {
		t.Fatalf("incremental sync: exit %d %+v", code, s)
	}
	if c := counts(s, "Contacts", "import"); c.Imported != 1 || c.Updated != 1 || c.Failed != 0 {
		t.Errorf("incremental download %+v, want 1 imported, 1 updated", c)
	}
	if c := counts(s, "Contacts", "export"); c.Exported != 1 || c.Updated != 1 || c.Failed != 0 || c.All != 3 {
		t.Errorf("incremental upload %+v, want 1 exported, 1 updated, 1 deleted", c)
	}
	if c := counts(s, "Accounts", "import"); c.Imported+c.Updated != 0 {
		t.Errorf("accounts did not change, yet %+v", c)
	}
	if s.Deleted != 2 {
		t.Errorf("deleted %d, want 2 (one each side)", s.Deleted)
	}
	// Both sides hold the same contacts, with every change.
	server = serverContacts(t, root)
	local = workspaceRows(t, ws, "contact", "lastname", "firstname")
	if len(local) != len(server) {
		t.Errorf("%d local contacts, %d on the server", len(local), len(server))
	}
	for id, c := range server {
		l, ok := local[id]
		if !ok || l["lastname"] != fmt.Sprint(c["lastname"]) || l["firstname"] != str(c["firstname"]) {
			t.Errorf("contact %s: server %v, local %v", id, c, l)
		}
	}
	if _, ok := server[deletedHere]; ok {
		t.Errorf("the contact deleted locally is still on the server")
	}
	if _, ok := local[deletedThere]; ok {
		t.Errorf("the contact deleted on the server is still local")
	}
	if local[patched]["lastname"] != "Patched on the server" || server[editedHere]["firstname"] != "Edited locally" {
		t.Errorf("changes not carried: local %v, server %v", local[patched], server[editedHere])
	}
	found := 0
	for _, c := range server {
		if c["lastname"] == "Inserted locally" {
			found++
		}
	}
	if found != 1 {
		t.Errorf("the local insert is %d times on the server, want once", found)
	}

	// Nothing left to move: a third sync changes nothing on either side.
	code, s = runSyncJSON(t, ws)
	for _, e := range s.Entities {
		if e.Imported+e.Exported+e.Updated+e.Failed != 0 {
			t.Errorf("third sync: %+v", e)
		}
	}
	if code != exitOK || s.Deleted != 0 {
		t.Errorf("third sync: exit %d, deleted %d", code, s.Deleted)
	}
	if n := sqlValue(t, ws, `SELECT count(*) FROM sy_integration_transaction WHERE status <> 'done'`); n != "0" {
		t.Errorf("%s transactions not done", n)
	}
}

func TestSyncConflictPolicies(t *testing.T) {
	tests := []struct {
		policy, want, winner string
	}{
		{"", "Server", "external"},
		{"external", "Server", "external"},
		{"local", "Local", "local"},
		{"newest", "Local", "local"}, // changed locally after the server
	}
	for _, tt := range tests {
		t.Run("policy="+tt.policy, func(t *testing.T) {
			root := testenv.OwnCAP(t)
			ws := setUpSync(t, root, tt.policy)
			if code, s := runSyncJSON(t, ws); code != exitOK {
				t.Fatalf("first sync: %d %+v", code, s)
			}
			id := ""
			for k := range serverContacts(t, root) {
				id = k
				break
			}
			odataSend(t, "PATCH", root+"Contacts("+id+")", `{"lastname": "Server"}`)
			localChange(t, ws, id, time.Now().Add(time.Minute))
			if code, s := runSyncJSON(t, ws); code != exitOK {
				t.Fatalf("sync: %d %+v", code, s)
			}
			local := workspaceRows(t, ws, "contact", "lastname")
			server := serverContacts(t, root)
			if local[id]["lastname"] != tt.want || server[id]["lastname"] != tt.want {
				t.Errorf("after the conflict: local %q, server %q, want %q on both", local[id]["lastname"], server[id]["lastname"], tt.want)
			}
			st, err := store.Open(t.Context(), ws)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			cs, err := st.Conflicts(t.Context(), "crm", 0)
			if err != nil || len(cs) != 1 || cs[0].Winner != tt.winner || cs[0].Local["lastname"] != "Local" || cs[0].External["lastname"] != "Server" {
				t.Errorf("conflicts logged: %+v, %v", cs, err)
			}
		})
	}
}

// localChange sets the last name of the local contact with the external key
// id to "Local", through a workspace whose clock says at: the time the
// change is stamped with, a minute after the server's change rather than a
// second's sleep later.
func localChange(t *testing.T, ws, id string, at time.Time) {
	t.Helper()
	st, err := store.Open(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.Now = func() time.Time { return at }
	local := sqlValue(t, ws, `SELECT id FROM contact WHERE externalid = ?`, id)
	if err := st.Update(t.Context(), func(tx *store.Tx) error {
		return tx.UpdateRow("contact", local, map[string]any{"lastname": "Local"})
	}); err != nil {
		t.Fatal(err)
	}
	// Compared as instants: PostgreSQL's text of a timestamptz drops trailing zeros (.09Z for .090Z).
	got := sqlValue(t, ws, `SELECT modifiedon FROM contact WHERE id = ?`, local)
	if stamp, err := values.ParseDateTime(got); err != nil || !stamp.Equal(at.UTC().Truncate(time.Millisecond)) {
		t.Fatalf("the local change is stamped %s, want the workspace's clock %s", got, at.UTC())
	}
}

func TestRunSyncExitCodes(t *testing.T) {
	root := testenv.OwnCAP(t)
	ws := setUpSync(t, root, "")
	// 3: an integration that does not exist.
	if code, _, errOut := switchyard(t, "", "--workspace", ws, "--run-sync", "nope"); code != exitConfig || !strings.Contains(errOut, `"nope"`) {
		t.Errorf("unknown integration: exit %d, %q", code, errOut)
	}
	// 0: a sync that moves everything.
	if code, s := runSyncJSON(t, ws, "--full"); code != exitOK || s.Status != "succeeded" {
		t.Errorf("sync: exit %d %+v", code, s)
	}
	// 2: a local contact the server refuses (lastname is mandatory) fails and is quarantined; the other goes.
	sqlExec(t, ws, `INSERT INTO contact (firstname) VALUES ('No last name')`, `INSERT INTO contact (lastname) VALUES ('Fine')`)
	code, s := runSyncJSON(t, ws)
	if c := counts(s, "Contacts", "export"); code != exitPartial || s.Status != "partial" || c.Failed != 1 || c.Exported != 1 {
		t.Errorf("partial sync: exit %d %+v", code, s)
	}
	code, out, _ := switchyard(t, "", "--workspace", ws, "quarantine", "list", "crm", "--json")
	var qs []store.Quarantined
	if err := json.Unmarshal([]byte(out), &qs); code != exitOK || err != nil || len(qs) != 1 || qs[0].Direction != "upload" {
		t.Fatalf("quarantine: %d %s", code, out)
	}
	// The failed record is retried by the next sync, and fails again until dismissed.
	if code, s := runSyncJSON(t, ws); code != exitPartial || counts(s, "Contacts", "export").Failed != 1 {
		t.Errorf("retry: exit %d %+v", code, s)
	}
	if code, _, errOut := switchyard(t, "", "--workspace", ws, "quarantine", "dismiss", "crm", fmt.Sprint(qs[0].ID)); code != exitOK {
		t.Fatalf("dismiss: %d %s", code, errOut)
	}
	if code, s := runSyncJSON(t, ws); code != exitOK {
		t.Errorf("after dismissing: exit %d %+v", code, s)
	}
	// 4: another run holds the lock.
	st, err := store.Open(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := st.Lock(t.Context(), "crm")
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := switchyard(t, "", "--workspace", ws, "--run-sync", "crm")
	if code != exitLocked || !strings.Contains(errOut, "another run") {
		t.Errorf("locked: exit %d, %q %q", code, out, errOut)
	}
	unlock()
	st.Close()
	// 1: the external system is unreachable; pending uploads stay queued.
	offline := `UPDATE sy_integration SET settings = json_set(settings, '$.url', 'http://127.0.0.1:9/odata/v4/crm/')`
	if store.IsPostgres(ws) {
		offline = `UPDATE sy_integration SET settings = jsonb_set(settings::jsonb, '{url}', '"http://127.0.0.1:9/odata/v4/crm/"')::json`
	}
	sqlExec(t, ws, `INSERT INTO contact (lastname) VALUES ('Offline')`, offline)
	code, out, errOut = switchyard(t, "", "--workspace", ws, "--run-sync", "crm")
	if code != exitFailed || errOut == "" {
		t.Errorf("offline: exit %d, %q %q", code, out, errOut)
	}
	if n := sqlValue(t, ws, `SELECT count(*) FROM sy_integration_transaction WHERE status = 'pending'`); n != "1" {
		t.Errorf("%s pending after the offline run, want 1", n)
	}
	// Back online, the next run sends it.
	online := `UPDATE sy_integration SET settings = json_set(settings, '$.url', '` + root + `')`
	if store.IsPostgres(ws) {
		online = `UPDATE sy_integration SET settings = jsonb_set(settings::jsonb, '{url}', '"` + root + `"')::json`
	}
	sqlExec(t, ws, online)
	if code, s := runSyncJSON(t, ws); code != exitOK || counts(s, "Contacts", "export").Exported != 1 {
		t.Errorf("back online: exit %d %+v", code, s)
	}
}

func TestSchedulePrint(t *testing.T) {
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	file := filepath.Join(dir, "crm.json")
	os.WriteFile(file, []byte(syncFile(testenv.OwnCAP(t), "")), 0o600)
	if code, _, errOut := switchyard(t, "", "--workspace", ws, "integration", "import", file); code != exitOK {
		t.Fatalf("import: %s", errOut)
	}
	code, out, errOut := switchyard(t, "", "--workspace", ws, "schedule", "print", "crm", "--binary", "/usr/bin/switchyard")
	if code != exitOK {
		t.Fatalf("schedule print: %d %s", code, errOut)
	}
	cronWS := ws
	if onPostgres() {
		cronWS = "'" + ws + "'" // the URL's ? and & are quoted for the shell (and cmd.exe's & escaped below)
	}
	for _, want := range []string{
		"30 2 * * 1-5 /usr/bin/switchyard --run-sync crm --workspace " + cronWS,
		"OnCalendar=Mon..Fri *-*-* 2:30:00",
		"*/15 * * * * /usr/bin/switchyard --run-sync crm",
		"OnUnitActiveSec=15m",
		"SuccessExitStatus=2 4",
		`schtasks /Create /TN "Switchyard sync crm" /TR "\"/usr/bin/switchyard\" --run-sync crm --workspace \"` + strings.ReplaceAll(ws, "&", "^&") + `\"" /SC MINUTE /MO 15 /F`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("schedule print lacks %q:\n%s", want, out)
		}
	}
}
