package main

import (
	"os"
	"strings"
	"testing"
)

// TestPostgresWorkspaceServerDown: the app and the headless commands open a
// PostgreSQL workspace alike: with its server unreachable, each says the
// server's connection error (naming the address to check) and fails before
// it shows a window or creates anything, here or there.
func TestPostgresWorkspaceServerDown(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("DISPLAY", ":99") // the app gets past its display check, to the workspace
	for _, ws := range []string{"postgres://me@127.0.0.1:1/db", "postgresql://me@127.0.0.1:1/db?options=-csearch_path%3Dteam"} {
		for _, args := range [][]string{nil, {"integration", "list"}, {"import", "crm"}} {
			code, _, errOut := switchyard(t, "", append([]string{"--workspace", ws}, args...)...)
			if code == exitOK || !strings.Contains(errOut, "127.0.0.1:1") {
				t.Errorf("%s %v: exit %d, stderr %q; want the server's connection error", ws, args, code, errOut)
			}
		}
	}
	if left, err := os.ReadDir("."); err != nil || len(left) > 0 {
		t.Errorf("the runs left %v (%v)", left, err)
	}
}
