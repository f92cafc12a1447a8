package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"switchyard/core/filter"
	"switchyard/core/values"
)

// Anchor returns how far the sync of integration has got for the external
// entity in direction ("download" or "upload"), "" when it never ran.
func (t *Tx) Anchor(integration, entity, direction string) (string, error) {
	var a string
	err := t.tx.QueryRowContext(t.ctx, `SELECT anchor FROM sy_integration_syncanchor
WHERE integration = ? AND entity = ? AND direction = ?`, integration, entity, direction).Scan(&a)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the %s anchor of %s: %w", direction, entity, err)
	}
	return a, nil
}

// SetAnchor records the anchor of integration, entity and direction; call it
// in the transaction that writes the page it covers.
func (t *Tx) SetAnchor(integration, entity, direction, anchor string) error {
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO sy_integration_syncanchor (integration, entity, direction, anchor, updated_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (integration, entity, direction) DO UPDATE SET anchor = excluded.anchor, updated_at = excluded.updated_at`,
		integration, entity, direction, anchor, t.now)
	if err != nil {
		return fmt.Errorf("save the %s anchor of %s: %w", direction, entity, err)
	}
	return nil
}

// LocalChange is one local record waiting for upload: the transactions of
// sy_integration_transaction for it, folded into the latest operation.
type LocalChange struct {
	RecordID string
	// Operation is the latest captured: insert, update or delete.
	Operation string
	// UpTo is the id of the latest transaction folded in: finishing the
	// change finishes the transactions up to it, and leaves later ones pending.
	UpTo int64
	// ExternalKey is the key recorded by an earlier attempt ("" when none).
	ExternalKey string
	// Data holds the row's values when it was deleted (Operation delete).
	Data map[string]any
	// Sent is true when an earlier attempt recorded the change as sent and
	// did not record the outcome (the process stopped in between).
	Sent bool
}

// LocalChanges returns up to limit records of the local entity waiting for
// upload by integration (pending, failed or sent, not dismissed), ordered by
// record id after the id after.
func (t *Tx) LocalChanges(integration, entity, after string, limit int) ([]LocalChange, error) {
	st, err := t.stmt(`WITH g AS (SELECT record_id, max(id) AS upto, max(external_key) AS xkey, max(CASE WHEN status = 'sent' THEN 1 ELSE 0 END) AS sent
	FROM sy_integration_transaction
	WHERE integration = ? AND entity = ? AND status IN ('pending', 'failed', 'sent') AND record_id > ?
	GROUP BY record_id ORDER BY record_id LIMIT ?)
SELECT g.record_id, g.upto, x.operation, x.data, g.xkey, g.sent
FROM g JOIN sy_integration_transaction x ON x.id = g.upto ORDER BY g.record_id`)
	if err != nil {
		return nil, fmt.Errorf("read the changes of %s: %w", entity, err)
	}
	t.pgTypesFirst(entity)
	rows, err := st.QueryContext(t.ctx, integration, entity, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read the changes of %s: %w", entity, err)
	}
	defer rows.Close()
	var out []LocalChange
	for rows.Next() {
		var c LocalChange
		var data sql.NullString
		if err := rows.Scan(&c.RecordID, &c.UpTo, &c.Operation, &data, &c.ExternalKey, &c.Sent); err != nil {
			return nil, fmt.Errorf("read the changes of %s: %w", entity, err)
		}
		if data.Valid {
			if err := json.Unmarshal([]byte(data.String), &c.Data); err != nil {
				return nil, fmt.Errorf("read the deleted row %s of %s: %w", c.RecordID, entity, err)
			}
			if t.pg {
				t.pgDataValues(entity, c.Data)
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// FinishChange sets the status (sent, done, failed) of the transactions of
// one local record up to the transaction upTo, with the external key and the error.
func (t *Tx) FinishChange(integration, entity, recordID string, upTo int64, status, externalKey, errMsg string) error {
	st, err := t.stmt(`UPDATE sy_integration_transaction SET status = ?, external_key = ?, error = ?, sent_at = ?
WHERE integration = ? AND entity = ? AND record_id = ? AND id <= ? AND status IN ('pending', 'failed', 'sent')`)
	if err == nil {
		_, err = st.ExecContext(t.ctx, status, externalKey, errMsg, t.now, integration, entity, recordID, upTo)
	}
	if err != nil {
		return fmt.Errorf("record the upload of %s %s: %w", entity, recordID, err)
	}
	return nil
}

// EnqueueAll queues every row of the local table for upload by integration,
// unless it is queued already; match (an upload filter) narrows the rows when
// not nil. It is the first, full upload of an entity. It returns how many it queued.
func (t *Tx) EnqueueAll(integration, entity, local string, match filter.Expr) (int64, error) {
	where, args := t.sqlWhere(match)
	cond := ""
	if where != "" {
		cond = " AND (" + where + ")"
	}
	q := fmt.Sprintf(`INSERT INTO sy_integration_transaction (integration, entity, record_id, operation, versionnumber, created_at)
SELECT ?, ?, r.%s, 'update', r.%s, %s FROM %s r
WHERE NOT EXISTS (SELECT 1 FROM sy_integration_transaction x
	WHERE x.integration = ? AND x.entity = ? AND x.record_id = r.%s AND x.status IN ('pending', 'failed', 'sent'))%s`,
		quote(colID), quote(colVersionNumber), t.clockSQL(), quote(local), quote(colID), cond)
	res, err := t.tx.ExecContext(t.ctx, q, append([]any{integration, local, integration, local}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("queue every %s for upload: %w", local, err)
	}
	return res.RowsAffected()
}

// ChangedLocally returns which of the local rows ids have changes waiting for
// upload by integration, with the operation of the latest.
func (t *Tx) ChangedLocally(integration, entity string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for start := 0; start < len(ids); start += maxParams {
		chunk := ids[start:min(start+maxParams, len(ids))]
		args := []any{integration, entity}
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := t.tx.QueryContext(t.ctx, `WITH g AS (SELECT max(id) AS upto FROM sy_integration_transaction
	WHERE integration = ? AND entity = ? AND status IN ('pending', 'failed', 'sent')
	AND record_id IN (`+placeholders(len(chunk))+`) GROUP BY record_id)
SELECT x.record_id, x.operation FROM g JOIN sy_integration_transaction x ON x.id = g.upto`, args...)
		if err != nil {
			return nil, fmt.Errorf("read the local changes of %s: %w", entity, err)
		}
		for rows.Next() {
			var id, op string
			if err := rows.Scan(&id, &op); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = op
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DeletedLocally returns, by the external key kept in field, the local rows
// of entity deleted and waiting for the deletion's upload by integration, with their ids.
func (t *Tx) DeletedLocally(integration, entity, field string) (map[string]string, error) {
	if t.pg {
		return t.pgDeletedLocally(integration, entity, field)
	}
	rows, err := t.tx.QueryContext(t.ctx, `SELECT record_id, json_extract(data, '$.' || ?) FROM sy_integration_transaction t
WHERE integration = ? AND entity = ? AND status IN ('pending', 'failed', 'sent') AND operation = 'delete'
AND json_extract(data, '$.' || ?) IS NOT NULL`, field, integration, entity, field)
	if err != nil {
		return nil, fmt.Errorf("read the local deletions of %s: %w", entity, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id string
		var key any
		if err := rows.Scan(&id, &key); err != nil {
			return nil, err
		}
		out[values.KeyText(key)] = id
	}
	return out, rows.Err()
}

// DeleteRow deletes the row of entity with the given id; a missing row is no error.
func (t *Tx) DeleteRow(entity, id string) error {
	if err := t.flushVersions(); err != nil {
		return fmt.Errorf("delete %s %s: %w", entity, id, err)
	}
	st, err := t.stmt(`DELETE FROM ` + quote(entity) + ` WHERE ` + quote(colID) + ` = ?`)
	if err == nil {
		_, err = st.ExecContext(t.ctx, id)
	}
	if err != nil {
		return fmt.Errorf("delete %s %s: %w", entity, id, err)
	}
	return nil
}

// AddSeen records external keys seen by the key reconciliation of entity.
// The keys go in by statements of many rows each: a reconciliation records
// every key of the entity.
func (t *Tx) AddSeen(integration, entity string, keys []string) error {
	const perStmt = maxParams / 3
	args := make([]any, 0, 3*min(perStmt, len(keys)))
	for start := 0; start < len(keys); start += perStmt {
		chunk := keys[start:min(start+perStmt, len(keys))]
		st, err := t.stmt(t.seenInsertSQL(len(chunk)))
		if err != nil {
			return fmt.Errorf("record the keys of %s: %w", entity, err)
		}
		args = args[:0]
		for _, k := range chunk {
			args = append(args, integration, entity, k)
		}
		if _, err := st.ExecContext(t.ctx, args...); err != nil {
			return fmt.Errorf("record the keys of %s: %w", entity, err)
		}
	}
	return nil
}

// ClearSeen forgets the keys seen for entity.
func (t *Tx) ClearSeen(integration, entity string) error {
	if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM sy_integration_seen WHERE integration = ? AND entity = ?`, integration, entity); err != nil {
		return fmt.Errorf("clear the keys of %s: %w", entity, err)
	}
	return nil
}

