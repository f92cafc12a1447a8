package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/core/admin"
	"switchyard/core/connector"
	"switchyard/core/schedule"
	"switchyard/core/store"
	"switchyard/internal/pgtest"
)

// TestReadOnlyRoleCommands: on a PostgreSQL workspace opened by a role
// granted deploy/postgres/roles.sql, the commands that browse and preview
// work, and those that run or edit exit 3 with the read-only refusal, which
// names the role and the grants; --run-sync --json reports it in its
// outcome. It runs whenever the PostgreSQL test server is up.
func TestReadOnlyRoleCommands(t *testing.T) {
	dir := t.TempDir()
	schema := pgtest.NewSchema(t)
	st, err := store.Open(t.Context(), schema.URL)
	if err != nil {
		t.Fatal(err)
	}
	owner := admin.New(st, connector.Default)
	name, err := admin.EnsureSample(t.Context(), owner, dir)
	if err == nil {
		err = owner.SaveSchedules(t.Context(), name, []schedule.Schedule{{Cron: "0 2 * * *", Enabled: true}})
	}
	st.Close()
	if err != nil || name == "" {
		t.Fatalf("EnsureSample() = %q, %v", name, err)
	}
	if code, _, errOut := switchyard(t, "", "--workspace", schema.URL, "import", name); code != exitOK {
		t.Fatalf("the owner's import: exit %d: %s", code, errOut)
	}
	reader := pgtest.Reader(t, schema)
	file := filepath.Join(dir, "sample.json")
	for _, args := range [][]string{
		{"integration", "list"}, {"integration", "export", name, "-o", file}, {"entities", name},
		{"import", name, "--preview"}, {"export", name, "--preview"}, {"quarantine", "list", name},
		{"schedule", "print", name}, {"integration", "check", name},
	} {
		if code, _, errOut := switchyard(t, "", append([]string{"--workspace", reader}, args...)...); code != exitOK {
			t.Errorf("%v as the reader: exit %d: %s", args, code, errOut)
		}
	}
	refusal := `may only read workspace`
	for _, args := range [][]string{
		{"import", name}, {"export", name}, {"integration", "import", file}, {"integration", "delete", name},
		{"integration", "update-schema", name}, {"integration", "check", "--clean-up", name},
		{"mapping", "import", name, file}, {"quarantine", "dismiss", name, "1"},
	} {
		code, _, errOut := switchyard(t, "x\n", append([]string{"--workspace", reader}, args...)...)
		if code != exitConfig || !strings.Contains(errOut, refusal) || !strings.Contains(errOut, store.RolesDoc) {
			t.Errorf("%v as the reader: exit %d, stderr %q; want exit %d and the refusal", args, code, errOut, exitConfig)
		}
	}
	code, out, _ := switchyard(t, "", "--workspace", reader, "--run-sync", name, "--json")
	var got syncJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != exitConfig || got.ExitCode != exitConfig ||
		got.Status != "failed" || !strings.Contains(got.Error, refusal) {
		t.Errorf("--run-sync --json as the reader: exit %d, %+v (%v)", code, got, err)
	}
}
