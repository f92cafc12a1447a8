package main

import (
	"archive/zip"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/internal/faulttest"
	"switchyard/internal/testenv"
)

// secretValue is the password the test sets and then looks for everywhere.
const secretValue = "Zq7-S3cret-Pa55word-91"

func TestSecretNeverLeavesTheWorkspaceInClear(t *testing.T) {
	srv := faulttest.New(t, false)
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	file := filepath.Join(dir, "in.json")
	writeFile(t, file, `{"format": "switchyard.integration/v1", "name": "faulty", "connector": "odata",
 "settings": {"url": "`+srv.ServiceURL()+`", "auth": "basic", "username": "ann"},
 "entities": [{"external": "Items", "local": "item", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "name", "local": "name"}]}]}`)
	mustRun(t, "", "--workspace", ws, "integration", "import", file)

	code, out, errOut := switchyard(t, secretValue+"\n", "--workspace", ws, "integration", "secret", "faulty", "password")
	if code != exitOK || !strings.Contains(out, `secret password of integration "faulty" set`) {
		t.Fatalf("secret: exit %d, %q %q", code, out, errOut)
	}
	if fi, err := os.Stat(ws + ".key"); onPostgres() && err == nil {
		t.Fatalf("a PostgreSQL workspace's key was written to a file: %v", fi)
	} else if !onPostgres() && (err != nil || fi.Mode().Perm() != 0o600) {
		t.Fatalf("key file: %v %v", fi, err)
	}

	report := filepath.Join(dir, "run.xlsx")
	code, out, errOut = switchyard(t, "", "--workspace", ws, "import", "faulty", "--report", report)
	if code != exitOK {
		t.Fatalf("import: exit %d, %q %q", code, out, errOut)
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("ann:"+secretValue))
	if got := srv.Authorization(); got != want {
		t.Fatalf("the server got Authorization %q: the sealed secret was not used", got)
	}
	export := filepath.Join(dir, "out.json")
	mustRun(t, "", "--workspace", ws, "integration", "export", "faulty", "-o", export)

	// A failing run: the server refuses every page.
	srv.Lock(func() {
		srv.Fault = func(r faulttest.Request) faulttest.Action {
			return faulttest.Action{Kind: faulttest.Status, Code: 401}
		}
	})
	code, failOut, failErr := switchyard(t, "", "--workspace", ws, "import", "faulty", "--json")
	if code != exitFailed || failErr == "" {
		t.Fatalf("failing import: exit %d, stderr %q", code, failErr)
	}

	places := map[string]string{
		"stdout and stderr of the runs": out + errOut + failOut + failErr,
		"the exported file":             readFile(t, export),
		"the workspace file":            readFile(t, ws),
		"the workspace's -wal file":     readFile(t, ws+"-wal"),
		"the workspace's tables":        tablesText(t, ws),
		"the run report":                unzipAll(t, report),
		"the run log rows":              logRows(t, ws),
	}
	encoded := base64.StdEncoding.EncodeToString([]byte("ann:" + secretValue))
	for where, text := range places {
		if strings.Contains(text, secretValue) || strings.Contains(text, encoded) {
			t.Errorf("%s hold the secret", where)
		}
	}
	if !strings.Contains(places["the run log rows"], "401") {
		t.Errorf("the log rows %q do not tell why the run failed", places["the run log rows"])
	}
}

