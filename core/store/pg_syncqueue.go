package store

import (
	"fmt"
	"strings"

	"switchyard/core/meta"
)

// The upload queue's SQL that differs on PostgreSQL (docs/workspace.md,
// "What the store does on PostgreSQL"): syncqueue.go and baseline.go call
// these when the Tx is on PostgreSQL, and keep SQLite's own SQL otherwise.
//
// The capture trigger of a PostgreSQL workspace keeps a row's values in
// sy_integration_transaction.data with PostgreSQL's JSON types (a boolean as
// true or false, a datetime field with its seven digits); pgDataValues puts
// them in SQLite's forms, as the rest of the Tx returns them.

// clockSQL is the write transaction's time in SQL, for the rows the queue
// inserts itself (EnqueueAll, EnqueueUnseen): sy_clock on SQLite, the
// transaction's setting on PostgreSQL.
func (t *Tx) clockSQL() string {
	if t.pg {
		return "sy_now()"
	}
	return clockExpr
}

// seenInsertSQL is the statement that records n keys of sy_integration_seen,
// leaving those recorded already.
func (t *Tx) seenInsertSQL(n int) string {
	verb, tail := "INSERT OR IGNORE INTO", ""
	if t.pg {
		verb, tail = "INSERT INTO", " ON CONFLICT DO NOTHING"
	}
	return verb + " sy_integration_seen (integration, entity, record_key) VALUES " +
		strings.Repeat("(?, ?, ?), ", n-1) + "(?, ?, ?)" + tail
}

// lastUploadsSQL reads when the uploads of n local rows were done (or sent,
// a minute later): SQLite's times are text, PostgreSQL's timestamptz.
func (t *Tx) lastUploadsSQL(n int) string {
	latest := `strftime('%Y-%m-%dT%H:%M:%fZ', sent_at, '+60 seconds')`
	if t.pg {
		latest = `sent_at + interval '60 seconds'`
	}
	return `SELECT record_id,
	max(CASE WHEN status = 'sent' THEN ` + latest + ` ELSE sent_at END)
FROM sy_integration_transaction
WHERE integration = ? AND entity = ? AND status IN ('done', 'sent') AND sent_at IS NOT NULL AND error = ''
AND record_id IN (` + placeholders(n) + `) GROUP BY record_id`
}

// pgDeletedLocally is DeletedLocally on PostgreSQL: the key is read from the
// deleted row's JSON with ->>, and given as SQLite gives it.
func (t *Tx) pgDeletedLocally(integration, entity, field string) (map[string]string, error) {
	t.pgTypesFirst(entity)
	rows, err := t.tx.QueryContext(t.ctx, `SELECT record_id, data::text FROM sy_integration_transaction
WHERE integration = ? AND entity = ? AND status IN ('pending', 'failed', 'sent') AND operation = 'delete'
AND data->>? IS NOT NULL`, integration, entity, field)
	if err != nil {
		return nil, fmt.Errorf("read the local deletions of %s: %w", entity, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, data string
		if err := rows.Scan(&id, &data); err != nil {
			return nil, fmt.Errorf("read the local deletions of %s: %w", entity, err)
		}
		vals, err := decodeBaseline(data)
		if err != nil {
			return nil, fmt.Errorf("read the deleted row %s of %s: %w", id, entity, err)
		}
		t.pgDataValues(entity, vals)
		out[fmt.Sprint(vals[field])] = id
	}
	return out, rows.Err()
}

// pgDataValues puts the values of vals, a row of entity as the PostgreSQL
// capture trigger kept it in JSON, in SQLite's forms: a boolean as int64 0
// or 1 (json_object's), a datetime field as the workspace's text.
func (t *Tx) pgDataValues(entity string, vals map[string]any) {
	for k, v := range vals {
		switch v := v.(type) {
		case bool:
			vals[k] = int64(boolInt(v))
		case string:
			vals[k] = t.pgRead(entity, k, v)
		}
	}
}

// pgTypesFirst reads the field types of entity on PostgreSQL before a
// query whose rows pgDataValues converts: a connection runs one query at
// a time, and the types may not be read while the rows are open.
func (t *Tx) pgTypesFirst(entity string) {
	if t.pg {
		t.fieldTypes(entity)
	}
}

// keyTextSQL is the text of the key field of local's row r as the engine
// records the keys a download saw (sy_integration_seen.record_key: the
// stored value as text). On SQLite that is the column cast to text; on
// PostgreSQL a boolean is cast as 0 or 1 and a datetime field, held with
// seven fractional digits, is written as the workspace writes it
// (milliseconds when they are whole), so that a key seen is found.
func (t *Tx) keyTextSQL(local, field string) string {
	col := "r." + quote(field)
	if !t.pg {
		return "CAST(" + col + " AS TEXT)"
	}
	e, err := loadEntity(t.ctx, t.tx, local)
	if err != nil {
		return "CAST(" + col + " AS TEXT)" // the query then fails on the missing table
	}
	for _, f := range e.Fields {
		if f.Name != field {
			continue
		}
		switch f.Type {
		case meta.Bool:
			return "CAST(CAST(" + col + " AS integer) AS TEXT)"
		case meta.DateTime:
			// 2026-01-31T08:15:00.1230000Z: characters 24 to 27 are the digits past the millisecond.
			return "(CASE WHEN substr(" + col + ", 24, 4) = '0000' THEN substr(" + col + ", 1, 23) || 'Z' ELSE " + col + " END)"
		}
	}
	return "CAST(" + col + " AS TEXT)"
}
