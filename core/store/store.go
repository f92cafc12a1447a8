// Package store is the workspace: one SQLite file holding the local entities
// (one table each) and every integration's configuration, schema snapshots,
// run logs, anchors and transactions. docs/workspace.md describes the layout.
//
// Every public method runs in one transaction and delegates to unexported
// (ctx, tx, ...) helpers, in the style of WTF Dial.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"switchyard/core/values"
)

// ErrNotFound is returned, wrapped with the name of what is missing, when an
// integration, entity or snapshot does not exist.
var ErrNotFound = errors.New("not found")

// ErrNewerWorkspace is returned by Open when the workspace was migrated by a
// newer Switchyard than this one.
var ErrNewerWorkspace = errors.New("workspace written by a newer Switchyard")

// ErrExists is returned, wrapped with the name of what is taken, when a
// create or rename would clash with something that already exists.
var ErrExists = errors.New("already exists")

// memoryPath is the path that opens a private in-memory workspace.
const memoryPath = ":memory:"

// busyTimeout is how long a statement waits for another connection's lock.
const busyTimeout = 5 * time.Second

// Store is an open workspace.
type Store struct {
	// Now is the workspace's one clock; tests replace it. Open sets it to
	// time.Now. A write transaction reads it once when it begins, and every
	// time it stores is that one: stamps, the upload queue, the quarantine,
	// and what the triggers stamp (they read it from sy_clock).
	Now func() time.Time

	created bool // this Open made the workspace (Created)
	// madeSchema is the PostgreSQL schema this Open created (the URL named
	// one that did not exist), which DiscardNew drops again; "" otherwise.
	madeSchema string
	inUse      *sql.Conn // PostgreSQL: holds the workspace's in-use lock while the store is open (pgHoldInUse)

	db   *sql.DB // writers: each transaction takes the write lock when it begins
	rdb  *sql.DB // readers: deferred, query-only transactions that never wait for a writer (WAL)
	path string
	d    dialect // SQLite or PostgreSQL (dialect.go)
	// role is the PostgreSQL role the workspace was opened as, and readOnly
	// whether it may only read it (pg_roles.go); "" and false on SQLite.
	role     string
	readOnly bool
}

// driverName is SQLite's driver with the connection settings the DSN cannot
// carry.
const driverName = "switchyard-sqlite3"

// walCheckpointPages is how many pages the WAL file grows to before a commit
// copies them into the workspace file: 4,000 (16 MB of 4 KiB pages) instead of
// SQLite's 1,000, so that a large import copies the pages it changes again and
// again once per 16 MB rather than per 4 MB (its writes about 10 % faster).
const walCheckpointPages = 4000

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec(fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", walCheckpointPages), nil)
		return err
	}})
}

// Open opens the workspace at path, creating the file and any missing parent
// folders, and applies the migrations it lacks. The path ":memory:" opens a
// private in-memory workspace (for tests). A workspace migrated by a newer
// Switchyard is refused with ErrNewerWorkspace; an existing file that is not a
// workspace (a folder, not SQLite, or an SQLite database with tables but none
// of Switchyard's) with a *WorkspaceError wrapping ErrNotWorkspace, and it is
// left as it is. An empty file, or an SQLite database without tables, becomes
// a workspace.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, false)
}

// OpenExisting opens the workspace at path like Open, but only one that is
// there: it creates neither the file nor its folders. A missing file is
// refused with a *WorkspaceError wrapping ErrNoWorkspace; a file that is not
// a Switchyard workspace (a folder, an empty file, not SQLite, or SQLite
// without Switchyard's tables) with one wrapping ErrNotWorkspace, and it is
// left as it is. A workspace of an older Switchyard is migrated as by Open.
func OpenExisting(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, true)
}

// ErrNoWorkspace is returned (as a *WorkspaceError) by OpenExisting when no
// file is at the path.
var ErrNoWorkspace = errors.New("no workspace")

