package ui

import (
	"fmt"
	"strings"
	"time"

	"switchyard/core/mapping"
	"switchyard/core/schedule"
	"switchyard/core/store"
)

// nextRunText says when the integration in synchronises next by its enabled
// schedules: an interval counts from the last run (from now when there was
// none); a cron expression is shown as written.
func nextRunText(in mapping.Integration, last store.LogEntry, now time.Time) string {
	var parts []string
	for _, s := range in.Schedules {
		if !s.Enabled {
			continue
		}
		parts = append(parts, nextOf(s, last, now))
	}
	if len(parts) == 0 {
		return "not scheduled"
	}
	return strings.Join(parts, "; ")
}

// nextOf says when the schedule s runs next, after the last sync.
func nextOf(s schedule.Schedule, last store.LogEntry, now time.Time) string {
	next, err := s.Next(now, last.Started)
	switch {
	case err != nil:
		return fmt.Sprintf("invalid: %v", err)
	case !next.After(now):
		return "due now"
	}
	return next.Local().Format("2006-01-02 15:04")
}
