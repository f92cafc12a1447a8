package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/engine"
	"switchyard/core/mapping"
	"switchyard/core/schedule"
	"switchyard/core/spec"
	"switchyard/core/store"
)

// mappedCRM opens crm on Map metadata and enables Accounts, so that it can be downloaded.
func mappedCRM(t *testing.T, f *fixture) {
	t.Helper()
	sc := f.openMapping(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"}})
	sc.selectName("Accounts")
	f.tap(t, "Enable")
	if _, ok := sc.in.Entity("Accounts"); !ok {
		t.Fatalf("Accounts not mapped: %s", f.shell.lastError)
	}
}

func TestDownloadPreviewAndRun(t *testing.T) {
	f := newFixture(t)
	mappedCRM(t, f)
	f.tap(t, "Download…")
	p := f.shell.transfer
	if p == nil || !f.shows("Click Preview") {
		t.Fatalf("no download page; shows %q", f.texts())
	}
	f.tap(t, "Preview")
	await(t, "the preview", p.done)
	waitFor(t, "the preview", func() bool { return !p.running })
	if len(p.results.shown) != 3 {
		t.Fatalf("preview lists %d records, want 3; error %q", len(p.results.shown), f.shell.lastError)
	}
	if got := cells(5, p.results.table.cellFn, 0); !strings.Contains(got, "|would create|") {
		t.Errorf("preview row = %q", got)
	}
	if !f.shows("Preview — nothing was written: would create 3 (all 3 records)") || !f.shows("Would") {
		t.Errorf("the preview does not say what it is: %q", f.texts())
	}
	f.tap(t, "Import")
	await(t, "the import", p.done)
	waitFor(t, "the run", func() bool { return !p.running })
	if !strings.Contains(p.summary.Text, "RESULTS: ALL (3)") {
		t.Errorf("results line = %q; error %q", p.summary.Text, f.shell.lastError)
	}
	if got := cells(5, p.results.table.cellFn, 0); !strings.Contains(got, "|created|") {
		t.Errorf("row after the import = %q", got)
	}
	if p.reportBtn.Disabled() || !strings.HasSuffix(p.report, ".xlsx") {
		t.Errorf("no report offered: %q; error %q", p.report, f.shell.lastError)
	}
	if n, _ := f.st.CountRows(context.Background(), "accounts"); n != 3 {
		t.Errorf("%d local rows after the import, want 3", n)
	}

	// The run is listed under Runs; its details show the entity and its queries.
	f.shell.Show(SectionRuns)
	f.settle() // the screen loads its list
	var runs *runsScreen
	for _, s := range f.shell.sections {
		if x, ok := s.screen.(*runsScreen); ok {
			runs = x
		}
	}
	if len(runs.items) != 1 {
		t.Fatalf("%d runs listed", len(runs.items))
	}
	runs.list.onOpen(0) // a double click
	f.settle()          // the details load
	d := runs.details
	if d == nil || len(d.entities) != 1 || d.entities[0].Entity != "Accounts" {
		t.Fatalf("run details: %+v", d)
	}
	d.ents.list.Select(0)
	if d.queries.Text == "" || strings.HasPrefix(d.queries.Text, "Select") {
		t.Errorf("queries = %q", d.queries.Text)
	}
	if !d.retryBtn.Disabled() {
		t.Error("Retry enabled for a run without failures")
	}
	if !f.shows("succeeded") {
		t.Errorf("summary lacks the status: %q", d.summary.Text)
	}

	// Local data browses the imported rows, searchable.
	f.shell.Show(SectionLocalData)
	f.settle() // the screen loads its list
	var ld *localDataScreen
	for _, s := range f.shell.sections {
		if x, ok := s.screen.(*localDataScreen); ok {
			ld = x
		}
	}
	ld.entities.list.Select(0)
	v := ld.rowsView
	waitFor(t, "the rows", func() bool { return len(v.rows) == 3 })
	if !strings.Contains(v.page.Text, "Rows 1–3 of 3") {
		t.Errorf("page = %q", v.page.Text)
	}
	test.Type(v.search, "Fab")
	waitFor(t, "the search", func() bool { return len(v.rows) == 1 })
	v.search.SetText("name eq 'Northwind'")
	waitFor(t, "the filter", func() bool { return len(v.rows) == 1 && cellText(v.rows[0], "name") == "Northwind" })
	v.search.SetText("zzz")
	waitFor(t, "no match", func() bool { return len(v.rows) == 0 })
	if v.page.Text != "No row matches the search." {
		t.Errorf("page = %q", v.page.Text)
	}
}

func TestUploadCancelAndErrors(t *testing.T) {
	f := newFixture(t)
	f.save(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"},
		Entities: []mapping.EntityMapping{{External: "Nowhere", Local: "nowhere", Direction: mapping.Upload}}})
	f.shell.integrations.selectName("crm")
	f.tap(t, "Upload")
	p := f.shell.transfer
	if p.dir != engine.Export || p.runBtn.Text != "Export" {
		t.Fatalf("upload page runs %s", p.dir)
	}
	f.tap(t, "Export")
	await(t, "the export", p.done)
	waitFor(t, "the failure", func() bool { return !p.running })
	if !strings.Contains(f.shell.lastError, "Export of crm failed") {
		t.Errorf("last error = %q", f.shell.lastError)
	}
	if !f.shows("Correct the mapping on the Map metadata page") {
		t.Errorf("the error names no fix; shows %q", f.texts())
	}
	if p.runBtn.Disabled() || !p.cancelBtn.Disabled() {
		t.Error("buttons not restored after the run")
	}
}