// ErrNotWorkspace is returned (as a *WorkspaceError) by Open and OpenExisting
// when the file at the path is not a Switchyard workspace.
var ErrNotWorkspace = errors.New("not a Switchyard workspace")

// WorkspaceError says that no workspace is at Path (Err is ErrNoWorkspace),
// or that the file there is not one (Err is ErrNotWorkspace) and why.
type WorkspaceError struct {
	// Path is the path as it was given.
	Path string
	// Reason says what the file is instead, e.g. "it is a folder"; empty with ErrNoWorkspace.
	Reason string
	// Err is ErrNoWorkspace or ErrNotWorkspace.
	Err error
}

func (e *WorkspaceError) Error() string {
	if errors.Is(e.Err, ErrNoWorkspace) {
		return "no workspace at " + e.Path
	}
	return fmt.Sprintf("open workspace %s: not a Switchyard workspace: %s", e.Path, e.Reason)
}

// Unwrap returns ErrNoWorkspace or ErrNotWorkspace.
func (e *WorkspaceError) Unwrap() error { return e.Err }

func open(ctx context.Context, path string, mustExist bool) (*Store, error) {
	if strings.TrimSpace(path) == "" {
		return nil, errors.New("open workspace: the path is empty: name a workspace file such as switchyard.db")
	}
	if IsPostgres(path) {
		return openPostgresStore(ctx, path, mustExist)
	}
	dsn, err := prepareMode(ctx, path, mustExist)
	var we *WorkspaceError
	if errors.As(err, &we) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("open workspace %s: %w", path, err)
	}
	db, err := sql.Open(driverName, dsn+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open workspace %s: %w", path, err)
	}
	rdb := db
	if path == memoryPath {
		// Every connection to :memory: is a database of its own: keep one, for reads too.
		db.SetMaxOpenConns(1)
	} else if rdb, err = sql.Open(driverName, dsn+"&_txlock=deferred&_query_only=true"); err != nil {
		db.Close()
		return nil, fmt.Errorf("open workspace %s: %w", path, err)
	}
	return (&Store{Now: time.Now, db: db, rdb: rdb, path: path, d: sqliteDialect{}}).start(ctx, path)
}

// start makes s, just opened, ready for use: it checks the connection,
// applies the migrations the workspace lacks and brings its triggers up to
// date. On failure it closes s; name is the workspace as errors show it.
func (s *Store) start(ctx context.Context, name string) (*Store, error) {
	if err := s.db.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open workspace %s: %w", name, err)
	}
	fsys, _ := s.d.migrations()
	if err := s.migrate(ctx, fsys); err != nil {
		s.Close()
		err = s.denied(err)
		if errors.Is(err, ErrNewerWorkspace) || errors.Is(err, ErrReadOnly) || errors.Is(err, ErrPrivilege) { // they name the workspace
			return nil, err
		}
		return nil, fmt.Errorf("open workspace %s: %w", name, err)
	}
	if err := s.d.afterMigrate(ctx, s); err != nil {
		s.Close()
		return nil, fmt.Errorf("open workspace %s: %w", name, err)
	}
	return s, nil
}

// prepare creates the workspace file's parent folders (and the file itself,
// readable by its owner only, since it holds secrets) and returns the DSN.
func prepare(path string) (string, error) {
	return prepareMode(context.Background(), path, false)
}

