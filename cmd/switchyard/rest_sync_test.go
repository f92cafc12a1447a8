package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/internal/testenv"
)

// importIntegration writes an integration file and imports it into a new workspace, which it returns.
func importIntegration(t *testing.T, file string) string {
	t.Helper()
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	path := filepath.Join(dir, "integration.json")
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := switchyard(t, "", "--workspace", ws, "integration", "import", path); code != exitOK {
		t.Fatalf("integration import: exit %d: %s", code, errOut)
	}
	return ws
}

// requestCounts sums request lines by kind: "GET list", "GET item", and the other methods.
func requestCounts(lines []string) map[string]int {
	out := map[string]int{}
	for _, l := range lines {
		method, target, _ := strings.Cut(l, " ")
		path, _, _ := strings.Cut(target, "?")
		switch {
		case method != http.MethodGet:
			out[method]++
		case strings.Count(strings.Trim(path, "/"), "/") > 0:
			out["GET item"]++
		default:
			out["GET list"]++
		}
	}
	return out
}

const feathersAccounts = `{"format": "switchyard.integration/v1", "name": "feathers", "connector": "rest",
 "settings": {"url": "@URL@", "preset": "feathers", "entities": "accounts", "updatedat": "updatedAt"},
 "entities": [{"external": "accounts", "local": "account", "primaryKey": "externalid", "direction": "bidirectional",
   "fields": [{"external": "id", "local": "externalid"}, {"external": "name", "local": "name"},
              {"external": "email", "local": "email"}, {"external": "balance", "local": "balance"},
              {"external": "active", "local": "active"}, {"external": "updatedAt", "local": "updatedat"}]}],
 "schedules": []}`

// TestRESTSyncRequestsFeathers: a sync of 10,000 records with 10 changed
// locally sends a few dozen requests to a REST API without server-side
// filters (Feathers, pages capped at 50), counted by the server: the changes
// since the last sync, the 10 records read by item to compare, 10 PATCHes.
func TestRESTSyncRequestsFeathers(t *testing.T) {
	root := testenv.OwnFeathers(t)
	ws := importIntegration(t, strings.ReplaceAll(feathersAccounts, "@URL@", root))

	first := byDirection(syncOnce(t, ws, "feathers"))
	if first["import"].Imported != 10000 {
		t.Fatalf("first sync = %+v, want the 10,000 accounts imported", first)
	}
	full := testenv.FeathersStats(t, root)
	t.Logf("first sync: %d requests %v", full.Requests, requestCounts(full.Recent))

	for i := 1; i <= 10; i++ {
		id := fmt.Sprint(i * 997)
		setLocal(t, ws, "account", id, map[string]any{"email": "changed" + id + "@example.com"})
	}
	testenv.ResetFeathersStats(t, root)
	s := syncOnce(t, ws, "feathers")
	stats := testenv.FeathersStats(t, root)
	counts := requestCounts(stats.Recent)
	t.Logf("sync of 10 local changes: %d requests %v:\n%s", stats.Requests, counts, strings.Join(stats.Recent, "\n"))
	for _, e := range s.Entities {
		t.Logf("%s %s: %v", e.Entity, e.Direction, e.Queries)
	}
	if d := byDirection(s); d["export"].Updated != 10 || d["export"].Failed != 0 || d["import"].Imported+d["import"].Updated+d["import"].Failed != 0 {
		t.Errorf("second sync = %+v, want the 10 local changes sent and nothing else", d)
	}
	if counts["PATCH"] != 10 || counts["GET item"] > 10 || stats.Requests > 30 {
		t.Errorf("the sync sent %d requests %v: want 10 PATCHes and at most 20 reads:\n%s", stats.Requests, counts, strings.Join(stats.Recent, "\n"))
	}
	var acc map[string]any
	resp, err := http.Get(root + "accounts/9970")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&acc)
	resp.Body.Close()
	if acc["email"] != "changed9970@example.com" {
		t.Errorf("server account 9970 = %v", acc)
	}

	testenv.ResetFeathersStats(t, root)
	third := byDirection(syncOnce(t, ws, "feathers"))
	stats = testenv.FeathersStats(t, root)
	t.Logf("sync without changes: %d requests %v", stats.Requests, requestCounts(stats.Recent))
	if third["export"].Updated+third["export"].Exported != 0 || stats.Requests > 6 || requestCounts(stats.Recent)["PATCH"] != 0 {
		t.Errorf("a sync without local changes: %+v in %d requests %q", third, stats.Requests, stats.Recent)
	}
}

