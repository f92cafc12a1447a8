package store

import (
	"context"
	"testing"

	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/internal/pgtest"
)

// TestPostgresWatch is TestWatch on PostgreSQL: a Watch on one Store
// notices, and tells apart, what a second Store on the same schema (another
// machine) commits, what plain SQL on a connection of its own commits, and
// what its own Store commits; a look while nothing was committed, or after
// a rolled-back write, reports nothing. Unlike SQLite, a plain delete of
// local rows is seen even when no upload queues it.
func TestPostgresWatch(t *testing.T) {
	ctx := context.Background()
	schema := pgtest.NewSchema(t)
	open := func() *Store {
		s, err := Open(ctx, schema.URL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	app, other := open(), open()
	if err := other.SaveIntegration(ctx, mapping.Integration{Name: "crm", Connector: "odata", Settings: spec.Values{"url": "http://x"}}); err != nil {
		t.Fatal(err)
	}
	if err := other.CreateEntity(ctx, meta.Entity{Name: "account", Fields: []meta.Field{{Name: "code", Type: meta.String}}}); err != nil {
		t.Fatal(err)
	}
	w, err := app.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	plain := pgtest.Connect(t, schema.URL)
	exec := func(q string) func() error {
		return func() error { _, err := plain.Exec(ctx, q); return err }
	}
	var runID int64
	tests := []struct {
		name  string
		write func() error
		want  Changed
	}{
		{"nothing committed", func() error { return nil }, Changed{}},
		{"a read commits nothing", func() error { _, err := other.Logs(ctx, "", 10); return err }, Changed{}},
		{"another Store starts a run", func() (err error) {
			runID, err = other.AddLog(ctx, LogEntry{Integration: "crm", Kind: "sync", Status: "running"})
			return err
		}, Changed{Runs: true}},
		{"another Store ends it", func() error {
			return other.FinishLog(ctx, LogEntry{ID: runID, Integration: "crm", Kind: "sync", Status: "succeeded", All: 3, Imported: 3})
		}, Changed{Runs: true}},
		{"another Store imports an integration", func() error {
			return other.SaveIntegration(ctx, mapping.Integration{Name: "erp", Connector: "odata", Settings: spec.Values{}})
		}, Changed{Config: true}},
		{"plain SQL changes a schedule", exec(`INSERT INTO sy_schedule (integration, position, every, enabled) VALUES ('crm', 0, '15m', true)`), Changed{Config: true}},
		{"plain SQL writes a local row", exec(`INSERT INTO account (code) VALUES ('A')`), Changed{LocalData: true}},
		{"plain SQL deletes it", exec(`DELETE FROM account`), Changed{LocalData: true}},
		{"a rolled-back write", exec(`BEGIN; INSERT INTO account (code) VALUES ('B'); ROLLBACK`), Changed{}},
		{"plain SQL changes an anchor only", exec(`INSERT INTO sy_integration_syncanchor (integration, entity, direction, anchor) VALUES ('crm', 'A', 'download', 'x')`), Changed{}},
		{"the app's own Store adds an entity", func() error {
			return app.CreateEntity(ctx, meta.Entity{Name: "contact", Fields: []meta.Field{{Name: "email", Type: meta.String}}})
		}, Changed{LocalData: true}},
		{"plain SQL deletes the runs", exec(`DELETE FROM sy_integration_log`), Changed{Runs: true}},
		{"two kinds in one look", func() error {
			if err := other.DeleteIntegration(ctx, "erp"); err != nil {
				return err
			}
			_, err := other.AddLog(ctx, LogEntry{Integration: "crm", Kind: "import", Status: "failed"})
			return err
		}, Changed{Config: true, Runs: true}},
	}
	for _, tt := range tests {
		if err := tt.write(); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got, err := w.Changed(ctx)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got != tt.want {
			t.Errorf("%s: Changed = %+v, want %+v", tt.name, got, tt.want)
		}
		if again, _ := w.Changed(ctx); again.Any() {
			t.Errorf("%s: a second look reports %+v, want nothing", tt.name, again)
		}
	}
}

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
