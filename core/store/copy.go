package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"switchyard/core/meta"
	"switchyard/core/values"
)

// Copying a workspace between backends (issue 19): `switchyard workspace
// copy FROM TO` moves a team's workspace from a laptop's file to a
// PostgreSQL schema, or back. The target must be new. Local entities are
// made by the target's own CreateEntity (each dialect its tables and
// triggers); then, in one Apply transaction of the target (change capture
// off, so nothing is queued for upload), every sy_ table's rows go across
// as they are, integer ids included, and every entity row with its system
// columns. Both connections read and write SQLite's forms of the values
// (pgdriver.go), so a row crosses unchanged; secrets are opened with the
// source's key and sealed again with the target's. Afterwards every table is
// counted on both sides.

// ErrNotEmpty is returned, wrapped with the workspace and what it holds,
// when the target of Copy is not a new, empty workspace.
var ErrNotEmpty = errors.New("is not empty")

// copyTables are the sy_ tables Copy moves row by row, parents before the
// tables that refer to them. sy_entity and sy_field are made by
// CreateEntity; sy_integration_lock is not copied (a lock belongs to a
// process on the source); sy_migration, sy_sequence, sy_clock and
// sy_capture_off are each backend's own.
var copyTables = []string{
	"sy_integration", "sy_integration_secret", "sy_entity_mapping", "sy_field_mapping", "sy_field_value_map",
	"sy_field_rule", "sy_schedule", "sy_schema_snapshot", "sy_integration_log", "sy_integration_log_entity",
	"sy_integration_log_failure", "sy_integration_log_note", "sy_integration_syncanchor",
	"sy_integration_transaction", "sy_integration_quarantine", "sy_integration_conflict", "sy_integration_seen",
}

// identityTables are the tables of copyTables whose integer id PostgreSQL
// numbers itself (an identity column): after the copy their sequences move
// past the ids copied.
var identityTables = []string{
	"sy_entity_mapping", "sy_schema_snapshot", "sy_integration_log", "sy_integration_log_failure",
	"sy_integration_log_note", "sy_integration_transaction", "sy_integration_quarantine", "sy_integration_conflict",
}

// CopyOptions tunes Copy.
type CopyOptions struct {
	// PageSize is how many rows of an entity are read at a time
	// (0: 1,000), so that no table is ever held in memory whole.
	PageSize int
}

// CopyReport is what Copy counted after copying: every table's rows on both sides.
type CopyReport struct {
	Tables []TableCount `json:"tables"`
}

// TableCount is one table's rows in the source and in the target.
type TableCount struct {
	Table  string `json:"table"`
	Source int64  `json:"source"`
	Target int64  `json:"target"`
}

// CountMismatchError says that a table holds other numbers of rows in the
// source and the target after Copy.
type CountMismatchError struct{ TableCount }

func (e *CountMismatchError) Error() string {
	return fmt.Sprintf("copy workspace: table %s has %d rows in the source but %d in the target", e.Table, e.Source, e.Target)
}

// Copy copies the workspace from into to, which must be new and empty (else
// an error wrapping ErrNotEmpty). It returns the rows of every table on
// both sides; a table whose counts differ is a *CountMismatchError.
func Copy(ctx context.Context, from, to *Store, opts CopyOptions) (CopyReport, error) {
	if opts.PageSize <= 0 {
		opts.PageSize = 1000
	}
	if err := to.requireEmpty(ctx); err != nil {
		return CopyReport{}, err
	}
	entities, err := from.Entities(ctx)
	if err != nil {
		return CopyReport{}, fmt.Errorf("copy workspace: read the entities of %s: %w", from.name(), err)
	}
	reseal, err := resealer(ctx, from, to)
	if err != nil {
		return CopyReport{}, fmt.Errorf("copy workspace: %w", err)
	}
	if err := createEntities(ctx, to, entities); err != nil {
		return CopyReport{}, fmt.Errorf("copy workspace: %w", err)
	}
	err = from.inReadTx(ctx, func(src *sql.Tx) error {
		return to.Apply(ctx, func(t *Tx) error {
			c := &copier{ctx: ctx, src: src, t: t, reseal: reseal, page: opts.PageSize,
				toSQLite: from.d.postgres() && !to.d.postgres(), types: fieldTypesOf(entities)}
			return c.run(entities)
		})
	})
	if err != nil {
		return CopyReport{}, fmt.Errorf("copy workspace: %w", err)
	}
	return countBoth(ctx, from, to, entities)
}

