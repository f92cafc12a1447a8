package store

import (
	"context"
	"io/fs"
	"testing"
	"testing/fstest"
	"time"

	"switchyard/core/schedule"
)

// TestScheduleCountingSince: sy_schedule.counting_since is set when an
// enabled schedule is added, changed or enabled, kept when it is saved
// again unchanged (whatever else of the integration is saved), NULL while
// it is disabled, and carried by a rename.
func TestScheduleCountingSince(t *testing.T) { eachBackend(t, testScheduleCountingSince) }

func testScheduleCountingSince(t *testing.T, s *Store, _ *clock) {
	sealWithTestKey(t)
	ctx := context.Background()
	t1 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	at := t1
	s.Now = func() time.Time { return at }
	in := crm()
	in.Schedules = []schedule.Schedule{{Cron: "0 2 * * *", Enabled: true}, {Every: "15m"}}
	if err := s.SaveIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	check := func(name string, want ...time.Time) {
		t.Helper()
		all, err := s.SchedulesSince(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := all[name]
		if len(got) != len(want) {
			t.Fatalf("since = %v, want %v", got, want)
		}
		for i := range want {
			if !got[i].Equal(want[i]) {
				t.Errorf("schedule %d counts since %v, want %v", i+1, got[i], want[i])
			}
		}
	}
	check("crm", t1, time.Time{})

	// Saved again an hour later, unchanged but moved (and the settings changed): kept.
	t2 := t1.Add(time.Hour)
	at = t2
	in.Settings["url"] = "https://other.example/"
	in.Schedules = []schedule.Schedule{{Every: "15m"}, {Cron: " 0 2 * * * ", Enabled: true}}
	if err := s.SaveIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	check("crm", time.Time{}, t1)

	// Enabled, changed, added: from now.
	t3 := t2.Add(time.Hour)
	at = t3
	in.Schedules = []schedule.Schedule{{Every: "15m", Enabled: true}, {Cron: "0 3 * * *", Enabled: true}, {Every: "1h", Enabled: true}}
	if err := s.SaveIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	check("crm", t3, t3, t3)

	// Disabled: forgotten; enabled again later: from then.
	at = t3.Add(time.Hour)
	in.Schedules[0].Enabled = false
	if err := s.SaveIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	check("crm", time.Time{}, t3, t3)
	t5 := t3.Add(2 * time.Hour)
	at = t5
	in.Schedules[0].Enabled = true
	if err := s.SaveIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	check("crm", t5, t3, t3)

	if err := s.RenameIntegration(ctx, "crm", "crm2"); err != nil {
		t.Fatal(err)
	}
	check("crm2", t5, t3, t3)
}

// TestMigration0008Backfills: enabled schedules of a workspace from before
// migration 0008 count from their integration's last sync, or from the
// upgrade when it never synced; disabled ones have no time.
func TestMigration0008Backfills(t *testing.T) {
	ctx := context.Background()
	old := fstest.MapFS{}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range names {
		if p >= "migrations/0008" {
			continue
		}
		b, _ := fs.ReadFile(migrationFS, p)
		old[p] = &fstest.MapFile{Data: b}
	}
	s := openBare(t)
	if err := s.migrate(ctx, old); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO sy_integration (name, connector, settings, created_at, updated_at) VALUES ('a', 'mem', '{}', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
		`INSERT INTO sy_integration (name, connector, settings, created_at, updated_at) VALUES ('b', 'mem', '{}', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
		`INSERT INTO sy_schedule (integration, position, cron, every, enabled) VALUES ('a', 0, '', '15m', 1), ('a', 1, '', '1h', 0), ('b', 0, '0 2 * * *', '', 1)`,
		`INSERT INTO sy_integration_log (integration, kind, status, started_at) VALUES ('a', 'sync', 'succeeded', '2026-02-01T08:00:00.000Z'),
			('a', 'sync', 'failed', '2026-02-02T08:00:00.000Z'), ('a', 'import', 'succeeded', '2026-02-03T08:00:00.000Z'),
			('b', 'import', 'succeeded', '2026-02-03T08:00:00.000Z')`,
	} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	before := time.Now().Add(-time.Second)
	if err := s.migrate(ctx, migrationFS); err != nil {
		t.Fatal(err)
	}
	all, err := s.SchedulesSince(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a := all["a"]; len(a) != 2 || !a[0].Equal(time.Date(2026, 2, 2, 8, 0, 0, 0, time.UTC)) || !a[1].IsZero() {
		t.Errorf("a counts since %v, want its last sync and none", a)
	}
	if b := all["b"]; len(b) != 1 || b[0].Before(before) || b[0].After(time.Now().Add(time.Second)) {
		t.Errorf("b, never synced, counts since %v, want the upgrade", b)
	}
	// The integration reads back as before.
	in, err := s.Integration(ctx, "a")
	if err != nil || len(in.Schedules) != 2 || in.Schedules[0] != (schedule.Schedule{Every: "15m", Enabled: true}) {
		t.Errorf("a = %+v, %v", in, err)
	}
}
