package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"switchyard/core/admin"
	"switchyard/core/connector"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/core/store"
)

// watchFixture is a shell over a workspace file whose watch looks when the
// test ticks, and a second Store on the same file: another process writing.
type watchFixture struct {
	*fixture
	other *store.Store
	ticks chan time.Time
}

func newWatchFixture(t *testing.T) *watchFixture {
	t.Helper()
	newSerialApp(t)
	ws := sharedTestWorkspace(t)
	st, other := openTestStore(t, ws), openTestStore(t, ws)
	sys := &memSystem{}
	reg := connector.NewRegistry()
	if err := reg.Add(connector.Info{Name: "mem", Title: "Memory service", Options: memOptions,
		New: func(_ context.Context, v spec.Values) (connector.Connector, error) {
			return &memConnector{sys: sys, v: v}, nil
		}}); err != nil {
		t.Fatal(err)
	}
	ticks := make(chan time.Time)
	sh := newShell(fyne.CurrentApp(), admin.New(st, reg), ticks)
	t.Cleanup(sh.stop) // before the Stores close: the watch ends first
	sh.Window().Resize(fyne.NewSize(1100, 700))
	f := &watchFixture{fixture: &fixture{shell: sh, st: st, sys: sys, win: sh.Window()}, other: other, ticks: ticks}
	f.settle()
	f.tick() // the watch has opened: what the other Store writes from now on is a change
	return f
}

// tick lets the watch look twice — the second tick is taken once the first
// look has handed what it found to the window — then waits for the loads the
// window started.
func (f *watchFixture) tick() {
	uiTurn.pause(func() {
		f.ticks <- time.Time{}
		f.ticks <- time.Time{}
	})
	f.settle()
}

// addRun records a finished run of integration name through the other Store.
func (f *watchFixture) addRun(t *testing.T, name, kind string) int64 {
	t.Helper()
	id, err := f.other.AddLog(context.Background(), store.LogEntry{Integration: name, Kind: kind, Status: "succeeded",
		Ended: time.Now(), All: 3, Imported: 3})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *watchFixture) saveElsewhere(t *testing.T, name string) {
	t.Helper()
	if err := f.other.SaveIntegration(context.Background(), mapping.Integration{Name: name, Connector: "mem", Settings: spec.Values{"url": "http://x"}}); err != nil {
		t.Fatal(err)
	}
}

// TestWatchRuns: a run recorded by another process appears in Runs without
// any user action, the run selected staying selected; nothing is read again
// while nothing changed.
func TestWatchRuns(t *testing.T) {
	f := newWatchFixture(t)
	f.saveElsewhere(t, "crm")
	first := f.addRun(t, "crm", "import")
	f.addRun(t, "crm", "export")
	f.shell.Show(SectionRuns)
	f.settle()
	runs := f.shell.sections[2].screen.(*runsScreen)
	if len(runs.items) != 2 {
		t.Fatalf("Runs lists %d runs, want 2", len(runs.items))
	}
	runs.list.list.Select(1) // the import, the older run
	f.tick()                 // what was written before the screen was shown
	gen := runs.loads.gen
	f.tick()
	if runs.loads.gen != gen {
		t.Fatalf("Runs read its list %d more times while nothing changed", runs.loads.gen-gen)
	}
	f.addRun(t, "crm", "sync")
	f.tick()
	if len(runs.items) != 3 || runs.items[0].Kind != "sync" {
		t.Fatalf("Runs lists %+v, want the sync recorded elsewhere first", runs.items)
	}
	if !f.shows("sync") {
		t.Errorf("the window does not show the sync; it shows %q", f.texts())
	}
	if id := runs.list.list.selectedID(); id < 0 || runs.items[id].ID != first {
		t.Errorf("the selection moved to row %d, want the import (run %d) still selected", id, first)
	}
}

// TestWatchIntegrations: an integration imported by another process appears
// in the Integrations list, the selection kept; an open editor is not
// reloaded under the admin's draft.
func TestWatchIntegrations(t *testing.T) {
	f := newWatchFixture(t)
	f.saveElsewhere(t, "crm")
	f.tick()
	ints := f.shell.integrations
	if len(ints.items) != 1 || ints.items[0].Name != "crm" {
		t.Fatalf("Integrations lists %+v, want crm, saved elsewhere", ints.items)
	}
	f.saveElsewhere(t, "accounts") // listed before crm
	f.tick()
	if len(ints.items) != 2 || ints.items[0].Name != "accounts" {
		t.Fatalf("Integrations lists %+v, want accounts then crm", ints.items)
	}
	if sel, ok := ints.current(); !ok || sel.Name != "crm" {
		t.Errorf("selected %q, want crm still selected", sel.Name)
	}

	f.tap(t, "Edit")
	ed := f.editor(t)
	gen := ints.loads.gen
	f.saveElsewhere(t, "erp")
	f.addRun(t, "crm", "import")
	f.tick()
	if f.shell.page != ed || ints.loads.gen != gen {
		t.Errorf("the editor was left or the list behind it read again (%d loads) while the editor is open", ints.loads.gen-gen)
	}
	f.shell.Show(SectionIntegrations)
	f.settle()
	if len(ints.items) != 3 {
		t.Errorf("back from the editor, Integrations lists %d integrations, want 3", len(ints.items))
	}
}

// TestWatchRunDetails: the details of a run going on elsewhere show how it
// ended, without any user action.
func TestWatchRunDetails(t *testing.T) {
	f := newWatchFixture(t)
	ctx := context.Background()
	f.saveElsewhere(t, "crm")
	id, err := f.other.AddLog(ctx, store.LogEntry{Integration: "crm", Kind: "sync", Status: "running"})
	if err != nil {
		t.Fatal(err)
	}
	f.shell.Show(SectionRuns)
	f.settle()
	runs := f.shell.sections[2].screen.(*runsScreen)
	runs.openSelected()
	f.settle()
	if !f.shows("running, started") {
		t.Fatalf("the details show %q, want the run going on", f.texts())
	}
	if err := f.other.FinishLog(ctx, store.LogEntry{ID: id, Integration: "crm", Kind: "sync", Status: "succeeded", All: 7, Unchanged: 7}); err != nil {
		t.Fatal(err)
	}
	f.tick()
	if f.shell.page != runs.details || !f.shows("succeeded, started") || !f.shows("All 7") {
		t.Errorf("the details show %q, want the run as it ended", f.texts())
	}
}

// TestWatchLocalData: rows written elsewhere show in Local data's counts,
// the entity selected staying selected.
func TestWatchLocalData(t *testing.T) {
	f := newWatchFixture(t)
	ctx := context.Background()
	for _, name := range []string{"account", "contact"} {
		if err := f.other.CreateEntity(ctx, meta.Entity{Name: name, Fields: []meta.Field{{Name: "code", Type: meta.String}}}); err != nil {
			t.Fatal(err)
		}
	}
	f.shell.Show(SectionLocalData)
	f.settle()
	local := f.shell.sections[1].screen.(*localDataScreen)
	local.entities.list.Select(1)
	f.settle()
	if err := f.other.Update(ctx, func(tx *store.Tx) error {
		for _, code := range []string{"A", "B"} {
			if _, err := tx.Insert("contact", map[string]any{"code": code}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	f.tick()
	if len(local.items) != 2 || local.items[1].Rows != 2 {
		t.Fatalf("Local data lists %+v, want contact with the 2 rows written elsewhere", local.items)
	}
	if local.selected.Name != "contact" || local.entities.list.selectedID() != 1 {
		t.Errorf("selected %q, want contact still selected", local.selected.Name)
	}
}