// Unseen returns the rows of the local table whose key field holds a value
// that the reconciliation of entity did not see, as Rows with the key under
// field, in id order after the id after, up to limit.
func (t *Tx) Unseen(integration, entity, local, field, after string, limit int) ([]Row, error) {
	keyText := t.keyTextSQL(local, field)
	t.pgTypesFirst(local)
	rows, err := t.tx.QueryContext(t.ctx, fmt.Sprintf(`SELECT r.%s, r.%s FROM %s r WHERE r.%s IS NOT NULL AND r.%s > ?
AND NOT EXISTS (SELECT 1 FROM sy_integration_seen s WHERE s.integration = ? AND s.entity = ? AND s.record_key = %s)
ORDER BY r.%s LIMIT ?`, quote(colID), quote(field), quote(local), quote(field), quote(colID), keyText, quote(colID)), after, integration, entity, limit)
	if err != nil {
		return nil, fmt.Errorf("find the %s no longer in %s: %w", local, entity, err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var id string
		var key any
		if err := rows.Scan(&id, &key); err != nil {
			return nil, err
		}
		if t.pg {
			key = t.pgRead(local, field, key)
		}
		out = append(out, Row{ID: id, Values: map[string]any{field: key}})
	}
	return out, rows.Err()
}

// LastUploads returns, for the local rows ids, when their latest upload by
// integration was recorded done; rows never uploaded are left out. An upload
// recorded sent (the process stopped before its outcome) counts a minute
// after it was sent, the time the answer may have taken.
func (t *Tx) LastUploads(integration, entity string, ids []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	for start := 0; start < len(ids); start += maxParams {
		chunk := ids[start:min(start+maxParams, len(ids))]
		args := []any{integration, entity}
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := t.tx.QueryContext(t.ctx, t.lastUploadsSQL(len(chunk)), args...)
		if err != nil {
			return nil, fmt.Errorf("read the uploads of %s: %w", entity, err)
		}
		for rows.Next() {
			var id, at string
			if err := rows.Scan(&id, &at); err != nil {
				rows.Close()
				return nil, err
			}
			if ts, err := parseTime(at); err == nil {
				out[id] = ts
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