// prepareMode is prepare; with mustExist it creates nothing and refuses a
// missing file. Either way, an existing file must be a Switchyard workspace
// (see Open and OpenExisting): it is inspected without being changed.
func prepareMode(ctx context.Context, path string, mustExist bool) (string, error) {
	params := url.Values{}
	params.Set("_foreign_keys", "on")
	params.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
	if path == memoryPath {
		return memoryPath + "?" + params.Encode(), nil
	}
	params.Set("_journal_mode", "WAL")
	// A 16 MB page cache (SQLite's default is 2 MB), for the index an import
	// matches by. Ids are time-ordered, so their index is written at its end
	// and needs little cache; 32 MB wrote no faster and cost its memory.
	params.Set("_cache_size", "-16384")
	params.Set("_synchronous", "NORMAL")
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("resolve path: %w", err)
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, os.ErrNotExist) && mustExist:
		return "", &WorkspaceError{Path: path, Err: ErrNoWorkspace}
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			return "", fmt.Errorf("create folder: %w", err)
		}
		f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		switch {
		case err == nil:
			f.Close()
		case !errors.Is(err, os.ErrExist):
			return "", fmt.Errorf("create file: %w", err)
		}
	case err != nil:
		return "", err
	case fi.IsDir():
		return "", &WorkspaceError{Path: path, Reason: "it is a folder", Err: ErrNotWorkspace}
	}
	if err := checkWritable(abs); err != nil {
		return "", err
	}
	if err := inspect(ctx, path, abs, mustExist); err != nil {
		return "", err
	}
	// A file: URI, so that names holding '?', '#' or '%' survive.
	slashed := filepath.ToSlash(abs)
	if !strings.HasPrefix(slashed, "/") {
		slashed = "/" + slashed // Windows: file:///C:/...
	}
	u := url.URL{Scheme: "file", Path: slashed}
	return u.String() + "?" + params.Encode(), nil
}

// sqliteHeader starts every SQLite database file.
const sqliteHeader = "SQLite format 3\x00"

// inspect checks that the existing file abs (path as given) is a Switchyard
// workspace, without changing it: an SQLite database holding sy_migration.
// Unless mustExist, an empty file or an SQLite database without any table
// passes too (it becomes a new workspace).
func inspect(ctx context.Context, path, abs string, mustExist bool) error {
	notWorkspace := func(reason string) error {
		return &WorkspaceError{Path: path, Reason: reason, Err: ErrNotWorkspace}
	}
	f, err := os.Open(abs)
	if err != nil {
		return err
	}
	head := make([]byte, len(sqliteHeader))
	n, _ := io.ReadFull(f, head)
	f.Close()
	switch {
	case n == 0 && mustExist:
		return notWorkspace("the file is empty")
	case n == 0:
		return nil
	case string(head[:n]) != sqliteHeader:
		return notWorkspace("it is not a database (no SQLite header)")
	}
	// A plain connection that creates nothing and sets no journal mode, so
	// that a database of another program is read and left as it was.
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path
	}
	db, err := sql.Open(driverName, u.String()+"?mode=rw&_busy_timeout="+fmt.Sprint(busyTimeout.Milliseconds()))
	if err != nil {
		return err
	}
	defer db.Close()
	var tables, ours int
	err = db.QueryRowContext(ctx, `SELECT count(*), count(CASE WHEN name = 'sy_migration' THEN 1 END)
FROM sqlite_master WHERE type = 'table'`).Scan(&tables, &ours)
	var se sqlite3.Error
	switch {
	case errors.As(err, &se) && (se.Code == sqlite3.ErrNotADB || se.Code == sqlite3.ErrCorrupt):
		return notWorkspace(fmt.Sprintf("it is a damaged SQLite database (%v)", err))
	case err != nil:
		return fmt.Errorf("read its tables: %w", err)
	case ours > 0:
		return nil
	case tables > 0 || mustExist:
		return notWorkspace("it is an SQLite database without Switchyard's tables")
	}
	return nil
}

