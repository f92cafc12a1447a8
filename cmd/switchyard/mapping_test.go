package main

import (
	"bufio"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchyard/core/admin"
	"switchyard/internal/testenv"
)

// capServer is a CAP test server of the test's own, over a copy of testdata/cap.
type capServer struct {
	dir, port, url string
	cmd            *exec.Cmd
}

// copyCAP copies testdata/cap without node_modules into a temporary folder
// and links the original node_modules there.
func copyCAP(t *testing.T) string {
	t.Helper()
	src, err := filepath.Abs(filepath.Join("..", "..", "testdata", "cap"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(src, "node_modules", "@sap", "cds")); err != nil {
		t.Fatalf("the CAP packages are not installed (%v): run scripts/testservers.sh start once", err)
	}
	dst := t.TempDir()
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if rel == "node_modules" {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(src, "node_modules"), filepath.Join(dst, "node_modules")); err != nil {
		t.Fatal(err)
	}
	return dst
}

// start runs serve.js in c.dir on c.port ("0" for any) and waits for its URL.
func (c *capServer) start(t *testing.T) {
	t.Helper()
	cmd := exec.Command("node", "serve.js")
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "PORT="+c.port)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the CAP server: %v", err)
	}
	c.cmd = cmd
	t.Cleanup(func() { c.stop(t) })
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
				lines <- u
				break
			}
		}
		io.Copy(io.Discard, out)
		close(lines)
	}()
	select {
	case u, ok := <-lines:
		if !ok {
			t.Fatalf("the CAP server stopped before listening: %s", stderr.String())
		}
		c.url = u
	case <-time.After(60 * time.Second):
		t.Fatalf("the CAP server did not listen within 60 s: %s", stderr.String())
	}
	// Keep the port: the integration's URL names it.
	rest := strings.TrimPrefix(c.url, "http://127.0.0.1:")
	c.port = rest[:strings.Index(rest, "/")]
}

// stop ends the server this test started and waits for it.
func (c *capServer) stop(t *testing.T) {
	if c.cmd == nil {
		return
	}
	c.cmd.Process.Kill()
	c.cmd.Wait()
	c.cmd = nil
}

// edit rewrites the file rel of the server's copy with fn.
func (c *capServer) edit(t *testing.T, rel string, fn func(string) string) {
	t.Helper()
	p := filepath.Join(c.dir, rel)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	after := fn(string(b))
	if after == string(b) {
		t.Fatalf("editing %s changed nothing", rel)
	}
	if err := os.WriteFile(p, []byte(after), 0o644); err != nil {
		t.Fatal(err)
	}
}

// dropColumn removes the column called name from a ;-separated CSV.
func dropColumn(csv, name string) string {
	lines := strings.Split(csv, "\n")
	idx := -1
	for i, h := range strings.Split(strings.TrimRight(lines[0], "\r"), ";") {
		if h == name {
			idx = i
		}
	}
	if idx < 0 {
		return csv
	}
	for i, l := range lines {
		cells := strings.Split(l, ";")
		if idx < len(cells) {
			lines[i] = strings.Join(append(cells[:idx:idx], cells[idx+1:]...), ";")
		}
	}
	return strings.Join(lines, "\n")
}

// threeEntities maps Accounts, Contacts and WorkOrders of the CAP server at url.
func threeEntities(url string) string {
	return `{"format": "switchyard.integration/v1", "name": "crm", "connector": "odata",
 "settings": {"url": "` + url + `", "auth": "none"},
 "entities": [
  {"external": "Accounts", "local": "account", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "name", "local": "name"},
              {"external": "revenue", "local": "revenue"},
              {"external": "parent_ID", "local": "parentaccountid", "lookup": "account"}]},
  {"external": "Contacts", "local": "contact", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "lastname", "local": "lastname"},
              {"external": "email", "local": "email", "rules": [{"rule": "email", "message": "not a valid e-mail"}]},
              {"external": "account_ID", "local": "accountid", "lookup": "account"}]},
  {"external": "WorkOrders", "local": "workorder", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "title", "local": "title"},
              {"external": "status", "local": "status", "values": [{"external": "new", "local": "1", "label": "New"}, {"external": "done", "local": "2", "label": "Done"}], "otherValues": "keep"},
              {"external": "contact_ID", "local": "contactid", "lookup": "contact"}]}],
 "schedules": []}`
}

