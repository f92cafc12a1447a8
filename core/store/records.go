package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sort"
	"strings"
	"time"

	"switchyard/core/meta"
	"switchyard/core/values"
)

// Row is one row of a local entity: its id and the values of the fields asked for,
// as SQLite returns them (see EncodeValue and SameStored).
type Row struct {
	ID     string
	Values map[string]any
}

// Tx is one transaction on the rows of local entities, for the engine: a page
// of records is matched, written and accounted for in one Tx, so that a run
// stopped at any moment loses and duplicates nothing. Entity and field names
// must come from the workspace's schema (Entity); they are quoted, values are
// always bound.
type Tx struct {
	ctx   context.Context
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	// capture: the change capture triggers are on (Update, not Apply).
	capture bool
	// ver is the last versionnumber handed out from memory, verHeld whether
	// the counter in sy_sequence lags behind it (see stamp.go).
	ver     int64
	verHeld bool
	inserts map[string]*insertPlan // by entity: the last column set inserted
	args    []any                  // reused by Insert
	ids     idSource
	// now is the transaction's time, as the workspace stores times: every
	// stamp the transaction writes (the triggers read it from sy_clock).
	now string
	raw *rawInserts // Apply's inserts past database/sql; nil elsewhere
	// quiet holds, by entity, the SQL of the insert triggers Apply set aside
	// (quiet.go); they are created again before the transaction commits.
	quiet map[string][]string
	// pg: the workspace is on PostgreSQL, whose values cross as pgvalues.go
	// says; types holds, by entity, the field types read for it.
	pg    bool
	types map[string]map[string]meta.Type
	// copies holds Apply's new rows on PostgreSQL until they are copied
	// (pg_copy.go), through conn, the transaction's connection; nil elsewhere.
	copies *pgCopy
	conn   *sql.Conn
	db     *sql.DB // the store's connections: ScanVersions on PostgreSQL (pg_versions.go)
}

// Update runs fn in one write transaction, committed when fn returns nil.
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) error {
	return s.inTxAt(ctx, func(tx *sql.Tx, now time.Time) error { return s.runRecordTx(ctx, nil, tx, now, true, whileLocked(fn)) })
}

// whileLocked is fn, then, in a run's transaction (LockRun's context), the
// check that the run still holds its lock (Tx.heldLock): a page is written
// only while it does.
func whileLocked(fn func(*Tx) error) func(*Tx) error {
	return func(t *Tx) error {
		if err := fn(t); err != nil {
			return err
		}
		return t.heldLock()
	}
}

// View runs fn in one read-only transaction: a consistent snapshot.
func (s *Store) View(ctx context.Context, fn func(*Tx) error) error {
	return s.inReadTx(ctx, func(tx *sql.Tx) error { return s.runRecordTx(ctx, nil, tx, s.now(), true, fn) })
}

// runRecordTx runs fn with a Tx on tx, whose time is now. With conn (the
// connection of tx) its inserts go to SQLite directly (rawInserts); conn
// may be nil, and is not used on PostgreSQL.
func (s *Store) runRecordTx(ctx context.Context, conn *sql.Conn, tx *sql.Tx, now time.Time, capture bool, fn func(*Tx) error) error {
	t := &Tx{ctx: ctx, tx: tx, stmts: map[string]*sql.Stmt{}, capture: capture, now: formatTime(now), ids: idSource{now: s.now},
		pg: s.d.postgres(), db: s.db}
	if conn != nil && !t.pg {
		t.raw = &rawInserts{conn: conn, stmts: map[*insertPlan]driver.Stmt{}}
	}
	if conn != nil && t.pg {
		if err := t.startCopies(conn); err != nil {
			return err
		}
		defer t.stopCopies()
	}
	defer func() {
		if t.raw != nil {
			t.raw.close()
		}
		for _, st := range t.stmts {
			st.Close()
		}
	}()
	if err := fn(t); err != nil {
		return err // the transaction rolls back, trigger drops included
	}
	if err := t.flushCopies(); err != nil {
		return err
	}
	if err := t.restoreInsertTriggers(""); err != nil {
		return err
	}
	return t.flushVersions()
}

// stmt returns the prepared statement for query, prepared once per transaction.
func (t *Tx) stmt(query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	st, err := t.tx.PrepareContext(t.ctx, query)
	if err != nil {
		return nil, err
	}
	t.stmts[query] = st
	return st, nil
}

// maxParams bounds the values bound in one statement.
const maxParams = 500

