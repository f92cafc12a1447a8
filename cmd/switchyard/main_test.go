package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/core/meta"
	"switchyard/core/store"
	"switchyard/internal/testenv"
)

// switchyard runs one command line in-process and returns the exit code and both outputs.
func switchyard(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestVersionAndUsage(t *testing.T) {
	ws := testWorkspace(t, t.TempDir())
	missing := ws + ".typo" // no workspace there
	if onPostgres() {
		missing = testWorkspace(t, "") // an empty schema
	}
	st, err := store.Open(context.Background(), ws) // an empty workspace: only integration import and the GUI create one
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"version", []string{"--version"}, exitOK, "switchyard dev"},
		{"help", []string{"--help"}, exitOK, "usage:"},
		{"unknown flag", []string{"--wrokspace", ws}, exitConfig, "flag provided but not defined: -wrokspace"},
		{"unknown command", []string{"--workspace", ws, "sync"}, exitConfig, `unknown command "sync"`},
		{"integration alone", []string{"--workspace", ws, "integration"}, exitConfig, "name a subcommand"},
		{"unknown subcommand", []string{"--workspace", ws, "integration", "frobnicate"}, exitConfig, `unknown subcommand "frobnicate"`},
		{"export without name", []string{"--workspace", ws, "integration", "export"}, exitConfig, "want NAME, got 0 argument(s)"},
		{"export unknown", []string{"--workspace", ws, "integration", "export", "nope"}, exitConfig, `integration "nope": not found`},
		{"entities unknown", []string{"--workspace", ws, "entities", "nope"}, exitConfig, `integration "nope": not found`},
		{"import missing file", []string{"--workspace", ws, "integration", "import", "/nonexistent.json"}, exitConfig, "no such file"},
		{"list empty", []string{"--workspace", ws, "integration", "list"}, exitOK, "no integrations yet"},
		{"no workspace", []string{"--workspace", missing, "integration", "list"}, exitConfig, "no workspace at " + missing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := switchyard(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if !strings.Contains(out+errOut, tt.contains) {
				t.Errorf("output %q, want it to contain %q", out+errOut, tt.contains)
			}
		})
	}
}

func TestGUIWithoutDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	code, _, errOut := switchyard(t, "", "--workspace", filepath.Join(t.TempDir(), "w.db"))
	if code != exitConfig || !strings.Contains(errOut, "no display") {
		t.Fatalf("GUI without a display: exit %d, stderr %q", code, errOut)
	}
}

func TestDefaultWorkspace(t *testing.T) {
	t.Setenv("SWITCHYARD_WORKSPACE", "")
	t.Setenv("XDG_DATA_HOME", "/data")
	if p, _ := defaultWorkspace(); p != "/data/switchyard/workspace.db" {
		t.Errorf("defaultWorkspace() = %q", p)
	}
	t.Setenv("SWITCHYARD_WORKSPACE", "/w.db")
	if p, _ := defaultWorkspace(); p != "/w.db" {
		t.Errorf("defaultWorkspace() with SWITCHYARD_WORKSPACE = %q", p)
	}
}

// crmFile is an integration file for the test CAP server at url.
func crmFile(url string) string {
	return `{"format": "switchyard.integration/v1", "name": "crm", "connector": "odata",
 "settings": {"url": "` + url + `", "auth": "none"},
 "entities": [
  {"external": "Contacts", "local": "contact", "primaryKey": "externalid", "direction": "download",
   "downloadFilter": "", "uploadFilter": "",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "lastname", "local": "lastname"},
              {"external": "birthdate", "local": "birthdate"},
              {"external": "account_ID", "local": "accountid", "lookup": "account"}]},
  {"external": "Accounts", "local": "account", "primaryKey": "externalid", "direction": "download",
   "downloadFilter": "", "uploadFilter": "",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "name", "local": "name"},
              {"external": "revenue", "local": "revenue"},
              {"external": "parent_ID", "local": "parentaccountid", "lookup": "account"}]}],
 "schedules": [{"every": "15m", "enabled": true}]}`
}

