package schedule

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// parser reads five-field cron expressions (minute hour day-of-month month
// day-of-week) and descriptors such as @daily and @hourly.
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// location is the time zone cron expressions are read in: the machine's, as
// an admin writes "0 2 * * *" for 02:00 on the clock on the wall.
var location = time.Local

// Parse reads a cron expression as schedules use it.
func Parse(expr string) (cron.Schedule, error) {
	sc, err := parser.Parse(strings.TrimSpace(expr))
	if err != nil {
		return nil, fmt.Errorf("cron %q: %w: write five fields (minute hour day-of-month month day-of-week), e.g. \"0 2 * * *\"", expr, err)
	}
	return sc, nil
}

// Next is the one computation of when a schedule runs: every screen and the
// runner use it (through a Plan). It returns the first run of s after from:
// for a cron expression, its first time after from (in the machine's time
// zone); for an interval, from plus the interval. from is the time the
// schedule counts from (Plan.From): the start of the integration's last
// sync, or when the schedule began to count. A result at or before now means
// the sync is due now (a run missed while nothing ran is due once).
func (s Schedule) Next(from time.Time) (time.Time, error) {
	if err := s.Validate(); err != nil {
		return time.Time{}, err
	}
	if s.Every != "" {
		d, _ := time.ParseDuration(s.Every)
		return from.Add(d), nil
	}
	sc, err := Parse(s.Cron)
	if err != nil {
		return time.Time{}, err
	}
	return sc.Next(from.In(location)), nil
}

// Times returns the next n runs of s counting from from, as seen at now: the
// first is Next(from), which may be at or before now (due now); the ones after
// it count as if that run happened when due, or now if it is overdue.
func (s Schedule) Times(from, now time.Time, n int) ([]time.Time, error) {
	first, err := s.Next(from)
	if err != nil || n <= 0 {
		return nil, err
	}
	out := []time.Time{first}
	at := first
	if at.Before(now) {
		at = now
	}
	for len(out) < n {
		next, err := s.Next(at)
		if err != nil {
			return out, err
		}
		out = append(out, next)
		at = next
	}
	return out, nil
}

// Plan remembers since when each enabled schedule counts, so that the
// runner and the screens that show next runs agree, and so that a schedule
// saved or imported while the app runs never starts a sync at once:
//
//   - a schedule whose counting-since time the workspace keeps
//     (sy_schedule.counting_since, set when it was added, changed or enabled,
//     told with ObserveSince) counts from the later of that time and the
//     integration's last sync, across restarts: a run missed while the app
//     was closed is due once, and one added while it was closed counts from
//     when it was added;
//   - without it, a schedule there when the plan began (the app started)
//     counts from the integration's last sync, and one that never ran from
//     when the app started;
//   - a schedule added, changed or enabled while the app runs counts from that
//     moment, or from a sync after it.
//
// The zero Plan is ready to use; it is safe for concurrent use.
type Plan struct {
	mu    sync.Mutex
	began time.Time
	// seen is since when each enabled schedule counts, by key.
	seen map[string]mark
}

// mark is since when a schedule counts: the workspace's time (stored), or
// when the plan first saw it.
type mark struct {
	at     time.Time
	stored bool
}

// key identifies one schedule of one integration by what it says.
func key(integration string, s Schedule) string {
	return integration + "\x00" + strings.TrimSpace(s.Cron) + "\x00" + strings.TrimSpace(s.Every)
}

// Observe tells the plan the integration's schedules as saved now: enabled
// ones not seen before begin to count at now; disabled and removed ones are
// forgotten (enabled again, they count from then). The first Observe or From
// of a plan marks when it began.
func (p *Plan) Observe(integration string, schedules []Schedule, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.observe(integration, schedules, nil, now)
}

// ObserveSince is Observe with since when each schedule counts as the
// workspace keeps it (since[i] for schedules[i], zero when unknown): a time
// kept there replaces what the plan remembers.
func (p *Plan) ObserveSince(integration string, schedules []Schedule, since []time.Time, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.observe(integration, schedules, since, now)
}

