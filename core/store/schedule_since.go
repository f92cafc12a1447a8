package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"switchyard/core/schedule"
)

// scheduleKey identifies a schedule by what it says, as schedule.Plan does:
// a schedule saved again unchanged keeps counting since when it did.
func scheduleKey(cron, every string) string {
	return strings.TrimSpace(cron) + "\x00" + strings.TrimSpace(every)
}

// countingSince returns since when each of the integration's enabled
// schedules counts, as saved now, by scheduleKey.
func countingSince(ctx context.Context, tx *sql.Tx, integration string) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT cron, every, counting_since FROM sy_schedule
WHERE integration = ? AND enabled = true AND counting_since IS NOT NULL ORDER BY position`, integration)
	if err != nil {
		return nil, fmt.Errorf("read schedules' counting since: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var cron, every, since string
		if err := rows.Scan(&cron, &every, &since); err != nil {
			return nil, fmt.Errorf("read schedules' counting since: %w", err)
		}
		if _, ok := out[scheduleKey(cron, every)]; !ok {
			out[scheduleKey(cron, every)] = since
		}
	}
	return out, rows.Err()
}

// sinceFor is the counting_since of schedule sc saved at now, given what
// the integration's schedules counted since before: NULL while disabled; an
// enabled schedule saved unchanged keeps its time; one added, changed or
// enabled counts from now.
func sinceFor(sc schedule.Schedule, old map[string]string, now string) any {
	if !sc.Enabled {
		return nil
	}
	if since, ok := old[scheduleKey(sc.Cron, sc.Every)]; ok {
		return since
	}
	return now
}

// SchedulesSince returns since when each schedule of every integration
// counts, by integration and in the schedules' order: a zero time for a
// disabled schedule. schedule.Plan reads it when the app starts, so that a
// schedule that never ran, or one added while the app was closed, counts
// from when it was saved rather than from the start of the app.
func (s *Store) SchedulesSince(ctx context.Context) (map[string][]time.Time, error) {
	out := map[string][]time.Time{}
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT integration, position, counting_since FROM sy_schedule ORDER BY integration, position`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			var pos int
			var since sql.NullString
			if err := rows.Scan(&name, &pos, &since); err != nil {
				return err
			}
			var t time.Time
			if since.Valid && since.String != "" {
				if t, err = parseTime(since.String); err != nil {
					return err
				}
			}
			for len(out[name]) < pos {
				out[name] = append(out[name], time.Time{})
			}
			out[name] = append(out[name], t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read schedules' counting since: %w", err)
	}
	return out, nil
}
