package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// migrationRow is one row of sy_migration.
type migrationRow struct {
	Version         int
	Name, AppliedAt string
}

func migrationRows(t *testing.T, s *Store) []migrationRow {
	t.Helper()
	rows, err := s.db.Query(`SELECT version, name, applied_at FROM sy_migration ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []migrationRow
	for rows.Next() {
		var r migrationRow
		if err := rows.Scan(&r.Version, &r.Name, &r.AppliedAt); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// openBare opens an in-memory workspace without applying any migration.
func openBare(t *testing.T) *Store {
	t.Helper()
	dsn, err := prepare(memoryPath)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return &Store{Now: time.Now, db: db, rdb: db, path: memoryPath, d: sqliteDialect{}}
}

func TestMigrationsAppliedOnce(t *testing.T) {
	ctx := context.Background()
	embedded, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	if len(embedded) == 0 {
		t.Fatal("no embedded migrations")
	}
	latest := embedded[len(embedded)-1].version

	path := filepath.Join(t.TempDir(), "w.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	first := migrationRows(t, s)
	if len(first) != len(embedded) {
		t.Fatalf("sy_migration has %d rows, want %d: %+v", len(first), len(embedded), first)
	}
	for i, m := range embedded {
		if first[i].Version != m.version || first[i].Name != m.name || first[i].AppliedAt == "" {
			t.Errorf("sy_migration row %d = %+v, want version %d name %s", i, first[i], m.version, m.name)
		}
	}
	if v, err := s.SchemaVersion(ctx); err != nil || v != latest {
		t.Errorf("SchemaVersion = %d, %v; want %d", v, err, latest)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Re-opening applies nothing again: same rows, same times.
	s2 := openFile(t, path)
	if again := migrationRows(t, s2); fmt.Sprint(again) != fmt.Sprint(first) {
		t.Errorf("after re-open sy_migration = %+v, want %+v", again, first)
	}
	var n int
	if err := s2.db.QueryRow(`SELECT count(*) FROM sy_sequence`).Scan(&n); err != nil || n != 1 {
		t.Errorf("sy_sequence rows = %d, %v; want 1 (the first migration ran twice?)", n, err)
	}
}

func TestMigrateAppliesOnlyMissing(t *testing.T) {
	ctx := context.Background()
	v1 := fstest.MapFS{
		"migrations/0001_a.sql": {Data: []byte(`CREATE TABLE sy_a (x INTEGER); INSERT INTO sy_a VALUES (1);`)},
	}
	v2 := fstest.MapFS{
		"migrations/0001_a.sql": v1["migrations/0001_a.sql"],
		"migrations/0002_b.sql": {Data: []byte(`INSERT INTO sy_a VALUES (2);`)},
	}
	s := openBare(t)
	for _, step := range []struct {
		fsys     fstest.MapFS
		wantRows int
		wantVer  int
	}{
		{v1, 1, 1},
		{v1, 1, 1},
		{v2, 2, 2},
		{v2, 2, 2},
	} {
		if err := s.migrate(ctx, step.fsys); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.db.QueryRow(`SELECT count(*) FROM sy_a`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != step.wantRows {
			t.Errorf("sy_a has %d rows, want %d", n, step.wantRows)
		}
		if v, _ := s.SchemaVersion(ctx); v != step.wantVer {
			t.Errorf("SchemaVersion = %d, want %d", v, step.wantVer)
		}
	}
}

func TestMigrateFailureRollsBack(t *testing.T) {
	ctx := context.Background()
	s := openBare(t)
	bad := fstest.MapFS{
		"migrations/0001_init.sql": {Data: []byte("SELECT 1;")},
		"migrations/0009_bad.sql":  {Data: []byte(`CREATE TABLE sy_half (x); INSERT INTO nowhere VALUES (1);`)},
	}
	err := s.migrate(ctx, bad)
	if err == nil || !strings.Contains(err.Error(), "0009_bad.sql") {
		t.Fatalf("migrate error = %v, want one naming 0009_bad.sql", err)
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'sy_half'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("a failed migration left its table behind (%d, %v)", n, err)
	}
	if v, _ := s.SchemaVersion(ctx); v != 1 {
		t.Errorf("SchemaVersion = %d, want 1", v)
	}
}

func TestLoadMigrationsBadNames(t *testing.T) {
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"no number", fstest.MapFS{"migrations/init.sql": {}}, "name it NNNN_what.sql"},
		{"zero", fstest.MapFS{"migrations/0000_x.sql": {}}, "name it NNNN_what.sql"},
		{"duplicate", fstest.MapFS{"migrations/0001_a.sql": {}, "migrations/001_b.sql": {}}, "share version 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadMigrations(tt.fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("loadMigrations error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestNewerWorkspaceRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	known, err := s.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	newer := known + 6
	if _, err := s.db.Exec(`INSERT INTO sy_migration (version, name, applied_at) VALUES (?, 'future.sql', '2030-01-01T00:00:00.000Z')`, newer); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s2, err := Open(ctx, path)
	if err == nil {
		s2.Close()
		t.Fatal("Open of a newer workspace succeeded")
	}
	if !errors.Is(err, ErrNewerWorkspace) {
		t.Errorf("error %v is not ErrNewerWorkspace", err)
	}
	want := fmt.Sprintf("workspace %s was written by a newer Switchyard (schema version %d, this one knows %d): upgrade Switchyard",
		path, newer, known)
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
}
