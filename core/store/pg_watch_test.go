package store

import (
	"context"
	"testing"

	"switchyard/core/mapping"
	"switchyard/internal/pgtest"
)

// TestPostgresWatchReconnects: a look on a connection that the server ended
// fails; the next listens on a new connection and reports every kind, since
// notifications may have been lost; later looks report what is committed.
func TestPostgresWatchReconnects(t *testing.T) {
	ctx := context.Background()
	s, _ := openBackend(t, "postgres")
	w, err := s.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var pid int
	if err := w.conn.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	admin := pgtest.Connect(t, pgtest.URL(t))
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend($1, 10000)`, pid); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Changed(ctx); err == nil {
		t.Fatal("Changed on an ended connection = nil error")
	}
	all := Changed{Config: true, Runs: true, LocalData: true}
	if got, err := w.Changed(ctx); err != nil || got != all {
		t.Fatalf("Changed after the error = %+v, %v; want %+v", got, err, all)
	}
	if err := s.SaveIntegration(ctx, mapping.Integration{Name: "crm", Connector: "odata"}); err != nil {
		t.Fatal(err)
	}
	if got, err := w.Changed(ctx); err != nil || got != (Changed{Config: true}) {
		t.Fatalf("Changed after a save = %+v, %v; want Config", got, err)
	}
}