// FindBy returns the rows of entity whose field holds one of keys, with the
// values of fields, by the key's text (fmt.Sprint of the stored value).
func (t *Tx) FindBy(entity, field string, keys []any, fields []string) (map[string]Row, error) {
	if t.pg {
		var err error
		if keys, err = t.pgKeys(entity, field, keys); err != nil {
			return nil, fmt.Errorf("find %s by %s: %w", entity, field, err)
		}
	}
	out := make(map[string]Row, len(keys))
	cols := quote(colID) + ", " + quote(field)
	for _, f := range fields {
		cols += ", " + quote(f)
	}
	for start := 0; start < len(keys); start += maxParams {
		chunk := keys[start:min(start+maxParams, len(keys))]
		q := fmt.Sprintf("SELECT %s FROM %s WHERE %s IN (%s)", cols, quote(entity), quote(field), placeholders(len(chunk)))
		st, err := t.stmt(q)
		if err != nil {
			return nil, fmt.Errorf("find %s by %s: %w", entity, field, err)
		}
		rows, err := st.QueryContext(t.ctx, chunk...)
		if err != nil {
			return nil, fmt.Errorf("find %s by %s: %w", entity, field, err)
		}
		err = scanRows(rows, fields, func(id string, key any, vals map[string]any) {
			if t.pg {
				key = t.pgRead(entity, field, key)
				t.pgReadRow(entity, vals)
			}
			out[values.KeyText(key)] = Row{ID: id, Values: vals}
		})
		if err != nil {
			return nil, fmt.Errorf("find %s by %s: %w", entity, field, err)
		}
	}
	return out, nil
}

// scanRows reads rows of (id, key, fields...) and hands each to fn.
func scanRows(rows *sql.Rows, fields []string, fn func(id string, key any, values map[string]any)) error {
	defer rows.Close()
	dest := make([]any, len(fields)+2)
	ptrs := make([]any, len(dest))
	for i := range dest {
		ptrs[i] = &dest[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		values := make(map[string]any, len(fields))
		for i, f := range fields {
			values[f] = dest[i+2]
		}
		fn(fmt.Sprint(dest[0]), dest[1], values)
	}
	return rows.Err()
}

// Insert adds a row to entity with values (field → stored value, see
// EncodeValue) and returns its new id. The row is stamped with the next
// versionnumber unless values sets one; its id is a new UUID unless values
// sets one; createdon and modifiedon are the transaction's time unless
// values sets them.
func (t *Tx) Insert(entity string, values map[string]any) (string, error) {
	plan, args, err := t.insertPlan(entity, values, t.args[:0])
	if err == nil {
		err = plan.pgArgs(args)
	}
	if err != nil {
		clear(args)
		return "", fmt.Errorf("insert into %s: %w", entity, err)
	}
	if t.raw != nil {
		// Under Apply a row that Insert stamps needs neither insert trigger;
		// one that brings its own versionnumber (perhaps 0, which the
		// stamping trigger replaces from the counter) gets them back, and
		// the counter its numbers handed out from memory.
		if plan.stamp {
			err = t.quietInsertTriggers(entity)
		} else if err = t.flushVersions(); err == nil {
			err = t.restoreInsertTriggers(entity)
		}
		if err != nil {
			return "", fmt.Errorf("insert into %s: %w", entity, err)
		}
	}
	var id string
	if plan.newID {
		id = t.ids.next()
		args = append(args, id)
	} else {
		id = fmt.Sprint(values[colID])
	}
	if plan.stamp {
		v, err := t.nextVersion()
		if err != nil {
			return "", fmt.Errorf("insert into %s: %w", entity, err)
		}
		args = append(args, v)
	}
	if plan.created {
		args = append(args, t.now)
	}
	if plan.modified {
		args = append(args, t.now)
	}
	raw := false
	if t.raw != nil {
		raw, err = t.raw.exec(t.ctx, plan, args)
	}
	if t.copies != nil {
		raw = t.copies.add(plan, entity, args)
	}
	if !raw {
		_, err = plan.stmt.ExecContext(t.ctx, args...)
	}
	clear(args)
	t.args = args[:0]
	if err != nil {
		return "", fmt.Errorf("insert into %s: %w", entity, err)
	}
	if t.copies != nil && t.copies.full() {
		return id, t.flushCopies() // an error names its row (pg_copy.go)
	}
	return id, nil
}

// UpdateRow sets values on the row of entity with the given id.
func (t *Tx) UpdateRow(entity, id string, values map[string]any) error {
	if len(values) == 0 {
		return nil
	}
	if err := t.flushVersions(); err != nil {
		return fmt.Errorf("update %s %s: %w", entity, id, err)
	}
	if t.pg {
		var err error
		if values, err = t.pgWrite(entity, values); err != nil {
			return fmt.Errorf("update %s %s: %w", entity, id, err)
		}
	}
	cols, args := columns(values)
	set := make([]string, len(cols))
	for i, c := range cols {
		set[i] = quote(c) + " = ?"
	}
	q := fmt.Sprintf("UPDATE %s SET %s WHERE %s = ?", quote(entity), strings.Join(set, ", "), quote(colID))
	st, err := t.stmt(q)
	if err != nil {
		return fmt.Errorf("update %s %s: %w", entity, id, err)
	}
	res, err := st.ExecContext(t.ctx, append(args, id)...)
	if err != nil {
		return fmt.Errorf("update %s %s: %w", entity, id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update %s %s: %w", entity, id, ErrNotFound)
	}
	return nil
}

// columns returns the names of values in a stable order and their values in the same order.
func columns(values map[string]any) ([]string, []any) {
	cols := make([]string, 0, len(values))
	for c := range values {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	args := make([]any, len(cols))
	for i, c := range cols {
		args[i] = values[c]
	}
	return cols, args
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote(n)
	}
	return strings.Join(q, ", ")
}

func placeholders(n int) string {
	if n == 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}
