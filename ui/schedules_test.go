package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"switchyard/core/mapping"
	"switchyard/core/schedule"
	"switchyard/core/spec"
)

// key presses name as the window's driver does: to the focused widget, else to the canvas.
// A person presses it on the screen as it shows its data, and sees what the key loads.
func (f *fixture) key(name fyne.KeyName) {
	f.settle()
	defer f.settle()
	ev := &fyne.KeyEvent{Name: name}
	if foc := f.win.Canvas().Focused(); foc != nil {
		foc.TypedKey(ev)
		return
	}
	if h := f.win.Canvas().OnTypedKey(); h != nil {
		h(ev)
	}
}

// menuShortcut presses Ctrl+key as the driver does: the main menu's item with that shortcut runs.
func (f *fixture) menuShortcut(t *testing.T, key fyne.KeyName) {
	t.Helper()
	want := (&desktop.CustomShortcut{KeyName: key, Modifier: ctrl}).ShortcutName()
	for _, m := range f.win.MainMenu().Items {
		for _, it := range m.Items {
			if it.Shortcut != nil && it.Shortcut.ShortcutName() == want {
				it.Action()
				f.settle()
				return
			}
		}
	}
	t.Fatalf("no menu item for Ctrl+%s", key)
}

// schedules returns the Schedules screen.
func (f *fixture) schedules() *schedulesScreen {
	f.settle()
	for _, s := range f.shell.sections {
		if x, ok := s.screen.(*schedulesScreen); ok {
			return x
		}
	}
	return nil
}

