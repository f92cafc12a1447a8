package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"time"

	"switchyard/core/meta"
)

// pgDialect is a PostgreSQL workspace (pgschema.go): the clock and
// capture-off are transaction-local settings, the catalog is
// information_schema and pg_catalog, and the migrations are
// migrations/postgres.
type pgDialect struct{}

func (pgDialect) postgres() bool { return true }

func (pgDialect) migrations() (fs.FS, string) {
	sub, err := fs.Sub(pgMigrationFS, "migrations/postgres")
	if err != nil {
		panic(err) // the folder is embedded: a programming error
	}
	return underMigrations{sub}, pgMigrationTableSQL
}

// lockMigrations takes a transaction advisory lock of the schema (seed 1,
// apart from the run locks' keys): machines that open a new workspace at
// once migrate it one after the other, the later ones finding it done.
func (pgDialect) lockMigrations(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(current_schema(), 1))`)
	return err
}

// afterMigrate: the triggers of every table are made by pgCreateTableSQL and
// call shared functions that the migrations keep current.
func (pgDialect) afterMigrate(context.Context, *Store) error { return nil }

func (pgDialect) setClock(ctx context.Context, tx *sql.Tx, now string) error {
	_, err := tx.ExecContext(ctx, pgSetClockSQL, now)
	return err
}

// clearClock: the setting ends with the transaction.
func (pgDialect) clearClock(context.Context, *sql.Tx) error { return nil }

func (pgDialect) captureOff(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, pgCaptureOffSQL)
	return err
}

// captureOn: the setting ends with the transaction.
func (pgDialect) captureOn(context.Context, *sql.Tx) error { return nil }

// readTx is a read-only snapshot, as SQLite's deferred transaction in WAL
// mode is: every statement sees the same committed data.
func (pgDialect) readTx() *sql.TxOptions {
	return &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
}

func (pgDialect) checkName(name string, field bool) error { return pgCheckName(name, field) }

func (pgDialect) createTable(e meta.Entity) []string {
	stmts := pgCreateTableSQL(e)
	return stmts[:len(stmts)-1] // the capture trigger: makeCapture
}

func (pgDialect) tableTaken(ctx context.Context, tx *sql.Tx, name string) (bool, error) {
	return exists(ctx, tx, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND lower(c.relname) = lower(?)`, name)
}

func (pgDialect) columnTaken(ctx context.Context, tx *sql.Tx, entity, name string) (bool, error) {
	return exists(ctx, tx, `SELECT count(*) FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = ? AND lower(column_name) = lower(?)`, entity, name)
}

func (pgDialect) columnDef(f meta.Field) string { return pgColumnDef(f) }

func (pgDialect) makeCapture(ctx context.Context, tx *sql.Tx, entity string, fields []meta.Field) error {
	stmts := []string{"DROP TRIGGER IF EXISTS " + pgCaptureTrigger + " ON " + quote(entity), pgCaptureSQL(entity, fields)}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create the change capture of %s: %w", entity, err)
		}
	}
	return nil
}

// pgNameLimit is the longest name PostgreSQL keeps; it cuts longer ones short.
const pgNameLimit = 63

// indexName is SQLite's name when it fits PostgreSQL's 63 bytes, else
// "sy_match_" and a hash of entity and field: a name cut short could be
// another index's, and CREATE INDEX IF NOT EXISTS would then make none.
func (d pgDialect) indexName(entity, field string) string {
	if name := (sqliteDialect{}).indexName(entity, field); len(name) <= pgNameLimit {
		return name
	}
	sum := sha256.Sum256([]byte(entity + "." + field))
	return "sy_match_" + hex.EncodeToString(sum[:16])
}

// openPostgresStore opens the PostgreSQL workspace at rawURL: the schema its
// connections have as search_path (options=-csearch_path=NAME), which must
// exist. An empty schema becomes a workspace, unless mustExist; one with
// tables but not Switchyard's is refused, as on SQLite.
func openPostgresStore(ctx context.Context, rawURL string, mustExist bool) (*Store, error) {
	name := redactURL(rawURL)
	db, err := openPostgres(rawURL)
	if err != nil {
		return nil, fmt.Errorf("open workspace %s: %w", name, err)
	}
	s := &Store{Now: time.Now, db: db, rdb: db, path: rawURL, d: pgDialect{}}
	if err := s.pgHoldInUse(ctx); err != nil { // before the schema is looked at: DiscardNew
		s.Close()
		return nil, fmt.Errorf("open workspace %s: %w", name, err)
	}
	schema, tables, ours, err := pgInspect(ctx, db)
	if err == nil && !schema.Valid && !mustExist && urlSchema(rawURL) != "" {
		// A new workspace in a schema that does not exist yet: made, as a
		// workspace file's folders are.
		if err = s.pgMakeSchema(ctx, urlSchema(rawURL)); err == nil {
			schema, tables, ours, err = pgInspect(ctx, db)
		}
	}
	switch {
	case err != nil:
		s.Close()
		return nil, fmt.Errorf("open workspace %s: %w", name, err)
	case !schema.Valid:
		s.Close()
		return nil, &WorkspaceError{Path: name, Err: ErrNoWorkspace}
	case ours > 0:
	case tables > 0:
		s.Close()
		return nil, &WorkspaceError{Path: name, Reason: "its schema " + schema.String + " holds tables but not Switchyard's", Err: ErrNotWorkspace}
	case mustExist:
		s.Close()
		return nil, &WorkspaceError{Path: name, Err: ErrNoWorkspace}
	}
	if err := s.pgReadAccess(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open workspace %s: its role's privileges: %w", name, err)
	}
	return s.start(ctx, name)
}

// name is the workspace as messages show it: its path, or its URL without
// the password.
func (s *Store) name() string {
	if s.d != nil && s.d.postgres() {
		return redactURL(s.path)
	}
	return s.path
}

// redactURL is rawURL without its password, for messages.
func redactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(a PostgreSQL URL that does not parse)"
	}
	return u.Redacted()
}
