package store

import (
	"context"
	"database/sql"
	"io/fs"
	"strings"

	"switchyard/core/meta"
)

// dialect is what differs between the workspace's two backends, SQLite (a
// file, the default) and PostgreSQL (a schema, issue 19): the store's SQL is
// otherwise one text for both, written with ? placeholders (PostgreSQL's
// connection rebinds them, pgdriver.go). Open chooses the dialect from the
// workspace's name: a postgres:// or postgresql:// URL is PostgreSQL,
// anything else a path.
type dialect interface {
	// postgres reports whether the workspace is on PostgreSQL.
	postgres() bool
	// migrations returns the backend's migrations (as loadMigrations reads
	// them) and the statement that creates sy_migration.
	migrations() (fs.FS, string)
	// lockMigrations makes the transaction the only one that migrates the
	// workspace until it ends.
	lockMigrations(ctx context.Context, tx *sql.Tx) error
	// afterMigrate brings the triggers of a workspace of an older
	// Switchyard up to date.
	afterMigrate(ctx context.Context, s *Store) error
	// setClock makes now (formatTime) the write transaction's clock, which
	// the triggers and column defaults stamp; clearClock ends it before the
	// transaction commits.
	setClock(ctx context.Context, tx *sql.Tx, now string) error
	clearClock(ctx context.Context, tx *sql.Tx) error
	// captureOff turns change capture off in the transaction (Apply);
	// captureOn turns it back on before it commits.
	captureOff(ctx context.Context, tx *sql.Tx) error
	captureOn(ctx context.Context, tx *sql.Tx) error
	// readTx is the options of a read-only transaction (View).
	readTx() *sql.TxOptions
	// checkName reports why name cannot name an entity (field false) or a
	// field (field true) beyond checkName and checkField.
	checkName(name string, field bool) error
	// createTable returns the statements that create an entity's table with
	// its stamping; makeCapture then creates its change capture.
	createTable(e meta.Entity) []string
	// tableTaken reports whether a table, view or index is called name (in
	// any case).
	tableTaken(ctx context.Context, tx *sql.Tx, name string) (bool, error)
	// columnTaken reports whether entity's table has a column called name (in any case).
	columnTaken(ctx context.Context, tx *sql.Tx, entity, name string) (bool, error)
	// addColumn returns the column definition of a new field.
	columnDef(f meta.Field) string
	// makeCapture (re)creates the change capture of entity with its fields.
	makeCapture(ctx context.Context, tx *sql.Tx, entity string, fields []meta.Field) error
	// indexName is the name of the index IndexField makes on entity.field.
	indexName(entity, field string) string
}

// sqliteDialect is the SQLite file: the clock and capture-off are rows of
// sy_clock and sy_capture_off, inspected and repaired through sqlite_schema.
type sqliteDialect struct{}

func (sqliteDialect) postgres() bool { return false }

func (sqliteDialect) migrations() (fs.FS, string) {
	return migrationFS, `CREATE TABLE IF NOT EXISTS sy_migration (
	version    INTEGER PRIMARY KEY NOT NULL,
	name       TEXT    NOT NULL,
	applied_at TEXT    NOT NULL
)`
}

// lockMigrations: a write transaction holds SQLite's write lock from its start.
func (sqliteDialect) lockMigrations(context.Context, *sql.Tx) error { return nil }

func (sqliteDialect) afterMigrate(ctx context.Context, s *Store) error {
	if err := s.ensureCapture(ctx); err != nil {
		return &afterMigrateError{"set up change capture", err}
	}
	if err := s.ensureStamp(ctx); err != nil {
		return &afterMigrateError{"update the stamping triggers", err}
	}
	return nil
}

// afterMigrateError says which repair after the migrations failed.
type afterMigrateError struct {
	what string
	err  error
}

func (e *afterMigrateError) Error() string { return e.what + ": " + e.err.Error() }
func (e *afterMigrateError) Unwrap() error { return e.err }

func (sqliteDialect) setClock(ctx context.Context, tx *sql.Tx, now string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sy_clock (id, now) VALUES (1, ?)`, now)
	return err
}

func (sqliteDialect) clearClock(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sy_clock`)
	return err
}

func (sqliteDialect) captureOff(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO sy_capture_off (id) VALUES (1)`)
	return err
}

func (sqliteDialect) captureOn(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sy_capture_off`)
	return err
}

// readTx: the store's reading connection is deferred and query-only already.
func (sqliteDialect) readTx() *sql.TxOptions { return nil }

func (sqliteDialect) checkName(string, bool) error { return nil }

func (sqliteDialect) createTable(e meta.Entity) []string { return createTableSQL(e.Name, e.Fields) }

func (sqliteDialect) tableTaken(ctx context.Context, tx *sql.Tx, name string) (bool, error) {
	return exists(ctx, tx, `SELECT count(*) FROM sqlite_schema WHERE type IN ('table', 'view', 'index') AND lower(name) = lower(?)`, name)
}

func (sqliteDialect) columnTaken(ctx context.Context, tx *sql.Tx, entity, name string) (bool, error) {
	return exists(ctx, tx, `SELECT count(*) FROM pragma_table_info(?) WHERE lower(name) = lower(?)`, entity, name)
}

func (sqliteDialect) columnDef(f meta.Field) string { return columnDef(f) }

func (sqliteDialect) makeCapture(ctx context.Context, tx *sql.Tx, entity string, fields []meta.Field) error {
	return makeSQLiteCapture(ctx, tx, entity, fields)
}

func (sqliteDialect) indexName(entity, field string) string {
	return "sy_match_" + entity + "." + field
}

// IsPostgres reports whether spec, a workspace as Open takes it, names a
// PostgreSQL workspace (a postgres:// or postgresql:// URL) rather than a
// file.
func IsPostgres(spec string) bool {
	return strings.HasPrefix(spec, "postgres://") || strings.HasPrefix(spec, "postgresql://")
}
