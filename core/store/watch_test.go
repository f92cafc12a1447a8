package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/internal/pgtest"
)

// TestWatch: on both backends, a Watch on one Store notices, and tells
// apart, what a second Store on the same workspace (another process or
// machine) commits, what plain SQL on a connection of its own commits, and
// what its own Store commits; a look while nothing was committed, or after a
// rolled-back write, reports nothing.
func TestWatch(t *testing.T) {
	for _, b := range backends {
		t.Run(b, func(t *testing.T) { testWatch(t, b) })
	}
}

// watchWorkspace opens two Stores on one new workspace on backend, and a
// plain connection to it that runs one SQL text (several statements on
// PostgreSQL).
func watchWorkspace(t *testing.T, backend string) (app, other *Store, exec func(q string) func() error) {
	ctx := context.Background()
	if backend == "postgres" {
		url := pgtest.NewSchema(t).URL
		plain := pgtest.Connect(t, url)
		return openFile(t, url), openFile(t, url), func(q string) func() error {
			return func() error { _, err := plain.Exec(ctx, q); return err }
		}
	}
	path := filepath.Join(t.TempDir(), "w.db")
	plain, err := sql.Open(driverName, "file:"+filepath.ToSlash(path)+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { plain.Close() })
	return openFile(t, path), openFile(t, path), func(q string) func() error {
		return func() error { _, err := plain.ExecContext(ctx, q); return err }
	}
}

func testWatch(t *testing.T, backend string) {
	ctx := context.Background()
	app, other, exec := watchWorkspace(t, backend)
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
	// SQLite tells local changes by the counter and the upload queue: a
	// delete that no upload queues moves neither. PostgreSQL's trigger sees it.
	deleteSeen := Changed{LocalData: backend == "postgres"}
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
		{"plain SQL changes a schedule", exec(`INSERT INTO sy_schedule (integration, position, every, enabled) VALUES ('crm', 0, '15m', '1')`), Changed{Config: true}},
		{"plain SQL writes a local row", exec(`INSERT INTO account (code) VALUES ('A')`), Changed{LocalData: true}},
		{"plain SQL deletes it", exec(`DELETE FROM account`), deleteSeen}, // no mapping uploads account: nothing queued
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

// TestWatchMemory: a private in-memory workspace is refused.
func TestWatchMemory(t *testing.T) {
	s, err := Open(context.Background(), memoryPath)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Watch(context.Background()); !errors.Is(err, ErrNotWatchable) {
		t.Fatalf("Watch = %v, want ErrNotWatchable", err)
	}
}

// BenchmarkWatch measures one look: while nothing was committed (a pragma),
// and after a commit (the pragma and the aggregates, over 1,000 runs).
func BenchmarkWatch(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "w.db")
	s, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.SaveIntegration(ctx, mapping.Integration{Name: "crm", Connector: "odata", Settings: spec.Values{}}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 1000; i++ {
		if _, err := s.AddLog(ctx, LogEntry{Integration: "crm", Kind: "sync", Status: "succeeded"}); err != nil {
			b.Fatal(err)
		}
	}
	w, err := s.Watch(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	b.Run("idle", func(b *testing.B) {
		for b.Loop() {
			if _, err := w.Changed(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("changed", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			if err := s.inTx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE sy_integration SET updated_at = updated_at`)
				return err
			}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := w.Changed(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
