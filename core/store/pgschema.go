package store

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"switchyard/core/meta"
	"switchyard/core/values"
)

// The schema of the PostgreSQL workspace (issue 19), which the store does not
// use yet: its migrations (migrations/postgres/, one baseline at the current
// schema version), and the SQL that makes a local entity's table, stamping
// and change capture, as ddl.go and capture.go make them on SQLite.
// docs/workspace.md, "PostgreSQL workspaces", describes the layout and every
// difference from SQLite.
//
// The SQLite workspace's sy_clock and sy_capture_off tables become two
// transaction-local settings (set_config(…, true), i.e. SET LOCAL): they are
// gone when the transaction ends, no other session sees them, they write
// nothing and lock nothing, so concurrent writers do not queue on a row.

// pgMigrationFS holds the PostgreSQL workspace's migrations, numbered as the
// SQLite ones: 0009_baseline.sql creates the schema of version 9 at once, and
// each later SQLite migration has its PostgreSQL counterpart of the same number.
//
//go:embed migrations/postgres/*.sql
var pgMigrationFS embed.FS

// pgMigrationTableSQL creates sy_migration, the migrations applied, before
// the migrations run (as migrate does on SQLite).
const pgMigrationTableSQL = `CREATE TABLE IF NOT EXISTS sy_migration (
	version    bigint      PRIMARY KEY NOT NULL,
	name       text        NOT NULL,
	applied_at timestamptz NOT NULL
)`

// The transaction-local settings the PostgreSQL workspace's defaults and
// triggers read (current_setting(name, true)).
const (
	// pgClockSetting is the write transaction's time, the one clock (sy_now()
	// in SQL): what SQLite's sy_clock holds. Unset, it is transaction_timestamp().
	pgClockSetting = "switchyard.now"
	// pgCaptureSetting is "off" while change capture is off: what a row in
	// SQLite's sy_capture_off says.
	pgCaptureSetting = "switchyard.capture"
)

// pgSetClockSQL sets the write transaction's clock to $1, a time in the
// workspace's text form (formatTime), for the rest of the transaction.
const pgSetClockSQL = `SELECT set_config('` + pgClockSetting + `', $1, true)`

// pgCaptureOffSQL turns change capture off for the rest of the transaction.
const pgCaptureOffSQL = `SELECT set_config('` + pgCaptureSetting + `', 'off', true)`

// pgColumnTypes is the PostgreSQL column type that stores each field type.
var pgColumnTypes = map[meta.Type]string{
	meta.String:   "text",
	meta.Int:      "bigint",
	meta.Decimal:  "numeric", // unconstrained: every value exactly as given, never rounded
	meta.Double:   "double precision",
	meta.Bool:     "boolean",
	meta.Date:     "date",
	meta.DateTime: "sy_datetime", // text, UTC, exactly seven fractional digits (pgDateTime)
	meta.Time:     "text",        // as received: HH:MM, HH:MM:SS or with any fraction
	meta.GUID:     "text",        // lower case
	meta.Binary:   "bytea",
	meta.Lookup:   "text", // the target row's id
}

// pgSystemColumns are the names of PostgreSQL's own columns of every table,
// which no field may take (CREATE TABLE refuses them).
var pgSystemColumns = []string{"tableoid", "xmin", "cmin", "xmax", "cmax", "ctid"}

// pgCheckName reports why name cannot name a local entity (field false) or
// field (field true) of a PostgreSQL workspace beyond what checkName and
// checkField say, or nil when it can.
func pgCheckName(name string, field bool) error {
	switch {
	case !field && strings.HasPrefix(name, "pg_"):
		return errors.New("invalid name: names starting with pg_ are kept for PostgreSQL: choose another")
	case field && slices.Contains(pgSystemColumns, name):
		return fmt.Errorf("invalid name: %s is a PostgreSQL system column: choose another", name)
	}
	return nil
}

// pgDateTime writes t as a datetime field of a PostgreSQL workspace stores it
// (the sy_datetime domain): UTC, always seven fractional digits, so that the
// text keeps 100-ns precision exactly and sorts in time order. It reads back
// with values.ParseDateTime.
func pgDateTime(t time.Time) string { return t.UTC().Format(values.FineLayout) }

// pgColumnDef is the column definition of a business field.
func pgColumnDef(f meta.Field) string {
	return quote(f.Name) + " " + pgColumnTypes[f.Type]
}

