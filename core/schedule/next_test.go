package schedule

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	location = time.UTC
	from := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC) // a Tuesday
	tests := []struct {
		s    Schedule
		want time.Time
	}{
		{Schedule{Cron: "0 2 * * *"}, time.Date(2026, 3, 11, 2, 0, 0, 0, time.UTC)},
		{Schedule{Cron: "*/15 * * * *"}, time.Date(2026, 3, 10, 9, 15, 0, 0, time.UTC)},
		{Schedule{Cron: "30 2 * * 1-5"}, time.Date(2026, 3, 11, 2, 30, 0, 0, time.UTC)},
		{Schedule{Cron: "@hourly"}, time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)},
		{Schedule{Every: "2h"}, time.Date(2026, 3, 10, 11, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := tt.s.Next(from)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("%+v.Next(%v) = %v, %v; want %v", tt.s, from, got, err, tt.want)
		}
	}
	if _, err := (Schedule{Cron: "61 * * * *"}).Next(from); err == nil || !strings.Contains(err.Error(), "five fields") {
		t.Errorf("invalid cron: %v", err)
	}
}

// TestCronInLocalTime: "0 2 * * *" is 02:00 on the machine's clock, whatever the zone of the time counted from.
func TestCronInLocalTime(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	location = berlin
	defer func() { location = time.UTC }()
	from := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	got, _ := Schedule{Cron: "0 2 * * *"}.Next(from)
	if want := time.Date(2026, 3, 11, 2, 0, 0, 0, berlin); !got.Equal(want) {
		t.Errorf("next = %v, want %v", got, want)
	}
}

func TestTimes(t *testing.T) {
	location = time.UTC
	now := time.Date(2026, 3, 10, 10, 7, 0, 0, time.UTC)
	fmtAll := func(ts []time.Time) string {
		var out []string
		for _, x := range ts {
			out = append(out, x.Format("02 15:04"))
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		s    Schedule
		from time.Time
		want string
	}{
		{Schedule{Cron: "0 2 * * *"}, now, "11 02:00 12 02:00 13 02:00 14 02:00 15 02:00"},
		// Missed at 09:15 while nothing ran: due now, then on the cron's times after now.
		{Schedule{Cron: "*/15 * * * *"}, time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), "10 09:15 10 10:15 10 10:30 10 10:45 10 11:00"},
		{Schedule{Every: "15m"}, time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC), "10 10:15 10 10:30 10 10:45 10 11:00 10 11:15"},
		// Overdue interval: due now, then every 15 minutes from now.
		{Schedule{Every: "15m"}, time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC), "10 08:15 10 10:22 10 10:37 10 10:52 10 11:07"},
	}
	for _, tt := range tests {
		got, err := tt.s.Times(tt.from, now, 5)
		if err != nil || fmtAll(got) != tt.want {
			t.Errorf("%+v.Times(%v) = %q, %v; want %q", tt.s, tt.from, fmtAll(got), err, tt.want)
		}
	}
}

