package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// LastRuns returns, by integration, its latest run of any kind (as Logs
// orders them) and when its latest sync started: what the lists of
// integrations and schedules show, read at once for every integration.
// Integrations that never ran, or never synced, are missing from the maps.
func (s *Store) LastRuns(ctx context.Context) (last map[string]LogEntry, lastSync map[string]time.Time, err error) {
	last, lastSync = map[string]LogEntry{}, map[string]time.Time{}
	err = s.inReadTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+logColumns+` FROM (
	SELECT *, row_number() OVER (PARTITION BY integration ORDER BY started_at DESC, id DESC) AS n FROM sy_integration_log) AS runs
WHERE n = 1`)
		if err != nil {
			return err
		}
		runs, err := scanLogs(rows)
		if err != nil {
			return err
		}
		for _, r := range runs {
			last[r.Integration] = r
		}
		rows, err = tx.QueryContext(ctx, `SELECT integration, max(started_at) FROM sy_integration_log WHERE kind = 'sync' GROUP BY integration`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name, started string
			if err := rows.Scan(&name, &started); err != nil {
				return err
			}
			if lastSync[name], err = parseTime(started); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read the last runs: %w", err)
	}
	return last, lastSync, nil
}