// pgCreateTableSQL returns the statements that create the table of a local
// entity of a PostgreSQL workspace, its stamping, its version gate
// (pgGateSQL), its notification of the workspace watch (pgNotifySQL) and
// its change capture (last). The
// column defaults stamp a plain INSERT whole: a new UUID, the clock, the next
// versionnumber.
func pgCreateTableSQL(e meta.Entity) []string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s (\n", quote(e.Name))
	fmt.Fprintf(&b, "\t%s text PRIMARY KEY NOT NULL DEFAULT gen_random_uuid()::text", quote(colID))
	for _, f := range e.Fields {
		fmt.Fprintf(&b, ",\n\t%s", pgColumnDef(f))
	}
	fmt.Fprintf(&b, ",\n\t%s timestamptz NOT NULL DEFAULT sy_now()", quote(colCreatedOn))
	fmt.Fprintf(&b, ",\n\t%s timestamptz NOT NULL DEFAULT sy_now()", quote(colModifiedOn))
	fmt.Fprintf(&b, ",\n\t%s bigint NOT NULL DEFAULT nextval('sy_versionnumber')\n)", quote(colVersionNumber))
	return append(append([]string{b.String()}, pgStampSQL(e.Name)...), pgGateSQL(e.Name), pgNotifySQL(e.Name), pgCaptureSQL(e.Name, e.Fields))
}

// The names of the triggers on every local entity table of a PostgreSQL
// workspace. PostgreSQL names triggers per table, so they need not carry the
// entity's name (which could make them longer than 63 bytes).
const (
	pgStampInsertTrigger = "sy_stamp_insert"
	pgStampUpdateTrigger = "sy_stamp_update"
	pgCaptureTrigger     = "sy_capture"
)

// pgStampSQL returns the stamping triggers of a local entity table, which run
// sy_stamp() (migrations/postgres) before the row is written, so that a
// write is one row version: an insert that arrives with versionnumber 0 takes
// the next number; an update that does not change versionnumber itself takes
// the next number and modifiedon = the clock (so modifiedon set by hand does
// not stick, and an update that sets a new versionnumber is a stamp, as on
// SQLite). The WHEN conditions are checked without calling the function, so
// rows the store stamps itself cost nothing more.
func pgStampSQL(name string) []string {
	t, v := quote(name), quote(colVersionNumber)
	return []string{
		fmt.Sprintf("CREATE TRIGGER %s BEFORE INSERT ON %s FOR EACH ROW WHEN (NEW.%s = 0) EXECUTE FUNCTION sy_stamp()",
			pgStampInsertTrigger, t, v),
		fmt.Sprintf("CREATE TRIGGER %s BEFORE UPDATE ON %s FOR EACH ROW WHEN (NEW.%s IS NOT DISTINCT FROM OLD.%s) EXECUTE FUNCTION sy_stamp()",
			pgStampUpdateTrigger, t, v, v),
	}
}

// pgCaptureSQL returns the change capture trigger of a local entity table
// with the given business fields: after each insert, update and delete,
// sy_capture() queues the change for every integration that uploads the
// entity, unless the transaction turned capture off (pgCaptureOffSQL). Its
// arguments are the binary fields, which the values kept in data leave out
// (as on SQLite); it must be made again when a binary field is added. Other
// new fields need nothing: data holds every column of the row.
func pgCaptureSQL(name string, fields []meta.Field) string {
	var args []string
	for _, f := range fields {
		if f.Type == meta.Binary {
			args = append(args, "'"+strings.ReplaceAll(f.Name, "'", "''")+"'")
		}
	}
	return fmt.Sprintf("CREATE TRIGGER %s AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW\n"+
		"WHEN (current_setting('%s', true) IS DISTINCT FROM 'off') EXECUTE FUNCTION sy_capture(%s)",
		pgCaptureTrigger, quote(name), pgCaptureSetting, strings.Join(args, ", "))
}

// pgMigrations returns the PostgreSQL workspace's migrations, in order.
func pgMigrations() ([]migration, error) {
	sub, err := fs.Sub(pgMigrationFS, "migrations/postgres")
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL migrations: %w", err)
	}
	return loadMigrations(underMigrations{sub})
}

// underMigrations shows the files of an fs.FS inside a folder "migrations",
// where loadMigrations looks for them.
type underMigrations struct{ fs.FS }

// Open opens "migrations" as the FS's root and "migrations/x" as its "x".
func (u underMigrations) Open(name string) (fs.File, error) {
	if name == "migrations" {
		return u.FS.Open(".")
	}
	if rest, ok := strings.CutPrefix(name, "migrations/"); ok {
		return u.FS.Open(rest)
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}
