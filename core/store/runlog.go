package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// LogEntity is the result of one entity in a run (sy_integration_log_entity).
type LogEntity struct {
	Entity, LocalEntity, Direction                      string
	All, Imported, Exported, Updated, Unchanged, Failed int
	// Warnings counts the records written with warnings.
	Warnings   int
	DurationMs int64
	// Queries are the requests sent for the entity, e.g. the OData query with its filter.
	Queries []string
}

// LogFailure is one failed record of a run, or one written with a warning
// (sy_integration_log_failure).
type LogFailure struct {
	Entity, Key, Error string
	// Warning is true for a record written with a warning (kind 'warning'): Error holds the warning.
	Warning bool
}

// FinishLog records the end of the run e.ID: its status, end time, counts and message.
func (s *Store) FinishLog(ctx context.Context, e LogEntry) error {
	err := s.inTxAt(ctx, func(tx *sql.Tx, now time.Time) error {
		if e.Ended.IsZero() {
			e.Ended = now
		}
		res, err := tx.ExecContext(ctx, `UPDATE sy_integration_log SET status = ?, ended_at = ?,
 count_all = ?, count_imported = ?, count_exported = ?, count_updated = ?, count_unchanged = ?, count_failed = ?,
 count_warnings = ?, message = ?
WHERE id = ?`, e.Status, formatTime(e.Ended), e.All, e.Imported, e.Exported, e.Updated, e.Unchanged, e.Failed, e.Warnings, e.Message, e.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("run %d: %w", e.ID, ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("finish the log of run %d: %w", e.ID, err)
	}
	return nil
}

// SaveLogEntity records (or replaces) the result of one entity of run logID;
// position orders the entities of a run.
func (t *Tx) SaveLogEntity(logID int64, position int, e LogEntity) error {
	var queries strings.Builder
	enc := json.NewEncoder(&queries)
	enc.SetEscapeHTML(false) // keep & and < readable for people querying the table
	if err := enc.Encode(orEmpty(e.Queries)); err != nil {
		return fmt.Errorf("save the log of %s: %w", e.Entity, err)
	}
	// An upsert on the primary key, the table's only unique constraint: what
	// SQLite's INSERT OR REPLACE did, in SQL PostgreSQL speaks too.
	st, err := t.stmt(`INSERT INTO sy_integration_log_entity
(log_id, position, entity, local_entity, direction, count_all, count_imported, count_exported, count_updated,
 count_unchanged, count_failed, count_warnings, duration_ms, queries) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (log_id, entity, direction) DO UPDATE SET position = excluded.position, local_entity = excluded.local_entity,
 count_all = excluded.count_all, count_imported = excluded.count_imported, count_exported = excluded.count_exported,
 count_updated = excluded.count_updated, count_unchanged = excluded.count_unchanged, count_failed = excluded.count_failed,
 count_warnings = excluded.count_warnings, duration_ms = excluded.duration_ms, queries = excluded.queries`)
	if err == nil {
		_, err = st.ExecContext(t.ctx, logID, position, e.Entity, e.LocalEntity, e.Direction, e.All, e.Imported,
			e.Exported, e.Updated, e.Unchanged, e.Failed, e.Warnings, e.DurationMs, strings.TrimSpace(queries.String()))
	}
	if err != nil {
		return fmt.Errorf("save the log of %s: %w", e.Entity, err)
	}
	return nil
}

// AddLogFailure records a failed record of run logID, or one written with a warning.
func (t *Tx) AddLogFailure(logID int64, f LogFailure) error {
	kind := "failed"
	if f.Warning {
		kind = "warning"
	}
	st, err := t.stmt(`INSERT INTO sy_integration_log_failure (log_id, entity, record_key, error, kind) VALUES (?, ?, ?, ?, ?)`)
	if err == nil {
		_, err = st.ExecContext(t.ctx, logID, f.Entity, f.Key, f.Error, kind)
	}
	if err != nil {
		return fmt.Errorf("log the failure of %s %s: %w", f.Entity, f.Key, err)
	}
	return nil
}

// LogEntities returns the per-entity results of run logID in the order they ran.
func (s *Store) LogEntities(ctx context.Context, logID int64) ([]LogEntity, error) {
	var out []LogEntity
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT entity, local_entity, direction, count_all, count_imported, count_exported,
 count_updated, count_unchanged, count_failed, count_warnings, duration_ms, queries
FROM sy_integration_log_entity WHERE log_id = ? ORDER BY position, direction`, logID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e LogEntity
			var queries string
			if err := rows.Scan(&e.Entity, &e.LocalEntity, &e.Direction, &e.All, &e.Imported, &e.Exported,
				&e.Updated, &e.Unchanged, &e.Failed, &e.Warnings, &e.DurationMs, &queries); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(queries), &e.Queries); err != nil {
				return fmt.Errorf("read the queries of %s: %w", e.Entity, err)
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read the entities of run %d: %w", logID, err)
	}
	return out, nil
}

// LogFailures returns up to limit failed records of run logID (all when
// limit <= 0), in the order they failed, then those written with warnings.
func (s *Store) LogFailures(ctx context.Context, logID int64, limit int) ([]LogFailure, error) {
	if limit <= 0 {
		limit = noLimit
	}
	var out []LogFailure
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT entity, record_key, error, kind = 'warning' FROM sy_integration_log_failure
WHERE log_id = ? ORDER BY kind = 'warning', id LIMIT ?`, logID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var f LogFailure
			if err := rows.Scan(&f.Entity, &f.Key, &f.Error, &f.Warning); err != nil {
				return err
			}
			out = append(out, f)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read the failures of run %d: %w", logID, err)
	}
	return out, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// interruptedMessage is recorded on a run that never recorded its end.
const interruptedMessage = "interrupted: the run stopped before it could record its end (the process was killed, or the disk was full); what it committed is kept"

// FailInterruptedRuns marks as failed the runs of integration still logged as
// running. Call it holding the integration's run lock (Lock), when no run of
// it can be going on: such rows belong to runs that died. It returns how many it marked.
func (s *Store) FailInterruptedRuns(ctx context.Context, integration string) (int64, error) {
	var n int64
	err := s.inTxAt(ctx, func(tx *sql.Tx, now time.Time) error {
		res, err := tx.ExecContext(ctx, `UPDATE sy_integration_log SET status = 'failed', message = ?,
 ended_at = coalesce(ended_at, ?) WHERE integration = ? AND status = 'running'`, interruptedMessage, formatTime(now), integration)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("close the interrupted runs of %q: %w", integration, err)
	}
	return n, nil
}
