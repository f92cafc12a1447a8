package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

// t0 is the clock tests start from.
var t0 = time.Date(2026, 1, 31, 8, 15, 0, 0, time.UTC)

// clock is a settable Now for tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// openMemory opens an in-memory workspace whose Now is c.now, closed at the end of the test.
func openMemory(t *testing.T) (*Store, *clock) {
	t.Helper()
	s, err := Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatalf("Open(:memory:): %v", err)
	}
	t.Cleanup(func() { s.Close() })
	c := &clock{t: t0}
	s.Now = c.now
	return s, c
}

// openFile opens a workspace file, closed at the end of the test.
func openFile(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenFilePragmas(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "missing", "deeper", "w.db")
	s := openFile(t, path)
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("workspace file not created: %v", err)
	}
	if perm := st.Mode().Perm(); perm != 0o600 {
		t.Errorf("workspace file mode = %v, want 0600 (it holds secrets)", perm)
	}
	tests := []struct {
		pragma string
		want   string
	}{
		{"foreign_keys", "1"},
		{"journal_mode", "wal"},
		{"busy_timeout", "5000"},
		{"recursive_triggers", "0"},
		{"wal_autocheckpoint", "4000"},
		{"cache_size", "-16384"},
	}
	for _, tt := range tests {
		t.Run(tt.pragma, func(t *testing.T) {
			var got string
			if err := s.db.QueryRowContext(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if strings.ToLower(got) != tt.want {
				t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
			}
		})
	}
}

func TestOpenOddPath(t *testing.T) {
	// Characters that mean something in a URI must not cut the file name.
	path := filepath.Join(t.TempDir(), "a?b#c%20d.db")
	s := openFile(t, path)
	if _, err := s.SchemaVersion(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("workspace file not created under its own name: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("not a database\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"empty path", "", "path is empty"},
		{"not a database", notDB, "open workspace " + notDB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(context.Background(), tt.path)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestMemoryWorkspacesAreSeparate(t *testing.T) {
	ctx := context.Background()
	a, _ := openMemory(t)
	b, _ := openMemory(t)
	if err := a.CreateEntity(ctx, entity("account")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Entity(ctx, "account"); err == nil {
		t.Error("an entity of one :memory: workspace shows in another")
	}
	// The single connection keeps the data across calls.
	if _, err := a.Entity(ctx, "account"); err != nil {
		t.Errorf("Entity after CreateEntity: %v", err)
	}
}

func TestFileWorkspaceSharedByTwoStores(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	a := openFile(t, path)
	b := openFile(t, path)
	if err := a.CreateEntity(ctx, entity("account", meta.Field{Name: "name", Type: meta.String})); err != nil {
		t.Fatal(err)
	}
	// Two handles (as the GUI and a scheduled headless run would be) write at
	// once: every write waits for the other instead of failing with "database is locked".
	const n = 25
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i, s := range []*Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("integration%d", i)
			for j := 0; j < n; j++ {
				if err := s.SaveIntegration(ctx, mapping.Integration{Name: name, Connector: "file",
					Settings: spec.Values{"run": fmt.Sprint(j)}}); err != nil {
					errs <- err
					return
				}
				if _, err := s.AddLog(ctx, LogEntry{Integration: name, Kind: "sync", Status: "succeeded"}); err != nil {
					errs <- err
					return
				}
				if _, err := s.db.ExecContext(ctx, `INSERT INTO account (name) VALUES (?)`, name); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if logs, err := b.Logs(ctx, "", 0); err != nil || len(logs) != 2*n {
		t.Errorf("Logs = %d entries, %v; want %d", len(logs), err, 2*n)
	}
	if rows, err := a.CountRows(ctx, "account"); err != nil || rows != 2*n {
		t.Errorf("CountRows = %d, %v; want %d", rows, err, 2*n)
	}
	var distinct int
	if err := a.db.QueryRow(`SELECT count(DISTINCT versionnumber) FROM account`).Scan(&distinct); err != nil || distinct != 2*n {
		t.Errorf("distinct versionnumbers = %d, %v; want %d", distinct, err, 2*n)
	}
	a.Close()
	b.Close()

	// Entities and their tables survive a re-open.
	c := openFile(t, path)
	e, err := c.Entity(ctx, "account")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.Field("name"); !ok {
		t.Errorf("re-opened entity lost its field: %+v", e)
	}
}

// TestReadsDoNotWaitForWriters: while a write transaction holds the lock,
// reads still answer at once from their own snapshot (WAL).
func TestReadsDoNotWaitForWriters(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SaveIntegration(ctx, mapping.Integration{Name: "crm", Connector: "odata"}); err != nil {
		t.Fatal(err)
	}
	tx, err := s.db.BeginTx(ctx, nil) // takes the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM sy_integration`); err != nil {
		t.Fatal(err)
	}
	readCtx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	list, err := s.Integrations(readCtx)
	if err != nil {
		t.Fatalf("Integrations() during a write: %v", err)
	}
	if len(list) != 1 {
		t.Fatalf("Integrations() saw %d integrations, want the committed 1", len(list))
	}
	if _, err := s.rdb.ExecContext(ctx, `DELETE FROM sy_integration`); err == nil {
		t.Fatal("the read pool accepted a write")
	}
}

func TestOpenReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		// root writes through permission bits; a read-only mount is tested in internal/faulttest.
		dir := t.TempDir()
		path := filepath.Join(dir, "w.db")
		if err := checkWritable(path); err == nil {
			t.Fatal("checkWritable of a missing file succeeded")
		}
		return
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "w.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	os.Chmod(path, 0o400)
	if _, err := Open(context.Background(), path); err == nil || !strings.Contains(err.Error(), "the workspace file is read-only") {
		t.Errorf("Open of a read-only file = %v", err)
	}
	os.Chmod(path, 0o600)
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	if _, err := Open(context.Background(), path); err == nil || !strings.Contains(err.Error(), "is read-only") {
		t.Errorf("Open in a read-only folder = %v", err)
	}
}
