package store

import (
	"context"
	"testing"

	"switchyard/internal/pgtest"
)

// The store's tests that run against both backends take their workspace
// from eachBackend: a new in-memory SQLite workspace, and a new PostgreSQL
// workspace in a schema of its own on the test server (internal/pgtest; the
// subtest is skipped when the server is not running, unless
// SWITCHYARD_REQUIRE_SERVERS=1).

// backends are the workspace's backends, by the subtest's name.
var backends = []string{"sqlite", "postgres"}

// eachBackend runs fn as a subtest per backend, with a new workspace whose
// Now is the clock c (at t0), closed at the end of the subtest.
func eachBackend(t *testing.T, fn func(t *testing.T, s *Store, c *clock)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b, func(t *testing.T) {
			s, c := openBackend(t, b)
			fn(t, s, c)
		})
	}
}

// openBackend opens a new workspace on backend ("sqlite" or "postgres").
func openBackend(t *testing.T, backend string) (*Store, *clock) {
	t.Helper()
	if backend == "sqlite" {
		return openMemory(t)
	}
	schema := pgtest.NewSchema(t)
	s, err := Open(context.Background(), schema.URL)
	if err != nil {
		t.Fatalf("Open(PostgreSQL schema %s): %v", schema.Name, err)
	}
	t.Cleanup(func() { s.Close() }) // before the schema is dropped
	c := &clock{t: t0}
	s.Now = c.now
	return s, c
}