// requireEmpty refuses a workspace that holds an entity or any row of the
// tables Copy fills.
func (s *Store) requireEmpty(ctx context.Context) error {
	for _, table := range append([]string{"sy_entity"}, copyTables...) {
		n, err := s.countTable(ctx, table)
		if err != nil {
			return fmt.Errorf("copy workspace: check that %s is empty: %w", s.name(), err)
		}
		if n > 0 {
			return fmt.Errorf("copy workspace: the target %s %w: %s holds %d rows; copy into a new workspace", s.name(), ErrNotEmpty, table, n)
		}
	}
	return nil
}

// countTable counts the rows of table.
func (s *Store) countTable(ctx context.Context, table string) (int64, error) {
	var n int64
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM `+quote(table)).Scan(&n)
	})
	return n, err
}

// createEntities makes entities in to, each after the entities its lookups
// point to (copier.run keeps their creation time).
func createEntities(ctx context.Context, to *Store, entities []meta.Entity) error {
	made := map[string]bool{}
	for len(made) < len(entities) {
		progress := false
		for _, e := range entities {
			if made[e.Name] || !lookupsMade(e, made) {
				continue
			}
			business := meta.Entity{Name: e.Name, Label: e.Label}
			for _, f := range e.Fields {
				if !reservedColumns[f.Name] {
					business.Fields = append(business.Fields, f)
				}
			}
			if err := to.CreateEntity(ctx, business); err != nil {
				return fmt.Errorf("create entity %s in %s: %w", e.Name, to.name(), err)
			}
			made[e.Name], progress = true, true
		}
		if !progress {
			return errors.New("the entities' lookups point at each other in a circle: create them by hand")
		}
	}
	return nil
}

// lookupsMade reports whether every entity e's lookups point to (other than
// itself) is in made.
func lookupsMade(e meta.Entity, made map[string]bool) bool {
	for _, f := range e.Fields {
		if f.Type == meta.Lookup && f.Target != "" && f.Target != e.Name && !made[f.Target] {
			return false
		}
	}
	return true
}

// resealer returns the function that turns a secret sealed with from's key
// into one sealed with to's (nil when from holds no secret). It refuses,
// before anything is written, when a secret of from does not open: its key
// is missing or wrong.
func resealer(ctx context.Context, from, to *Store) (func(string) (string, error), error) {
	var stored [][3]string // integration, key, value
	err := from.inReadTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT integration, key, value FROM sy_integration_secret`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r [3]string
			if err := rows.Scan(&r[0], &r[1], &r[2]); err != nil {
				return err
			}
			stored = append(stored, r)
		}
		return rows.Err()
	})
	if err != nil || len(stored) == 0 {
		return nil, err
	}
	src, err := from.sealer(ctx, false)
	if err != nil {
		return nil, fmt.Errorf("the key of the source %s: %w", from.name(), err)
	}
	open := func(stored string) (string, error) {
		plain, err := src.open(stored)
		if err != nil {
			return "", fmt.Errorf("open it with the source's key (%s): %w", from.keyFix(ctx), err)
		}
		return plain, nil
	}
	for _, r := range stored {
		if _, err := open(r[2]); err != nil {
			return nil, fmt.Errorf("secret %s of %s: %w", r[1], r[0], err)
		}
	}
	dst, err := to.sealer(ctx, true)
	if err != nil {
		return nil, fmt.Errorf("the key of the target %s: %w", to.name(), err)
	}
	return func(stored string) (string, error) {
		plain, err := open(stored)
		if err != nil {
			return "", err
		}
		return dst.sealValue(plain)
	}, nil
}

// copier copies rows from the source's read transaction src into the
// target's Apply transaction t.
type copier struct {
	ctx    context.Context
	src    *sql.Tx
	t      *Tx
	reseal func(string) (string, error)
	page   int
	// toSQLite: the source is PostgreSQL and the target SQLite, whose
	// upload queue keeps a row's values in json_object's forms (dataForSQLite).
	toSQLite bool
	// types are the field types of every entity, by entity and field.
	types map[string]map[string]meta.Type
}