// TestPlan: a schedule there when the app started counts from the last sync
// (a missed run is due once) or, never run, from the start; one saved later
// counts from when it was saved, so that saving or importing never starts a
// sync at once; saving again unchanged does not move it; disabling and
// enabling again counts anew.
func TestPlan(t *testing.T) {
	location = time.UTC
	start := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	lastSync := time.Date(2026, 3, 9, 3, 0, 0, 0, time.UTC)
	daily := Schedule{Cron: "0 2 * * *", Enabled: true}
	every := Schedule{Every: "15m", Enabled: true}
	p := &Plan{}
	p.Observe("crm", []Schedule{daily}, start)
	p.Observe("erp", []Schedule{every}, start)

	if at, _ := p.Next("crm", daily, lastSync, start); !at.Equal(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("missed daily run = %v, want due (today 02:00)", at)
	}
	if at, _ := p.Next("erp", every, time.Time{}, start); !at.Equal(start.Add(15 * time.Minute)) {
		t.Errorf("never-run interval = %v, want 15 minutes after the start", at)
	}

	// An interval saved at 12:42 on an integration that last synced days ago: 12:57, not now.
	saved := time.Date(2026, 3, 10, 12, 42, 0, 0, time.UTC)
	p.Observe("crm", []Schedule{daily, every}, saved)
	later := saved.Add(5 * time.Minute)
	if at, _ := p.Next("crm", every, lastSync, later); !at.Equal(saved.Add(15 * time.Minute)) {
		t.Errorf("interval saved at 12:42 runs at %v, want 12:57", at)
	}
	// Saved again, unchanged: it does not move.
	p.Observe("crm", []Schedule{daily, every}, later)
	if at, _ := p.Next("crm", every, lastSync, later); !at.Equal(saved.Add(15 * time.Minute)) {
		t.Errorf("after an unchanged save: %v, want 12:57", at)
	}
	// A sync at 12:50 (Run now): the next is 13:05.
	sync := time.Date(2026, 3, 10, 12, 50, 0, 0, time.UTC)
	if at, _ := p.Next("crm", every, sync, later.Add(5*time.Minute)); !at.Equal(sync.Add(15 * time.Minute)) {
		t.Errorf("after a sync at 12:50: %v", at)
	}
	// Disabled, then enabled at 14:00: it counts from 14:00.
	p.Observe("crm", []Schedule{daily, {Every: "15m"}}, later)
	on := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	p.Observe("crm", []Schedule{daily, every}, on)
	if at, _ := p.Next("crm", every, sync, on); !at.Equal(on.Add(15 * time.Minute)) {
		t.Errorf("enabled again at 14:00: %v", at)
	}
	if at, ok := p.Soonest("crm", []Schedule{daily, every}, sync, on); !ok || !at.Equal(on.Add(15*time.Minute)) {
		t.Errorf("soonest = %v %v", at, ok)
	}
	p.Retain([]string{"erp"})
	if n := len(p.seen); n != 1 {
		t.Errorf("%d schedules kept after crm went", n)
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		s    Schedule
		want string
	}{
		{Schedule{Every: "15m"}, "every 15 minutes"},
		{Schedule{Every: "1h"}, "every hour"},
		{Schedule{Every: "2h"}, "every 2 hours"},
		{Schedule{Every: "90m"}, "every hour 30 minutes"},
		{Schedule{Every: "24h"}, "every day"},
		{Schedule{Cron: "0 2 * * *"}, "every day at 02:00"},
		{Schedule{Cron: "30 7 * * 1-5"}, "every weekday (Monday to Friday) at 07:30"},
		{Schedule{Cron: "0 6 1 * *"}, "on day 1 of every month at 06:00"},
		{Schedule{Cron: "0 8,17 * * 1,4"}, "every Monday and Thursday at 08:00 and 17:00"},
		{Schedule{Cron: "*/15 * * * *"}, "every 15 minutes"},
		{Schedule{Cron: "*/10 * * * 1-5"}, "every 10 minutes, every weekday (Monday to Friday)"},
		{Schedule{Cron: "0 */2 * * *"}, "every 2 hours"},
		{Schedule{Cron: "5 * * * *"}, "every hour at minute 5"},
		{Schedule{Cron: "0 9-17 * * *"}, "every hour at minute 0 from 09:00 to 17:00"},
		{Schedule{Cron: "0 0 1 1 *"}, "on day 1 in January at 00:00"},
		{Schedule{Cron: "@daily"}, "every day at 00:00"},
		{Schedule{Cron: "@hourly"}, "every hour, on the hour"},
		{Schedule{Cron: "5,35 */3 1-7 * *"}, "cron 5,35 */3 1-7 * *"},
		{Schedule{Cron: "0 2 * *"}, "invalid: cron \"0 2 * *\": has 4 fields, want 5 (minute hour day-of-month month day-of-week)"},
	}
	for _, tt := range tests {
		if got := tt.s.Describe(); got != tt.want {
			t.Errorf("%+v.Describe() = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestWhen(t *testing.T) {
	location = time.UTC
	now := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		at   time.Time
		want string
	}{
		{now, "due now"},
		{now.Add(-time.Hour), "due now"},
		{now.Add(30 * time.Minute), "today 10:30"},
		{time.Date(2026, 3, 11, 2, 0, 0, 0, time.UTC), "tomorrow 02:00"},
		{time.Date(2026, 3, 16, 2, 0, 0, 0, time.UTC), "Mon 16 Mar 02:00"},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "Fri 1 Jan 2027 00:00"},
	}
	for _, tt := range tests {
		if got := When(tt.at, now); got != tt.want {
			t.Errorf("When(%v) = %q, want %q", tt.at, got, tt.want)
		}
	}
}

func TestSystemdCalendar(t *testing.T) {
	tests := []struct{ cron, want string }{
		{"0 2 * * *", "*-*-* 2:0:00"},
		{"30 2 * * 1-5", "Mon..Fri *-*-* 2:30:00"},
		{"*/15 * * * *", "*-*-* *:0/15:00"},
		{"0 6 1 * 0,6", "Sun,Sat *-*-1 6:0:00"},
	}
	for _, tt := range tests {
		if got := systemdCalendar(tt.cron); got != tt.want {
			t.Errorf("systemdCalendar(%q) = %q, want %q", tt.cron, got, tt.want)
		}
	}
}

func TestSchtasks(t *testing.T) {
	tests := []struct {
		s    Schedule
		want string
	}{
		{Schedule{Cron: "0 2 * * *"}, "/SC DAILY /ST 02:00"},
		{Schedule{Cron: "30 7 * * 1,3"}, "/SC WEEKLY /D MON,WED /ST 07:30"},
		{Schedule{Every: "2h"}, "/SC HOURLY /MO 2"},
		{Schedule{Cron: "0 2 1 * *"}, "REM schtasks cannot express"},
	}
	for _, tt := range tests {
		sn, err := OSSnippets("crm", `C:\sy\switchyard.exe`, `C:\w.db`, tt.s)
		if err != nil || !strings.Contains(sn.Schtasks, tt.want) {
			t.Errorf("%+v: %q, %v; want %q", tt.s, sn.Schtasks, err, tt.want)
		}
	}
}

// TestRunner runs a due interval sync (missed while the app was closed) once
// and reports it, and leaves a cron schedule for later.
func TestRunner(t *testing.T) {
	now := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	ran := make(chan string, 4)
	r := &Runner{
		Entries: func(context.Context) ([]Entry, error) {
			return []Entry{{Integration: "crm", Schedules: []Schedule{{Every: "15m", Enabled: true}}},
				{Integration: "erp", Schedules: []Schedule{{Cron: "0 2 * * *", Enabled: true}}},
				{Integration: "off", Schedules: []Schedule{{Every: "15m"}}}}, nil
		},
		Run: func(_ context.Context, name string) (Outcome, error) {
			ran <- name
			return Outcome{Status: "succeeded", Summary: "RESULTS", LogID: 7}, nil
		},
		LastRun: func(_ context.Context, name string) (time.Time, error) {
			if name == "crm" {
				return now.Add(-time.Hour), nil // missed while the app was closed: due once
			}
			return time.Time{}, nil
		},
		Now:  func() time.Time { return now },
		Tick: time.Hour,
	}
	up, err := r.Upcoming(context.Background())
	if err != nil || len(up) != 2 || up[0].Integration != "crm" || up[1].Integration != "erp" {
		t.Fatalf("Upcoming = %+v, %v", up, err)
	}
	r.Start(context.Background())
	defer r.Stop()
	if got := <-ran; got != "crm" {
		t.Errorf("ran %q, want crm", got)
	}
	started, finished := <-r.Events(), <-r.Events()
	if started.Kind != Started || finished.Kind != Finished || finished.LogID != 7 || finished.Status != "succeeded" {
		t.Errorf("events %+v, %+v", started, finished)
	}
	r.RunNow("erp")
	if got := <-ran; got != "erp" {
		t.Errorf("RunNow ran %q", got)
	}
}

// TestPeek: an editor's preview of a schedule not saved yet counts from now
// and leaves the plan as it was; a saved one shows what the runner will do.
func TestPeek(t *testing.T) {
	location = time.UTC
	start := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	every := Schedule{Every: "15m", Enabled: true}
	p := &Plan{}
	p.Observe("crm", []Schedule{every}, start)
	now := start.Add(20 * time.Minute)
	if got := p.Peek("crm", every, time.Time{}, now); !got.Equal(start) {
		t.Errorf("peek of a saved schedule = %v, want %v", got, start)
	}
	typed := Schedule{Every: "30m", Enabled: true}
	if got := p.Peek("crm", typed, time.Time{}, now); !got.Equal(now) {
		t.Errorf("peek of a typed schedule = %v, want now", got)
	}
	if len(p.seen) != 1 {
		t.Errorf("peek remembered the typed schedule: %v", p.seen)
	}
}

// TestPlanCountingSinceKept: with the workspace's counting-since times a new
// plan (the app restarted) counts a schedule from the later of that time and
// the last sync, not from when the app started; without one it keeps the
// old rule; the plan's own Observe never moves a kept time.
func TestPlanCountingSinceKept(t *testing.T) {
	location = time.UTC
	start := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC) // the app starts
	every := Schedule{Every: "15m", Enabled: true}
	hourly := Schedule{Every: "1h", Enabled: true}
	p := &Plan{}

	// Never ran, saved at 09:50 before the app closed: due at 10:05, not 10:15.
	saved := start.Add(-10 * time.Minute)
	p.ObserveSince("never", []Schedule{every}, []time.Time{saved}, start)
	if at, _ := p.Next("never", every, time.Time{}, start); !at.Equal(saved.Add(15 * time.Minute)) {
		t.Errorf("a schedule that never ran = %v, want 15 minutes after it was saved", at)
	}
	// Added at 09:00 while the app was closed, the last sync at 08:00: due at 10:00 (now), once.
	sync := start.Add(-2 * time.Hour)
	p.ObserveSince("added", []Schedule{hourly}, []time.Time{start.Add(-time.Hour)}, start)
	if at, _ := p.Next("added", hourly, sync, start); !at.Equal(start) {
		t.Errorf("a schedule added while closed = %v, want due now (an hour after it was added)", at)
	}
	// Added before the last sync: it counts from the sync (a missed run is due once).
	p.ObserveSince("old", []Schedule{hourly}, []time.Time{sync.Add(-24 * time.Hour)}, start)
	if at, _ := p.Next("old", hourly, sync, start); !at.Equal(sync.Add(time.Hour)) {
		t.Errorf("an old schedule = %v, want an hour after the last sync", at)
	}
	// The UI's Observe after an unchanged save keeps the kept time.
	p.Observe("never", []Schedule{every}, start.Add(time.Minute))
	if at, _ := p.Next("never", every, time.Time{}, start); !at.Equal(saved.Add(15 * time.Minute)) {
		t.Errorf("after Observe: %v", at)
	}
	// Without a kept time (zero), the old rule: never ran counts from the start.
	p.ObserveSince("legacy", []Schedule{every}, []time.Time{{}}, start)
	if at, _ := p.Next("legacy", every, time.Time{}, start); !at.Equal(start.Add(15 * time.Minute)) {
		t.Errorf("no kept time = %v, want 15 minutes after the start", at)
	}
	// Peek of a saved schedule shows the kept time's run.
	if from := p.Peek("never", every, time.Time{}, start); !from.Equal(saved) {
		t.Errorf("Peek = %v, want %v", from, saved)
	}
	// A disabled schedule with a time is not counted.
	p.ObserveSince("never", []Schedule{{Every: "15m"}}, []time.Time{{}}, start)
	if _, ok := p.Soonest("never", []Schedule{{Every: "15m"}}, time.Time{}, start); ok {
		t.Error("a disabled schedule has a next run")
	}
}

