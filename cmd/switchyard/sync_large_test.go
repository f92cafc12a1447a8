package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"switchyard/core/store"
	"switchyard/internal/testenv"
)

// largeSites is how many Sites, and as many Inspections, the realistic-size
// tests sync: tens of thousands, as real systems have.
const largeSites = 20000

// sitesFile is an integration with Sites and their Inspections (a lookup
// between them) synchronised both ways.
func sitesFile(url string) string {
	return `{"format": "switchyard.integration/v1", "name": "field", "connector": "odata",
 "settings": {"url": "` + url + `", "auth": "none"},
 "entities": [
  {"external": "Sites", "local": "site", "primaryKey": "externalid", "direction": "bidirectional",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "name", "local": "name"},
              {"external": "code", "local": "code"}, {"external": "region", "local": "region"},
              {"external": "capacity", "local": "capacity"}, {"external": "rating", "local": "rating"},
              {"external": "notes", "local": "notes"}]},
  {"external": "Inspections", "local": "inspection", "primaryKey": "externalid", "direction": "bidirectional",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "title", "local": "title"},
              {"external": "result", "local": "result"}, {"external": "score", "local": "score"},
              {"external": "cost", "local": "cost"}, {"external": "inspectedOn", "local": "inspectedon"},
              {"external": "site_ID", "local": "siteid", "lookup": "site"}]}],
 "schedules": []}`
}

// siteID and inspectionID are the keys serve.js gives the i-th generated rows (from 1).
func siteID(i int) string       { return fmt.Sprintf("00000000-0000-4000-8000-%012x", i) }
func inspectionID(i int) string { return fmt.Sprintf("00000000-0000-4000-9000-%012x", i) }