func TestSecretCommandErrors(t *testing.T) {
	srv := faulttest.New(t, false)
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	file := filepath.Join(dir, "in.json")
	writeFile(t, file, `{"format": "switchyard.integration/v1", "name": "crm", "connector": "odata",
 "settings": {"url": "`+srv.ServiceURL()+`", "auth": "basic", "username": "ann"}, "entities": []}`)
	mustRun(t, "", "--workspace", ws, "integration", "import", file)
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"not a setting", "x", []string{"crm", "nope"}, exitConfig, `secret "nope": it is not a setting of the odata connector: use one of password, token, clientsecret, refreshtoken`},
		{"a setting, not a secret", "x", []string{"crm", "username"}, exitConfig, "a setting, not a secret"},
		{"unknown integration", "x", []string{"other", "password"}, exitConfig, `integration "other": not found`},
		{"empty stdin", "", []string{"crm", "password"}, exitConfig, "no secret on standard input"},
		{"only a newline", "\n", []string{"crm", "password"}, exitConfig, "no secret on standard input"},
		{"too long", strings.Repeat("x", 70<<10), []string{"crm", "password"}, exitConfig, "longer than 64 KiB"},
		{"missing key", "x", []string{"crm"}, exitConfig, "want NAME KEY"},
		{"set", "pw-123456\r\n", []string{"crm", "password"}, exitOK, "secret password of integration \"crm\" set"},
		{"delete", "", []string{"crm", "password", "--delete"}, exitOK, "secret password of integration \"crm\" deleted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--workspace", ws, "integration", "secret"}, tt.args...)
			code, out, errOut := switchyard(t, tt.stdin, args...)
			if code != tt.code || !strings.Contains(out+errOut, tt.want) {
				t.Fatalf("exit %d, output %q; want exit %d and %q", code, out+errOut, tt.code, tt.want)
			}
			if strings.Contains(out+errOut, "pw-123456") {
				t.Errorf("the value was printed: %q", out+errOut)
			}
		})
	}
}

func mustRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	code, out, errOut := switchyard(t, stdin, args...)
	if code != exitOK {
		t.Fatalf("switchyard %s: exit %d, %q", strings.Join(args, " "), code, errOut)
	}
	return out
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(data)
}

// unzipAll returns the text of every part of an .xlsx file, uncompressed.
func unzipAll(t *testing.T, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("open the report: %v", err)
	}
	defer zr.Close()
	var b strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		b.Write(data)
	}
	return b.String()
}

// logRows returns every row of the run log tables as text.
func logRows(t *testing.T, ws string) string {
	t.Helper()
	db := openSQL(t, ws)
	var b strings.Builder
	for _, q := range []string{
		`SELECT coalesce(message, '') FROM sy_integration_log`,
		`SELECT coalesce(CAST(queries AS TEXT), '') FROM sy_integration_log_entity`,
		`SELECT coalesce(error, '') || record_key FROM sy_integration_log_failure`,
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			b.WriteString(s + "\n")
		}
		rows.Close()
	}
	return b.String()
}

// TestImportWithoutSecretsThenComplete: an integration whose secret is not
// in the file is imported with a warning naming the command and the
// variable, and completed by `integration secret`: then its mapping is
// checked against the system and its local entities are created.
func TestImportWithoutSecretsThenComplete(t *testing.T) {
	root := testenv.ODataURL(t)
	dir := t.TempDir()
	ws := testWorkspace(t, dir)
	file := filepath.Join(dir, "crm.json")
	writeFile(t, file, strings.Replace(crmFile(root), `"auth": "none"`, `"auth": "bearer"`, 1))
	code, out, errOut := switchyard(t, "", "--workspace", ws, "integration", "import", file)
	if code != exitOK || !strings.Contains(errOut, "switchyard integration secret crm token") || !strings.Contains(errOut, "SWITCHYARD_CRM_TOKEN") {
		t.Fatalf("import without the token: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := switchyard(t, "", "--workspace", ws, "import", "crm"); code != exitConfig {
		t.Errorf("an import before the secret: exit %d %s, want %d", code, errOut, exitConfig)
	}
	code, out, errOut = switchyard(t, "any-token\n", "--workspace", ws, "integration", "secret", "crm", "token")
	if code != exitOK || !strings.Contains(out, `integration "crm" completed`) || !strings.Contains(out, "created local entity account") {
		t.Fatalf("integration secret: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := switchyard(t, "", "--workspace", ws, "import", "crm"); code != exitOK {
		t.Errorf("import after the secret: exit %d %s %s", code, out, errOut)
	}
}
