package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// LogEntry is one run of an integration in sy_integration_log.
type LogEntry struct {
	ID          int64
	Integration string
	// Kind is import, export, sync or test.
	Kind      string
	Direction string
	// Status is succeeded, partial, failed, cancelled or running.
	Status string
	// Started defaults to now; Ended is zero while the run goes on.
	Started, Ended time.Time
	// All, Imported (created locally), Exported (created externally), Updated,
	// Unchanged and Failed count records.
	All, Imported, Exported, Updated, Unchanged, Failed int
	// Warnings counts the records written with warnings.
	Warnings int
	Message  string
}

// AddLog records a run of an existing integration and returns its ID.
// Times are kept in UTC to the millisecond.
func (s *Store) AddLog(ctx context.Context, e LogEntry) (int64, error) {
	var id int64
	err := s.inTxAt(ctx, func(tx *sql.Tx, now time.Time) (err error) {
		if e.Started.IsZero() {
			e.Started = now
		}
		id, err = addLog(ctx, tx, e)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("add %s log of integration %q: %w", e.Kind, e.Integration, err)
	}
	return id, nil
}

// Logs returns up to limit runs of the integration, newest first: the latest
// started first, the later recorded first among runs started together. An
// empty integration lists every integration's runs; a limit of 0 or less
// lists them all.
func (s *Store) Logs(ctx context.Context, integration string, limit int) ([]LogEntry, error) {
	var out []LogEntry
	err := s.inReadTx(ctx, func(tx *sql.Tx) (err error) {
		out, err = logs(ctx, tx, integration, limit)
		return err
	})
	if err != nil {
		if integration == "" {
			return nil, fmt.Errorf("list logs: %w", err)
		}
		return nil, fmt.Errorf("list logs of integration %q: %w", integration, err)
	}
	return out, nil
}

// addLog inserts e into sy_integration_log.
func addLog(ctx context.Context, tx *sql.Tx, e LogEntry) (int64, error) {
	if err := requireIntegration(ctx, tx, e.Integration); err != nil {
		return 0, err
	}
	var ended any
	if !e.Ended.IsZero() {
		ended = formatTime(e.Ended)
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO sy_integration_log
(integration, kind, direction, status, started_at, ended_at,
 count_all, count_imported, count_exported, count_updated, count_unchanged, count_failed, count_warnings, message)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		e.Integration, e.Kind, e.Direction, e.Status, formatTime(e.Started), ended,
		e.All, e.Imported, e.Exported, e.Updated, e.Unchanged, e.Failed, e.Warnings, e.Message).Scan(&id)
	return id, err
}

// logs reads sy_integration_log newest first.
func logs(ctx context.Context, tx *sql.Tx, integration string, limit int) ([]LogEntry, error) {
	if integration != "" {
		if err := requireIntegration(ctx, tx, integration); err != nil {
			return nil, err
		}
	}
	if limit <= 0 {
		limit = noLimit
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+logColumns+`
FROM sy_integration_log
WHERE ?1 = '' OR integration = ?1
ORDER BY started_at DESC, id DESC
LIMIT ?2`, integration, limit)
	if err != nil {
		return nil, err
	}
	return scanLogs(rows)
}

// logColumns are the columns of sy_integration_log that scanLogs reads, in its order.
const logColumns = `id, integration, kind, direction, status, started_at, ended_at,
	count_all, count_imported, count_exported, count_updated, count_unchanged, count_failed, count_warnings, message`

// scanLogs reads the runs of rows, which select logColumns, and closes rows.
func scanLogs(rows *sql.Rows) ([]LogEntry, error) {
	defer rows.Close()
	var out []LogEntry
	for rows.Next() {
		var (
			e       LogEntry
			started string
			ended   sql.NullString
			err     error
		)
		if err := rows.Scan(&e.ID, &e.Integration, &e.Kind, &e.Direction, &e.Status, &started, &ended,
			&e.All, &e.Imported, &e.Exported, &e.Updated, &e.Unchanged, &e.Failed, &e.Warnings, &e.Message); err != nil {
			return nil, err
		}
		if e.Started, err = parseTime(started); err != nil {
			return nil, err
		}
		if ended.Valid {
			if e.Ended, err = parseTime(ended.String); err != nil {
				return nil, err
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
