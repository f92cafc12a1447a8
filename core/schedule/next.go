package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// parser reads five-field cron expressions (minute hour day-of-month month
// day-of-week) and descriptors such as @daily and @hourly.
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Parse reads a cron expression as schedules use it.
func Parse(expr string) (cron.Schedule, error) {
	sc, err := parser.Parse(strings.TrimSpace(expr))
	if err != nil {
		return nil, fmt.Errorf("cron %q: %w: write five fields (minute hour day-of-month month day-of-week), e.g. \"0 2 * * *\"", expr, err)
	}
	return sc, nil
}

// Next returns when s fires next, after the integration's last sync started
// at last (zero when it never ran), as seen at now: for a cron expression,
// its first time after last (after now when it never ran); for an interval,
// last plus the interval (now when it never ran). A time at or before now
// means the sync is due (one missed while nothing ran is due once).
func (s Schedule) Next(now, last time.Time) (time.Time, error) {
	if err := s.Validate(); err != nil {
		return time.Time{}, err
	}
	if s.Every != "" {
		d, _ := time.ParseDuration(s.Every)
		if last.IsZero() {
			return now, nil
		}
		return last.Add(d), nil
	}
	sc, err := Parse(s.Cron)
	if err != nil {
		return time.Time{}, err
	}
	from := last
	if from.IsZero() {
		from = now
	}
	return sc.Next(from), nil
}