func TestSchedulesNextRunAndSnippet(t *testing.T) {
	f := newFixture(t)
	start := time.Now().Add(-5 * time.Minute).Truncate(time.Second)
	// The schedules were saved an hour before the last sync: they count from the sync.
	f.st.Now = func() time.Time { return start.Add(-time.Hour) }
	f.save(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"},
		Schedules: []schedule.Schedule{{Cron: "30 2 * * *", Enabled: true}, {Every: "15m", Enabled: true}, {Every: "1h"}}})
	f.st.Now = time.Now
	if _, err := f.st.AddLog(context.Background(), admin.Run{Integration: "crm", Kind: "sync", Direction: "import",
		Status: "succeeded", Started: start, Ended: start.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	f.shell.Show(SectionSchedules)
	f.settle() // the screen loads its list
	var sc *schedulesScreen
	for _, s := range f.shell.sections {
		if x, ok := s.screen.(*schedulesScreen); ok {
			sc = x
		}
	}
	cron, _ := schedule.Schedule{Cron: "30 2 * * *"}.Next(start)
	now := time.Now()
	want := []string{
		"crm|every day at 02:30|on|" + schedule.When(cron, now),
		"crm|every 15 minutes|on|" + schedule.When(start.Add(15*time.Minute), now),
		"crm|every hour|off|—",
	}
	for i, w := range want {
		if got := cells(4, sc.list.cellFn, i); got != w {
			t.Errorf("schedule %d = %q, want %q", i, got, w)
		}
	}
	sc.list.list.Select(0)
	for _, sub := range []string{"30 2 * * * ", "--run-sync crm", "OnCalendar=", "[Timer]", "schtasks"} {
		if !strings.Contains(sc.snippet.Text, sub) {
			t.Errorf("snippet lacks %q:\n%s", sub, sc.snippet.Text)
		}
	}
	sc.list.list.Select(1)
	if !strings.Contains(sc.snippet.Text, "*/15 * * * * ") {
		t.Errorf("interval snippet:\n%s", sc.snippet.Text)
	}
	// A PostgreSQL workspace's snippets say what the job needs besides its command line.
	if shared := strings.Contains(sc.snippet.Text, "SWITCHYARD_KEY"); shared != onPostgres() {
		t.Errorf("snippet on PostgreSQL %v says SWITCHYARD_KEY %v:\n%s", onPostgres(), shared, sc.snippet.Text)
	}
}

func TestShortcutsThemeAndWindowSize(t *testing.T) {
	f := newFixture(t)
	shortcut := func(key fyne.KeyName) {
		t.Helper()
		for _, sc := range shortcuts {
			if sc.key == key {
				sc.do(f.shell)
				f.settle()
				return
			}
		}
		t.Fatalf("no shortcut %s", key)
	}
	shortcut(fyne.Key3)
	if f.shell.current != SectionRuns {
		t.Errorf("Ctrl+3 shows %s", f.shell.current)
	}
	shortcut(fyne.KeyN)
	if f.shell.page != f.shell.editor || f.shell.editor == nil {
		t.Fatal("Ctrl+N opened no editor")
	}
	test.Type(f.shell.editor.name, "crm")
	f.shell.editor.form.Widget("url").(*widget.Entry).SetText("https://crm.example/")
	shortcut(fyne.KeyS)
	if _, err := f.st.Integration(context.Background(), "crm"); err != nil {
		t.Errorf("Ctrl+S did not save: %v; status %q", err, f.shell.editor.status.Text)
	}
	shortcut(fyne.KeyO)
	if f.shell.page != f.shell.mapping {
		t.Error("Ctrl+O did not open Map metadata")
	}
	waitFor(t, "the catalog", func() bool { return !f.shell.mapping.loading })
	shortcut(fyne.KeyD)
	if f.shell.page != f.shell.transfer || f.shell.transfer.dir != engine.Import {
		t.Error("Ctrl+D did not open the download page")
	}

	prefs := fyne.CurrentApp().Preferences()
	for i, want := range []string{themeLight, themeDark, themeSystem, themeLight} {
		shortcut(fyne.KeyL)
		if got := prefs.String(prefTheme); got != want {
			t.Errorf("theme after Ctrl+L %d times = %q, want %q", i+1, got, want)
		}
	}

	f.win.Resize(fyne.NewSize(1000, 640))
	f.shell.saveSize()
	if got := f.shell.savedSize(); got.Width != 1000 || got.Height != 640 {
		t.Errorf("saved size = %v", got)
	}
	f.win.Resize(fyne.NewSize(200, 100))
	f.shell.saveSize()
	if got := f.shell.savedSize(); got.Width != 1000 {
		t.Errorf("a tiny window was remembered: %v", got)
	}
	shortcut(fyne.KeyF1)
	if !f.shows("Ctrl+D") {
		t.Errorf("F1 shows no shortcut list: %q", f.texts())
	}
}

func TestSyncWithoutRunner(t *testing.T) {
	f := newFixture(t)
	mappedCRM(t, f)
	done := make(chan string, 1)
	f.shell.syncDone = func(name string) { done <- name }
	f.shell.Show(SectionIntegrations)
	f.settle() // the screen loads its list
	f.shell.integrations.selectName("crm")
	f.tap(t, "Sync")
	await(t, "the end of the sync", done)
	if !f.shows("RESULTS: ALL (3)") {
		t.Errorf("no results dialog; shows %q, error %q", f.texts(), f.shell.lastError)
	}
	if logs, _ := f.shell.svc.SyncHistory(context.Background(), "crm", 1); len(logs) != 1 {
		t.Errorf("%d syncs logged", len(logs))
	}
}

// TestSyncWarnsBeforeRemoving: a local row whose key the external system no
// longer has is counted before the sync, and the admin is asked first.
func TestSyncWarnsBeforeRemoving(t *testing.T) {
	f := newFixture(t)
	mappedCRM(t, f)
	in, _ := f.shell.svc.Store.Integration(context.Background(), "crm")
	em, _ := in.Entity("Accounts")
	err := f.shell.svc.Store.Apply(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Insert(em.Local, map[string]any{em.PrimaryKey: "gone-from-the-service"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f.shell.Show(SectionIntegrations)
	f.settle() // the screen loads its list
	f.shell.integrations.selectName("crm")
	f.tap(t, "Sync")
	waitFor(t, "the removal warning", func() bool { return strings.Contains(f.shell.lastNotice, "will be removed") })
	if !f.shows("1 local " + em.Local + " record(s) that Accounts no longer has will be removed") {
		t.Errorf("the warning is not on screen: %q", f.texts())
	}
	f.key(fyne.KeyEscape) // Esc says no
	if logs, _ := f.shell.svc.SyncHistory(context.Background(), "crm", 0); len(logs) != 0 {
		t.Errorf("the sync ran although the admin said no: %d runs", len(logs))
	}
}
