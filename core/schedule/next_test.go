package schedule

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	now := time.Date(2026, 3, 10, 10, 7, 0, 0, time.UTC) // a Tuesday
	last := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		s          Schedule
		last, want time.Time
	}{
		{Schedule{Cron: "0 2 * * *"}, time.Time{}, time.Date(2026, 3, 11, 2, 0, 0, 0, time.UTC)},
		{Schedule{Cron: "*/15 * * * *"}, last, time.Date(2026, 3, 10, 9, 15, 0, 0, time.UTC)}, // missed: due now
		{Schedule{Cron: "30 2 * * 1-5"}, now, time.Date(2026, 3, 11, 2, 30, 0, 0, time.UTC)},
		{Schedule{Cron: "@hourly"}, now, time.Date(2026, 3, 10, 11, 0, 0, 0, time.UTC)},
		{Schedule{Every: "15m"}, time.Time{}, now},
		{Schedule{Every: "2h"}, last, time.Date(2026, 3, 10, 11, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := tt.s.Next(now, tt.last)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("%+v.Next(now, %v) = %v, %v; want %v", tt.s, tt.last, got, err, tt.want)
		}
	}
	if _, err := (Schedule{Cron: "61 * * * *"}).Next(now, last); err == nil || !strings.Contains(err.Error(), "five fields") {
		t.Errorf("invalid cron: %v", err)
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

// TestRunner runs a due interval sync once and reports it, and leaves a cron schedule for later.
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
		LastRun: func(context.Context, string) (time.Time, error) { return time.Time{}, nil },
		Now:     func() time.Time { return now },
		Tick:    time.Hour,
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
