package main

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"switchyard/internal/faulttest"
	"switchyard/internal/pgtest"
)

// assertOneLine fails the test unless s is exactly one line (ending in a newline).
func assertOneLine(t *testing.T, what, s string) {
	t.Helper()
	if strings.Count(s, "\n") != 1 || !strings.HasSuffix(s, "\n") {
		t.Errorf("%s is not one line: %q", what, s)
	}
}

// TestMissingWorkspaceIsNotCreated: every command but integration import (and
// the GUI) refuses a workspace path where nothing is, with exit 3 and one line
// that says how to create one, and creates neither the file nor its folders.
func TestMissingWorkspaceIsNotCreated(t *testing.T) {
	commands := [][]string{
		{"integration", "list"},
		{"integration", "list", "--json"},
		{"integration", "export", "crm"},
		{"integration", "test", "crm"},
		{"integration", "delete", "crm"},
		{"integration", "check", "crm"},
		{"integration", "update-schema", "crm"},
		{"integration", "secret", "crm", "password"},
		{"entities", "crm"},
		{"mapping", "suggest", "crm", "Accounts"},
		{"mapping", "export", "crm", "Accounts"},
		{"import", "crm"},
		{"import", "crm", "--preview"},
		{"export", "crm", "--json"},
		{"quarantine", "list", "crm"},
		{"schedule", "print", "crm"},
		{"--run-sync", "crm"},
		{"--run-sync", "all", "--json"},
	}
	for _, args := range commands {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dir := t.TempDir()
			ws := filepath.Join(dir, "typo", "w.db")
			code, out, errOut := switchyard(t, "s3cret", append([]string{"--workspace", ws}, args...)...)
			if code != exitConfig {
				t.Errorf("exit %d, want %d (stdout %q, stderr %q)", code, exitConfig, out, errOut)
			}
			want := `no workspace at ` + ws + `: create one with "switchyard --workspace ` + ws + ` integration import FILE" (or open it in the app), or check --workspace / SWITCHYARD_WORKSPACE`
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr %q lacks %q", errOut, want)
			}
			assertOneLine(t, "stderr", errOut)
			if _, err := os.Stat(filepath.Join(dir, "typo")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the folder of the missing workspace was created (%v)", err)
			}
		})
	}

	// Named by the environment, in an existing folder: the file is not created either.
	dir := t.TempDir()
	ws := filepath.Join(dir, "my workspace.db")
	t.Setenv("SWITCHYARD_WORKSPACE", ws)
	code, _, errOut := switchyard(t, "", "integration", "list")
	if code != exitConfig || !strings.Contains(errOut, `no workspace at `+ws+`: create one with "switchyard --workspace '`+ws+`' integration import FILE"`) {
		t.Errorf("SWITCHYARD_WORKSPACE missing: exit %d, stderr %q", code, errOut)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files were created: %v", entries)
	}
}

// TestVersionNeedsNoWorkspace: --version opens nothing.
func TestVersionNeedsNoWorkspace(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "none", "w.db")
	code, out, errOut := switchyard(t, "", "--workspace", ws, "--version")
	if code != exitOK || !strings.HasPrefix(out, "switchyard ") || errOut != "" {
		t.Errorf("--version: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Dir(ws)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("--version created the workspace folder")
	}
}

