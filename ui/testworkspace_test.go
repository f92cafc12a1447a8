package ui

import (
	"context"
	"os"
	"testing"

	"switchyard/core/store"
	"switchyard/internal/pgtest"
)

// testBackendVar names the variable that picks the backend of the screens'
// test workspaces: unset or "sqlite" for SQLite (in memory, or a file when a
// test needs two Stores on one workspace), "postgres" for a fresh schema on
// the PostgreSQL test server (internal/pgtest), so that every screen is
// tested on both backends (scripts/test.sh runs the package twice).
const testBackendVar = "SWITCHYARD_TEST_WORKSPACE"

// testKey is the team key (SWITCHYARD_KEY) of the tests' PostgreSQL
// workspaces, which keep their key neither in the database nor in a file.
const testKey = "c3dpdGNoeWFyZC10ZXN0LWtleS0zMi1ieXRlcy0hISE="

// TestMain gives the tests' PostgreSQL workspaces their team key.
func TestMain(m *testing.M) {
	if onPostgres() && os.Getenv("SWITCHYARD_KEY") == "" {
		os.Setenv("SWITCHYARD_KEY", testKey)
	}
	os.Exit(m.Run())
}

// onPostgres reports whether the tests run on PostgreSQL workspaces.
func onPostgres() bool { return os.Getenv(testBackendVar) == "postgres" }

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
