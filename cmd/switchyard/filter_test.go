package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/core/store"
	"switchyard/internal/testenv"
)

// serverCount asks the OData server how many records of entity match filter.
func serverCount(t *testing.T, root, entity, filter string) int {
	t.Helper()
	q := "$count=true&$top=0&$filter=" + strings.ReplaceAll(url.QueryEscape(filter), "+", "%20")
	resp, err := http.Get(root + entity + "?" + q)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Count int `json:"@odata.count"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&body) != nil {
		t.Fatalf("count %s where %s: %s", entity, filter, resp.Status)
	}
	return body.Count
}

// TestFilteredDownloadAndUpload: a download filter brings exactly the records
// the server counts for it; an upload filter sends exactly the local rows that match.
func TestFilteredDownloadAndUpload(t *testing.T) {
	root := testenv.OwnCAP(t)
	const download = "revenue gt 50000000 and active eq true"
	const upload = "startswith(lastname, 'Up') and externalid eq null"
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	file := `{"format": "switchyard.integration/v1", "name": "filtered", "connector": "odata",
 "settings": {"url": "` + root + `"},
 "entities": [
  {"external": "Accounts", "local": "account", "primaryKey": "externalid", "direction": "download",
   "downloadFilter": "` + download + `",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "name", "local": "name"},
              {"external": "revenue", "local": "revenue"}, {"external": "active", "local": "active"}]},
  {"external": "Contacts", "local": "contact", "primaryKey": "externalid", "direction": "bidirectional",
   "uploadFilter": "` + upload + `",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "lastname", "local": "lastname"},
              {"external": "firstname", "local": "firstname"}]}],
 "schedules": []}`
	os.WriteFile(filepath.Join(dir, "f.json"), []byte(file), 0o600)
	if code, _, errOut := switchyard(t, "", "--workspace", ws, "integration", "import", filepath.Join(dir, "f.json")); code != exitOK {
		t.Fatalf("integration import: %s", errOut)
	}

	want := serverCount(t, root, "Accounts", download)
	if want == 0 || want == len(odataGet(t, root, "Accounts")) {
		t.Fatalf("the filter should pick some accounts, not %d", want)
	}
	code, out, errOut := switchyard(t, "", "--workspace", ws, "import", "filtered", "--entity", "Accounts", "--json")
	var sum runJSON
	if code != exitOK || json.Unmarshal([]byte(out), &sum) != nil {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	if got := sum.Entities[0].Imported; got != want {
		t.Errorf("imported %d accounts, the server counts %d for %q", got, want, download)
	}
	// The request as sent: the filter encoded as it went (spaces as %20), the page size from the preset.
	if q := strings.Join(sum.Entities[0].Queries, " "); !strings.Contains(q, "$filter=("+strings.ReplaceAll(download, " ", "%20")+")") ||
		!strings.HasPrefix(q, "GET /odata/v4/crm/Accounts?") {
		t.Errorf("the query sent is not in the run: %q", q)
	}
	if rows := workspaceRows(t, ws, "account", "revenue"); len(rows) != want {
		t.Errorf("%d accounts in the workspace, want %d", len(rows), want)
	}

	// Upload: two local contacts match, one does not.
	st, err := store.Open(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(t.Context(), func(tx *store.Tx) error {
		for _, name := range []string{"Upton", "Upshaw", "Downey"} {
			if _, err := tx.Insert("contact", map[string]any{"lastname": name, "firstname": "Filter"}); err != nil {
				return err
			}
		}
		return nil
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	before := len(odataGet(t, root, "Contacts"))
	code, out, errOut = switchyard(t, "", "--workspace", ws, "export", "filtered", "--json")
	if code != exitOK || json.Unmarshal([]byte(out), &sum) != nil {
		t.Fatalf("export: %d %s %s", code, out, errOut)
	}
	if e := sum.Entities[0]; e.All != 2 || e.Exported != 2 {
		t.Errorf("export counts = %+v, want the 2 matching contacts", e)
	}
	var sent []string
	for _, c := range odataGet(t, root, "Contacts") {
		if c["firstname"] == "Filter" {
			sent = append(sent, c["lastname"].(string))
		}
	}
	if len(sent) != 2 || strings.Contains(strings.Join(sent, ","), "Downey") || len(odataGet(t, root, "Contacts")) != before+2 {
		t.Errorf("the server received %v", sent)
	}
}