// TestNotAWorkspace: a file that is there but is not a Switchyard workspace
// is refused with exit 3 and one line naming it and the fix, and left as it was.
func TestNotAWorkspace(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	writeFile(t, text, strings.Repeat("These are my notes, not a database.\n", 200))
	empty := filepath.Join(dir, "empty.db")
	writeFile(t, empty, "")
	damaged := filepath.Join(dir, "damaged.db")
	writeFile(t, damaged, "SQLite format 3\x00"+strings.Repeat("\xff", 4096))
	folder := filepath.Join(dir, "folder.db")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "other-app.db")
	db, err := sql.Open("sqlite3", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (12.5)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := map[string]string{}
	for _, p := range []string{text, empty, damaged, foreign} {
		before[p] = readFile(t, p)
	}

	tests := []struct {
		name, path, reason string
	}{
		{"a text file", text, "it is not a database (no SQLite header)"},
		{"an empty file", empty, "the file is empty"},
		{"a damaged SQLite file", damaged, "it is a damaged SQLite database"},
		{"a folder", folder, "it is a folder"},
		{"another program's SQLite database", foreign, "it is an SQLite database without Switchyard's tables"},
	}
	for _, tt := range tests {
		for _, args := range [][]string{{"integration", "list"}, {"import", "crm"}, {"--run-sync", "crm"}} {
			t.Run(tt.name+"/"+args[0], func(t *testing.T) {
				code, out, errOut := switchyard(t, "", append([]string{"--workspace", tt.path}, args...)...)
				if code != exitConfig {
					t.Errorf("exit %d, want %d (stdout %q, stderr %q)", code, exitConfig, out, errOut)
				}
				for _, want := range []string{"open workspace " + tt.path + ": not a Switchyard workspace: " + tt.reason,
					`: check --workspace / SWITCHYARD_WORKSPACE, or create a new workspace at another path with "switchyard --workspace NEW.db integration import FILE"`} {
					if !strings.Contains(errOut, want) {
						t.Errorf("stderr %q lacks %q", errOut, want)
					}
				}
				assertOneLine(t, "stderr", errOut)
			})
		}
	}
	// integration import creates workspaces, but not over another file.
	file := filepath.Join(dir, "in.json")
	writeFile(t, file, `{"format": "switchyard.integration/v1", "name": "x", "connector": "odata", "settings": {"url": "http://127.0.0.1:1/"}, "entities": []}`)
	for _, p := range []string{text, damaged, foreign} {
		code, _, errOut := switchyard(t, "", "--workspace", p, "integration", "import", file)
		if code != exitConfig || !strings.Contains(errOut, "not a Switchyard workspace") {
			t.Errorf("import into %s: exit %d, stderr %q", p, code, errOut)
		}
	}
	for p, was := range before {
		if readFile(t, p) != was {
			t.Errorf("%s was changed", p)
		}
	}
}

