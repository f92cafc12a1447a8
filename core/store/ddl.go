package store

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"switchyard/core/meta"
)

// The system columns of every local entity table.
const (
	colID            = "id"
	colCreatedOn     = "createdon"
	colModifiedOn    = "modifiedon"
	colVersionNumber = "versionnumber"
)

// systemFields are the system columns as Entity reports them, after the business fields.
var systemFields = []meta.Field{
	{Name: colID, Label: "ID", Type: meta.GUID, ReadOnly: true},
	{Name: colCreatedOn, Label: "Created On", Type: meta.DateTime, ReadOnly: true},
	{Name: colModifiedOn, Label: "Modified On", Type: meta.DateTime, ReadOnly: true},
	{Name: colVersionNumber, Label: "Version Number", Type: meta.Int, ReadOnly: true},
}

// reservedColumns may not be used as business field names: the system
// columns and SQLite's names for the rowid.
var reservedColumns = map[string]bool{
	colID: true, colCreatedOn: true, colModifiedOn: true, colVersionNumber: true,
	"rowid": true, "oid": true, "_rowid_": true,
}

// identRE is what a local entity or field name may look like.
var identRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// uuidExpr is a SQL expression giving a new lower-case UUID version 4.
const uuidExpr = `lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || ` +
	`substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (random() & 3), 1) || ` +
	`substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))`

// sqliteNowExpr is SQLite's clock, as the workspace stores times. Only the
// column defaults use it (a default cannot read a table), and those serve
// only rows that another program inserts with plain SQL: the store's inserts
// write createdon and modifiedon themselves.
const sqliteNowExpr = `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`

// clockExpr is the time of the write transaction under way, for the
// triggers: the store's clock (Store.Now) from sy_clock, which the store
// fills for the length of each write transaction (see clocked); SQLite's
// clock for plain SQL from another program, which finds sy_clock empty.
const clockExpr = `coalesce((SELECT now FROM sy_clock), ` + sqliteNowExpr + `)`

// columnTypes is the SQLite column type that stores each field type.
var columnTypes = map[meta.Type]string{
	meta.String:   "TEXT",
	meta.Int:      "INTEGER",
	meta.Decimal:  "NUMERIC",
	meta.Double:   "REAL",
	meta.Bool:     "INTEGER", // 0 or 1
	meta.Date:     "TEXT",    // YYYY-MM-DD
	meta.DateTime: "TEXT",    // ISO 8601 in UTC
	meta.Time:     "TEXT",    // HH:MM:SS
	meta.GUID:     "TEXT",    // lower case
	meta.Binary:   "BLOB",
	meta.Lookup:   "TEXT", // the target row's id
}

// checkName reports why name cannot name a local entity or field, or nil when it can.
func checkName(name string) error {
	switch {
	case !identRE.MatchString(name):
		return errors.New("invalid name: use lower-case letters, digits and _, starting with a letter or _, at most 63 characters")
	case strings.HasPrefix(name, "sy_"):
		return errors.New("invalid name: names starting with sy_ are kept for Switchyard's own tables: choose another")
	case strings.HasPrefix(name, "sqlite_"):
		return errors.New("invalid name: names starting with sqlite_ are kept for SQLite: choose another")
	}
	return nil
}

// checkField reports what is wrong with f as a new field of entity, given
// whether a lookup's target exists as a local entity.
func checkField(entity string, f meta.Field, targetExists func(string) (bool, error)) error {
	if err := checkName(f.Name); err != nil {
		return fmt.Errorf("field %q: %w", f.Name, err)
	}
	if reservedColumns[f.Name] {
		return fmt.Errorf("field %q: the name is a system column (id, createdon, modifiedon, versionnumber): choose another", f.Name)
	}
	if !f.Type.Valid() {
		if _, err := meta.ParseType(string(f.Type)); err != nil {
			return fmt.Errorf("field %q: %w", f.Name, err)
		}
		// A valid name in the wrong case, e.g. "String".
		return fmt.Errorf("field %q: unknown field type %q: write it in lower case", f.Name, f.Type)
	}
	if f.Type != meta.Lookup {
		return nil
	}
	switch {
	case f.Target == "":
		return fmt.Errorf("field %q: a lookup needs a target: name the local entity it points to", f.Name)
	case f.Target == entity:
		return nil
	}
	ok, err := targetExists(f.Target)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("field %q: lookup target %q is not a local entity: create it first or point to an existing one", f.Name, f.Target)
	}
	return nil
}

// quote quotes an identifier (a table or column name) for SQL: the one way
// names are quoted. Only the store writes SQL: others pass it filters
// (filter.Expr), which it translates (sqlWhere).
func quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// columnDef is the column definition of a business field.
func columnDef(f meta.Field) string {
	return quote(f.Name) + " " + columnTypes[f.Type]
}

// createTableSQL returns the statements that create the table of a local
// entity and its stamping triggers.
func createTableSQL(name string, fields []meta.Field) []string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s (\n", quote(name))
	fmt.Fprintf(&b, "\t%s TEXT PRIMARY KEY NOT NULL DEFAULT (%s)", quote(colID), uuidExpr)
	for _, f := range fields {
		fmt.Fprintf(&b, ",\n\t%s", columnDef(f))
	}
	fmt.Fprintf(&b, ",\n\t%s TEXT NOT NULL DEFAULT (%s)", quote(colCreatedOn), sqliteNowExpr)
	fmt.Fprintf(&b, ",\n\t%s TEXT NOT NULL DEFAULT (%s)", quote(colModifiedOn), sqliteNowExpr)
	fmt.Fprintf(&b, ",\n\t%s INTEGER NOT NULL DEFAULT 0\n)", quote(colVersionNumber))
	return append([]string{b.String()}, triggerSQL(name)...)
}

// triggerSQL returns the triggers that stamp every row of a local entity table
// with the next workspace versionnumber on insert and update, and modifiedon
// on update (with the transaction's time, clockExpr). The insert trigger skips rows inserted with a versionnumber
// already (Tx.Insert stamps its rows itself, see stamp.go). The update
// trigger skips updates that change versionnumber themselves: that is how
// the stamping update of the insert trigger (and any deliberate stamp)
// avoids being stamped again.
func triggerSQL(name string) []string {
	t := quote(name)
	next := `UPDATE sy_sequence SET value = value + 1 WHERE name = 'versionnumber';`
	value := `(SELECT value FROM sy_sequence WHERE name = 'versionnumber')`
	insert := fmt.Sprintf(`CREATE TRIGGER %s AFTER INSERT ON %s FOR EACH ROW
%s
BEGIN
	%s
	UPDATE %s SET %s = %s WHERE %s = NEW.%s;
END`, quote("sy_"+name+"_stamp_insert"), t, stampInsertWhen, next, t, quote(colVersionNumber), value, quote(colID), quote(colID))
	update := fmt.Sprintf(`CREATE TRIGGER %s AFTER UPDATE ON %s FOR EACH ROW
WHEN NEW.%s IS OLD.%s
BEGIN
	%s
	UPDATE %s SET %s = %s, %s = %s WHERE %s = NEW.%s;
END`, quote("sy_"+name+"_stamp_update"), t, quote(colVersionNumber), quote(colVersionNumber),
		next, t, quote(colVersionNumber), value, quote(colModifiedOn), clockExpr, quote(colID), quote(colID))
	return []string{insert, update}
}
