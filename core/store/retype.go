package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"switchyard/core/mapping"
	"switchyard/core/meta"
)

// ChangeField changes the field f.Name of the local entity called entity to
// f: its type and lookup target, label, length, precision and scale. The
// data is kept. When the column's type changes the table is rebuilt in one
// transaction: a new table is made with the changed column, every row is
// copied (with its id, createdon, modifiedon and versionnumber unchanged, and
// without being stamped as a change), the old table is dropped, the new one
// takes its name, and its indexes and triggers are made again. A change that
// would lose data (text to a number, a lookup to another entity) is refused
// while the column holds values, naming how many. It fails with ErrNotFound
// when the entity or field does not exist.
func (s *Store) ChangeField(ctx context.Context, entity string, f meta.Field) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error { return changeField(ctx, tx, s.d, entity, f) })
	if err != nil {
		return fmt.Errorf("change field %q of entity %q: %w", f.Name, entity, err)
	}
	return nil
}

func changeField(ctx context.Context, tx *sql.Tx, d dialect, entity string, f meta.Field) error {
	e, err := loadEntity(ctx, tx, entity)
	if err != nil {
		return err
	}
	old, ok := e.Field(f.Name)
	if !ok || reservedColumns[f.Name] {
		return fmt.Errorf("field %q: %w: add it first", f.Name, ErrNotFound)
	}
	if err := checkField(entity, f, func(n string) (bool, error) { return entityExists(ctx, tx, n) }); err != nil {
		return err
	}
	if f.Type != meta.Lookup {
		f.Target = ""
	}
	sameType := old.Type == f.Type && old.Target == f.Target
	if !sameType && !keepsValues(old, f) {
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+quote(entity)+` WHERE `+quote(f.Name)+` IS NOT NULL`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%d row(s) hold %s values that %s cannot hold without loss: clear them first (UPDATE %s SET %s = NULL) or choose a type that holds them",
				n, describeField(old), describeField(f), quote(entity), quote(f.Name))
		}
	}
	if d.postgres() {
		if err := pgRetypeColumn(ctx, tx, entity, old, f); err != nil { // pg_retype.go
			return err
		}
	} else if columnTypes[old.Type] != columnTypes[f.Type] || (old.Type == meta.Date && f.Type == meta.DateTime) || (old.Type == meta.Bool && f.Type == meta.String) {
		if err := rebuildTable(ctx, tx, entity, f.Name, convertExpr(old.Type, f.Type, quote(f.Name)), columnTypes[f.Type]); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE sy_field SET label = ?, type = ?, target = ?, nullable = ?, max_length = ?, precision = ?, scale = ?
WHERE entity = ? AND name = ?`, f.Label, string(f.Type), f.Target, boolInt(f.Nullable), f.MaxLength, f.Precision, f.Scale, entity, f.Name)
	if err != nil {
		return fmt.Errorf("record field: %w", err)
	}
	// A field now binary leaves the deleted row's JSON.
	if e, err = loadEntity(ctx, tx, entity); err != nil {
		return err
	}
	return d.makeCapture(ctx, tx, entity, e.Fields)
}

// keepsValues reports whether every value of old fits the changed field f.
func keepsValues(old, f meta.Field) bool {
	if old.Type == meta.Lookup || f.Type == meta.Lookup {
		// A lookup holds local row ids: only text can take them, and only a lookup to the same target gives them.
		return f.Type == meta.String || (old.Type == meta.Lookup && f.Type == meta.Lookup && old.Target == f.Target)
	}
	return mapping.Convertible(old.Type, f.Type)
}

func describeField(f meta.Field) string {
	if f.Type == meta.Lookup {
		return "lookup to " + f.Target
	}
	return string(f.Type)
}

// convertExpr is the SQL expression that turns the column col of type from into the stored form of type to.
func convertExpr(from, to meta.Type, col string) string {
	switch {
	case from == meta.Date && to == meta.DateTime:
		return fmt.Sprintf(`CASE WHEN length(%[1]s) = 10 THEN %[1]s || 'T00:00:00.000Z' ELSE %[1]s END`, col)
	case from == meta.Bool && to == meta.String:
		return fmt.Sprintf(`CASE %[1]s WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE %[1]s END`, col)
	}
	return col
}

// tableColumn is one column as PRAGMA table_info describes it.
type tableColumn struct {
	name, typ string
	notNull   bool
	dflt      sql.NullString
	pk        int
}

// rebuildTable rebuilds the table of entity with the column changed given
// the column type colType, its values copied through expr. Indexes and
// triggers on the table are made again from their SQL.
func rebuildTable(ctx context.Context, tx *sql.Tx, entity, changed, expr, colType string) error {
	cols, err := tableColumns(ctx, tx, entity)
	if err != nil {
		return err
	}
	var again []string
	rows, err := tx.QueryContext(ctx, `SELECT sql FROM sqlite_schema WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name`, entity)
	if err != nil {
		return fmt.Errorf("read indexes and triggers: %w", err)
	}
	for rows.Next() {
		var stmt string
		if err := rows.Scan(&stmt); err != nil {
			rows.Close()
			return err
		}
		again = append(again, stmt)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	tmp := "sy_rebuild_" + entity
	var defs, names, values []string
	for _, c := range cols {
		typ, value := c.typ, quote(c.name)
		if c.name == changed {
			typ, value = colType, expr
		}
		def := quote(c.name) + " " + typ
		if c.pk > 0 {
			def += " PRIMARY KEY"
		}
		if c.notNull {
			def += " NOT NULL"
		}
		if c.dflt.Valid {
			def += " DEFAULT (" + c.dflt.String + ")"
		}
		defs = append(defs, def)
		names = append(names, quote(c.name))
		values = append(values, value)
	}
	stmts := []string{
		`PRAGMA legacy_alter_table = ON`,
		fmt.Sprintf("CREATE TABLE %s (\n\t%s\n)", quote(tmp), strings.Join(defs, ",\n\t")),
		fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s", quote(tmp), strings.Join(names, ", "), strings.Join(values, ", "), quote(entity)),
		`DROP TABLE ` + quote(entity),
		fmt.Sprintf("ALTER TABLE %s RENAME TO %s", quote(tmp), quote(entity)),
	}
	stmts = append(stmts, again...)
	for _, stmt := range stmts {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			tx.ExecContext(ctx, `PRAGMA legacy_alter_table = OFF`)
			return fmt.Errorf("rebuild table: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `PRAGMA legacy_alter_table = OFF`); err != nil {
		return fmt.Errorf("rebuild table: %w", err)
	}
	return nil
}

// tableColumns reads the columns of table in order.
func tableColumns(ctx context.Context, tx *sql.Tx, table string) ([]tableColumn, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, fmt.Errorf("read columns: %w", err)
	}
	defer rows.Close()
	var out []tableColumn
	for rows.Next() {
		var c tableColumn
		if err := rows.Scan(&c.name, &c.typ, &c.notNull, &c.dflt, &c.pk); err != nil {
			return nil, fmt.Errorf("read columns: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
