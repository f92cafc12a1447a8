package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"switchyard/core/store"
	"switchyard/internal/testenv"
)

// parentFilterFile maps Accounts with a download filter, and Contacts with a
// lookup to them whose missingParent is policy ("" for the default).
func parentFilterFile(url, filter, policy string) string {
	missing := ""
	if policy != "" {
		missing = `, "missingParent": "` + policy + `"`
	}
	return `{"format": "switchyard.integration/v1", "name": "crm", "connector": "odata",
 "settings": {"url": "` + url + `", "auth": "none"},
 "entities": [
  {"external": "Accounts", "local": "account", "primaryKey": "externalid", "direction": "download", "downloadFilter": "` + filter + `",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "name", "local": "name"}, {"external": "revenue", "local": "revenue"}]},
  {"external": "Contacts", "local": "contact", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "lastname", "local": "lastname"},
              {"external": "account_ID", "local": "accountid", "lookup": "account"` + missing + `}]}],
 "schedules": []}`
}

// TestMissingParentsAgreeEverywhere: a download filter on the parent leaves
// some contacts without their account. By default they are written without
// it, with a warning; with fail they fail; with skip they are left out. The
// counts agree on stdout, in --json, in the run log and in the Excel report,
// and check warns before the run.
func TestMissingParentsAgreeEverywhere(t *testing.T) {
	root := testenv.ODataURL(t)
	const filter = "revenue gt 50000000"
	accounts := serverCount(t, root, "Accounts", filter)
	var orphans int // contacts whose account the filter leaves out
	kept := map[string]bool{}
	for _, a := range odataGet(t, root, "Accounts?$filter="+strings.ReplaceAll(filter, " ", "%20")) {
		kept[fmt.Sprint(a["ID"])] = true
	}
	contacts := odataGet(t, root, "Contacts")
	for _, c := range contacts {
		if c["account_ID"] != nil && !kept[fmt.Sprint(c["account_ID"])] {
			orphans++
		}
	}
	if orphans == 0 || accounts == 0 {
		t.Fatalf("the filter should leave some contacts' accounts out: %d accounts, %d orphans", accounts, orphans)
	}
	tests := []struct {
		policy                   string
		code                     int
		failed, warned, imported int
	}{
		{"", exitOK, 0, orphans, accounts + len(contacts) - orphans},
		{"fail", exitPartial, orphans, 0, accounts + len(contacts) - orphans},
		{"skip", exitOK, 0, orphans, accounts + len(contacts) - orphans},
	}
	for _, tt := range tests {
		t.Run("missingParent="+tt.policy, func(t *testing.T) {
			dir := t.TempDir()
			ws := testWorkspace(t, dir)
			file := filepath.Join(dir, "crm.json")
			if err := os.WriteFile(file, []byte(parentFilterFile(root, filter, tt.policy)), 0o600); err != nil {
				t.Fatal(err)
			}
			if code, _, errOut := switchyard(t, "", "--workspace", ws, "integration", "import", file); code != exitOK {
				t.Fatalf("integration import: %d %s", code, errOut)
			}
			code, out, errOut := switchyard(t, "", "--workspace", ws, "integration", "check", "crm")
			if tt.policy != "skip" && !strings.Contains(out+errOut, "can leave out the account that accountid points to") {
				t.Errorf("check does not warn of the parent's filter: %d\n%s\n%s", code, out, errOut)
			}
			// A preview predicts it: it asks the server which parents the run would bring.
			code, out, errOut = switchyard(t, "", "--workspace", ws, "import", "crm", "--preview", "--limit", "1000", "--json")
			var pre runJSON
			if json.Unmarshal([]byte(out), &pre) != nil || pre.Entities[1].Failed != tt.failed || pre.Entities[1].Warnings != tt.warned {
				t.Errorf("the preview predicts %+v, want failed %d warnings %d (exit %d %s)", pre.Entities, tt.failed, tt.warned, code, errOut)
			}
			report := filepath.Join(dir, "run.xlsx")
			code, out, errOut = switchyard(t, "", "--workspace", ws, "import", "crm", "--report", report)
			want := fmt.Sprintf("IMPORTED (%d); UPDATED (0); UNCHANGED (0); FAILED (%d); WARNINGS (%d)", tt.imported, tt.failed, tt.warned)
			if code != tt.code || !strings.Contains(out, want) {
				t.Fatalf("import: exit %d (want %d)\n%s\nwant %q\n%s", code, tt.code, out, want, errOut)
			}
			local := workspaceRows(t, ws, "contact", "accountid")
			wantLocal := len(contacts)
			if tt.policy == "skip" {
				wantLocal -= orphans
			}
			if tt.policy == "fail" {
				wantLocal -= orphans
			}
			if len(local) != wantLocal {
				t.Errorf("%d contacts in the workspace, want %d", len(local), wantLocal)
			}

			// --json, on a second run: the same failures and warnings, the others unchanged.
			code, out, _ = switchyard(t, "", "--workspace", ws, "import", "crm", "--json")
			var sum runJSON
			if json.Unmarshal([]byte(out), &sum) != nil || code != tt.code {
				t.Fatalf("--json: exit %d %s", code, out)
			}
			con := sum.Entities[1]
			if con.Failed != tt.failed || con.Warnings != tt.warned {
				t.Errorf("--json contacts %+v, want failed %d warnings %d", con, tt.failed, tt.warned)
			}
			// The run log of the first run.
			st, err := store.Open(t.Context(), ws)
			if err != nil {
				t.Fatal(err)
			}
			logs, _ := st.Logs(t.Context(), "crm", 0)
			first := logs[len(logs)-1]
			fails, _ := st.LogFailures(t.Context(), first.ID, 0)
			st.Close()
			warnings := 0
			for _, f := range fails {
				if f.Warning {
					warnings++
				}
			}
			if first.Failed != tt.failed || first.Warnings != tt.warned || len(fails)-warnings != tt.failed || warnings != tt.warned {
				t.Errorf("run log %+v with %d failures listed, %d warnings", first, len(fails)-warnings, warnings)
			}
			// The report's Summary sheet.
			f, err := excelize.OpenFile(report)
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := f.GetRows("Summary")
			f.Close()
			if got := strings.Join(rows[2][8:10], "|"); got != strconv.Itoa(tt.failed)+"|"+strconv.Itoa(tt.warned) {
				t.Errorf("report Summary, contacts' Failed|Warnings = %s, want %d|%d (%q)", got, tt.failed, tt.warned, rows[2])
			}
		})
	}
}
