package main

import (
	"os"
	"strings"
	"testing"
)

// TestPostgresWorkspaceRefusedByTheApp: the headless commands work on a
// PostgreSQL workspace (the whole suite runs on one with
// SWITCHYARD_TEST_WORKSPACE=postgres), but the app does not yet: started on a
// postgres:// workspace it is refused with a configuration error that says
// so, before it connects or creates anything. A headless command tries the
// server instead of being refused.
func TestPostgresWorkspaceRefusedByTheApp(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, ws := range []string{"postgres://me@127.0.0.1:1/db", "postgresql://me@127.0.0.1:1/db?options=-csearch_path%3Dteam"} {
		code, out, errOut := switchyard(t, "", "--workspace", ws)
		if code != exitConfig || !strings.Contains(errOut, "the app does not open a PostgreSQL workspace yet") {
			t.Errorf("%s (the app): exit %d, stderr %q, stdout %q; want exit %d and the refusal", ws, code, errOut, out, exitConfig)
		}
		for _, args := range [][]string{{"integration", "list"}, {"import", "crm"}} {
			code, _, errOut := switchyard(t, "", append([]string{"--workspace", ws}, args...)...)
			if code == exitOK || strings.Contains(errOut, "does not open a PostgreSQL workspace") || !strings.Contains(errOut, "127.0.0.1:1") {
				t.Errorf("%s %v: exit %d, stderr %q; want the server's connection error", ws, args, code, errOut)
			}
		}
	}
	if left, err := os.ReadDir("."); err != nil || len(left) > 0 {
		t.Errorf("the runs left %v (%v)", left, err)
	}
}
