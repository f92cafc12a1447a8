package ui

import (
	"time"

	"switchyard/core/admin"
	"switchyard/core/schedule"
)

// lastSync returns when the integration called name last synced (zero when
// never), as the in-app runner reads it: schedules count from it. It is
// what the lists of integrations and schedules loaded last (noteStatuses):
// no screen reads the workspace on the UI goroutine.
func (s *Shell) lastSync(name string) time.Time {
	return s.statuses[name].LastSync
}

// noteStatuses keeps the integrations as a list loaded them, and tells the
// plan their schedules as saved, with since when each counts as the
// workspace keeps it (sy_schedule.counting_since), so that next runs shown
// agree with the runner's across restarts.
func (s *Shell) noteStatuses(list []admin.IntegrationStatus, now time.Time) {
	s.statuses = make(map[string]admin.IntegrationStatus, len(list))
	for _, st := range list {
		s.statuses[st.Integration.Name] = st
		s.plan.ObserveSince(st.Integration.Name, st.Integration.Schedules, st.Since, now)
	}
}

// nextRunText says when the integration syncs next by its enabled
// schedules, by the same plan the runner follows: "due now", "today 14:30",
// "not scheduled".
func (s *Shell) nextRunText(st admin.IntegrationStatus, now time.Time) string {
	in := st.Integration
	enabled := false
	for _, sc := range in.Schedules {
		enabled = enabled || sc.Enabled
	}
	if !enabled {
		return "not scheduled"
	}
	at, ok := s.plan.Soonest(in.Name, in.Schedules, st.LastSync, now)
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

// observeSaved tells the plan the schedules of the integration called name
// as just saved: those it knew keep counting as before, new ones count from
// now, as the workspace records them (the next list loaded reads its times).
func (s *Shell) observeSaved(name string, schedules []schedule.Schedule, now time.Time) {
	s.plan.Observe(name, schedules, now)
}