// run copies the sy_ tables, then the entities' rows, then moves the
// target's counters past what it copied.
func (c *copier) run(entities []meta.Entity) error {
	for _, table := range copyTables {
		if err := c.table(table); err != nil {
			return fmt.Errorf("copy %s: %w", table, err)
		}
	}
	for _, e := range entities {
		if err := c.entity(e); err != nil {
			return fmt.Errorf("copy the rows of %s: %w", e.Name, err)
		}
		var created string
		if err := c.src.QueryRowContext(c.ctx, `SELECT created_at FROM sy_entity WHERE name = ?`, e.Name).Scan(&created); err != nil {
			return fmt.Errorf("read when %s was created: %w", e.Name, err)
		}
		if _, err := c.t.tx.ExecContext(c.ctx, `UPDATE sy_entity SET created_at = ? WHERE name = ?`, created, e.Name); err != nil {
			return fmt.Errorf("keep when %s was created: %w", e.Name, err)
		}
	}
	return c.counters(entities)
}

// table copies every row of a sy_ table as it is (secrets sealed again).
func (c *copier) table(table string) error {
	rows, err := c.src.QueryContext(c.ctx, `SELECT * FROM `+quote(table))
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	ins, err := c.t.stmt(fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", quote(table), quoteAll(cols), placeholders(len(cols))))
	if err != nil {
		return err
	}
	secret := slices.Index(cols, "value")
	if table != "sy_integration_secret" {
		secret = -1
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok { // a json column on PostgreSQL: text on both sides
				vals[i] = string(b)
			}
		}
		if err := c.convertRow(table, cols, vals); err != nil {
			return err
		}
		if secret >= 0 && c.reseal != nil {
			if vals[secret], err = c.reseal(fmt.Sprint(vals[secret])); err != nil {
				return fmt.Errorf("secret %v of %v: %w", vals[slices.Index(cols, "key")], vals[slices.Index(cols, "integration")], err)
			}
		}
		if _, err := ins.ExecContext(c.ctx, vals...); err != nil {
			return err
		}
	}
	return rows.Err()
}

// convertRow puts the values of a row of table, read from the source, in
// the forms the target's readers expect: on the way from PostgreSQL to
// SQLite, the values the capture trigger kept in the upload queue's data.
func (c *copier) convertRow(table string, cols []string, vals []any) error {
	if !c.toSQLite || table != "sy_integration_transaction" {
		return nil
	}
	data, entity := slices.Index(cols, "data"), slices.Index(cols, "entity")
	if data < 0 || entity < 0 {
		return nil
	}
	text, ok := vals[data].(string)
	if !ok {
		return nil
	}
	out, err := dataForSQLite(text, c.types[fmt.Sprint(vals[entity])])
	if err != nil {
		return fmt.Errorf("the queued values of a row of %v: %w", vals[entity], err)
	}
	vals[data] = out
	return nil
}

// dataForSQLite rewrites a row's values as PostgreSQL's capture trigger
// keeps them in JSON (a boolean as true or false, a datetime field with
// seven fractional digits) as SQLite's json_object writes them (0 or 1, the
// workspace's time text), which SQLite's readers of the queue expect.
func dataForSQLite(text string, types map[string]meta.Type) (string, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var vals map[string]any
	if err := dec.Decode(&vals); err != nil {
		return "", err
	}
	changed := false
	for k, v := range vals {
		was := v
		switch x := v.(type) {
		case bool:
			vals[k] = boolInt(x)
		case string:
			if types[k] == meta.DateTime {
				vals[k] = sqliteForm(meta.DateTime, x)
			}
		}
		changed = changed || vals[k] != was
	}
	if !changed {
		return text, nil // as it was: SQLite's forms already (it came from a file)
	}
	out, err := json.Marshal(vals)
	return string(out), err
}

// fieldTypesOf returns the field types of entities, by entity and field.
func fieldTypesOf(entities []meta.Entity) map[string]map[string]meta.Type {
	out := make(map[string]map[string]meta.Type, len(entities))
	for _, e := range entities {
		out[e.Name] = make(map[string]meta.Type, len(e.Fields))
		for _, f := range e.Fields {
			out[e.Name][f.Name] = f.Type
		}
	}
	return out
}

