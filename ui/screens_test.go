package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/schedule"
	"switchyard/core/spec"
	"switchyard/core/store"
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

func TestExternalEntities(t *testing.T) {
	f := newFixture(t)
	f.save(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"},
		Entities: []mapping.EntityMapping{{External: "Contacts", Local: "contact", Direction: mapping.Download}}})
	f.shell.integrations.list.list.Select(0)
	f.tap(t, "Open")
	sc := f.shell.external
	waitFor(t, "the catalog", func() bool { return !sc.loading })
	if got := len(sc.shown); got != 3 {
		t.Fatalf("%d entities shown, want 3; errors: %q", got, sc.errText.Text)
	}
	if !f.shows("3 external entities, 1 mapped") {
		t.Errorf("no summary; shows %q", f.texts())
	}
	tests := []struct {
		row  int
		want string
	}{
		{0, "Accounts|ID|3|"},
		{1, "Contacts|ID|2|mapped"},
	}
	for _, tt := range tests {
		if got := cells(4, sc.entities.cellFn, tt.row); got != tt.want {
			t.Errorf("row %d = %q, want %q", tt.row, got, tt.want)
		}
	}

	sc.entities.list.Select(0)
	if got := cells(5, sc.fields.cellFn, 2); got != "owner|lookup|Users||Users" {
		t.Errorf("field row = %q", got)
	}
	if got := cells(5, sc.fields.cellFn, 0); got != "ID|guid|Edm.Guid|required|" {
		t.Errorf("key field row = %q", got)
	}

	test.Type(sc.search, "con")
	if len(sc.shown) != 1 || sc.shown[0].Name != "Contacts" {
		t.Errorf("search con shows %v", sc.shown)
	}

	// The first load read the system and cached it; Refresh schema reads it again.
	before := f.sys.catalogs.Load()
	f.tap(t, "Refresh schema")
	waitFor(t, "the refreshed catalog", func() bool { return !sc.loading })
	if f.sys.catalogs.Load() != before+1 {
		t.Errorf("Refresh schema read the catalog %d times", f.sys.catalogs.Load()-before)
	}
	sc.reload()
	waitFor(t, "the cached catalog", func() bool { return !sc.loading })
	if f.sys.catalogs.Load() != before+1 {
		t.Error("reload without refresh read the system instead of the cache")
	}

	f.tap(t, "Integrations")
	if f.shell.current != SectionIntegrations || !f.shows("Connection") {
		t.Error("the back button does not lead to the integrations")
	}
}

func TestExternalEntitiesError(t *testing.T) {
	f := newFixture(t)
	f.save(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://broken.example/"}})
	f.shell.integrations.list.list.Select(0)
	f.tap(t, "Open")
	sc := f.shell.external
	waitFor(t, "the catalog", func() bool { return !sc.loading })
	if !sc.errText.Visible() || !strings.Contains(sc.errText.Text, "503 Service Unavailable") || !strings.Contains(sc.errText.Text, "Refresh schema") {
		t.Errorf("error = %q, want the cause and the fix", sc.errText.Text)
	}
	if sc.refreshBtn.Disabled() {
		t.Error("Refresh schema stays disabled after an error")
	}
}

func TestLocalData(t *testing.T) {
	f := newFixture(t)
	f.shell.Show(SectionLocalData)
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
	if !f.shows(emptyRuns) {
		t.Errorf("no runs empty state; shows %q", f.texts())
	}
	f.shell.Show(SectionSchedules)
	if !f.shows("Schedules come from the integration file") {
		t.Errorf("no schedules empty state; shows %q", f.texts())
	}

	f.save(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"},
		Schedules: []schedule.Schedule{{Cron: "0 2 * * *", Enabled: true}, {Every: "15m"}}})
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if _, err := f.st.AddLog(context.Background(), store.LogEntry{Integration: "crm", Kind: "sync", Direction: "download",
		Status: "partial", Started: start, Ended: start.Add(1500 * time.Millisecond), All: 10, Imported: 4, Updated: 3, Unchanged: 2, Failed: 1,
		Message: "1 record failed"}); err != nil {
		t.Fatal(err)
	}

	f.shell.Show(SectionRuns)
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
	row := cells(11, runs.cell, 0)
	want := "crm|sync|partial|" + start.Local().Format("2006-01-02 15:04:05") + "|1.5 s|10|4|3|2|1|1 record failed"
	if row != want {
		t.Errorf("run row = %q, want %q", row, want)
	}
	if _, imp := runs.cell(0, 9); imp != widget.DangerImportance {
		t.Error("failed count not marked")
	}

	f.shell.Show(SectionSchedules)
	tests := []string{"crm|cron 0 2 * * *|yes", "crm|every 15m|no"}
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
