package pgtest

import (
	"os"
	"testing"
)

// BackendVar names the variable that picks the backend of the workspaces a
// package's tests create (cmd/switchyard's end-to-end tests, ui's screens):
// unset or "sqlite" for SQLite, "postgres" for a fresh schema on the test
// server (NewSchema), so that the same tests run on both backends
// (scripts/test.sh runs those packages twice).
const BackendVar = "SWITCHYARD_TEST_WORKSPACE"

// TeamKey is the team key (SWITCHYARD_KEY) of the tests' PostgreSQL
// workspaces, which keep their key neither in the database nor in a file.
const TeamKey = "c3dpdGNoeWFyZC10ZXN0LWtleS0zMi1ieXRlcy0hISE="

// keyEnv is store.KeyEnv (this package cannot import the store: its tests use this package).
const keyEnv = "SWITCHYARD_KEY"

// OnPostgres reports whether the tests run on PostgreSQL workspaces ($BackendVar).
func OnPostgres() bool { return os.Getenv(BackendVar) == "postgres" }

// Main runs a package's tests, as its TestMain, with TeamKey as the
// PostgreSQL workspaces' key when they run on PostgreSQL and no key is set.
func Main(m *testing.M) {
	if OnPostgres() && os.Getenv(keyEnv) == "" {
		os.Setenv(keyEnv, TeamKey)
	}
	os.Exit(m.Run())
}