// TestRESTSyncRequestsJSONServer: the same through json-server, whose own
// filters carry the keys (id=a&id=b): one read for the 10 records to compare.
func TestRESTSyncRequestsJSONServer(t *testing.T) {
	counter := testenv.CountRequests(t, testenv.OwnREST(t))
	ws := importIntegration(t, `{"format": "switchyard.integration/v1", "name": "shop", "connector": "rest",
 "settings": {"url": "`+counter.URL+`", "preset": "json-server"},
 "entities": [{"external": "orders", "local": "salesorder", "primaryKey": "externalid", "direction": "bidirectional",
   "fields": [{"external": "id", "local": "externalid"}, {"external": "number", "local": "number"},
              {"external": "status", "local": "status"}, {"external": "updatedAt", "local": "updatedat"}]}],
 "schedules": []}`)
	if first := byDirection(syncOnce(t, ws, "shop")); first["import"].Imported != 150 {
		t.Fatalf("first sync = %+v, want the 150 orders imported", first)
	}
	for i := 1; i <= 10; i++ {
		setLocal(t, ws, "salesorder", fmt.Sprint(i*13), map[string]any{"status": "changed here"})
	}
	counter.Reset()
	s := syncOnce(t, ws, "shop")
	stats := counter.Stats()
	counts := requestCounts(stats.Recent)
	t.Logf("sync of 10 local changes: %d requests %v", stats.Requests, counts)
	for _, e := range s.Entities {
		t.Logf("%s %s: %v", e.Entity, e.Direction, e.Queries)
	}
	if d := byDirection(s); d["export"].Updated != 10 || d["export"].Failed != 0 {
		t.Errorf("second sync = %+v, want the 10 local changes sent", d)
	}
	keyReads := 0
	for _, l := range stats.Recent {
		if strings.Contains(l, "id=13&id=26") {
			keyReads++
		}
	}
	// Besides: the catalog (/db and a sample of each collection), the count, the changes since the last sync.
	if counts["PATCH"] != 10 || counts["GET item"] != 0 || keyReads != 1 || stats.Requests > 20 {
		t.Errorf("the sync sent %d requests %v (%d reads by the keys' filter): want 10 PATCHes, one read by key:\n%s",
			stats.Requests, counts, keyReads, strings.Join(stats.Recent, "\n"))
	}
}

const feathersItemsFile = `{"format": "switchyard.integration/v1", "name": "items", "connector": "rest",
 "settings": {"url": "@URL@", "preset": "feathers", "entities": "items"},
 "entities": [{"external": "items", "local": "item", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "id", "local": "externalid"}, {"external": "name", "local": "name"},
              {"external": "price", "local": "price"}, {"external": "legacyCode", "local": "legacycode"}]}],
 "schedules": []}`

// TestRESTImportFeathers: an import through a server that sends 50 records a
// page when asked for 100 reads all 406 (the count checked), and the log
// shows the requests as sent. legacyCode, inferred a whole number from the
// first 50 items, holds text in the last 6: those fail alone, with the
// reason, and the run ends partial. A server that says 406 and sends 403
// fails the run, naming both numbers.
func TestRESTImportFeathers(t *testing.T) {
	root := testenv.OwnFeathers(t, testenv.FeathersEnv(testenv.FeathersAccountsVar, 1))
	ws := importIntegration(t, strings.ReplaceAll(feathersItemsFile, "@URL@", root))
	code, out, errOut := switchyard(t, "", "--workspace", ws, "import", "items", "--json")
	var r runJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Entities) != 1 {
		t.Fatalf("import --json: exit %d, %v\n%s\n%s", code, err, out, errOut)
	}
	e := r.Entities[0]
	t.Logf("import: exit %d, %+v", code, e)
	if code != exitPartial || e.All != 406 || e.Imported != 400 || e.Failed != 6 {
		t.Errorf("import: exit %d, all %d imported %d failed %d; want exit %d, 406, 400 and 6 (the text legacy codes)", code, e.All, e.Imported, e.Failed, exitPartial)
	}
	if e.CountCheck == nil || e.CountCheck.Counted != 406 || e.CountCheck.Read != 406 {
		t.Errorf("count check %+v, want 406 read of 406", e.CountCheck)
	}
	log := strings.Join(e.Queries, "\n")
	if !strings.Contains(log, "GET /items?$sort%5Bid%5D=1&$limit=100&$skip=0") || !strings.Contains(log, "9 pages") {
		t.Errorf("the run log does not show the requests as sent: %q", e.Queries)
	}
	rows := workspaceRows(t, ws, "item", "legacycode")
	if len(rows) != 400 || rows["400"]["legacycode"] != "4000" || rows["401"] != nil {
		t.Errorf("%d items in the workspace; 400: %v, 401: %v", len(rows), rows["400"], rows["401"])
	}

	short := testenv.OwnFeathers(t, testenv.FeathersEnv(testenv.FeathersAccountsVar, 1), testenv.FeathersEnv(testenv.FeathersDropVar, 3))
	ws = importIntegration(t, strings.ReplaceAll(feathersItemsFile, "@URL@", short))
	code, out, errOut = switchyard(t, "", "--workspace", ws, "import", "items", "--json")
	if code != exitFailed || !strings.Contains(out+errOut, "406") || !strings.Contains(out+errOut, "403") {
		t.Errorf("import from a server that under-delivers: exit %d, want %d naming 406 and 403:\n%s\n%s", code, exitFailed, out, errOut)
	}
}
