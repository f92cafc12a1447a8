package store

import (
	"fmt"

	"switchyard/core/filter"
)

// sqlWhere translates cond, a filter on a local table, into an SQL condition
// with its arguments: "" and none when cond is nil. It is the one place the
// store turns a filter into SQL; now() in cond is bound as filter.Now() unless
// the caller resolved it (filter.Resolve) first.
func (t *Tx) sqlWhere(cond filter.Expr) (string, []any) {
	if t.pg {
		return filter.ToPostgreSQL(cond, quote)
	}
	return filter.ToSQL(cond, quote)
}

// andWhere is " AND (cond)" for a condition that narrows another, with
// cond's arguments; "" and none when cond is nil.
func (t *Tx) andWhere(cond filter.Expr) (string, []any) {
	w, args := t.sqlWhere(cond)
	if w == "" {
		return "", nil
	}
	return " AND (" + w + ")", args
}

// Scan returns up to limit rows of entity with id greater than after, in id
// order, with the values of fields; cond narrows them when not nil. Pass the
// last id of a page as after to read the next page.
func (t *Tx) Scan(entity string, fields []string, cond filter.Expr, after string, limit int) ([]Row, error) {
	and, args := t.andWhere(cond)
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s > ?%s ORDER BY %s LIMIT ?",
		scanColumns(fields), quote(entity), quote(colID), and, quote(colID))
	return t.scan(entity, fields, q, append(append([]any{after}, args...), limit))
}

// ScanVersions returns up to limit rows of entity whose versionnumber is
// greater than after, in versionnumber order, with the values of fields;
// cond narrows them when not nil. Every write stamps a row with the next
// versionnumber, so pages read this way return rows in the order they were
// last changed: pass the versionnumber of a page's last row as after to read
// the next.
//
// On PostgreSQL, where numbers commit out of order, it reads only up to the
// number below which every writer has ended (pg_versions.go): call it first
// in its transaction.
func (t *Tx) ScanVersions(entity string, fields []string, cond filter.Expr, after int64, limit int) ([]Row, error) {
	and, args := t.andWhere(cond)
	if t.pg {
		bound, err := t.pgVersionBound(entity, after)
		if err != nil {
			return nil, err
		}
		and, args = and+" AND "+quote(colVersionNumber)+" <= ?", append(args, bound)
	}
	match := quote(colVersionNumber) + " > ?" + and
	matchArgs := append([]any{after}, args...)
	// The page is the window of versionnumbers (unique) up to the limit-th match.
	q := fmt.Sprintf("SELECT %[1]s FROM %[2]s WHERE %[3]s AND %[4]s <= COALESCE((SELECT %[4]s FROM %[2]s WHERE %[3]s ORDER BY %[4]s LIMIT 1 OFFSET ?), 9223372036854775807) ORDER BY %[4]s LIMIT ?",
		scanColumns(fields), quote(entity), match, quote(colVersionNumber))
	return t.scan(entity, fields, q, append(append(append(matchArgs, matchArgs...), limit-1), limit))
}

// scanColumns are the columns Scan reads: id (twice: as the row's id and its
// key for scanRows) and fields.
func scanColumns(fields []string) string {
	cols := quote(colID) + ", " + quote(colID)
	for _, f := range fields {
		cols += ", " + quote(f)
	}
	return cols
}

// scan runs q, a SELECT of scanColumns(fields), and returns its rows.
func (t *Tx) scan(entity string, fields []string, q string, args []any) ([]Row, error) {
	if t.pg {
		t.fieldTypes(entity) // read before the rows are: one statement at a time
	}
	st, err := t.stmt(q)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", entity, err)
	}
	rows, err := st.QueryContext(t.ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", entity, err)
	}
	var out []Row
	err = scanRows(rows, fields, func(id string, _ any, values map[string]any) {
		if t.pg {
			t.pgReadRow(entity, values)
		}
		out = append(out, Row{ID: id, Values: values})
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", entity, err)
	}
	return out, nil
}

// Count returns the number of rows of entity that cond matches; all when cond is nil.
func (t *Tx) Count(entity string, cond filter.Expr) (int64, error) {
	w, args := t.sqlWhere(cond)
	if w != "" {
		w = " WHERE " + w
	}
	return t.count(entity, w, args)
}

// count returns the number of rows of entity that the clause where (with
// args; "" for all) selects.
func (t *Tx) count(entity, where string, args []any) (int64, error) {
	var n int64
	if err := t.tx.QueryRowContext(t.ctx, "SELECT count(*) FROM "+quote(entity)+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", entity, err)
	}
	return n, nil
}

// CountKeyed returns how many rows of entity have a value in field (its
// external key): the rows a sync can match with the external system's.
func (t *Tx) CountKeyed(entity, field string) (int64, error) {
	return t.count(entity, " WHERE "+quote(field)+" IS NOT NULL", nil)
}

// Matches reports whether the row id of entity meets cond (an upload
// filter); true when cond is nil.
func (t *Tx) Matches(entity, id string, cond filter.Expr) (bool, error) {
	and, args := t.andWhere(cond)
	if and == "" {
		return true, nil
	}
	n, err := t.count(entity, " WHERE "+quote(colID)+" = ?"+and, append([]any{id}, args...))
	return n > 0, err
}