func TestIntegrationLifecycleAgainstCAP(t *testing.T) {
	url := testenv.ODataURL(t)
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	file := filepath.Join(dir, "crm.json")
	if err := os.WriteFile(file, []byte(crmFile(url)), 0o600); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := switchyard(t, "", "--workspace", ws, "integration", "import", file)
	if code != exitOK {
		t.Fatalf("import: exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{`integration "crm" created`, "created local entity account", "created local entity contact", "added local field contact.accountid"} {
		if !strings.Contains(out, want) {
			t.Errorf("import output %q lacks %q", out, want)
		}
	}

	// The catalog, as JSON: every entity set with its key and typed fields.
	code, out, errOut = switchyard(t, "", "--workspace", ws, "entities", "crm", "--json")
	if code != exitOK {
		t.Fatalf("entities: exit %d, stderr %q", code, errOut)
	}
	var cat []meta.Entity
	if err := json.Unmarshal([]byte(out), &cat); err != nil {
		t.Fatalf("entities --json printed no JSON: %v\n%s", err, out)
	}
	byName := map[string]meta.Entity{}
	for _, e := range cat {
		byName[e.Name] = e
	}
	for _, name := range []string{"Accounts", "Contacts", "WorkOrders"} {
		e, ok := byName[name]
		if !ok {
			t.Fatalf("entities --json lacks %s: %v", name, cat)
		}
		if len(e.Key) != 1 || e.Key[0] != "ID" {
			t.Errorf("%s key = %v, want [ID]", name, e.Key)
		}
	}
	if f, _ := byName["Accounts"].Field("revenue"); f.Type != meta.Decimal {
		t.Errorf("Accounts.revenue = %+v, want decimal", f)
	}
	if f, _ := byName["Contacts"].Field("account"); f.Type != meta.Lookup || f.Target != "Accounts" {
		t.Errorf("Contacts.account = %+v, want a lookup to Accounts", f)
	}
	code, out, _ = switchyard(t, "", "--workspace", ws, "entities", "crm")
	if code != exitOK || !strings.Contains(out, "lookup → Accounts") {
		t.Errorf("entities as text: exit %d\n%s", code, out)
	}

	code, out, errOut = switchyard(t, "", "--workspace", ws, "integration", "test", "crm")
	if code != exitOK || !strings.Contains(out, "connection ok") || !strings.Contains(out, "3 entities") {
		t.Errorf("test: exit %d, out %q, stderr %q", code, out, errOut)
	}

	code, out, _ = switchyard(t, "", "--workspace", ws, "integration", "list", "--json")
	var list []integrationSummary
	if code != exitOK || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 || list[0].Entities != 2 || list[0].URL != url {
		t.Errorf("list --json: exit %d\n%s", code, out)
	}

	// Export, then import the export into a second workspace: the same integration.
	exported := filepath.Join(dir, "out.json")
	if code, _, errOut = switchyard(t, "", "--workspace", ws, "integration", "export", "crm", "-o", exported); code != exitOK {
		t.Fatalf("export: exit %d, stderr %q", code, errOut)
	}
	data, _ := os.ReadFile(exported)
	if !strings.Contains(string(data), `"format": "switchyard.integration/v1"`) || !strings.Contains(string(data), `"lookup": "account"`) {
		t.Errorf("exported file:\n%s", data)
	}
	// The output flag's other spellings: --output, -output, and --o (its name before cobra).
	for _, flag := range []string{"--output", "-output", "--o"} {
		other := filepath.Join(dir, "out"+strings.TrimLeft(flag, "-")+".json")
		if code, _, errOut = switchyard(t, "", "--workspace", ws, "integration", "export", "crm", flag, other); code != exitOK {
			t.Fatalf("export %s: exit %d, stderr %q", flag, code, errOut)
		}
		if again, _ := os.ReadFile(other); string(again) != string(data) {
			t.Errorf("export %s wrote %q, want what -o wrote", flag, again)
		}
	}
	ws2 := filepath.Join(dir, "w2.db")
	if code, _, errOut = switchyard(t, string(data), "--workspace", ws2, "integration", "import", "-"); code != exitOK {
		t.Fatalf("import of the export: exit %d, stderr %q", code, errOut)
	}
	_, again, _ := switchyard(t, "", "--workspace", ws2, "integration", "export", "crm")
	if again != string(data) {
		t.Errorf("export → import → export changed the file:\n%s\nvs\n%s", data, again)
	}

	// Importing again replaces by name and creates nothing new.
	code, out, _ = switchyard(t, "", "--workspace", ws, "integration", "import", file)
	if code != exitOK || !strings.Contains(out, `"crm" replaced`) || strings.Contains(out, "created local entity") {
		t.Errorf("re-import: exit %d\n%s", code, out)
	}

	if code, _, _ = switchyard(t, "", "--workspace", ws, "integration", "delete", "crm"); code != exitOK {
		t.Errorf("delete: exit %d", code)
	}
	if code, _, _ = switchyard(t, "", "--workspace", ws, "entities", "crm"); code != exitConfig {
		t.Errorf("entities after delete: exit %d, want %d", code, exitConfig)
	}
}

func TestImportProblemsAgainstCAP(t *testing.T) {
	url := testenv.ODataURL(t)
	tests := []struct {
		name     string
		edit     func(string) string
		code     int
		contains []string
	}{
		{"unknown external field", func(s string) string {
			return strings.Replace(s, `"external": "lastname"`, `"external": "lastnmae"`, 1)
		},
			exitConfig, []string{`entities[0].fields[1].external: unknown field "lastnmae" in external entity "Contacts"; did you mean "lastname"?`}},
		{"unknown entity", func(s string) string { return strings.Replace(s, `"Accounts"`, `"Acounts"`, 1) },
			exitConfig, []string{`entities[1].external: unknown external entity "Acounts"; did you mean "Accounts"?`}},
		{"bad setting", func(s string) string { return strings.Replace(s, `"auth": "none"`, `"auth": "ntlm"`, 1) },
			exitConfig, []string{`settings.auth:`, `ntlm`}},
		{"unknown connector", func(s string) string { return strings.Replace(s, `"odata"`, `"odat"`, 1) },
			exitConfig, []string{`connector: unknown connector "odat"`}},
		{"several problems at once", func(s string) string {
			return strings.Replace(strings.Replace(s, `"direction": "download"`, `"direction": "down"`, 1), `"primaryKey": "externalid"`, `"primaryKey": "code"`, 1)
		}, exitConfig, []string{`entities[0].direction: "down"`, `entities[0].primaryKey: "code" is not among the mapped local fields`}},
		{"unreachable server", func(s string) string { return strings.Replace(s, url, "http://127.0.0.1:1/odata/", 1) },
			exitFailed, []string{`read the external catalog of "crm"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := testWorkspace(t, t.TempDir())
			code, out, errOut := switchyard(t, tt.edit(crmFile(url)), "--workspace", ws, "integration", "import", "-")
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, errOut)
			}
			for _, w := range tt.contains {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q lacks %q", errOut, w)
				}
			}
			if out != "" {
				t.Errorf("a failed import printed to stdout: %q", out)
			}
			// Nothing was saved: the workspace the import started is removed
			// again (on PostgreSQL its schema is left empty).
			assertNoWorkspace(t, ws)
		})
	}
}

// TestBinary runs the built binary: the exit codes reach the shell through os.Exit.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "switchyard")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=test-1", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "switchyard test-1" {
		t.Fatalf("--version = %q, %v", out, err)
	}
	cmd := exec.Command(bin, "--workspace", filepath.Join(t.TempDir(), "w.db"), "integration", "export", "missing")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitConfig {
		t.Fatalf("export of a missing integration: %v, want exit %d", err, exitConfig)
	}
	if lines := strings.Count(strings.TrimSpace(stderr.String()), "\n"); lines != 0 {
		t.Errorf("error is not one line: %q", stderr.String())
	}
}
