package store

import (
	"context"
	"database/sql"
	"fmt"

	"switchyard/core/meta"
)

// pgRetypeColumn changes the column of field old of entity's table to the
// type of f, on PostgreSQL: ALTER COLUMN … TYPE … USING, which rewrites the
// table in place, keeping its rows (with their id, createdon, modifiedon
// and versionnumber: no trigger fires), indexes and triggers. changeField
// has refused a change that would lose values; a column whose values
// cannot all be converted holds none (keepsValues), and becomes NULL.
func pgRetypeColumn(ctx context.Context, tx *sql.Tx, entity string, old, f meta.Field) error {
	to := pgColumnTypes[f.Type]
	if pgColumnTypes[old.Type] == to {
		return nil
	}
	col := quote(f.Name)
	expr := "NULL"
	if keepsValues(old, f) {
		expr = pgConvertExpr(old.Type, f.Type, col)
	}
	_, err := tx.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s USING %s", quote(entity), col, to, expr))
	if err != nil {
		return fmt.Errorf("change the column's type: %w", err)
	}
	return nil
}

// pgConvertExpr is the SQL expression that turns the column col of type
// from into type to, giving what SQLite's rebuild gives (convertExpr): a
// date becomes midnight UTC, a boolean "true" or "false", a date-time the
// text the store reads.
func pgConvertExpr(from, to meta.Type, col string) string {
	switch {
	case from == meta.Date && to == meta.DateTime:
		return "to_char(" + col + ", 'YYYY-MM-DD') || 'T00:00:00.0000000Z'"
	case from == meta.DateTime && to == meta.String:
		// The value as the store reads it (pgRead): milliseconds when it is a whole millisecond.
		return "regexp_replace(" + col + "::text, '(\\.[0-9]{3})0000Z$', '\\1Z')"
	case from == meta.Date && to == meta.String:
		return "to_char(" + col + ", 'YYYY-MM-DD')"
	case from == meta.Bool && to == meta.String:
		return "CASE WHEN " + col + " THEN 'true' WHEN NOT " + col + " THEN 'false' END"
	case from == meta.Bool && to == meta.Int:
		return col + "::integer"
	}
	return col + "::" + pgColumnTypes[to]
}
