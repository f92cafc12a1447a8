package ui

import (
	"context"
	"testing"

	"switchyard/core/store"
	"switchyard/internal/pgtest"
)

// TestMain gives the tests' PostgreSQL workspaces their team key (pgtest.Main).
func TestMain(m *testing.M) { pgtest.Main(m) }

// onPostgres reports whether the tests run on PostgreSQL workspaces
// (pgtest.BackendVar: scripts/test.sh runs this package on both backends).
func onPostgres() bool { return pgtest.OnPostgres() }

// testWorkspace returns a new workspace for one test: SQLite in memory, or
// on PostgreSQL the URL of an empty schema of the test's own.
func testWorkspace(t *testing.T) string {
	t.Helper()
	if onPostgres() {
		return pgtest.NewSchema(t).URL
	}
	return ":memory:"
}

// sharedTestWorkspace returns a new workspace that two Stores can open, as two
// programs would: a file in a temporary folder, or a PostgreSQL schema.
func sharedTestWorkspace(t *testing.T) string {
	t.Helper()
	if onPostgres() {
		return pgtest.NewSchema(t).URL
	}
	return t.TempDir() + "/w.db"
}

// openTestStore opens the workspace ws and closes it when t ends.
func openTestStore(t *testing.T, ws string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), ws)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
