package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// migrationFS holds the schema migrations, applied in the order of their
// numeric prefix ("0001_init.sql" is version 1).
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one schema step.
type migration struct {
	version int
	name    string // the file name, e.g. "0001_init.sql"
	sql     string
}

// newerError is the ErrNewerWorkspace refusal with its versions.
type newerError struct {
	path          string
	found, latest int
}

func (e *newerError) Error() string {
	return fmt.Sprintf("workspace %s was written by a newer Switchyard (schema version %d, this one knows %d): upgrade Switchyard",
		e.path, e.found, e.latest)
}

func (e *newerError) Unwrap() error { return ErrNewerWorkspace }

// loadMigrations reads migrations/*.sql from fsys, sorted by version.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var out []migration
	seen := map[int]string{}
	for _, p := range names {
		name := p[strings.LastIndex(p, "/")+1:]
		prefix, _, _ := strings.Cut(name, "_")
		v, err := strconv.Atoi(prefix)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name it NNNN_what.sql with a positive number", name)
		}
		if other, ok := seen[v]; ok {
			return nil, fmt.Errorf("migrations %s and %s share version %d: renumber one", other, name, v)
		}
		seen[v] = name
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		out = append(out, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// migrate applies the migrations of fsys that the workspace lacks, each in
// its own transaction recorded in sy_migration. It refuses a workspace whose
// schema is newer than the newest migration of fsys.
func (s *Store) migrate(ctx context.Context, fsys fs.FS) error {
	migrations, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	latest := 0
	if n := len(migrations); n > 0 {
		latest = migrations[n-1].version
	}
	if s.readOnly {
		return s.checkCurrent(ctx, latest)
	}
	_, createTable := s.d.migrations()
	err = runTx(ctx, s.db, nil, func(tx *sql.Tx) error {
		if err := s.d.lockMigrations(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, createTable)
		return err
	})
	if err != nil {
		return fmt.Errorf("create sy_migration: %w", err)
	}
	found, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if found > latest {
		return &newerError{path: s.name(), found: found, latest: latest}
	}
	for _, m := range migrations {
		if err := runTx(ctx, s.db, nil, func(tx *sql.Tx) error { return s.applyMigration(ctx, tx, m) }); err != nil {
			return fmt.Errorf("apply migration %s: %w", m.name, err)
		}
	}
	return nil
}

// applyMigration runs m unless the workspace already records it.
func (s *Store) applyMigration(ctx context.Context, tx *sql.Tx, m migration) error {
	if err := s.d.lockMigrations(ctx, tx); err != nil {
		return err
	}
	var n, all int
	err := tx.QueryRowContext(ctx, `SELECT count(CASE WHEN version = ? THEN 1 END), count(*) FROM sy_migration`, m.version).Scan(&n, &all)
	if err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	// None recorded yet, under the migration lock: this Open makes the workspace.
	s.created = s.created || all == 0
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO sy_migration (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, formatTime(s.now()))
	return err
}

// SchemaVersion returns the version of the newest migration applied to the workspace.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM sy_migration`).Scan(&v)
	})
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}
