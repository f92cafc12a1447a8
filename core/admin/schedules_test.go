package admin

import (
	"context"
	"strings"
	"testing"
	"time"

	"switchyard/core/schedule"
	"switchyard/core/spec"
	"switchyard/core/store"
)

// TestSaveSchedulesKeepsTheRest: the app's schedule editor replaces the
// schedules and keeps the settings, secrets and mappings; a bad schedule is
// refused with its number; LastSync reads the last sync, not other runs.
func TestSaveSchedulesKeepsTheRest(t *testing.T) {
	var down bool
	var opened spec.Values
	svc := newService(t, &down, &opened)
	ctx := context.Background()
	if _, err := svc.ImportFile(ctx, strings.NewReader(memFile)); err != nil {
		t.Fatal(err)
	}
	before, _ := svc.Store.Integration(ctx, "things")
	want := []schedule.Schedule{{Cron: "0 2 * * *", Enabled: true}, {Every: "15m"}}
	if err := svc.SaveSchedules(ctx, "things", want); err != nil {
		t.Fatal(err)
	}
	after, _ := svc.Store.Integration(ctx, "things")
	if len(after.Schedules) != 2 || after.Schedules[0] != want[0] || after.Schedules[1] != want[1] {
		t.Errorf("schedules = %+v", after.Schedules)
	}
	if after.Secrets["password"] != before.Secrets["password"] || len(after.Entities) != len(before.Entities) || after.Settings["url"] != before.Settings["url"] {
		t.Errorf("the rest changed: %+v", after)
	}
	err := svc.SaveSchedules(ctx, "things", []schedule.Schedule{{Cron: "0 2 * * *"}, {Every: "10s"}})
	if err == nil || !IsConfigError(err) || !strings.Contains(err.Error(), "schedule 2 of \"things\"") {
		t.Errorf("a bad schedule: %v", err)
	}
	if err := svc.SaveSchedules(ctx, "nothing", nil); err == nil {
		t.Error("schedules saved for a missing integration")
	}

	if last, err := svc.LastSync(ctx, "things"); err != nil || !last.IsZero() {
		t.Errorf("LastSync before any sync = %v, %v", last, err)
	}
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	for i, kind := range []string{"sync", "import"} {
		if _, err := svc.Store.AddLog(ctx, store.LogEntry{Integration: "things", Kind: kind, Status: "succeeded",
			Started: at.Add(time.Duration(i) * time.Hour), Ended: at.Add(time.Duration(i)*time.Hour + time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	if last, err := svc.LastSync(ctx, "things"); err != nil || !last.Equal(at) {
		t.Errorf("LastSync = %v, %v; want the sync's start %v, not the import's", last, err, at)
	}
}

func TestPeekFile(t *testing.T) {
	var down bool
	var opened spec.Values
	svc := newService(t, &down, &opened)
	ctx := context.Background()
	p, err := svc.PeekFile(ctx, []byte(memFile))
	if err != nil || p.Name != "things" || p.Exists || p.Entities != 1 {
		t.Fatalf("peek of a new integration = %+v, %v", p, err)
	}
	if _, err := svc.ImportFile(ctx, strings.NewReader(memFile)); err != nil {
		t.Fatal(err)
	}
	if p, err = svc.PeekFile(ctx, []byte(memFile)); err != nil || !p.Exists || p.OldEntities != 1 {
		t.Errorf("peek over an existing one = %+v, %v", p, err)
	}
	if _, err := svc.PeekFile(ctx, []byte("{")); err == nil || !IsConfigError(err) {
		t.Errorf("peek of a broken file: %v", err)
	}
}

// TestScheduleCountsAcrossRestarts: a schedule saved with SaveSchedules, or
// imported with the integration file, counts from when it was saved in a
// runner started later (the app restarted), not from the runner's start.
func TestScheduleCountsAcrossRestarts(t *testing.T) {
	var down bool
	var opened spec.Values
	svc := newService(t, &down, &opened)
	ctx := context.Background()
	saved := time.Date(2026, 3, 10, 9, 50, 0, 0, time.UTC)
	svc.Store.Now = func() time.Time { return saved }
	if _, err := svc.ImportFile(ctx, strings.NewReader(memFile)); err != nil {
		t.Fatal(err)
	}
	if err := svc.SaveSchedules(ctx, "things", []schedule.Schedule{{Every: "15m", Enabled: true}}); err != nil {
		t.Fatal(err)
	}
	restart := saved.Add(10 * time.Minute)
	r := svc.Runner()
	r.Now = func() time.Time { return restart }
	up, err := r.Upcoming(ctx)
	if err != nil || len(up) != 1 || !up[0].At.Equal(saved.Add(15*time.Minute)) {
		t.Fatalf("after a restart Upcoming = %+v, %v; want things at %v", up, err, saved.Add(15*time.Minute))
	}
	// A later unchanged save keeps the time; closed for an hour, it is due once.
	svc.Store.Now = func() time.Time { return restart }
	if err := svc.SaveSchedules(ctx, "things", []schedule.Schedule{{Every: "15m", Enabled: true}}); err != nil {
		t.Fatal(err)
	}
	r2 := svc.Runner()
	r2.Now = func() time.Time { return saved.Add(time.Hour) }
	if up, err := r2.Upcoming(ctx); err != nil || len(up) != 1 || !up[0].At.Equal(saved.Add(15*time.Minute)) {
		t.Errorf("an hour later Upcoming = %+v, %v; want due (%v)", up, err, saved.Add(15*time.Minute))
	}
}
