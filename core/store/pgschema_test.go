package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"switchyard/core/meta"
	"switchyard/internal/pgtest"
)

// The PostgreSQL workspace's schema against a real PostgreSQL 15
// (scripts/pgserver.sh): each test has a schema of its own (pgtest.NewSchema),
// migrated as a fresh workspace, and writes with plain SQL as psql would.

// pgWorkspace migrates a fresh schema and returns a connection to it and the
// schema's name.
func pgWorkspace(t *testing.T) (*pgx.Conn, pgtest.Schema) {
	t.Helper()
	schema := pgtest.NewSchema(t)
	conn := pgtest.Connect(t, schema.URL)
	if err := pgMigrate(context.Background(), conn); err != nil {
		t.Fatal(err)
	}
	return conn, schema
}

// pgMigrate applies the PostgreSQL migrations the workspace lacks, each in its
// own transaction with its sy_migration row.
func pgMigrate(ctx context.Context, conn *pgx.Conn) error {
	ms, err := pgMigrations()
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, pgMigrationTableSQL); err != nil {
		return err
	}
	for _, m := range ms {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM sy_migration WHERE version = $1`, m.version).Scan(&n); err != nil || n > 0 {
				return err
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO sy_migration (version, name, applied_at) VALUES ($1, $2, now())`, m.version, m.name)
			return err
		})
		if err != nil {
			return fmt.Errorf("apply %s: %w", m.name, err)
		}
	}
	return nil
}

