package ui

import (
	"time"

	"switchyard/core/mapping"
	"switchyard/core/schedule"
)

// lastSync returns when the integration called name last synced (zero when
// never), as the in-app runner reads it: schedules count from it.
func (s *Shell) lastSync(name string) time.Time {
	last, _ := s.svc.LastSync(s.ctx(), name)
	return last
}

// nextRunText says when the integration syncs next by its enabled
// schedules, by the same plan the runner follows: "due now", "today 14:30",
// "not scheduled". last is its last sync's start (Shell.lastSync).
func (s *Shell) nextRunText(in mapping.Integration, last, now time.Time) string {
	s.observePlan(in.Name, in.Schedules, now)
	enabled := false
	for _, sc := range in.Schedules {
		enabled = enabled || sc.Enabled
	}
	if !enabled {
		return "not scheduled"
	}
	at, ok := s.plan.Soonest(in.Name, in.Schedules, last, now)
	if !ok {
		return "invalid schedule"
	}
	return schedule.When(at, now)
}

// scheduleTimes returns the next n runs of the saved schedule sc of the
// integration called name, by the runner's plan.
func (s *Shell) scheduleTimes(name string, sc schedule.Schedule, last, now time.Time, n int) ([]time.Time, error) {
	return s.plan.Times(name, sc, last, now, n)
}

// previewTimes returns the next n runs that sc, being edited, will have once
// saved (it is not remembered by the plan).
func (s *Shell) previewTimes(name string, sc schedule.Schedule, last, now time.Time, n int) ([]time.Time, error) {
	return sc.Times(s.plan.Peek(name, sc, last, now), now, n)
}

// timesText lists run times one per line, the first as "due now" when it is.
func timesText(ts []time.Time, now time.Time) string {
	out := ""
	for i, t := range ts {
		if i > 0 {
			out += "\n"
		}
		out += schedule.When(t, now)
	}
	return out
}

// observePlan tells the plan the integration's schedules as saved, with
// since when each counts as the workspace keeps it (sy_schedule.counting_since),
// so that next runs shown agree with the runner's across restarts.
func (s *Shell) observePlan(name string, schedules []schedule.Schedule, now time.Time) {
	since, err := s.svc.SchedulesSince(s.ctx())
	if err != nil {
		since = nil // the plan's own memory then: counts from when it first saw them
	}
	s.plan.ObserveSince(name, schedules, since[name], now)
}