// TestImportCreatesTheWorkspace: integration import starts a workspace (and
// its folders); when the import fails, what it started is removed again.
func TestImportCreatesTheWorkspace(t *testing.T) {
	srv := newItemsService(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	writeFile(t, good, `{"format": "switchyard.integration/v1", "name": "items", "connector": "odata",
 "settings": {"url": "`+srv.ServiceURL()+`"},
 "entities": [{"external": "Items", "local": "item", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}]}]}`)
	bad := filepath.Join(dir, "bad.json")
	writeFile(t, bad, `{"format": "switchyard.integration/v1", "name": "items", "connector": "odata",
 "settings": {"url": "`+srv.ServiceURL()+`"},
 "entities": [{"external": "Nope", "local": "item", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}]}]}`)

	// Folders that do not exist yet, or on PostgreSQL a schema that does not:
	// the import makes them, and a failed import removes them again.
	ws := filepath.Join(dir, "new", "deeper", "w.db")
	schema := ""
	if onPostgres() {
		schema, ws = pgtest.MissingSchema(t)
	}
	code, _, errOut := switchyard(t, "", "--workspace", ws, "integration", "import", bad)
	if code != exitConfig {
		t.Errorf("a failed import: exit %d, stderr %q", code, errOut)
	}
	assertNoWorkspace(t, ws)
	if _, err := os.Stat(filepath.Join(dir, "new")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed import left its new workspace's folders behind (%v)", err)
	}
	if schema != "" && pgtest.SchemaExists(t, schema) {
		t.Errorf("a failed import left the schema %s it made", schema)
	}

	mustRun(t, "", "--workspace", ws, "integration", "import", good)
	out := mustRun(t, "", "--workspace", ws, "integration", "list")
	if !strings.Contains(out, "items") {
		t.Errorf("list after import: %q", out)
	}
	// A failed import into an existing workspace leaves it alone.
	objects, rows := workspaceObjects(t, ws), tablesText(t, ws)
	code, _, _ = switchyard(t, "", "--workspace", ws, "integration", "import", bad)
	if _, err := os.Stat(ws); code != exitConfig || (err != nil && !onPostgres()) {
		t.Errorf("a failed import into an existing workspace: exit %d, stat %v", code, err)
	}
	if !slices.Equal(workspaceObjects(t, ws), objects) || tablesText(t, ws) != rows {
		t.Error("a failed import into an existing workspace changed it")
	}
	if out := mustRun(t, "", "--workspace", ws, "integration", "list"); !strings.Contains(out, "items") {
		t.Errorf("list after a failed import into an existing workspace: %q", out)
	}
}

// TestErrorLine: a message that spans lines, or repeats a "verb object"
// prefix, is printed as one line saying it once.
func TestErrorLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"read Accounts: read Accounts: GET http://h/svc/Accounts: 400 Bad Request: no", "read Accounts: GET http://h/svc/Accounts: 400 Bad Request: no"},
		{"sync crm: read Accounts: read Accounts: boom", "sync crm: read Accounts: boom"},
		{"import f.json: entities[0].external: missing\nentities[1].local: missing", "import f.json: entities[0].external: missing; entities[1].local: missing"},
		{"import f.json:\nline 1, column 2: bad\n\n  second\n", "import f.json: line 1, column 2: bad; second"},
		{"value: value", "value"},
		{"a: b: a: b", "a: b: a: b"},
		{"plain", "plain"},
	}
	for _, tt := range tests {
		if got := errorLine(errors.New(tt.in)); got != tt.want {
			t.Errorf("errorLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := strings.TrimSpace(strings.Repeat("a long segment that is a message and not a prefix ", 3))
	if got := errorLine(errors.New(long + ": " + long)); got != long+": "+long {
		t.Errorf("a long repeated segment was dropped: %q", got)
	}
}

// TestImportProblemsOnOneLine: every problem of an integration file, on the
// one line of the error.
func TestImportProblemsOnOneLine(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "in.json")
	writeFile(t, file, `{"format": "switchyard.integration/v1", "name": "bad", "connector": "odata", "settings": {},
 "entities": [{"external": "", "local": "item", "primaryKey": "externalid", "direction": "sideways", "fields": []}]}`)
	code, _, errOut := switchyard(t, "", "--workspace", filepath.Join(dir, "w.db"), "integration", "import", file)
	t.Logf("stderr: %s", errOut)
	if code != exitConfig {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	assertOneLine(t, "stderr", errOut)
	if !strings.HasPrefix(errOut, "switchyard integration: import "+file+": ") || strings.Count(errOut, "; ") < 1 || !strings.Contains(errOut, "sideways") {
		t.Errorf("stderr %q, want the problems joined with \"; \" after the file name", errOut)
	}
}

// itemsService is a small OData service (faulttest's model, with a service
// document) whose answers can be made to fail: with status fail for every
// request, or failItems for the reads of Items.
type itemsService struct {
	*httptest.Server
	fail, failItems atomic.Int32
}

func newItemsService(t *testing.T) *itemsService {
	t.Helper()
	s := &itemsService{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := int(s.fail.Load())
		if r.URL.Path == "/svc/Items" && status == 0 {
			status = int(s.failItems.Load())
		}
		if status != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"error": {"code": "%d", "message": "fault injected"}}`, status)
			return
		}
		switch r.URL.Path {
		case "/svc/":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"@odata.context": "$metadata", "value": [{"name": "Items", "kind": "EntitySet", "url": "Items"}]}`)
		case "/svc/$metadata":
			w.Header().Set("Content-Type", "application/xml")
			_, _ = io.WriteString(w, faulttest.Metadata)
		case "/svc/Items":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"value": [{"ID": 1, "name": "a", "note": null, "amount": 1.5}]}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// ServiceURL is the service root.
func (s *itemsService) ServiceURL() string { return s.URL + "/svc/" }

// faultIntegration imports an integration of srv into a new workspace and
// returns the workspace.
func faultIntegration(t *testing.T, srv *itemsService) string {
	t.Helper()
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	file := filepath.Join(dir, "items.json")
	writeFile(t, file, `{"format": "switchyard.integration/v1", "name": "items", "connector": "odata",
 "settings": {"url": "`+srv.ServiceURL()+`"},
 "entities": [{"external": "Items", "local": "item", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "name", "local": "name"}]}]}`)
	mustRun(t, "", "--workspace", ws, "integration", "import", file)
	return ws
}

// TestRetriesOnlyWhenVerbose: a failing service gives one line on stderr;
// the retries and the requests are shown with -v (or --verbose) only.
func TestRetriesOnlyWhenVerbose(t *testing.T) {
	srv := newItemsService(t)
	ws := faultIntegration(t, srv)
	srv.fail.Store(503)
	code, out, errOut := switchyard(t, "", "--workspace", ws, "integration", "test", "items")
	t.Logf("stderr: %s", errOut)
	if code != exitFailed || out != "" {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	assertOneLine(t, "stderr", errOut)
	if strings.Contains(errOut, "WARN") || strings.Contains(errOut, "retrying") || !strings.Contains(errOut, "503 Service Unavailable") {
		t.Errorf("stderr %q, want one line with the 503 and no retries", errOut)
	}
	for _, flag := range []string{"-v", "--verbose"} {
		code, _, errOut = switchyard(t, "", flag, "--workspace", ws, "integration", "test", "items")
		if code != exitFailed {
			t.Errorf("%s: exit %d", flag, code)
		}
		for _, want := range []string{`level=INFO msg="retrying HTTP request" method=GET url=` + srv.ServiceURL(), `level=DEBUG msg="HTTP request"`, "status=503"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", flag, want, errOut)
			}
		}
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if last := lines[len(lines)-1]; !strings.HasPrefix(last, "switchyard integration: test connection of \"items\": ") {
			t.Errorf("%s: the error is not the last line: %q", flag, last)
		}
	}
}

// TestRepeatedPrefixSaidOnce: a read that fails is reported once as
// "read Items: ...", although connector and engine both say "read Items".
func TestRepeatedPrefixSaidOnce(t *testing.T) {
	srv := newItemsService(t)
	ws := faultIntegration(t, srv)
	srv.failItems.Store(400)
	code, _, errOut := switchyard(t, "", "--workspace", ws, "import", "items")
	t.Logf("stderr: %s", errOut)
	if code != exitFailed {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	assertOneLine(t, "stderr", errOut)
	if strings.Count(errOut, "read Items") != 1 || !strings.Contains(errOut, "400 Bad Request") {
		t.Errorf("stderr %q, want \"read Items\" once and the 400", errOut)
	}
}

// TestNoSuchHostAtOnce: a host name that does not resolve fails at once, in
// one line that names it, with no retries.
func TestNoSuchHostAtOnce(t *testing.T) {
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	file := filepath.Join(dir, "in.json")
	writeFile(t, file, `{"format": "switchyard.integration/v1", "name": "crm", "connector": "odata",
 "settings": {"url": "http://nonexistent.invalid/odata/"},
 "entities": [{"external": "Items", "local": "item", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}]}]}`)
	start := time.Now()
	code, _, errOut := switchyard(t, "", "--workspace", ws, "integration", "import", file)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v: the missing host was retried", took)
	}
	if strings.Contains(errOut, "dial tcp") && !strings.Contains(errOut, "no such host") {
		t.Skipf("the resolver here does not say 'no such host': %s", errOut)
	}
	if code != exitFailed {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	assertOneLine(t, "stderr", errOut)
	if !strings.Contains(errOut, "no such host nonexistent.invalid: check the URL") || strings.Contains(errOut, "retrying") {
		t.Errorf("stderr %q", errOut)
	}
	assertNoWorkspace(t, ws)
}

// TestIntegrationTestJSON: integration test --json prints one result object,
// on failure too, with the exit code.
func TestIntegrationTestJSON(t *testing.T) {
	srv := newItemsService(t)
	ws := faultIntegration(t, srv)

	var ok map[string]any
	code, out, errOut := switchyard(t, "", "--workspace", ws, "integration", "test", "items", "--json")
	if code != exitOK || json.Unmarshal([]byte(out), &ok) != nil {
		t.Fatalf("success: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if ok["integration"] != "items" || ok["ok"] != true || ok["exitCode"] != 0.0 || ok["entities"] != 1.0 || ok["version"] == nil || ok["details"] == nil || ok["error"] != nil {
		t.Errorf("success object %v", ok)
	}

	tests := []struct {
		name  string
		ws    string
		args  []string
		fault bool
		code  int
		want  string
	}{
		{"service failing", ws, []string{"items"}, true, exitFailed, "503 Service Unavailable"},
		{"unknown integration", ws, []string{"nope"}, false, exitConfig, `integration "nope": not found`},
		{"no workspace", filepath.Join(t.TempDir(), "none.db"), []string{"items"}, false, exitConfig, "no workspace at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.fail.Store(0)
			if tt.fault {
				srv.fail.Store(503)
			}
			code, out, errOut := switchyard(t, "", append([]string{"--workspace", tt.ws, "integration", "test", "--json"}, tt.args...)...)
			t.Logf("stdout: %s", out)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			var got struct {
				Integration string `json:"integration"`
				OK          *bool  `json:"ok"`
				Error       string `json:"error"`
				ExitCode    *int   `json:"exitCode"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("stdout %q is not one JSON object: %v", out, err)
			}
			if got.Integration != tt.args[0] || got.OK == nil || *got.OK || got.ExitCode == nil || *got.ExitCode != tt.code ||
				!strings.Contains(got.Error, tt.want) || strings.Contains(got.Error, "\n") {
				t.Errorf("object %s, want ok false, exitCode %d and an error with %q", out, tt.code, tt.want)
			}
			assertOneLine(t, "stderr", errOut)
			if !strings.Contains(errOut, fmt.Sprint(tt.want)) {
				t.Errorf("stderr %q lacks %q", errOut, tt.want)
			}
		})
	}
}