func pgExec(t *testing.T, c *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := c.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func pgStrings(t *testing.T, c *pgx.Conn, sql string, args ...any) []string {
	t.Helper()
	rows, err := c.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// pgEntity creates a local entity table, as the store will.
func pgEntity(t *testing.T, c *pgx.Conn, e meta.Entity) {
	t.Helper()
	for _, stmt := range pgCreateTableSQL(e) {
		pgExec(t, c, stmt)
	}
}

// everyType is an entity with a field of every type.
var everyType = meta.Entity{Name: "thing", Fields: []meta.Field{
	{Name: "name", Type: meta.String}, {Name: "count", Type: meta.Int}, {Name: "amount", Type: meta.Decimal},
	{Name: "ratio", Type: meta.Double}, {Name: "active", Type: meta.Bool}, {Name: "born", Type: meta.Date},
	{Name: "due", Type: meta.DateTime}, {Name: "at", Type: meta.Time}, {Name: "ref", Type: meta.GUID},
	{Name: "photo", Type: meta.Binary}, {Name: "parent", Type: meta.Lookup, Target: "thing"},
	{Name: "order", Type: meta.String}, // a reserved word: names are quoted
}}

// TestPGMigrations: the baseline reaches the SQLite workspace's schema version
// with the same tables, columns and indexes, apart from the documented ones;
// migrating again applies nothing.
func TestPGMigrations(t *testing.T) {
	conn, _ := pgWorkspace(t)
	if err := pgMigrate(context.Background(), conn); err != nil {
		t.Fatalf("migrating again: %v", err)
	}
	sqliteMs, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	got := pgStrings(t, conn, `SELECT version::text || ' ' || name FROM sy_migration`)
	if want := fmt.Sprint(sqliteMs[len(sqliteMs)-1].version) + " 0009_baseline.sql"; len(got) != 1 || got[0] != want {
		t.Errorf("sy_migration = %q, want [%q]: the baseline is the SQLite workspace's newest version", got, want)
	}
	s, _ := openMemory(t)
	sqliteCols := sqliteStrings(t, s, `SELECT m.name || '.' || c.name FROM sqlite_schema m, pragma_table_info(m.name) c
WHERE m.type = 'table' AND m.name LIKE 'sy\_%' ESCAPE '\' AND m.name NOT IN ('sy_clock', 'sy_capture_off')`)
	pgCols := pgStrings(t, conn, `SELECT table_name || '.' || column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name LIKE 'sy\_%'`)
	if d := setDiff(sqliteCols, pgCols); d != "" {
		t.Errorf("columns differ from a new SQLite workspace's:\n%s", d)
	}
	sqliteIdx := sqliteStrings(t, s, `SELECT name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_%'`)
	pgIdx := pgStrings(t, conn, `SELECT c.relname::text FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
WHERE c.relnamespace = current_schema()::regnamespace AND NOT x.indisprimary AND NOT x.indisunique`)
	if d := setDiff(sqliteIdx, pgIdx); d != "" {
		t.Errorf("indexes differ from a new SQLite workspace's:\n%s", d)
	}
}

func sqliteStrings(t *testing.T, s *Store, q string) []string {
	t.Helper()
	rows, err := s.db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// setDiff says which of a are missing from b and which of b from a, or "".
func setDiff(a, b []string) string {
	var only []string
	for _, v := range a {
		if !slices.Contains(b, v) {
			only = append(only, "SQLite only: "+v)
		}
	}
	for _, v := range b {
		if !slices.Contains(a, v) {
			only = append(only, "PostgreSQL only: "+v)
		}
	}
	sort.Strings(only)
	return strings.Join(only, "\n")
}

// TestPGStamps: a plain INSERT naming only business fields gets a lower-case
// UUID, createdon and modifiedon and the next versionnumber; an UPDATE takes
// the next number and a new modifiedon, whatever modifiedon it sets; numbers
// grow across tables; an insert that brings its own number, or an update that
// sets one, is taken as stamped; versionnumber 0 is stamped.
func TestPGStamps(t *testing.T) {
	conn, _ := pgWorkspace(t)
	pgEntity(t, conn, everyType)
	pgEntity(t, conn, meta.Entity{Name: "other", Fields: []meta.Field{{Name: "name", Type: meta.String}}})
	pgExec(t, conn, `INSERT INTO thing (name, "order") VALUES ('a', 'first')`)
	pgExec(t, conn, `INSERT INTO other (name) VALUES ('b')`)
	pgExec(t, conn, `INSERT INTO thing (name, versionnumber) VALUES ('zero', 0)`)
	pgExec(t, conn, `UPDATE thing SET name = 'a2', modifiedon = '2001-01-01Z' WHERE name = 'a'`)
	pgExec(t, conn, `INSERT INTO thing (name, versionnumber) VALUES ('own', 100)`)
	pgExec(t, conn, `UPDATE other SET name = 'b2', versionnumber = 200`)
	got := pgStrings(t, conn, `SELECT name || ' ' || versionnumber FROM (SELECT name, versionnumber FROM thing UNION ALL SELECT name, versionnumber FROM other) r ORDER BY versionnumber`)
	want := []string{"zero 3", "a2 4", "own 100", "b2 200"}
	if !slices.Equal(got, want) {
		t.Errorf("versionnumbers = %q, want %q", got, want)
	}
	var id string
	var created, modified time.Time
	var seq int64
	err := conn.QueryRow(context.Background(), `SELECT id, createdon, modifiedon, (SELECT value FROM sy_sequence) FROM thing WHERE name = 'a2'`).
		Scan(&id, &created, &modified, &seq)
	if err != nil {
		t.Fatal(err)
	}
	if !meta.IsGUIDText(id) || id != strings.ToLower(id) {
		t.Errorf("id %q is not a lower-case UUID", id)
	}
	if modified.Year() == 2001 || modified.Before(created) {
		t.Errorf("modifiedon %v after the update (createdon %v): set by hand, it must be stamped again", modified, created)
	}
	if seq != 4 {
		t.Errorf("sy_sequence's versionnumber = %d, want 4 (the last number taken)", seq)
	}
}

// TestPGClock: a transaction that sets switchyard.now stamps that time in the
// defaults, the update stamp and the upload queue; without it (plain SQL, also
// on a connection that set it in an earlier transaction) the transaction's
// start time.
func TestPGClock(t *testing.T) {
	ctx := context.Background()
	conn, _ := pgWorkspace(t)
	pgEntity(t, conn, meta.Entity{Name: "account", Fields: []meta.Field{{Name: "name", Type: meta.String}}})
	pgUploads(t, conn, "account", "crm")
	clock := time.Date(2026, 1, 31, 8, 15, 0, 123_000_000, time.UTC)
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, pgSetClockSQL, formatTime(clock)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO account (name) VALUES ('a'), ('b')`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE account SET name = 'b2' WHERE name = 'b'`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := clock.Format(time.RFC3339Nano)
	got := pgStrings(t, conn, `SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') FROM (
		SELECT createdon AS t FROM account UNION ALL SELECT modifiedon FROM account UNION ALL SELECT created_at FROM sy_integration_transaction) s`)
	// Two rows' createdon and modifiedon, and three changes queued.
	if len(got) != 7 || slices.ContainsFunc(got, func(s string) bool { return s != want }) {
		t.Errorf("stamps with the transaction's clock = %q, want 7 × %s", got, want)
	}
	var same bool
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO account (name) VALUES ('plain')`); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT bool_and(t = transaction_timestamp()) FROM (SELECT createdon AS t FROM account WHERE name = 'plain'
			UNION ALL SELECT created_at FROM sy_integration_transaction WHERE record_id = (SELECT id FROM account WHERE name = 'plain')) s`).Scan(&same)
	})
	if err != nil || !same {
		t.Errorf("plain SQL after a clocked transaction: stamped with transaction_timestamp() = %v, %v", same, err)
	}
}

// pgUploads makes integration upload entity.
func pgUploads(t *testing.T, c *pgx.Conn, entity, integration string) {
	t.Helper()
	pgExec(t, c, `INSERT INTO sy_integration (name, connector, created_at, updated_at) VALUES ($1, 'odata', now(), now())`, integration)
	pgExec(t, c, `INSERT INTO sy_entity_mapping (integration, position, external, local, direction) VALUES ($1, 0, 'X', $2, 'upload')`,
		integration, entity)
}