// TestRunnerTicks: a runner driven by Ticks looks for due syncs once per
// tick, by its clock: nothing runs while nothing is due, a schedule that
// comes due runs on the next tick, once.
func TestRunnerTicks(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	last := now.Add(-5 * time.Minute)
	var ran []string
	ticks := make(chan time.Time)
	r := &Runner{
		Entries: func(context.Context) ([]Entry, error) {
			return []Entry{{Integration: "crm", Schedules: []Schedule{{Every: "15m", Enabled: true}}}}, nil
		},
		Run: func(_ context.Context, name string) (Outcome, error) {
			mu.Lock()
			defer mu.Unlock()
			ran, last = append(ran, name), now
			return Outcome{Status: "succeeded"}, nil
		},
		LastRun: func(context.Context, string) (time.Time, error) {
			mu.Lock()
			defer mu.Unlock()
			return last, nil
		},
		Now: func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			return now
		},
		Ticks: ticks,
	}
	tick := func() {
		t.Helper()
		select {
		case ticks <- now:
		case <-time.After(10 * time.Second):
			t.Fatal("the runner took no tick")
		}
	}
	ranNow := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(ran)
	}
	r.Start(context.Background())
	defer r.Stop()
	tick()
	tick() // the first tick's look for due syncs is done
	if got := ranNow(); len(got) != 0 {
		t.Fatalf("ran %v before anything was due", got)
	}
	mu.Lock()
	now = now.Add(20 * time.Minute)
	mu.Unlock()
	tick()
	tick()
	tick()
	if got := ranNow(); !slices.Equal(got, []string{"crm"}) {
		t.Errorf("ran %v once due, want crm once", got)
	}
}
