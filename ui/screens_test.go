package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/schedule"
	"switchyard/core/spec"
)

// cells returns the texts of one row of a rowList's cell function.
func cells(n int, cell cellFunc, row int) string {
	var out []string
	for c := range n {
		s, _ := cell(row, c)
		out = append(out, s)
	}
	return strings.Join(out, "|")
}

func TestLocalData(t *testing.T) {
	f := newFixture(t)
	f.shell.Show(SectionLocalData)
	f.settle() // the screen loads its list
	if !f.shows("No local entities yet.") {
		t.Fatalf("no empty state; shows %q", f.texts())
	}
	ctx := context.Background()
	for _, e := range []meta.Entity{
		{Name: "account", Fields: []meta.Field{{Name: "name", Type: meta.String}}},
		{Name: "contact", Fields: []meta.Field{{Name: "email", Type: meta.String}, {Name: "account", Type: meta.Lookup, Target: "account"}}},
	} {
		if err := f.st.CreateEntity(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	f.shell.Show(SectionLocalData)
	f.settle() // the screen loads its list
	var sc *localDataScreen
	for _, s := range f.shell.sections {
		if x, ok := s.screen.(*localDataScreen); ok {
			sc = x
		}
	}
	if got := cells(2, sc.entities.cellFn, 1); got != "contact|0" {
		t.Errorf("row = %q, want contact|0", got)
	}
	sc.entities.list.Select(1)
	if got := cells(3, sc.fields.cellFn, 1); got != "account|lookup|account" {
		t.Errorf("field row = %q", got)
	}
	var system int
	for i, fl := range sc.selected.Fields {
		if fl.ReadOnly {
			system++
			if name, imp := sc.fields.cellFn(i, 0); !strings.HasSuffix(name, "(system)") || imp != widget.LowImportance {
				t.Errorf("system field shown as %q", name)
			}
		}
	}
	if system == 0 {
		t.Error("no system fields listed")
	}
	if f.shows("No local entities yet.") {
		t.Error("empty state still shown")
	}
}

func TestRunsAndSchedules(t *testing.T) {
	f := newFixture(t)
	f.shell.Show(SectionRuns)
	f.settle() // the screen loads its list
	if !f.shows(emptyRuns) {
		t.Errorf("no runs empty state; shows %q", f.texts())
	}
	f.shell.Show(SectionSchedules)
	f.settle() // the screen loads its list
	if !f.shows(noIntegrationsForSchedules) {
		t.Errorf("no schedules empty state; shows %q", f.texts())
	}

	f.save(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"},
		Schedules: []schedule.Schedule{{Cron: "0 2 * * *", Enabled: true}, {Every: "15m"}}})
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if _, err := f.st.AddLog(context.Background(), admin.Run{Integration: "crm", Kind: "sync", Direction: "download",
		Status: "partial", Started: start, Ended: start.Add(1500 * time.Millisecond), All: 10, Imported: 4, Updated: 3, Unchanged: 2, Failed: 1,
		Message: "1 record failed"}); err != nil {
		t.Fatal(err)
	}

	f.shell.Show(SectionRuns)
	f.settle() // the screen loads its list

	var runs *runsScreen
	var scheds *schedulesScreen
	for _, s := range f.shell.sections {
		switch x := s.screen.(type) {
		case *runsScreen:
			runs = x
		case *schedulesScreen:
			scheds = x
		}
	}
	if len(runs.items) != 1 {
		t.Fatalf("%d runs listed", len(runs.items))
	}
	row := cells(12, runs.cell, 0)
	want := "crm|sync|partial|" + start.Local().Format("2006-01-02 15:04:05") + "|1.5 s|10|4|3|2|1|0|1 record failed"
	if row != want {
		t.Errorf("run row = %q, want %q", row, want)
	}
	if _, imp := runs.cell(0, 9); imp != widget.DangerImportance {
		t.Error("failed count not marked")
	}

	f.shell.Show(SectionSchedules)
	f.settle() // the screen loads its list

	tests := []string{"crm|every day at 02:00|on", "crm|every 15 minutes|off"}
	for i, want := range tests {
		if got := cells(3, scheds.list.cellFn, i); got != want {
			t.Errorf("schedule %d = %q, want %q", i, got, want)
		}
	}
}

func TestDuration(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		d    time.Duration
		want string
	}{
		{250 * time.Millisecond, "250 ms"},
		{1500 * time.Millisecond, "1.5 s"},
		{95 * time.Second, "1m35s"},
	}
	for _, tt := range tests {
		if got := duration(t0, t0.Add(tt.d)); got != tt.want {
			t.Errorf("duration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	if got := duration(t0, time.Time{}); got != "running" {
		t.Errorf("duration of a running run = %q", got)
	}
}
