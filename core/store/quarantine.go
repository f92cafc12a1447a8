package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Quarantined is one record that failed in a sync (sy_integration_quarantine):
// later syncs retry it until it succeeds or the admin dismisses it.
type Quarantined struct {
	ID          int64  `json:"id"`
	Integration string `json:"integration"`
	Entity      string `json:"entity"`    // the external entity
	Direction   string `json:"direction"` // download or upload
	// Key is the external key (download); RecordID the local row (upload).
	Key       string    `json:"key,omitempty"`
	RecordID  string    `json:"recordId,omitempty"`
	Reason    string    `json:"reason"`
	Attempts  int       `json:"attempts"`
	First     time.Time `json:"first"`
	Last      time.Time `json:"last"`
	Dismissed bool      `json:"dismissed,omitempty"`
}

// Quarantine records (or, when it is there already, counts one more attempt
// of) a failed record of a sync with its reason.
func (t *Tx) Quarantine(q Quarantined) error {
	st, err := t.stmt(`INSERT INTO sy_integration_quarantine
(integration, entity, direction, record_key, record_id, reason, attempts, first_at, last_at)
VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)
ON CONFLICT (integration, entity, direction, record_key, record_id) DO UPDATE SET
	reason = excluded.reason, attempts = sy_integration_quarantine.attempts + 1, last_at = excluded.last_at`)
	if err == nil {
		_, err = st.ExecContext(t.ctx, q.Integration, q.Entity, q.Direction, q.Key, q.RecordID, q.Reason, t.now, t.now)
	}
	if err != nil {
		return fmt.Errorf("quarantine %s %s%s: %w", q.Entity, q.Key, q.RecordID, err)
	}
	return nil
}

// Release removes a record from the quarantine once it succeeded (or no longer exists).
func (t *Tx) Release(integration, entity, direction, key, recordID string) error {
	st, err := t.stmt(`DELETE FROM sy_integration_quarantine
WHERE integration = ? AND entity = ? AND direction = ? AND record_key = ? AND record_id = ?`)
	if err == nil {
		_, err = st.ExecContext(t.ctx, integration, entity, direction, key, recordID)
	}
	if err != nil {
		return fmt.Errorf("release %s %s%s from the quarantine: %w", entity, key, recordID, err)
	}
	return nil
}

// QuarantinedKeys returns the external keys of the records of entity that
// failed to download and wait for a retry (not dismissed).
func (t *Tx) QuarantinedKeys(integration, entity string) ([]string, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT record_key FROM sy_integration_quarantine
WHERE integration = ? AND entity = ? AND direction = 'download' AND dismissed = false ORDER BY id`, integration, entity)
	if err != nil {
		return nil, fmt.Errorf("read the quarantine of %s: %w", entity, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// QuarantineList returns the quarantined records of integration (every
// integration when empty), dismissed ones included when all is set.
func (s *Store) QuarantineList(ctx context.Context, integration string, all bool) ([]Quarantined, error) {
	var out []Quarantined
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, integration, entity, direction, record_key, record_id, reason, attempts,
	first_at, last_at, dismissed FROM sy_integration_quarantine
WHERE (?1 = '' OR integration = ?1) AND (?2 OR dismissed = false) ORDER BY id`, integration, all)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var q Quarantined
			var first, last string
			if err := rows.Scan(&q.ID, &q.Integration, &q.Entity, &q.Direction, &q.Key, &q.RecordID, &q.Reason, &q.Attempts,
				&first, &last, &q.Dismissed); err != nil {
				return err
			}
			if q.First, err = parseTime(first); err != nil {
				return err
			}
			if q.Last, err = parseTime(last); err != nil {
				return err
			}
			out = append(out, q)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list the quarantine of %q: %w", integration, err)
	}
	return out, nil
}

// DismissQuarantined gives up on quarantined record id of integration: later
// syncs no longer retry it, and a failed upload's transactions become dismissed.
func (s *Store) DismissQuarantined(ctx context.Context, integration string, id int64) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var entity, direction, recordID, local string
		err := tx.QueryRowContext(ctx, `SELECT q.entity, q.direction, q.record_id, coalesce(m.local, '') FROM sy_integration_quarantine q
LEFT JOIN sy_entity_mapping m ON m.integration = q.integration AND m.external = q.entity
WHERE q.id = ? AND q.integration = ?`, id, integration).Scan(&entity, &direction, &recordID, &local)
		if err == sql.ErrNoRows {
			return fmt.Errorf("quarantined record %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sy_integration_quarantine SET dismissed = true WHERE id = ?`, id); err != nil {
			return err
		}
		if direction == "upload" {
			_, err = tx.ExecContext(ctx, `UPDATE sy_integration_transaction SET status = 'dismissed'
WHERE integration = ? AND entity = ? AND record_id = ? AND status IN ('pending', 'failed', 'sent')`, integration, local, recordID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("dismiss quarantined record %d of %q: %w", id, integration, err)
	}
	return nil
}

// ConflictRecord is one conflict of a bidirectional sync (sy_integration_conflict).
type ConflictRecord struct {
	Integration string
	LogID       int64
	Entity, Key string
	// Policy is external, local or newest; Winner is external or local.
	Policy, Winner  string
	Local, External map[string]any
}

// AddConflict logs a conflict with both versions.
func (t *Tx) AddConflict(c ConflictRecord) error {
	local, err := json.Marshal(c.Local)
	if err != nil {
		return fmt.Errorf("log the conflict of %s %s: %w", c.Entity, c.Key, err)
	}
	external, err := json.Marshal(c.External)
	if err != nil {
		return fmt.Errorf("log the conflict of %s %s: %w", c.Entity, c.Key, err)
	}
	var logID any
	if c.LogID != 0 {
		logID = c.LogID
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO sy_integration_conflict (integration, log_id, entity, record_key, policy, winner, local, external, at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.Integration, logID, c.Entity, c.Key, c.Policy, c.Winner, string(local), string(external), t.now)
	if err != nil {
		return fmt.Errorf("log the conflict of %s %s: %w", c.Entity, c.Key, err)
	}
	return nil
}

// Conflicts returns the conflicts logged for integration, newest first, up to limit (all when limit <= 0).
func (s *Store) Conflicts(ctx context.Context, integration string, limit int) ([]ConflictRecord, error) {
	if limit <= 0 {
		limit = noLimit
	}
	var out []ConflictRecord
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT coalesce(log_id, 0), entity, record_key, policy, winner, local, external
FROM sy_integration_conflict WHERE integration = ? ORDER BY id DESC LIMIT ?`, integration, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c := ConflictRecord{Integration: integration}
			var local, external string
			if err := rows.Scan(&c.LogID, &c.Entity, &c.Key, &c.Policy, &c.Winner, &local, &external); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(local), &c.Local); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(external), &c.External); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list the conflicts of %q: %w", integration, err)
	}
	return out, nil
}
