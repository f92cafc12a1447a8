package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"switchyard/core/store"
	"switchyard/internal/testenv"
)

// odataGet fetches every record of an entity set of the CAP server, following next links.
func odataGet(t *testing.T, root, entity string) []map[string]any {
	t.Helper()
	var out []map[string]any
	next := root + entity
	for next != "" {
		resp, err := http.Get(next)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Value []map[string]any `json:"value"`
			Next  string           `json:"@odata.nextLink"`
		}
		dec := json.NewDecoder(resp.Body)
		dec.UseNumber()
		err = dec.Decode(&page)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Value...)
		next = ""
		if page.Next != "" {
			next = root + strings.TrimPrefix(page.Next, "./")
			if strings.HasPrefix(page.Next, "http") {
				next = page.Next
			}
		}
	}
	return out
}

func odataSend(t *testing.T, method, url, body string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
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

// sqlRows runs a query on the workspace file with the store and returns the rows as text.
func workspaceRows(t *testing.T, ws, entity string, fields ...string) map[string]map[string]string {
	t.Helper()
	st, err := store.Open(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	out := map[string]map[string]string{}
	err = st.View(t.Context(), func(tx *store.Tx) error {
		rows, err := tx.Scan(entity, append([]string{"externalid"}, fields...), nil, "", 100000)
		for _, r := range rows {
			m := map[string]string{"id": r.ID}
			for k, v := range r.Values {
				if v != nil {
					m[k] = fmt.Sprint(v)
				}
			}
			out[m["externalid"]] = m
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestImportExportAgainstCAP(t *testing.T) {
	root := testenv.OwnCAP(t)
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	data, err := os.ReadFile("../../testdata/crm.json")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "crm.json")
	os.WriteFile(file, []byte(strings.ReplaceAll(string(data), "@ODATA_URL@", root)), 0o600)
	if code, _, errOut := switchyard(t, "", "--workspace", ws, "integration", "import", file); code != exitOK {
		t.Fatalf("integration import: %d %s", code, errOut)
	}

	// A preview changes nothing.
	code, out, errOut := switchyard(t, "", "--workspace", ws, "import", "crm", "--preview", "--limit", "3")
	if code != exitOK || !strings.Contains(out, "PREVIEW: nothing was changed") || !strings.Contains(out, "create") ||
		!strings.Contains(out, "PREVIEW, NOTHING WRITTEN (6 records looked at of ") || !strings.Contains(out, "WOULD IMPORT (") {
		t.Fatalf("preview: %d\n%s\n%s", code, out, errOut)
	}
	// It asks the server for its sample only.
	code, out, errOut = switchyard(t, "", "--workspace", ws, "import", "crm", "--preview", "--limit", "3", "--json")
	var preview runJSON
	if code != exitOK || json.Unmarshal([]byte(out), &preview) != nil || !strings.Contains(strings.Join(preview.Entities[0].Queries, " "), "$top=3") {
		t.Fatalf("preview --json: %d\n%s\n%s", code, out, errOut)
	}
	if rows := workspaceRows(t, ws, "account"); len(rows) != 0 {
		t.Fatalf("the preview wrote %d accounts", len(rows))
	}

	// The full import, with a report.
	reportPath := filepath.Join(dir, "run.xlsx")
	code, out, errOut = switchyard(t, "", "--workspace", ws, "import", "crm", "--json", "--report", reportPath)
	if code != exitOK {
		t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
	}
	var summary runJSON
	if err := json.Unmarshal([]byte(out), &summary); err != nil {
		t.Fatalf("import --json: %v\n%s", err, out)
	}
	serverAccounts := odataGet(t, root, "Accounts")
	serverContacts := odataGet(t, root, "Contacts")
	if summary.Status != "succeeded" || len(summary.Entities) != 2 || summary.Report != reportPath {
		t.Fatalf("summary = %+v", summary)
	}
	acc, con := summary.Entities[0], summary.Entities[1]
	if acc.Entity != "Accounts" || acc.All != len(serverAccounts) || acc.Imported != len(serverAccounts) || con.Imported != len(serverContacts) {
		t.Errorf("counts = %+v / %+v (server: %d accounts, %d contacts)", acc, con, len(serverAccounts), len(serverContacts))
	}

	// Field by field, the workspace holds what the server holds, lookups resolved to local ids.
	accounts := workspaceRows(t, ws, "account", "name", "accountnumber", "emailaddress1", "revenue", "parentaccountid")
	for _, s := range serverAccounts {
		l := accounts[s["ID"].(string)]
		if l == nil || l["name"] != s["name"] || l["emailaddress1"] != fmt.Sprint(orEmpty(s["email"])) {
			t.Errorf("account %v: local %v", s, l)
			continue
		}
		if s["revenue"] != nil && !store.SameStored("decimal", string(s["revenue"].(json.Number)), mustNumber(l["revenue"])) {
			t.Errorf("account %s revenue %v, local %v", s["ID"], s["revenue"], l["revenue"])
		}
		if p, ok := s["parent_ID"].(string); ok && l["parentaccountid"] != accounts[p]["id"] {
			t.Errorf("account %s parent not resolved: %v", s["ID"], l)
		}
	}
	contacts := workspaceRows(t, ws, "contact", "lastname", "parentcustomerid")
	for _, s := range serverContacts {
		l := contacts[s["ID"].(string)]
		if a, ok := s["account_ID"].(string); ok && (l == nil || l["parentcustomerid"] != accounts[a]["id"]) {
			t.Errorf("contact %s: account not resolved: %v", s["ID"], l)
		}
	}
	f, err := excelize.OpenFile(reportPath)
	if err != nil {
		t.Fatal(err)
	}
	sheet, _ := f.GetRows("Accounts")
	f.Close()
	if len(sheet) != len(serverAccounts)+1 {
		t.Errorf("the report lists %d account rows", len(sheet)-1)
	}

	// Again: everything unchanged. Then a change on the server updates exactly that record.
	code, out, _ = switchyard(t, "", "--workspace", ws, "import", "crm")
	if code != exitOK || !strings.Contains(out, fmt.Sprintf("RESULTS: ALL (%d) : IMPORTED (0); UPDATED (0); UNCHANGED (%d); FAILED (0)", len(serverAccounts)+len(serverContacts), len(serverAccounts)+len(serverContacts))) {
		t.Fatalf("second import: %d\n%s", code, out)
	}
	first := serverAccounts[0]["ID"].(string)
	odataSend(t, "PATCH", root+"Accounts("+first+")", `{"name": "Renamed on the server"}`)
	code, out, _ = switchyard(t, "", "--workspace", ws, "import", "crm", "--entity", "Accounts", "--json")
	if err := json.Unmarshal([]byte(out), &summary); err != nil || code != exitOK || summary.Entities[0].Updated != 1 || summary.Entities[0].Unchanged != len(serverAccounts)-1 {
		t.Fatalf("import after PATCH: %d %s", code, out)
	}

	// Export of local changes: a new contact, a changed one, one the server refuses.
	st, err := store.Open(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	someContact := serverContacts[0]["ID"].(string)
	err = st.Update(t.Context(), func(tx *store.Tx) error {
		if _, err := tx.Insert("contact", map[string]any{"firstname": "Ada", "lastname": "Lovelace", "parentcustomerid": accounts[first]["id"]}); err != nil {
			return err
		}
		if _, err := tx.Insert("contact", map[string]any{"firstname": "No", "lastname": nil}); err != nil {
			return err
		}
		return tx.UpdateRow("contact", contacts[someContact]["id"], map[string]any{"lastname": "Changed locally"})
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut = switchyard(t, "", "--workspace", ws, "export", "crm", "--json")
	if code != exitPartial {
		t.Fatalf("export: exit %d, want %d\n%s\n%s", code, exitPartial, out, errOut)
	}
	if err := json.Unmarshal([]byte(out), &summary); err != nil || summary.Status != "partial" {
		t.Fatalf("export --json: %v\n%s", err, out)
	}
	ex := summary.Entities[0]
	if ex.Entity != "Contacts" || ex.Exported != 1 || ex.Updated != 1 || ex.Failed != 1 || ex.Unchanged != len(serverContacts)-1 {
		t.Errorf("export counts = %+v", ex)
	}
	after := odataGet(t, root, "Contacts")
	var ada map[string]any
	for _, c := range after {
		if c["lastname"] == "Lovelace" {
			ada = c
		}
		if c["ID"] == someContact && c["lastname"] != "Changed locally" {
			t.Errorf("the changed contact is %v on the server", c)
		}
	}
	if len(after) != len(serverContacts)+1 || ada == nil || ada["account_ID"] != first {
		t.Errorf("server contacts after export: %d, Ada = %v", len(after), ada)
	}
	if got := workspaceRows(t, ws, "contact", "lastname"); got[fmt.Sprint(ada["ID"])] == nil {
		t.Errorf("the server's key of the new contact was not stored locally")
	}
}

func orEmpty(v any) any {
	if v == nil {
		return ""
	}
	return v
}

func mustNumber(s string) any {
	var f float64
	fmt.Sscan(s, &f)
	return f
}

// TestImportWhileLocked: an import of an integration whose run lock another
// run holds exits 4 and leaves nothing; a run that died is closed in the log.
func TestImportWhileLocked(t *testing.T) {
	root := testenv.ODataURL(t)
	ws := testWorkspace(t, t.TempDir())
	if code, _, errOut := switchyard(t, crmFile(root), "--workspace", ws, "integration", "import", "-"); code != exitOK {
		t.Fatalf("integration import: %s", errOut)
	}
	st, err := store.Open(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dead, err := st.AddLog(t.Context(), store.LogEntry{Integration: "crm", Kind: "import", Status: "running"})
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := st.Lock(t.Context(), "crm")
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := switchyard(t, "", "--workspace", ws, "import", "crm")
	if code != exitLocked || !strings.Contains(errOut, "another run of the integration is in progress") {
		t.Errorf("import while locked: exit %d, stderr %q", code, errOut)
	}
	unlock()
	if code, _, errOut = switchyard(t, "", "--workspace", ws, "import", "crm"); code != exitOK {
		t.Fatalf("import after unlock: exit %d, stderr %q", code, errOut)
	}
	logs, _ := st.Logs(t.Context(), "crm", 0)
	for _, l := range logs {
		if l.ID == dead && (l.Status != "failed" || !strings.HasPrefix(l.Message, "interrupted")) {
			t.Errorf("the dead run is %+v", l)
		}
		if l.Status == "running" {
			t.Errorf("a run is still logged as running: %+v", l)
		}
	}
}