func (p *Plan) observe(integration string, schedules []Schedule, since []time.Time, now time.Time) {
	p.init(now)
	keep := map[string]bool{}
	for i, s := range schedules {
		if !s.Enabled {
			continue
		}
		k := key(integration, s)
		keep[k] = true
		switch _, ok := p.seen[k]; {
		case i < len(since) && !since[i].IsZero():
			p.seen[k] = mark{at: since[i], stored: true}
		case !ok:
			p.seen[k] = mark{at: now}
		}
	}
	prefix := integration + "\x00"
	for k := range p.seen {
		if strings.HasPrefix(k, prefix) && !keep[k] {
			delete(p.seen, k)
		}
	}
}

// Forget drops what the plan knows of the integration (it was deleted or renamed).
func (p *Plan) Forget(integration string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k := range p.seen {
		if strings.HasPrefix(k, integration+"\x00") {
			delete(p.seen, k)
		}
	}
}

// Retain forgets the integrations not named (deleted or renamed ones).
func (p *Plan) Retain(integrations []string) {
	keep := map[string]bool{}
	for _, n := range integrations {
		keep[n] = true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for k := range p.seen {
		name, _, _ := strings.Cut(k, "\x00")
		if !keep[name] {
			delete(p.seen, k)
		}
	}
}

// From returns the time the enabled schedule s of the integration counts
// from, given the start of its last sync (zero when it never synced).
func (p *Plan) From(integration string, s Schedule, last, now time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init(now)
	k := key(integration, s)
	m, ok := p.seen[k]
	if !ok {
		m = mark{at: now}
		p.seen[k] = m
	}
	return p.from(m, last)
}

// init marks when the plan began, on its first use.
func (p *Plan) init(now time.Time) {
	if p.seen == nil {
		p.seen = map[string]mark{}
		p.began = now
	}
}

// from is the time a schedule marked m counts from, given its integration's last sync.
func (p *Plan) from(m mark, last time.Time) time.Time {
	if !m.stored && !m.at.After(p.began) && !last.IsZero() {
		return last // there from the start, time not kept: a run missed while the app was closed is due once
	}
	if last.After(m.at) {
		return last
	}
	return m.at
}

// Peek returns what From would, without remembering s: a schedule not seen
// yet counts from now (or a later sync), as it will once saved. Editors show
// the next runs of a schedule being typed with it.
func (p *Plan) Peek(integration string, s Schedule, last, now time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	m, ok := p.seen[key(integration, s)]
	if !s.Enabled || !ok {
		m = mark{at: now, stored: true} // counts from now once saved, whenever the plan began
	}
	return p.from(m, last)
}

// Next returns when the integration syncs next by s, the first time after
// From; a time at or before now means due now.
func (p *Plan) Next(integration string, s Schedule, last, now time.Time) (time.Time, error) {
	return s.Next(p.From(integration, s, last, now))
}

// Times returns the next n runs of the integration by s (see Schedule.Times).
func (p *Plan) Times(integration string, s Schedule, last, now time.Time, n int) ([]time.Time, error) {
	return s.Times(p.From(integration, s, last, now), now, n)
}

// Soonest returns the integration's next sync by any of its enabled
// schedules, and false when none is enabled and valid.
func (p *Plan) Soonest(integration string, schedules []Schedule, last, now time.Time) (time.Time, bool) {
	var best time.Time
	for _, s := range schedules {
		if !s.Enabled {
			continue
		}
		at, err := p.Next(integration, s, last, now)
		if err != nil {
			continue // an invalid schedule never fires; the integration check reports it
		}
		if best.IsZero() || at.Before(best) {
			best = at
		}
	}
	return best, !best.IsZero()
}

// When says in words when a run at t happens, seen at now: "due now",
// "today 14:30", "tomorrow 02:00", "Mon 9 Mar 02:00", or with the year when
// it is not this year's.
func When(t, now time.Time) string {
	if !t.After(now) {
		return "due now"
	}
	t, now = t.In(location), now.In(location)
	y1, m1, d1 := now.Date()
	y2, m2, d2 := t.Date()
	today := time.Date(y1, m1, d1, 0, 0, 0, 0, location)
	day := time.Date(y2, m2, d2, 0, 0, 0, 0, location)
	switch days := int(day.Sub(today).Hours()/24 + 0.5); {
	case days == 0:
		return "today " + t.Format("15:04")
	case days == 1:
		return "tomorrow " + t.Format("15:04")
	case y1 == y2:
		return t.Format("Mon 2 Jan 15:04")
	}
	return t.Format("Mon 2 Jan 2006 15:04")
}