// checkWritable says plainly when the workspace file or its folder cannot be
// written, which SQLite would only report as "unable to open database file".
func checkWritable(abs string) error {
	f, err := os.OpenFile(abs, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("the workspace file is read-only (%w): fix its permissions, or copy it to a writable place", err)
	}
	f.Close()
	probe, err := os.CreateTemp(filepath.Dir(abs), ".switchyard-write-check-*")
	if err != nil {
		return fmt.Errorf("the folder %s is read-only (%w): SQLite writes its -wal and -shm files beside the workspace, so the folder must be writable", filepath.Dir(abs), err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// Close closes the workspace.
func (s *Store) Close() error {
	s.pgReleaseInUse()
	if s.rdb != s.db {
		s.rdb.Close()
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close workspace %s: %w", s.name(), err)
	}
	return nil
}

// Path returns the path the workspace was opened with.
func (s *Store) Path() string { return s.path }

// now returns the current time in UTC, rounded to what the workspace stores:
// Store.Now, the workspace's one clock.
func (s *Store) now() time.Time {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return now().UTC().Truncate(time.Millisecond)
}

// inTx runs fn in one write transaction, committing when it returns nil; a
// read-only workspace refuses it with a *ReadOnlyError (pg_roles.go).
// Writers take the write lock when they begin, so that a transaction that
// reads first never fails with SQLITE_BUSY when it comes to write.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.inTxAt(ctx, func(tx *sql.Tx, _ time.Time) error { return fn(tx) })
}

// inTxAt is inTx giving fn the transaction's time: Store.Now, read once when
// the transaction begins, and what the triggers stamp (see clocked).
func (s *Store) inTxAt(ctx context.Context, fn func(tx *sql.Tx, now time.Time) error) error {
	if s.readOnly {
		return s.readOnlyError()
	}
	now := s.now()
	return s.denied(runTx(ctx, s.db, nil, s.clocked(ctx, now, func(tx *sql.Tx) error { return fn(tx, now) })))
}

// inConnTx is inTxAt on a connection of its own, which fn may also use
// directly (sql.Conn.Raw) within the transaction.
func (s *Store) inConnTx(ctx context.Context, fn func(conn *sql.Conn, tx *sql.Tx, now time.Time) error) error {
	if s.readOnly {
		return s.readOnlyError()
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer conn.Close()
	now := s.now()
	tx, err := conn.BeginTx(ctx, nil)
	return s.denied(finishTx(tx, err, s.clocked(ctx, now, func(tx *sql.Tx) error { return fn(conn, tx, now) })))
}

// clocked wraps fn, the work of a write transaction, so that the
// transaction's time now is the workspace's clock while fn runs: the
// triggers stamp modifiedon and the upload queue's created_at from it
// instead of from the database's clock. On SQLite it is the single row of
// sy_clock (clockExpr), deleted again before the transaction commits, so no
// other connection ever sees it; on PostgreSQL a transaction-local setting.
func (s *Store) clocked(ctx context.Context, now time.Time, fn func(tx *sql.Tx) error) func(tx *sql.Tx) error {
	return func(tx *sql.Tx) error {
		if err := s.d.setClock(ctx, tx, formatTime(now)); err != nil {
			return fmt.Errorf("set the transaction's clock: %w", err)
		}
		if err := fn(tx); err != nil {
			return err
		}
		if err := s.d.clearClock(ctx, tx); err != nil {
			return fmt.Errorf("clear the transaction's clock: %w", err)
		}
		return nil
	}
}

// inReadTx runs fn in one read-only transaction: a consistent snapshot that,
// in WAL mode, neither waits for nor blocks a writer.
func (s *Store) inReadTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.denied(runTx(ctx, s.rdb, s.d.readTx(), fn))
}

func runTx(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, opts)
	return finishTx(tx, err, fn)
}

// finishTx runs fn in tx, just begun (with err), and commits it when fn
// returns nil, else rolls it back.
func finishTx(tx *sql.Tx, err error, fn func(tx *sql.Tx) error) error {
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// formatTime renders t as the workspace stores its own times (runs, locks,
// snapshots): ISO 8601 in UTC with milliseconds (values.FormatMillis), the
// same text strftime('%Y-%m-%dT%H:%M:%fZ','now') gives, so that they sort as
// text.
func formatTime(t time.Time) string { return values.FormatMillis(t) }

// parseTime reads a time stored by formatTime or by SQLite's strftime, in UTC.
func parseTime(s string) (time.Time, error) {
	t, err := values.ParseDateTime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("read time: %w", err)
	}
	return t, nil
}

// boolInt stores a bool as SQLite's 0 or 1.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
