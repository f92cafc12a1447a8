package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/core/store"
	"switchyard/internal/faulttest"
)

// TestBadIntegrationFiles imports broken and wrong integration files: each is
// refused with exit 3 and a message that names the problem, and nothing crashes.
func TestBadIntegrationFiles(t *testing.T) {
	srv := faulttest.New(t, false)
	url := srv.ServiceURL()
	file := func(settings, entities string) string {
		return `{"format": "switchyard.integration/v1", "name": "bad", "connector": "odata",
 "settings": {"url": "` + url + `"` + settings + `}, "entities": [` + entities + `]}`
	}
	items := func(filter string) string {
		return `{"external": "Items", "local": "item", "primaryKey": "externalid", "direction": "download",
  "downloadFilter": "` + filter + `", "fields": [{"external": "ID", "local": "externalid"}, {"external": "amount", "local": "amount"}]}`
	}
	tests := []struct {
		name, text, want string
	}{
		{"malformed JSON", `{"format": "switchyard.integration/v1", "name": "bad",,}`, "line 1"},
		{"truncated", `{"format": "switchyard.integration/v1", "name": "b`, "ends too early"},
		{"not an object", `[1, 2, 3]`, "one JSON object"},
		{"binary garbage", "\x00\x01\x02\xff\xfe", "line 1"},
		{"empty", ``, "file"},
		{"no format", `{"name": "bad", "connector": "odata"}`, `format: missing`},
		{"a newer format", `{"format": "switchyard.integration/v9", "name": "bad", "connector": "odata"}`, "not a format this Switchyard reads"},
		{"wrong type", `{"format": "switchyard.integration/v1", "name": 42, "connector": "odata"}`, "name"},
		{"unknown key", `{"format": "switchyard.integration/v1", "name": "bad", "connector": "odata", "entites": []}`, "entites"},
		{"unknown connector", `{"format": "switchyard.integration/v1", "name": "bad", "connector": "sap-rfc", "settings": {}}`, `unknown connector "sap-rfc"`},
		{"no connector", `{"format": "switchyard.integration/v1", "name": "bad"}`, "connector"},
		{"timeout not a number", file(`, "timeout": "soon"`, ""), "timeout"},
		{"pagesize a boolean", file(`, "pagesize": true`, ""), "pagesize"},
		{"auth not a choice", file(`, "auth": "kerberos"`, ""), "kerberos"},
		{"url not a URL", `{"format": "switchyard.integration/v1", "name": "bad", "connector": "odata", "settings": {"url": "not a url"}}`, "url"},
		{"invalid filter syntax", file("", items("amount gt")), "entities[0].downloadFilter: column 10"},
		{"filter on an unknown field", file("", items("nosuchfield eq 1")), "nosuchfield"},
		{"filter with a wrong type", file("", items("amount eq 'abc'")), "amount"},
		{"unknown external entity", file("", `{"external": "Nope", "local": "nope", "primaryKey": "externalid", "direction": "download",
  "fields": [{"external": "ID", "local": "externalid"}]}`), "Nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "in.json")
			writeFile(t, path, tt.text)
			code, out, errOut := switchyard(t, "", "--workspace", filepath.Join(dir, "w.db"), "integration", "import", path)
			if code != exitConfig {
				t.Errorf("exit %d, want %d (stdout %q, stderr %q)", code, exitConfig, out, errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q lacks %q", errOut, tt.want)
			}
			if strings.Contains(errOut, "panic") || strings.Contains(errOut, "goroutine") {
				t.Errorf("crash: %s", errOut)
			}
		})
	}
}

// TestBadWorkspaces opens workspaces that are not usable: each is a clear error naming the file.
func TestBadWorkspaces(t *testing.T) {
	dir := t.TempDir()
	notSQLite := filepath.Join(dir, "notes.txt")
	writeFile(t, notSQLite, strings.Repeat("These are my notes, not a database.\n", 200))
	garbage := filepath.Join(dir, "garbage.db")
	writeFile(t, garbage, "SQLite format 3\x00"+strings.Repeat("\xff", 4096))

	newer := filepath.Join(dir, "newer.db")
	st, err := store.Open(context.Background(), newer)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	db, err := sql.Open("sqlite3", newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO sy_migration (version, name, applied_at) VALUES (999, '0999_future.sql', '2030-01-01T00:00:00.000Z')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	folder := filepath.Join(dir, "folder.db")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		code       int
		want       []string
	}{
		{"a text file", notSQLite, exitConfig, []string{notSQLite, "not a database"}},
		{"a damaged SQLite header", garbage, exitConfig, []string{garbage}},
		{"written by a newer Switchyard", newer, exitConfig, []string{newer, "newer Switchyard (schema version 999", "upgrade Switchyard"}},
		{"a folder", folder, exitConfig, []string{folder}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := switchyard(t, "", "--workspace", tt.path, "integration", "list")
			if code != tt.code {
				t.Errorf("exit %d, want %d (stdout %q, stderr %q)", code, tt.code, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q lacks %q", errOut, w)
				}
			}
			if strings.Contains(errOut, "panic") {
				t.Errorf("crash: %s", errOut)
			}
		})
	}
	// The text file is left as it was.
	if got := readFile(t, notSQLite); !strings.HasPrefix(got, "These are my notes") {
		t.Errorf("the text file was changed: %q", got[:40])
	}
}

// TestBadRunArguments runs import with wrong arguments: clear errors, exit 3.
func TestBadRunArguments(t *testing.T) {
	srv := faulttest.New(t, false)
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	path := filepath.Join(dir, "in.json")
	writeFile(t, path, `{"format": "switchyard.integration/v1", "name": "ok", "connector": "odata",
 "settings": {"url": "`+srv.ServiceURL()+`"},
 "entities": [{"external": "Items", "local": "item", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}]}]}`)
	mustRun(t, "", "--workspace", ws, "integration", "import", path)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown integration", []string{"import", "nope"}, `integration "nope": not found`},
		{"unknown entity", []string{"import", "ok", "--entity", "Nope"}, "Nope"},
		{"limit not a number", []string{"import", "ok", "--preview", "--limit", "many"}, "invalid value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := switchyard(t, "", append([]string{"--workspace", ws}, tt.args...)...)
			if code != exitConfig || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q (stdout %q)", code, errOut, exitConfig, tt.want, out)
			}
		})
	}
	// A report that cannot be written is refused before the run starts: nothing is imported.
	report := filepath.Join(dir, "no", "such", "r.xlsx")
	code, out, errOut := switchyard(t, "", "--workspace", ws, "import", "ok", "--report", report)
	if code != exitConfig || !strings.Contains(errOut, "the folder "+filepath.Dir(report)+" does not exist") || strings.Contains(out, "RESULTS") {
		t.Errorf("a report in a missing folder: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