// TestCleanUpRoundTripAgainstCAP imports a mapping, restarts the CAP server
// with a field (Accounts.revenue) and an entity (WorkOrders) removed from its
// model, and checks that update-schema and check report exactly those, that
// --clean-up removes them, and that the cleaned mapping checks clean and its
// entity mappings export and import again.
func TestCleanUpRoundTripAgainstCAP(t *testing.T) {
	testenv.ODataURL(t) // the CAP packages are installed where the shared server runs
	srv := &capServer{dir: copyCAP(t), port: "0"}
	srv.start(t)
	dir := t.TempDir()
	ws := testWorkspace(t, dir)

	code, out, errOut := switchyard(t, threeEntities(srv.url), "--workspace", ws, "integration", "import", "-")
	if code != exitOK {
		t.Fatalf("import: exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "created local entity workorder") {
		t.Errorf("import output: %s", out)
	}
	if code, out, errOut = switchyard(t, "", "--workspace", ws, "integration", "check", "crm"); code != exitOK || !strings.Contains(out, "fits both schemas") {
		t.Fatalf("check after import: exit %d, out %q, stderr %q", code, out, errOut)
	}

	// The same server, restarted on its port with Accounts.revenue and WorkOrders gone.
	srv.stop(t)
	srv.edit(t, "db/schema.cds", func(s string) string { return strings.Replace(s, "  revenue       : Decimal(15, 2);\n", "", 1) })
	srv.edit(t, "db/data/crm-Accounts.csv", func(s string) string { return dropColumn(s, "revenue") })
	srv.edit(t, "srv/crm-service.cds", func(s string) string {
		return strings.Replace(s, "  entity WorkOrders as projection on crm.WorkOrders;\n", "", 1)
	})
	url := srv.url
	srv.start(t)
	if srv.url != url {
		t.Fatalf("the server came back at %s, not %s", srv.url, url)
	}

	code, out, errOut = switchyard(t, "", "--workspace", ws, "integration", "update-schema", "crm")
	if code != exitOK {
		t.Fatalf("update-schema: exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"- WorkOrders (entity removed)", "~ Accounts\n    - revenue\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("update-schema output lacks %q:\n%s", want, out)
		}
	}

	code, out, errOut = switchyard(t, "", "--workspace", ws, "integration", "check", "crm", "--json")
	if code != exitPartial {
		t.Fatalf("check: exit %d, want %d; stderr %q", code, exitPartial, errOut)
	}
	var res admin.CheckResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("check --json: %v\n%s", err, out)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, string(f.Kind)+" "+f.Path+" "+f.Entity+"."+f.Field)
	}
	want := []string{"missing-external-field entities[0].fields[2] Accounts.revenue", "missing-external-entity entities[2] WorkOrders."}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("check found:\n%s\nwant exactly:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(errOut, "2 finding(s)") || !strings.Contains(errOut, "--clean-up") {
		t.Errorf("check stderr %q", errOut)
	}

	code, out, errOut = switchyard(t, "", "--workspace", ws, "integration", "check", "crm", "--clean-up")
	if code != exitOK || strings.Count(out, "removed ") != 2 || !strings.Contains(out, `field "revenue" of "Accounts"`) {
		t.Fatalf("check --clean-up: exit %d, out %q, stderr %q", code, out, errOut)
	}
	if code, out, errOut = switchyard(t, "", "--workspace", ws, "integration", "check", "crm", "--json"); code != exitOK || !strings.Contains(out, `"findings": []`) {
		t.Fatalf("check after clean-up: exit %d, out %q, stderr %q", code, out, errOut)
	}

	// Each remaining entity mapping exports and imports again; the local data tables stay.
	for _, entity := range []string{"Accounts", "Contacts"} {
		file := filepath.Join(dir, entity+".json")
		if code, _, errOut = switchyard(t, "", "--workspace", ws, "mapping", "export", "crm", entity, "-o", file); code != exitOK {
			t.Fatalf("mapping export %s: exit %d, stderr %q", entity, code, errOut)
		}
		data, _ := os.ReadFile(file)
		if !strings.Contains(string(data), `"format": "switchyard.entity-mapping/v1"`) || strings.Contains(string(data), "revenue") {
			t.Errorf("exported %s:\n%s", entity, data)
		}
		code, out, errOut = switchyard(t, "", "--workspace", ws, "mapping", "import", "crm", file)
		if code != exitOK || !strings.Contains(out, `mapping of "`+entity+`" replaced in integration "crm"`) {
			t.Fatalf("mapping import %s: exit %d, out %q, stderr %q", entity, code, out, errOut)
		}
	}
	code, out, _ = switchyard(t, "", "--workspace", ws, "integration", "export", "crm")
	if code != exitOK || !strings.Contains(out, `"rule": "email"`) || strings.Contains(out, "WorkOrders") {
		t.Errorf("integration export after the round trip: exit %d\n%s", code, out)
	}
	if code, _, _ = switchyard(t, "", "--workspace", ws, "integration", "check", "crm"); code != exitOK {
		t.Errorf("check at the end: exit %d", code)
	}
	// And the next run succeeds against the changed server.
	code, out, errOut = switchyard(t, "", "--workspace", ws, "import", "crm")
	if code != exitOK || !strings.Contains(out, "FAILED (0)") {
		t.Errorf("import after the clean-up: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestMappingCommandsAgainstCAP(t *testing.T) {
	url := testenv.ODataURL(t)
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	accountsOnly := `{"format": "switchyard.integration/v1", "name": "crm", "connector": "odata",
 "settings": {"url": "` + url + `", "auth": "none"},
 "entities": [{"external": "Accounts", "local": "account", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "name", "local": "name"}]}]}`
	if code, _, errOut := switchyard(t, accountsOnly, "--workspace", ws, "integration", "import", "-"); code != exitOK {
		t.Fatalf("import: exit %d, stderr %q", code, errOut)
	}

	// A local entity for Contacts in one step, with its lookup to account.
	code, out, errOut := switchyard(t, "", "--workspace", ws, "mapping", "create", "crm", "Contacts", "--local", "person")
	if code != exitOK || !strings.Contains(out, "created local entity person") || !strings.Contains(out, "added local field person.account_id") {
		t.Fatalf("mapping create: exit %d, out %q, stderr %q", code, out, errOut)
	}

	// Suggestions for Accounts against account: the unmapped CAP fields find no local field yet.
	code, out, errOut = switchyard(t, "", "--workspace", ws, "mapping", "suggest", "crm", "Accounts", "--json")
	if code != exitOK {
		t.Fatalf("mapping suggest: exit %d, stderr %q", code, errOut)
	}
	var sr admin.SuggestResult
	if err := json.Unmarshal([]byte(out), &sr); err != nil || sr.Local != "account" {
		t.Fatalf("mapping suggest --json: %v\n%s", err, out)
	}
	best := map[string]string{}
	for _, s := range sr.Suggestions {
		if c, ok := s.Best(); ok {
			best[s.External] = c.Local + " " + c.Reason
		}
	}
	if !strings.HasPrefix(best["name"], "name same name") || !strings.HasPrefix(best["ID"], "externalid holds the external key") || best["parent_ID"] != "" {
		t.Errorf("best candidates: %v", best)
	}
	code, out, _ = switchyard(t, "", "--workspace", ws, "mapping", "suggest", "crm", "Contacts")
	if code != exitOK || !strings.Contains(out, "account_id (lookup → account)") || !strings.Contains(out, "a lookup to account, which Accounts maps to") {
		t.Errorf("mapping suggest as text: exit %d\n%s", code, out)
	}
	code, out, _ = switchyard(t, "", "--workspace", ws, "mapping", "suggest", "crm", "Contacts", "--map-all")
	if code != exitOK || !strings.Contains(out, "0 field(s) mapped") {
		t.Errorf("map all on a complete mapping: exit %d\n%s", code, out)
	}
	if code, out, _ = switchyard(t, "", "--workspace", ws, "integration", "check", "crm"); code != exitOK {
		t.Errorf("check: exit %d\n%s", code, out)
	}

	tests := []struct {
		name     string
		stdin    string
		args     []string
		code     int
		contains string
	}{
		{"suggest unmapped", "", []string{"mapping", "suggest", "crm", "WorkOrders"}, exitConfig, `does not map external entity "WorkOrders"`},
		{"suggest bad threshold", "", []string{"mapping", "suggest", "crm", "Accounts", "--threshold", "0"}, exitConfig, "give a score from 1 to 100"},
		{"mapping alone", "", []string{"mapping"}, exitConfig, "name a subcommand: create, export, import, suggest"},
		{"create existing", "", []string{"mapping", "create", "crm", "Accounts", "--local", "person"}, exitConfig, `local entity "person": already exists`},
		{"export unmapped", "", []string{"mapping", "export", "crm", "WorkOrders"}, exitConfig, "it maps Accounts, Contacts"},
		{"import bad file", `{"format": "switchyard.entity-mapping/v1", "external": "Accounts", "local": "account", "primaryKey": "externalid",
 "direction": "download", "fields": [{"external": "ID", "local": "externalid"}, {"external": "nmae", "local": "name"}]}`,
			[]string{"mapping", "import", "crm", "-"}, exitConfig, `fields[1].external: unknown field "nmae" in external entity "Accounts"; did you mean "name"?`},
		{"import integration file", accountsOnly, []string{"mapping", "import", "crm", "-"}, exitConfig, "is a whole integration"},
		{"check unknown", "", []string{"integration", "check", "nope"}, exitConfig, `integration "nope": not found`},
		{"update-schema", "", []string{"integration", "update-schema", "crm"}, exitOK, "no changes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := switchyard(t, tt.stdin, append([]string{"--workspace", ws}, tt.args...)...)
			if code != tt.code || !strings.Contains(out+errOut, tt.contains) {
				t.Errorf("exit %d (want %d), output %q, want it to contain %q", code, tt.code, out+errOut, tt.contains)
			}
		})
	}
}
