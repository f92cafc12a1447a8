package main

import (
	"os"
	"strings"
	"testing"
)

// TestPostgresWorkspaceRefused: the store opens PostgreSQL workspaces, but
// the commands and the app do not work on them yet: a postgres:// workspace
// is refused with a configuration error that says so, and nothing is
// created for it.
func TestPostgresWorkspaceRefused(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, ws := range []string{"postgres://me@127.0.0.1:1/db", "postgresql://me@127.0.0.1:1/db?options=-csearch_path%3Dteam"} {
		for _, args := range [][]string{{"integration", "list"}, {"import", "crm"}} {
			code, out, errOut := switchyard(t, "", append([]string{"--workspace", ws}, args...)...)
			if code != exitConfig || !strings.Contains(errOut, "PostgreSQL workspaces are not complete yet") {
				t.Errorf("%s %v: exit %d, stderr %q, stdout %q; want exit %d and the refusal", ws, args, code, errOut, out, exitConfig)
			}
		}
	}
	if left, err := os.ReadDir("."); err != nil || len(left) > 0 {
		t.Errorf("the refused runs left %v (%v)", left, err)
	}
}