// capBatchPatch sends PATCHes to the CAP test service svc in JSON $batch
// requests of 100, as another user of the system would change records.
func capBatchPatch(t *testing.T, svc, set string, changes map[string]map[string]any) {
	t.Helper()
	type member struct {
		ID      string            `json:"id"`
		Method  string            `json:"method"`
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
		Body    map[string]any    `json:"body"`
	}
	var batch []member
	flush := func() {
		if len(batch) == 0 {
			return
		}
		body, _ := json.Marshal(map[string]any{"requests": batch})
		resp, err := http.Post(svc+"$batch", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var answer struct {
			Responses []struct {
				Status int `json:"status"`
			} `json:"responses"`
		}
		err = json.NewDecoder(resp.Body).Decode(&answer)
		resp.Body.Close()
		if err != nil || len(answer.Responses) != len(batch) {
			t.Fatalf("$batch of %d PATCHes: %v, %d answers", len(batch), err, len(answer.Responses))
		}
		for _, r := range answer.Responses {
			if r.Status >= 300 {
				t.Fatalf("a PATCH in the $batch answered %d", r.Status)
			}
		}
		batch = batch[:0]
	}
	for id, body := range changes {
		batch = append(batch, member{ID: strconv.Itoa(len(batch)), Method: "PATCH", URL: set + "(" + id + ")",
			Headers: map[string]string{"content-type": "application/json"}, Body: body})
		if len(batch) == 100 {
			flush()
		}
	}
	flush()
}

// TestLargeBidirectionalSyncWritesOnlyChanges syncs 20,000 Sites and 20,000
// Inspections both ways against the CAP test server at its default limits
// (Node's 16 KB header limit, CAP's pages of 1,000) and counts the writes
// the server receives: none after a download, and after changes on both
// sides exactly one per record changed locally, with changes to different
// fields of one record merged and a field changed on both sides settled by
// the policy.
func TestLargeBidirectionalSyncWritesOnlyChanges(t *testing.T) {
	if testing.Short() {
		t.Skip("realistic sizes: not with -short")
	}
	root := testenv.OwnCAP(t, testenv.CAPSites(largeSites), "SWITCHYARD_CAP_STOP_ON_EOF=1")
	svc := testenv.CAPTestService(root)
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	file := filepath.Join(dir, "field.json")
	if err := os.WriteFile(file, []byte(sitesFile(svc)), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := switchyard(t, "", "--workspace", ws, "integration", "import", file); code != exitOK {
		t.Fatalf("integration import: %d %s", code, errOut)
	}

	// A download, then a first sync: the sync finds nothing to send.
	code, out, errOut := switchyard(t, "", "--workspace", ws, "import", "field", "--json")
	var imp runJSON
	if code != exitOK || json.Unmarshal([]byte(out), &imp) != nil || imp.Entities[0].Imported != largeSites || imp.Entities[1].Imported != largeSites {
		t.Fatalf("import: exit %d %s %s", code, out, errOut)
	}
	testenv.ResetCAPWrites(t, root)
	if code, s := runSyncJSON2(t, ws, "field"); code != exitOK || s.Status != "succeeded" {
		t.Fatalf("first sync: exit %d %+v", code, s)
	}
	if w := testenv.CAPWrites(t, root); w.Total != 0 || w.MaxURL > 8000 {
		t.Fatalf("the first sync after a download sent %d writes (%v), its longest URL %d characters; want none, within 8,000", w.Total, w.ByMethod, w.MaxURL)
	}

	// Changes on both sides, 1 % of the records each.
	//   sites 1–100:     notes changed there
	//   sites 101–200:   notes changed there, name here (merged: both survive)
	//   sites 201–300:   name changed here
	//   sites 301–310:   code changed on both sides (the policy, external, keeps the server's)
	//   sites 311–320:   code changed on both sides, name here too (the name goes up, the code comes down)
	//   inspections 1–200 score there, 151–350 result here (151–200 merged)
	siteChanges := map[string]map[string]any{}
	for i := 1; i <= 200; i++ {
		siteChanges[siteID(i)] = map[string]any{"notes": fmt.Sprintf("server note %d", i)}
	}
	for i := 301; i <= 320; i++ {
		siteChanges[siteID(i)] = map[string]any{"code": fmt.Sprintf("S-%d", i)}
	}
	capBatchPatch(t, svc, "Sites", siteChanges)
	inspChanges := map[string]map[string]any{}
	for i := 1; i <= 200; i++ {
		inspChanges[inspectionID(i)] = map[string]any{"score": 1000 + i}
	}
	capBatchPatch(t, svc, "Inspections", inspChanges)
	var stmts []string
	for i := 101; i <= 300; i++ {
		stmts = append(stmts, fmt.Sprintf(`UPDATE site SET name = 'local name %d' WHERE externalid = '%s'`, i, siteID(i)))
	}
	for i := 301; i <= 320; i++ {
		stmts = append(stmts, fmt.Sprintf(`UPDATE site SET code = 'L-%d' WHERE externalid = '%s'`, i, siteID(i)))
		if i > 310 {
			stmts = append(stmts, fmt.Sprintf(`UPDATE site SET name = 'local name %d' WHERE externalid = '%s'`, i, siteID(i)))
		}
	}
	for i := 151; i <= 350; i++ {
		stmts = append(stmts, fmt.Sprintf(`UPDATE inspection SET result = 'local %d' WHERE externalid = '%s'`, i, inspectionID(i)))
	}
	sqlExec(t, ws, stmts...)

	testenv.ResetCAPWrites(t, root)
	code, s := runSyncJSON2(t, ws, "field")
	if code != exitOK || s.Status != "succeeded" {
		t.Fatalf("sync: exit %d %+v", code, s)
	}
	// One write per record with a change here that survives: sites 101–300
	// and 311–320, inspections 151–350. Sites 301–310 changed only a field the
	// server's change won.
	w := testenv.CAPWrites(t, root)
	if w.Total != 210+200 || w.ByMethod["PATCH"] != 410 || w.ByEntity["Sites"] != 210 || w.ByEntity["Inspections"] != 200 || w.MaxURL > 8000 {
		t.Errorf("the sync sent %d writes %v %v (longest URL %d); want 410 PATCHes: 210 Sites, 200 Inspections", w.Total, w.ByMethod, w.ByEntity, w.MaxURL)
	}
	if c := counts(s, "Sites", "export"); c.Updated != 210 || c.Unchanged != 10 || c.Failed != 0 {
		t.Errorf("sites uploaded %+v, want 210 updated, 10 unchanged", c)
	}

	// Both sides alike, field by field, and as the merge rules say.
	wantSite := func(i int, f string) string {
		switch {
		case f == "notes" && i <= 200:
			return fmt.Sprintf("server note %d", i)
		case f == "name" && ((i > 100 && i <= 300) || (i > 310 && i <= 320)):
			return fmt.Sprintf("local name %d", i)
		case f == "code" && i > 300 && i <= 320:
			return fmt.Sprintf("S-%d", i)
		}
		return ""
	}
	server := map[string]map[string]any{}
	for _, rec := range odataGet(t, svc, "Sites") {
		server[fmt.Sprint(rec["ID"])] = rec
	}
	local := workspaceRows(t, ws, "site", "name", "code", "region", "capacity", "rating", "notes")
	if len(server) != largeSites || len(local) != largeSites {
		t.Fatalf("%d sites on the server, %d here; want %d", len(server), len(local), largeSites)
	}
	mismatches := 0
	for i := 1; i <= largeSites; i++ {
		id := siteID(i)
		for _, f := range []string{"name", "code", "region", "capacity", "rating", "notes"} {
			sv, lv := str(server[id][f]), local[id][f]
			if sv != lv && !(f == "rating" && sameNumber(sv, lv)) {
				if mismatches++; mismatches <= 5 {
					t.Errorf("site %d %s: server %q, here %q", i, f, sv, lv)
				}
			}
			if want := wantSite(i, f); want != "" && sv != want {
				t.Errorf("site %d %s = %q, want %q", i, f, sv, want)
			}
		}
	}
	inspServer := map[string]map[string]any{}
	for _, rec := range odataGet(t, svc, "Inspections") {
		inspServer[fmt.Sprint(rec["ID"])] = rec
	}
	inspLocal := workspaceRows(t, ws, "inspection", "result", "score")
	for _, i := range []int{1, 150, 151, 200, 201, 350, 351} {
		id := inspectionID(i)
		if str(inspServer[id]["result"]) != inspLocal[id]["result"] || str(inspServer[id]["score"]) != inspLocal[id]["score"] {
			t.Errorf("inspection %d: server %v/%v, here %v", i, inspServer[id]["result"], inspServer[id]["score"], inspLocal[id])
		}
		if i <= 200 && str(inspServer[id]["score"]) != strconv.Itoa(1000+i) {
			t.Errorf("inspection %d score %v, want the server's change %d", i, inspServer[id]["score"], 1000+i)
		}
		if i > 150 && i <= 350 && str(inspServer[id]["result"]) != fmt.Sprintf("local %d", i) {
			t.Errorf("inspection %d result %v, want the local change", i, inspServer[id]["result"])
		}
	}

	// The conflicts, with both values: sites 301–320, code.
	st, err := store.Open(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := st.Conflicts(t.Context(), "field", 0)
	st.Close()
	if err != nil || len(cs) != 20 {
		t.Fatalf("%d conflicts logged (%v), want 20", len(cs), err)
	}
	for _, c := range cs {
		if c.Winner != "external" || c.Local["code"] == nil || c.External["code"] == nil || len(c.External) != 1 {
			t.Errorf("conflict %+v: want the code on both sides, the external one winning", c)
		}
	}

	// Nothing changed since: another sync and an export of every keyed record send nothing.
	testenv.ResetCAPWrites(t, root)
	if code, s := runSyncJSON2(t, ws, "field"); code != exitOK {
		t.Fatalf("third sync: exit %d %+v", code, s)
	}
	code, out, errOut = switchyard(t, "", "--workspace", ws, "export", "field", "--json")
	var exp runJSON
	if code != exitOK || json.Unmarshal([]byte(out), &exp) != nil {
		t.Fatalf("export: exit %d %s %s", code, out, errOut)
	}
	for _, e := range exp.Entities {
		if e.All != largeSites || e.Unchanged != largeSites {
			t.Errorf("export of %s: %+v, want %d unchanged", e.Entity, e, largeSites)
		}
	}
	if w := testenv.CAPWrites(t, root); w.Total != 0 || w.MaxURL > 8000 {
		t.Errorf("a sync and an export of unchanged data sent %d writes %v (longest URL %d)", w.Total, w.ByMethod, w.MaxURL)
	}
}

// runSyncJSON2 runs --run-sync name --json and decodes the summary.
func runSyncJSON2(t *testing.T, ws, name string) (int, syncJSON) {
	t.Helper()
	code, out, errOut := switchyard(t, "", "--workspace", ws, "--run-sync", name, "--json")
	var s syncJSON
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("--run-sync: exit %d, not JSON: %v\n%s\n%s", code, err, out, errOut)
	}
	return code, s
}

// sameNumber reports whether two decimal texts are the same number.
func sameNumber(a, b string) bool {
	fa, err1 := strconv.ParseFloat(a, 64)
	fb, err2 := strconv.ParseFloat(b, 64)
	return err1 == nil && err2 == nil && fa == fb
}
