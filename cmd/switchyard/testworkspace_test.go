package main

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for plain SQL on a PostgreSQL workspace

	"switchyard/core/store"
	"switchyard/internal/pgtest"
)

// TestMain gives the tests' PostgreSQL workspaces their team key (pgtest.Main).
func TestMain(m *testing.M) { pgtest.Main(m) }

// onPostgres reports whether the tests run on PostgreSQL workspaces
// (pgtest.BackendVar: scripts/test.sh runs this package on both backends).
func onPostgres() bool { return pgtest.OnPostgres() }

// testWorkspace returns a workspace that does not exist yet, for a test's
// --workspace: the file w.db in dir, or on PostgreSQL the URL of an empty
// schema of the test's own, dropped when the test ends.
func testWorkspace(t *testing.T, dir string) string {
	t.Helper()
	if onPostgres() {
		return pgtest.NewSchema(t).URL
	}
	return filepath.Join(dir, "w.db")
}

// openSQL opens the workspace ws for plain SQL, as another program would:
// the file with the sqlite3 driver, a PostgreSQL URL with pgx's.
func openSQL(t *testing.T, ws string) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite3", ws+"?_busy_timeout=5000"
	if store.IsPostgres(ws) {
		driver, dsn = "pgx", ws
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// assertNoWorkspace fails t when a workspace is at ws, which a failed
// command was to leave as it found it: the file, or on PostgreSQL anything in
// its schema (tables, views, sequences, indexes, functions, types).
func assertNoWorkspace(t *testing.T, ws string) {
	t.Helper()
	if left := workspaceObjects(t, ws); len(left) > 0 {
		t.Errorf("a failed command left its new workspace's objects in the schema: %v", left)
	}
	if _, err := os.Stat(ws); !store.IsPostgres(ws) && !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed command left a workspace file (%v)", err)
	}
}

// workspaceObjects returns what the schema of a PostgreSQL workspace holds
// (pgtest.Objects); none for a workspace file.
func workspaceObjects(t *testing.T, ws string) []string {
	t.Helper()
	if !store.IsPostgres(ws) {
		return nil
	}
	return pgtest.Objects(t, ws)
}

// tablesText returns every row of a PostgreSQL workspace's tables as text,
// what its database holds; "" for a workspace file (whose bytes the caller reads).
func tablesText(t *testing.T, ws string) string {
	t.Helper()
	if !store.IsPostgres(ws) {
		return ""
	}
	db := openSQL(t, ws)
	names, err := db.Query(`SELECT quote_ident(table_name) FROM information_schema.tables WHERE table_schema = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for names.Next() {
		var n string
		if err := names.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	names.Close()
	if len(tables) == 0 {
		t.Fatal("no tables in the workspace's schema")
	}
	var b strings.Builder
	for _, n := range tables {
		var rows sql.NullString
		if err := db.QueryRow(`SELECT string_agg(r::text, E'\n') FROM ` + n + ` r`).Scan(&rows); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		b.WriteString(rows.String + "\n")
	}
	return b.String()
}

// bindFor rewrites the ? placeholders of query as $1, $2, … for PostgreSQL.
// The tests' queries have no ? inside quotes.
func bindFor(ws, query string) string {
	if !store.IsPostgres(ws) {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