// stored returns the schedules of the integration called name as saved.
func (f *fixture) stored(t *testing.T, name string) []schedule.Schedule {
	t.Helper()
	in, err := f.st.Integration(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return in.Schedules
}

// fakeRunner is an in-app runner over the fixture's workspace whose syncs
// only record their integration (ran), ticked by the test (tick).
func fakeRunner(f *fixture) (*schedule.Runner, func() []string, func(t *testing.T)) {
	var mu sync.Mutex
	var ran []string
	r := f.shell.svc.Runner()
	r.Run = func(_ context.Context, name string) (schedule.Outcome, error) {
		mu.Lock()
		ran = append(ran, name)
		mu.Unlock()
		return schedule.Outcome{Status: "succeeded", Summary: "RESULTS: ALL (0)"}, nil
	}
	ticks := make(chan time.Time)
	r.Ticks = ticks
	return r, func() []string {
			mu.Lock()
			defer mu.Unlock()
			return append([]string{}, ran...)
		}, func(t *testing.T) {
			t.Helper()
			uiTurn.pause(func() {
				select {
				case ticks <- time.Now():
				case <-time.After(10 * time.Second):
					t.Error("the runner took no tick")
				}
			})
		}
}

// looksForDue ticks the runner twice: when it returns, the runner has
// looked for due syncs after the first tick (it takes the second only then).
func looksForDue(t *testing.T, tick func(*testing.T)) {
	t.Helper()
	tick(t)
	tick(t)
}

// TestScheduleEditorEndToEnd: a schedule is added from the Schedules screen
// (every N minutes, then a cron expression from a preset, with its reading
// and next five runs as typed, an invalid expression refused), confirmed
// with Enter; it is listed with the same next run as Integrations shows;
// it is disabled, edited with a double click, run now and deleted; adding
// it starts no sync by itself.
func TestScheduleEditorEndToEnd(t *testing.T) {
	f := newFixture(t)
	f.save(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"}})
	r, ran, tick := fakeRunner(f)
	r.Start(context.Background())
	defer r.Stop()
	f.shell.SetRunner(r)

	f.menuShortcut(t, fyne.Key4)
	sc := f.schedules()
	if !f.shows("No schedules yet.") {
		t.Fatalf("no empty state; shows %q", f.texts())
	}
	f.tap(t, "Add schedule…")
	form := f.shell.scheduleForm
	if form == nil || form.integration.Selected != "crm" || form.kind.Selected != kindEvery {
		t.Fatalf("schedule form = %+v", form)
	}
	if !strings.Contains(form.reading.Text, "Runs every hour.") {
		t.Errorf("reading of the default = %q", form.reading.Text)
	}
	form.minutes.SetText("")
	test.Type(form.minutes, "15")
	if form.reading.Text != "Runs every 15 minutes." || strings.Count(form.times.Text, "\n") != 4 {
		t.Errorf("reading %q, times %q", form.reading.Text, form.times.Text)
	}
	form.kind.SetSelected(kindCron)
	form.preset.SetSelected("Every day at 02:00")
	if form.cron.Text != "0 2 * * *" || form.reading.Text != "Runs every day at 02:00." {
		t.Errorf("preset gave %q: %q", form.cron.Text, form.reading.Text)
	}
	for _, line := range strings.Split(form.times.Text, "\n") {
		if !strings.HasSuffix(line, "02:00") {
			t.Errorf("next run %q is not at 02:00", line)
		}
	}
	form.cron.SetText("61 2 * * *")
	if !strings.Contains(form.reading.Text, "cron") || !f.button(t, "Add").Disabled() {
		t.Errorf("an invalid cron: reading %q, Add enabled %v", form.reading.Text, !f.button(t, "Add").Disabled())
	}
	f.key(fyne.KeyReturn) // refused while invalid
	if got := f.stored(t, "crm"); len(got) != 0 {
		t.Fatalf("an invalid schedule was saved: %+v", got)
	}
	form.cron.SetText("0 2 * * *")
	f.win.Canvas().Focus(form.cron)
	f.key(fyne.KeyReturn) // Enter in the field confirms the dialog
	if got := f.stored(t, "crm"); len(got) != 1 || got[0] != (schedule.Schedule{Cron: "0 2 * * *", Enabled: true}) {
		t.Fatalf("stored schedules = %+v", got)
	}
	if f.shell.modalOpen() {
		t.Error("the dialog stayed open after Enter")
	}

	row := cells(4, sc.list.cellFn, 0)
	next, _ := sc.list.cellFn(0, 3)
	if !strings.HasPrefix(row, "crm|every day at 02:00|on|") || !strings.HasSuffix(next, "02:00") {
		t.Errorf("row = %q", row)
	}
	sc.list.list.Select(0)
	if !strings.Contains(sc.detail.Text, "every day at 02:00 (0 2 * * *)") || strings.Count(sc.times.Text, "\n") != 4 {
		t.Errorf("detail %q, times %q", sc.detail.Text, sc.times.Text)
	}
	if !strings.Contains(sc.snippet.Text, "0 2 * * * ") {
		t.Errorf("snippet:\n%s", sc.snippet.Text)
	}
	// One computation: Integrations shows the same next run.
	f.menuShortcut(t, fyne.Key1)
	if got, _ := f.shell.integrations.cell(0, 4); got != next {
		t.Errorf("Integrations says next run %q, Schedules %q", got, next)
	}

	f.menuShortcut(t, fyne.Key4)
	sc.list.list.Select(0)
	f.tap(t, "Disable")
	if got := f.stored(t, "crm"); got[0].Enabled {
		t.Error("Disable left the schedule enabled")
	}
	if row := cells(4, sc.list.cellFn, 0); !strings.HasSuffix(row, "|off|—") {
		t.Errorf("disabled row = %q", row)
	}
	f.tap(t, "Enable")

	// A double click opens the editor on it: every 30 minutes.
	sc.list.onOpen(0)
	form = f.shell.scheduleForm
	if form.kind.Selected != kindCron || form.cron.Text != "0 2 * * *" || !form.integration.Disabled() {
		t.Errorf("edit form: kind %q cron %q", form.kind.Selected, form.cron.Text)
	}
	form.kind.SetSelected(kindEvery)
	form.minutes.SetText("30")
	f.tap(t, "Save")
	if got := f.stored(t, "crm"); len(got) != 1 || got[0] != (schedule.Schedule{Every: "30m", Enabled: true}) {
		t.Fatalf("after edit: %+v", got)
	}
	// Saved now, it counts from now: next run in about 30 minutes, not due.
	if next, _ := sc.list.cellFn(0, 3); next == "due now" {
		t.Errorf("a schedule saved now is due at once")
	}

	// Nothing ran by itself; Run now runs it.
	looksForDue(t, tick)
	if got := ran(); len(got) != 0 {
		t.Fatalf("saving schedules started syncs: %v", got)
	}
	sc.list.list.Select(0)
	f.tap(t, "Run now")
	waitFor(t, "the sync run now", func() bool { return len(ran()) == 1 })

	// Delete asks; Esc keeps it, Enter deletes.
	sc.list.list.Select(0)
	f.tap(t, "Delete")
	f.key(fyne.KeyEscape)
	if len(f.stored(t, "crm")) != 1 || f.shell.modalOpen() {
		t.Fatal("Esc did not cancel the delete")
	}
	f.tap(t, "Delete")
	f.key(fyne.KeyReturn)
	if got := f.stored(t, "crm"); len(got) != 0 {
		t.Errorf("after delete: %+v", got)
	}
	if !f.shows("No schedules yet.") {
		t.Errorf("no empty state after the delete: %q", f.texts())
	}
}

// TestEditorSchedules: the integration editor's schedules are part of its
// draft: added there, marked unsaved, saved with Save.
func TestEditorSchedules(t *testing.T) {
	f := newFixture(t)
	f.save(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"}})
	f.shell.integrations.selectName("crm")
	f.tap(t, "Edit")
	ed := f.editor(t)
	if ed.marker.Visible() {
		t.Error("a fresh editor says it has unsaved changes")
	}
	f.tap(t, "Add schedule…")
	form := f.shell.scheduleForm
	form.minutes.SetText("45")
	f.tap(t, "Add")
	if !ed.marker.Visible() || len(f.stored(t, "crm")) != 0 {
		t.Fatalf("after adding: marker %v, stored %+v", ed.marker.Visible(), f.stored(t, "crm"))
	}
	if got := cells(2, ed.schedules.list.cellFn, 0); got != "every 45 minutes|on" {
		t.Errorf("editor row = %q", got)
	}
	ed.schedules.list.list.Select(0)
	f.tap(t, "Disable")
	f.tap(t, "Save")
	if got := f.stored(t, "crm"); len(got) != 1 || got[0] != (schedule.Schedule{Every: "45m"}) {
		t.Errorf("stored after Save = %+v", got)
	}
}

// TestImportOverAsksAndRunsNothing: importing a file over an existing
// integration asks first (Esc keeps the old one), and the import, whose
// file adds a schedule, starts no sync by itself.
func TestImportOverAsksAndRunsNothing(t *testing.T) {
	f := newFixture(t)
	mappedCRM(t, f)
	r, ran, tick := fakeRunner(f)
	r.Start(context.Background())
	defer r.Stop()
	f.shell.SetRunner(r)
	f.shell.Show(SectionIntegrations)
	f.settle() // the screen loads its list
	var file strings.Builder
	if err := f.shell.svc.ExportFile(context.Background(), "crm", &file); err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(file.String(), `"schedules": null`, `"schedules": [{"every": "1m", "enabled": true}]`, 1)
	if text == file.String() {
		t.Fatalf("no schedules list in the exported file:\n%s", text)
	}
	f.shell.integrations.importFrom(strings.NewReader(text))
	f.settle() // the file is checked off the UI goroutine
	if !strings.Contains(f.shell.lastPrompt, `already has an integration called "crm"`) || !f.shows("Nothing runs now") {
		t.Fatalf("no question before replacing; prompt %q", f.shell.lastPrompt)
	}
	f.key(fyne.KeyEscape)
	if got := f.stored(t, "crm"); len(got) != 0 {
		t.Fatalf("Esc imported the file: %+v", got)
	}
	f.shell.integrations.importFrom(strings.NewReader(text))
	f.tap(t, "Replace")
	if got := f.stored(t, "crm"); len(got) != 1 {
		t.Fatalf("Replace did not import: %+v", got)
	}
	if !f.shows("Integration imported") {
		t.Errorf("no result shown: %q", f.texts())
	}
	looksForDue(t, tick)
	if got := ran(); len(got) != 0 {
		t.Errorf("the import started syncs: %v", got)
	}
	if got, _ := f.shell.integrations.cell(0, 4); got == "due now" {
		t.Errorf("Integrations says the imported schedule is due now")
	}
}