// entity copies the rows of entity e a page at a time, in id order, with
// their system columns as they are.
func (c *copier) entity(e meta.Entity) error {
	cols := make([]string, len(e.Fields))
	types := make([]meta.Type, len(e.Fields))
	for i, f := range e.Fields {
		cols[i], types[i] = f.Name, f.Type
	}
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s > ? ORDER BY %s LIMIT %d", quoteAll(cols), quote(e.Name), quote(colID), quote(colID), c.page)
	after := ""
	for {
		n, last, err := c.entityPage(q, e.Name, cols, types, after)
		if err != nil {
			return err
		}
		if n < c.page {
			return nil
		}
		after = last
	}
}

// entityPage copies the rows of entity whose id comes after after, up to a
// page, and returns how many it copied and the last id.
func (c *copier) entityPage(q, entity string, cols []string, types []meta.Type, after string) (int, string, error) {
	rows, err := c.src.QueryContext(c.ctx, q, after)
	if err != nil {
		return 0, "", err
	}
	var page []map[string]any
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return 0, "", err
		}
		row := make(map[string]any, len(cols))
		for i, v := range vals {
			row[cols[i]] = sqliteForm(types[i], v)
		}
		page = append(page, row)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, "", err
	}
	last := ""
	for _, row := range page {
		if _, err := c.t.Insert(entity, row); err != nil {
			return 0, "", err
		}
		last = fmt.Sprint(row[colID])
	}
	return len(page), last, nil
}

// sqliteForm is v, read from a field of type t, in SQLite's form: a
// PostgreSQL datetime field's seven fractional digits become the
// workspace's time text, text read as bytes becomes text again.
func sqliteForm(t meta.Type, v any) any {
	switch x := v.(type) {
	case []byte:
		if t != meta.Binary {
			return string(x)
		}
	case string:
		if t == meta.DateTime {
			if tm, err := values.ParseDateTime(x); err == nil {
				return values.FormatStored(tm)
			}
		}
	}
	return v
}

// counters moves the target's versionnumber counter past the largest
// versionnumber copied and, on PostgreSQL, each identity past its table's
// largest id.
func (c *copier) counters(entities []meta.Entity) error {
	var top int64
	for _, e := range entities {
		var v sql.NullInt64
		if err := c.src.QueryRowContext(c.ctx, `SELECT max(`+quote(colVersionNumber)+`) FROM `+quote(e.Name)).Scan(&v); err != nil {
			return fmt.Errorf("read the largest versionnumber of %s: %w", e.Name, err)
		}
		top = max(top, v.Int64)
	}
	if err := c.t.flushCopies(); err != nil {
		return err
	}
	if !c.t.pg {
		c.t.ver, c.t.verHeld = max(c.t.ver, top), true // flushVersions writes it, never lowering the counter
		return c.t.flushVersions()
	}
	if top > 0 {
		if _, err := c.t.tx.ExecContext(c.ctx, `SELECT setval('sy_versionnumber', greatest(?, (SELECT value FROM sy_sequence)))`, top); err != nil {
			return fmt.Errorf("move the versionnumber counter: %w", err)
		}
	}
	for _, table := range identityTables {
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), max(id)) FROM %s HAVING max(id) IS NOT NULL`, table, quote(table))
		if _, err := c.t.tx.ExecContext(c.ctx, q); err != nil {
			return fmt.Errorf("move the ids of %s: %w", table, err)
		}
	}
	return nil
}

// countBoth counts every table copied, in from and in to.
func countBoth(ctx context.Context, from, to *Store, entities []meta.Entity) (CopyReport, error) {
	tables := append([]string{"sy_entity", "sy_field"}, copyTables...)
	for _, e := range entities {
		tables = append(tables, e.Name)
	}
	var rep CopyReport
	var mismatch error
	for _, table := range tables {
		tc := TableCount{Table: table}
		var err error
		if tc.Source, err = from.countTable(ctx, table); err == nil {
			tc.Target, err = to.countTable(ctx, table)
		}
		if err != nil {
			return rep, fmt.Errorf("copy workspace: count %s: %w", table, err)
		}
		rep.Tables = append(rep.Tables, tc)
		if tc.Source != tc.Target && mismatch == nil {
			mismatch = &CountMismatchError{tc}
		}
	}
	return rep, mismatch
}

// String lists the counts, one table a line.
func (r CopyReport) String() string {
	var b strings.Builder
	for _, t := range r.Tables {
		fmt.Fprintf(&b, "%-32s %10d %10d\n", t.Table, t.Source, t.Target)
	}
	return b.String()
}
