package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// LogNote is one thing the connection said during a run
// (sy_integration_log_note): a retry and its reason, a sign-in, throttling.
type LogNote struct {
	At    time.Time
	Level string // INFO, WARN, ERROR
	Text  string
}

// AddLogNotes records notes of run logID.
func (s *Store) AddLogNotes(ctx context.Context, logID int64, notes []LogNote) error {
	if len(notes) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO sy_integration_log_note (log_id, at, level, text) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, n := range notes {
			if _, err := st.ExecContext(ctx, logID, formatTime(n.At), n.Level, n.Text); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record the notes of run %d: %w", logID, err)
	}
	return nil
}

// LogNotes returns the notes of run logID in the order they came.
func (s *Store) LogNotes(ctx context.Context, logID int64) ([]LogNote, error) {
	var out []LogNote
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT at, level, text FROM sy_integration_log_note WHERE log_id = ? ORDER BY id`, logID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n LogNote
			var at string
			if err := rows.Scan(&at, &n.Level, &n.Text); err != nil {
				return err
			}
			if n.At, err = parseTime(at); err != nil {
				return err
			}
			out = append(out, n)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read the notes of run %d: %w", logID, err)
	}
	return out, nil
}
