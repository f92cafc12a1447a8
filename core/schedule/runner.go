package schedule

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Entry is one integration's schedules; the enabled ones count.
type Entry struct {
	Integration string
	Schedules   []Schedule
	// Since is since when each schedule counts as the workspace keeps it
	// (Since[i] for Schedules[i]); zero or missing when unknown.
	Since []time.Time
}

// Due is when an integration's next sync runs.
type Due struct {
	Integration string
	At          time.Time
}

// EventKind says what an Event reports.
type EventKind string

// The event kinds.
const (
	Started  EventKind = "started"
	Finished EventKind = "finished"
	// Skipped: the sync could not start (e.g. another run holds the lock); Err says why.
	Skipped EventKind = "skipped"
)

// Event is what the Runner reports about one sync.
type Event struct {
	Integration string
	Kind        EventKind
	At          time.Time
	// Status (succeeded, partial, failed, cancelled), Summary (the results
	// line) and LogID (its row in sy_integration_log) are set when Finished.
	Status  string
	Summary string
	LogID   int64
	Err     error
}

// Outcome is what Runner.Run reports about a sync that ran.
type Outcome struct {
	Status, Summary string
	LogID           int64
}

// Runner runs the syncs whose schedules are due, one at a time, while the
// app is open. Set its functions, Start it, read Events, Stop it.
type Runner struct {
	// Entries returns every integration's schedules; it is called on every tick.
	Entries func(ctx context.Context) ([]Entry, error)
	// Run runs one sync of the integration.
	Run func(ctx context.Context, integration string) (Outcome, error)
	// LastRun returns when the integration's last sync started, zero when never.
	LastRun func(ctx context.Context, integration string) (time.Time, error)
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
	// Tick is how often due syncs are looked for; 30s when 0.
	Tick time.Duration
	// Ticks, when set, ticks the runner instead of a ticker every Tick: due
	// syncs are looked for once after each value it sends. Tests drive the
	// runner with it; a send returns once the runner took the tick, so a
	// second send returns once the first one's syncs have run.
	Ticks <-chan time.Time
	// Plan says since when each schedule counts; the screens that show
	// next runs read the same one (Runner.Plan). A new one when nil.
	Plan *Plan

	once   sync.Once
	events chan Event
	now    chan string
	cancel context.CancelFunc
	done   chan struct{}
}

func (r *Runner) init() {
	r.once.Do(func() {
		r.events = make(chan Event, 64)
		r.now = make(chan string, 16)
		if r.Plan == nil {
			r.Plan = &Plan{}
		}
	})
}

// Schedules returns the plan of next runs the runner follows, for the
// screens that show them.
func (r *Runner) Schedules() *Plan {
	r.init()
	return r.Plan
}

func (r *Runner) clock() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Events returns the channel of started, finished and skipped syncs. It is
// buffered; events are dropped when nobody reads it.
func (r *Runner) Events() <-chan Event {
	r.init()
	return r.events
}

// RunNow queues a sync of the integration now, whatever its schedules.
func (r *Runner) RunNow(integration string) {
	r.init()
	select {
	case r.now <- integration:
	default:
	}
}

// Start runs due syncs in the background until ctx ends or Stop is called.
// A sync already due when it starts (missed while the app was closed) runs once.
func (r *Runner) Start(ctx context.Context) {
	r.init()
	ctx, r.cancel = context.WithCancel(ctx)
	r.done = make(chan struct{})
	ticks, stop := r.ticker()
	go func() {
		defer close(r.done)
		defer stop()
		for {
			r.runDue(ctx)
			select {
			case <-ctx.Done():
				return
			case name := <-r.now:
				r.runOne(ctx, name)
			case <-ticks:
			}
		}
	}()
}

// ticker returns the runner's ticks, Ticks or a ticker every Tick (30s when
// 0), and what stops them.
func (r *Runner) ticker() (<-chan time.Time, func()) {
	if r.Ticks != nil {
		return r.Ticks, func() {}
	}
	tick := r.Tick
	if tick <= 0 {
		tick = 30 * time.Second
	}
	t := time.NewTicker(tick)
	return t.C, t.Stop
}

// Stop cancels the sync in progress (it stops after its current page) and waits for the runner to end.
func (r *Runner) Stop() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	<-r.done
}

// Upcoming returns the next sync of every integration with an enabled
// schedule, soonest first, by the runner's Plan; a time at or before now
// means due now.
func (r *Runner) Upcoming(ctx context.Context) ([]Due, error) {
	r.init()
	entries, err := r.Entries(ctx)
	if err != nil {
		return nil, err
	}
	now := r.clock()
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		r.Plan.ObserveSince(e.Integration, e.Schedules, e.Since, now)
		names = append(names, e.Integration)
	}
	r.Plan.Retain(names)
	var out []Due
	for _, e := range entries {
		last, err := r.LastRun(ctx, e.Integration)
		if err != nil {
			return nil, err
		}
		if best, ok := r.Plan.Soonest(e.Integration, e.Schedules, last, now); ok {
			out = append(out, Due{Integration: e.Integration, At: best})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

func (r *Runner) runDue(ctx context.Context) {
	due, err := r.Upcoming(ctx)
	if err != nil {
		r.emit(Event{Kind: Skipped, At: r.clock(), Err: err})
		return
	}
	now := r.clock()
	for _, d := range due {
		if ctx.Err() != nil || d.At.After(now) {
			return
		}
		r.runOne(ctx, d.Integration)
	}
}

func (r *Runner) runOne(ctx context.Context, name string) {
	r.emit(Event{Integration: name, Kind: Started, At: r.clock()})
	out, err := r.Run(ctx, name)
	kind := Finished
	if err != nil && out.LogID == 0 {
		kind = Skipped
	}
	r.emit(Event{Integration: name, Kind: kind, At: r.clock(), Status: out.Status, Summary: out.Summary, LogID: out.LogID, Err: err})
}

func (r *Runner) emit(e Event) {
	select {
	case r.events <- e:
	default:
	}
}
