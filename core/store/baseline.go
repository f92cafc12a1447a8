package store

import (
	"bytes"
	"encoding/json"
	"fmt"

	"switchyard/core/filter"
)

// Baselines: what the last sync left of a local row. The capture trigger of
// an update keeps the row's values before the change; the earliest open
// transaction of a row (pending, failed or sent: not yet settled by an
// upload) therefore holds the row as the last sync read or wrote it. A sync
// compares the row and the external record with it, field by field, to tell
// which side changed what.

// Baselines returns, by local row id, the baseline values of those of ids
// whose earliest open transaction for integration is an update that kept
// them; a row created locally, or queued by a full upload, has none.
// Values are as SQLite's json_object wrote them: numbers as int64 or
// json.Number, text as string (on PostgreSQL too, pgDataValues).
func (t *Tx) Baselines(integration, entity string, ids []string) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	t.pgTypesFirst(entity)
	for start := 0; start < len(ids); start += maxParams {
		chunk := ids[start:min(start+maxParams, len(ids))]
		args := []any{integration, entity}
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := t.tx.QueryContext(t.ctx, `WITH g AS (SELECT min(id) AS first FROM sy_integration_transaction
	WHERE integration = ? AND entity = ? AND status IN ('pending', 'failed', 'sent')
	AND record_id IN (`+placeholders(len(chunk))+`) GROUP BY record_id)
SELECT x.record_id, x.data FROM g JOIN sy_integration_transaction x ON x.id = g.first
WHERE x.operation = 'update' AND x.data IS NOT NULL`, args...)
		if err != nil {
			return nil, fmt.Errorf("read the baselines of %s: %w", entity, err)
		}
		for rows.Next() {
			var id, data string
			if err := rows.Scan(&id, &data); err != nil {
				rows.Close()
				return nil, err
			}
			values, err := decodeBaseline(data)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("read the baseline of %s %s: %w", entity, id, err)
			}
			if t.pg {
				t.pgDataValues(entity, values)
			}
			out[id] = values
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// decodeBaseline reads a baseline's JSON, whole numbers as int64.
func decodeBaseline(data string) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader([]byte(data)))
	d.UseNumber()
	var values map[string]any
	if err := d.Decode(&values); err != nil {
		return nil, err
	}
	for k, v := range values {
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				values[k] = i
			}
		}
	}
	return values, nil
}

// SetBaseline records values (stored values by local field, as EncodeValue
// gives them) as the baseline of the local row id for integration: a sync
// that read the external record and merged it calls it, so that the row's
// changes still to upload are told against what it read. It changes the
// earliest open transaction of the row when that is an update; a row with
// none keeps having none.
func (t *Tx) SetBaseline(integration, entity, id string, values map[string]any) error {
	b, err := json.Marshal(values)
	if err != nil {
		return fmt.Errorf("record the baseline of %s %s: %w", entity, id, err)
	}
	st, err := t.stmt(`UPDATE sy_integration_transaction SET data = ?
WHERE id = (SELECT min(id) FROM sy_integration_transaction
	WHERE integration = ? AND entity = ? AND record_id = ? AND status IN ('pending', 'failed', 'sent'))
AND operation = 'update'`)
	if err == nil {
		_, err = st.ExecContext(t.ctx, string(b), integration, entity, id)
	}
	if err != nil {
		return fmt.Errorf("record the baseline of %s %s: %w", entity, id, err)
	}
	return nil
}

// EnqueueUnseen is EnqueueAll for the rows a full download did not just
// write: those without an external key in field, and those whose key the
// download did not see (sy_integration_seen of the external entity). The
// rows it saw hold what the external system has, so they have nothing to
// upload. match (an upload filter) narrows the rows when not nil. It
// returns how many it queued.
func (t *Tx) EnqueueUnseen(integration, external, local, field string, match filter.Expr) (int64, error) {
	where, args := t.sqlWhere(match)
	cond := ""
	if where != "" {
		cond = " AND (" + where + ")"
	}
	q := fmt.Sprintf(`INSERT INTO sy_integration_transaction (integration, entity, record_id, operation, versionnumber, created_at)
SELECT ?, ?, r.%[1]s, 'update', r.%[2]s, %[6]s FROM %[3]s r
WHERE NOT EXISTS (SELECT 1 FROM sy_integration_transaction x
	WHERE x.integration = ? AND x.entity = ? AND x.record_id = r.%[1]s AND x.status IN ('pending', 'failed', 'sent'))
AND (r.%[4]s IS NULL OR NOT EXISTS (SELECT 1 FROM sy_integration_seen s
	WHERE s.integration = ? AND s.entity = ? AND s.record_key = %[7]s))%[5]s`,
		quote(colID), quote(colVersionNumber), quote(local), quote(field), cond, t.clockSQL(), t.keyTextSQL(local, field))
	res, err := t.tx.ExecContext(t.ctx, q, append([]any{integration, local, integration, local, integration, external}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("queue the %s to upload: %w", local, err)
	}
	return res.RowsAffected()
}

// CreatesOrDeletesWaiting reports whether rows of the local entity have a
// create or a delete waiting for upload by integration: until they are sent,
// the entity's keyed rows cannot be counted against the external system's.
// Updates waiting do not change the count.
func (t *Tx) CreatesOrDeletesWaiting(integration, entity string) (bool, error) {
	var n int
	err := t.tx.QueryRowContext(t.ctx, `SELECT EXISTS (SELECT 1 FROM sy_integration_transaction
WHERE integration = ? AND entity = ? AND status IN ('pending', 'failed', 'sent') AND operation IN ('insert', 'delete'))`,
		integration, entity).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read the changes of %s: %w", entity, err)
	}
	return n == 1, nil
}
