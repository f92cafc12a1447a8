// Package schedule describes when an integration synchronises.
package schedule

import (
	"fmt"
	"strings"
	"time"
)

// Schedule runs an integration's sync either on a cron expression or at a fixed interval.
type Schedule struct {
	// Cron is a five-field cron expression ("0 2 * * *"); empty when Every is used.
	Cron string `json:"cron,omitempty"`
	// Every is an interval such as "15m" or "1h"; empty when Cron is used.
	Every string `json:"every,omitempty"`
	// Enabled turns the schedule on.
	Enabled bool `json:"enabled"`
}

// Validate checks that exactly one of Cron and Every is set and well formed.
func (s Schedule) Validate() error {
	switch {
	case s.Cron == "" && s.Every == "":
		return fmt.Errorf("set either cron (e.g. \"0 2 * * *\") or every (e.g. \"15m\")")
	case s.Cron != "" && s.Every != "":
		return fmt.Errorf("set cron or every, not both")
	case s.Every != "":
		d, err := time.ParseDuration(s.Every)
		if err != nil || d < time.Minute {
			return fmt.Errorf("every %q: use a duration of at least a minute such as \"15m\" or \"2h\"", s.Every)
		}
	default:
		if n := len(strings.Fields(s.Cron)); n != 5 && !strings.HasPrefix(strings.TrimSpace(s.Cron), "@") {
			return fmt.Errorf("cron %q: has %d fields, want 5 (minute hour day-of-month month day-of-week)", s.Cron, n)
		}
		if _, err := Parse(s.Cron); err != nil {
			return err
		}
	}
	return nil
}
