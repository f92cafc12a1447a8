package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/store"
	"switchyard/internal/pgtest"
	"switchyard/internal/testenv"
)

// TestWorkspaceCopy: `workspace copy` moves a workspace file to a
// PostgreSQL schema and back, printing every table's counts (as text and
// with --json); a target that is not empty, and a missing source, are
// refused with exit 3.
func TestWorkspaceCopy(t *testing.T) {
	ctx := context.Background()
	t.Setenv(store.KeyEnv, "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=")
	t.Setenv(store.KeyringEnv, "off")
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	fillWorkspace(t, a)
	pg := pgtest.NewSchema(t).URL

	code, out, errOut := switchyard(t, "", "workspace", "copy", a, pg)
	if code != exitOK || !strings.Contains(out, "account") || !strings.Contains(out, "sy_integration_secret") {
		t.Fatalf("copy to PostgreSQL: exit %d, stdout %q, stderr %q; want exit 0 and the counts", code, out, errOut)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if f := strings.Fields(line); f[0] == "account" && (f[1] != "3" || f[2] != "3") {
			t.Errorf("account's counts: %q, want 3 and 3", line)
		}
	}

	code, out, errOut = switchyard(t, "", "workspace", "copy", pg, b, "--json")
	var rep store.CopyReport
	if code != exitOK || json.Unmarshal([]byte(out), &rep) != nil || len(rep.Tables) == 0 {
		t.Fatalf("copy back with --json: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, tc := range rep.Tables {
		if tc.Source != tc.Target || tc.Table == "account" && tc.Target != 3 {
			t.Errorf("--json counts of %s: %d → %d", tc.Table, tc.Source, tc.Target)
		}
	}
	st, err := store.OpenExisting(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	in, err := st.Integration(ctx, "crm")
	st.Close()
	if err != nil || in.Secrets["password"] != "hunter2" {
		t.Errorf("the copy's secret = %q, %v; want hunter2", in.Secrets["password"], err)
	}

	// a.db without its key file: its secret cannot be opened.
	keyless := filepath.Join(dir, "keyless.db")
	if data, err := os.ReadFile(a); err != nil || os.WriteFile(keyless, data, 0o600) != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, from, to, want string
		code                 int
	}{
		{"a target that is not empty", a, b, "is not empty", exitConfig},
		{"a missing source", filepath.Join(dir, "missing.db"), filepath.Join(dir, "c.db"), "no workspace", exitConfig},
		{"a source whose key is gone", keyless, filepath.Join(dir, "d.db"), "secret password of crm", exitFailed},
	} {
		code, out, errOut = switchyard(t, "", "workspace", "copy", tc.from, tc.to)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stderr %q, stdout %q; want exit %d and %q", tc.name, code, errOut, out, tc.code, tc.want)
		}
	}
	// A copy that failed leaves no target it created, so that it can be run again.
	if _, err := os.Stat(filepath.Join(dir, "d.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the failed copy left d.db (%v)", err)
	}
	if _, err := os.Stat(b); err != nil {
		t.Errorf("the refused copy into b.db, which was there before, removed it: %v", err)
	}
	schema := pgtest.NewSchema(t)
	if code, _, errOut = switchyard(t, "", "workspace", "copy", keyless, schema.URL); code != exitFailed {
		t.Fatalf("copy of the keyless workspace to PostgreSQL: exit %d, stderr %q", code, errOut)
	}
	if left := pgtest.Objects(t, schema.URL); len(left) > 0 {
		t.Errorf("the failed copy left %v in the new PostgreSQL workspace", left)
	}
}

// fillWorkspace makes a workspace file with an entity of three rows and an
// integration with a secret.
func fillWorkspace(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.CreateEntity(ctx, meta.Entity{Name: "account", Fields: []meta.Field{{Name: "code", Type: meta.String}}})
	if err == nil {
		err = st.SaveIntegration(ctx, mapping.Integration{Name: "crm", Connector: "odata"})
	}
	if err == nil {
		err = st.SetSecret(ctx, "crm", "password", "hunter2")
	}
	if err == nil {
		err = st.Apply(ctx, func(tx *store.Tx) error {
			for _, code := range []string{"A", "B", "C"} {
				if _, err := tx.Insert("account", map[string]any{"code": code}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestWorkspaceCopyThenImportAgainstCAP: a workspace that imported from the
// CAP server, copied to PostgreSQL and back to a file, imports again on the
// copy: every record is found unchanged (the rows and their keys came
// across), and its integration's runs go on.
func TestWorkspaceCopyThenImportAgainstCAP(t *testing.T) {
	url := testenv.ODataURL(t)
	t.Setenv(store.KeyringEnv, "off")
	t.Setenv(store.KeyEnv, "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=")
	dir := t.TempDir()
	a, b, file := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db"), filepath.Join(dir, "crm.json")
	if err := os.WriteFile(file, []byte(crmFile(url)), 0o600); err != nil {
		t.Fatal(err)
	}
	first := importJSON(t, a, file)
	pg := pgtest.NewSchema(t).URL
	for _, hop := range [][2]string{{a, pg}, {pg, b}} {
		if code, out, errOut := switchyard(t, "", "workspace", "copy", hop[0], hop[1]); code != exitOK {
			t.Fatalf("copy %s → %s: exit %d\n%s%s", hop[0], hop[1], code, out, errOut)
		}
	}
	again := importJSON(t, b, "")
	if len(again.Entities) != len(first.Entities) || again.Status != "succeeded" {
		t.Fatalf("the import on the copy: %+v, want as %+v", again, first)
	}
	for i, en := range again.Entities {
		if en.All == 0 || en.Unchanged != en.All || en.All != first.Entities[i].All {
			t.Errorf("%s on the copy: %d read, %d unchanged, %d created; want all %d unchanged",
				en.Entity, en.All, en.Unchanged, en.Imported, first.Entities[i].All)
		}
	}
}

// importJSON imports the integration file (unless it is "") into the
// workspace ws, runs its import, and returns the --json summary.
func importJSON(t *testing.T, ws, file string) runJSON {
	t.Helper()
	if file != "" {
		if code, _, errOut := switchyard(t, "", "--workspace", ws, "integration", "import", file); code != exitOK {
			t.Fatalf("integration import: exit %d, %s", code, errOut)
		}
	}
	code, out, errOut := switchyard(t, "", "--workspace", ws, "import", "crm", "--json")
	var sum runJSON
	if code != exitOK || json.Unmarshal([]byte(out), &sum) != nil {
		t.Fatalf("import on %s: exit %d\n%s%s", ws, code, out, errOut)
	}
	return sum
}
