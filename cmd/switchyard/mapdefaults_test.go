package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/core/admin"
	"switchyard/core/store"
	"switchyard/internal/testenv"
)

// bcIntegrationFile is a minimal integration file for the Business-Central-shaped
// service at root: preset businesscentral with a company, no entities.
func bcIntegrationFile(name, root, preset string) string {
	return `{"format": "switchyard.integration/v1", "name": "` + name + `", "connector": "odata",
 "settings": {"url": "` + root + `", "auth": "none", "preset": "` + preset + `", "company": "` + testenv.BCCompany + `"},
 "entities": [], "schedules": []}`
}

// TestMapDefaultsBusinessCentral: `integration import` of a Business Central
// integration without entities, `integration map-defaults NAME` (a proposal,
// nothing saved), `--apply`, then `import NAME` brings the company's
// customers, contacts and sales orders, each order's customer lookup resolved
// to the account whose External Primary Key (bcid) is the order's customerId.
func TestMapDefaultsBusinessCentral(t *testing.T) {
	root := testenv.CAPBusinessCentral(testenv.OwnCAP(t, "SWITCHYARD_CAP_STOP_ON_EOF=1"))
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	file := filepath.Join(dir, "bc.json")
	writeFile(t, file, bcIntegrationFile("bc", root, "businesscentral"))
	mustRun(t, "", "--workspace", ws, "integration", "import", file)

	out := mustRun(t, "", "--workspace", ws, "integration", "map-defaults", "bc")
	squashed := strings.Join(strings.Fields(out), " ") // the table's columns, one space apart
	for _, want := range []string{
		`Business Central defaults (preset businesscentral): 3 entity mapping(s) to add to "bc"`,
		"customers → account (match key bcid, download)", "contacts → contact (match key bcid, download)",
		"salesOrders → salesorder (match key bcid, download)", "EXTERNAL TYPE LOCAL TYPE",
		"id guid bcid guid External Primary Key (matches records)",
		"customerId guid customerid lookup → account lookup by key: resolved through account.bcid",
		"lastModifiedDateTime datetime lastmodifieddatetime datetime read-only",
		"would create local entity salesorder", "would add local field salesorder.customerid",
		"add them with `switchyard integration map-defaults bc --apply`",
	} {
		if !strings.Contains(squashed, want) {
			t.Errorf("map-defaults output lacks %q:\n%s", want, out)
		}
	}
	if exported := mustRun(t, "", "--workspace", ws, "integration", "export", "bc"); !strings.Contains(exported, `"entities": []`) {
		t.Fatalf("a proposal changed the integration:\n%s", exported)
	}

	// --json: the entities in the integration file's form.
	var res admin.DefaultsResult
	if err := json.Unmarshal([]byte(mustRun(t, "", "--workspace", ws, "integration", "map-defaults", "bc", "--json")), &res); err != nil {
		t.Fatal(err)
	}
	if res.Preset != "businesscentral" || len(res.Entities) != 3 || res.Entities[2].External != "salesOrders" || res.Applied {
		t.Fatalf("--json: %+v", res)
	}

	out = mustRun(t, "", "--workspace", ws, "integration", "map-defaults", "bc", "--apply")
	for _, want := range []string{`added 3 entity mapping(s) to "bc"`, "created local entity account", "created local entity contact",
		"created local entity salesorder", "added local field salesorder.customerid"} {
		if !strings.Contains(out, want) {
			t.Errorf("map-defaults --apply output lacks %q:\n%s", want, out)
		}
	}
	t.Logf("map-defaults --apply:\n%s", out)

	code, out, errOut := switchyard(t, "", "--workspace", ws, "import", "bc", "--json")
	if code != exitOK {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	var run struct {
		Status   string `json:"status"`
		Entities []struct {
			Entity                          string
			All, Imported, Failed, Warnings int
		} `json:"entities"`
	}
	if err := json.Unmarshal([]byte(out), &run); err != nil {
		t.Fatalf("import --json: %v\n%s", err, out)
	}
	want := map[string]int{"customers": testenv.BCCustomers, "contacts": testenv.BCContacts, "salesOrders": testenv.BCSalesOrders}
	for _, e := range run.Entities {
		if n := want[e.Entity]; e.All != n || e.Imported != n || e.Failed != 0 || e.Warnings != 0 {
			t.Errorf("%s: %+v, want %d imported", e.Entity, e, n)
		}
		delete(want, e.Entity)
	}
	if len(want) > 0 || run.Status != "succeeded" {
		t.Errorf("import: status %s, did not run %v: %s", run.Status, want, out)
	}

	// Each sales order's customer is the account of the order's customerId.
	customerOf := map[string]string{}
	for _, o := range testenv.BCRecords(t, root, "salesOrders", "id,customerId") {
		customerOf[o["id"]] = o["customerId"]
	}
	accounts := localRows(t, ws, "account", "bcid")
	orders := localRows(t, ws, "salesorder", "bcid", "customerid")
	contacts := localRows(t, ws, "contact", "bcid", "displayname")
	if len(accounts) != testenv.BCCustomers || len(orders) != testenv.BCSalesOrders || len(contacts) != testenv.BCContacts {
		t.Fatalf("workspace: %d accounts, %d sales orders, %d contacts", len(accounts), len(orders), len(contacts))
	}
	bcidOf := map[string]string{}
	for _, a := range accounts {
		bcidOf[a["id"]] = a["bcid"]
	}
	for _, o := range orders {
		if got, want := bcidOf[o["customerid"]], customerOf[o["bcid"]]; got != want || want == "" {
			t.Errorf("sales order %s: customer %q, want %q", o["bcid"], got, want)
		}
	}

	// Again: everything is mapped, nothing changes.
	if out := mustRun(t, "", "--workspace", ws, "integration", "map-defaults", "bc", "--apply"); !strings.Contains(out, `nothing to add to "bc", it maps customers, contacts, salesOrders already`) {
		t.Errorf("map-defaults --apply again:\n%s", out)
	}
}

// TestMapDefaultsWithoutDefaults: exit 3 with a message when the preset has
// no defaults or the service none of their entities.
func TestMapDefaultsWithoutDefaults(t *testing.T) {
	crm := testenv.ODataURL(t) // the shared server's CRM service, read only
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	for name, content := range map[string]string{
		"crmcap":  bcIntegrationFile("crmcap", crm, "cap"),
		"crmasbc": bcIntegrationFile("crmasbc", crm, "businesscentral"),
	} {
		file := filepath.Join(dir, name+".json")
		writeFile(t, file, content)
		mustRun(t, "", "--workspace", ws, "integration", "import", file)
	}
	for _, tt := range []struct{ name, contains string }{
		{"crmcap", `switchyard integration: map the defaults of "crmcap": integration "crmcap": no default mappings: its preset cap has none`},
		{"crmasbc", `integration "crmasbc": no default mappings: the businesscentral preset maps customers, contacts, salesOrders, and the external system has none of them`},
		{"nope", `integration "nope": not found`},
	} {
		code, out, errOut := switchyard(t, "", "--workspace", ws, "integration", "map-defaults", tt.name, "--apply")
		if code != exitConfig || !strings.Contains(errOut, tt.contains) || out != "" {
			t.Errorf("map-defaults %s: exit %d, stdout %q, stderr %q; want exit 3 saying %q", tt.name, code, out, errOut, tt.contains)
		}
	}
	if code, _, errOut := switchyard(t, "", "--workspace", ws, "integration", "map-defaults"); code != exitConfig || !strings.Contains(errOut, "want NAME") {
		t.Errorf("map-defaults without a name: exit %d, %q", code, errOut)
	}
}

// localRows returns the rows of a local entity with its id and fields, as text.
func localRows(t *testing.T, ws, entity string, fields ...string) []map[string]string {
	t.Helper()
	st, err := store.Open(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var out []map[string]string
	err = st.View(t.Context(), func(tx *store.Tx) error {
		rows, err := tx.Scan(entity, fields, nil, "", 100000)
		for _, r := range rows {
			m := map[string]string{"id": r.ID}
			for k, v := range r.Values {
				if v != nil {
					m[k] = fmt.Sprint(v)
				}
			}
			out = append(out, m)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
