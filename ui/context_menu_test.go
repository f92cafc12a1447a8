package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// menuItem returns the item labelled label of items, failing when there is none.
func menuItem(t *testing.T, items []*fyne.MenuItem, label string) *fyne.MenuItem {
	t.Helper()
	for _, it := range items {
		if it.Label == label {
			return it
		}
	}
	t.Fatalf("no %q in the context menu", label)
	return nil
}

// TestResultsAndFailuresContextMenus: a right click on a row of the
// Download results and of Run details' failed records selects it and offers
// Open record and Copy, as the other lists do.
func TestResultsAndFailuresContextMenus(t *testing.T) {
	f := honestFixture(t, &honestConnector{records: contactsWithProblems()})
	f.shell.integrations.selectName("honest")
	f.tap(t, "Download")
	p := f.shell.transfer
	runTransfer(t, f, p, "Import")
	res := p.results
	it := f.rowItemOf(t, res.table, 4) // Accounts A1 (Contoso), created
	it.TappedSecondary(&fyne.PointEvent{})
	items := res.menu(4)
	if !menuShows(f, len(items)) {
		t.Fatal("a right click on a results row shows no context menu")
	}
	if res.table.list.selectedID() != 4 {
		t.Errorf("a right click selected row %d", res.table.list.selectedID())
	}
	f.key(fyne.KeyEscape)
	clip := f.shell.app.Clipboard()
	clip.SetContent("")
	menuItem(t, items, "Copy row").Action()
	if got := clip.Content(); got != res.table.rowText(4) || !strings.Contains(got, "Contoso") {
		t.Errorf("Copy row copied %q", got)
	}
	menuItem(t, items, "Open record").Action()
	f.settle() // the record loads
	if rv := f.shell.record; rv == nil || rv.rec.Values["name"] != "Contoso" {
		t.Fatalf("Open record opened %+v", f.shell.record)
	}
	f.key(fyne.KeyEscape)

	// Run details' failed records and warnings.
	f.menuShortcut(t, fyne.Key3)
	var runs *runsScreen
	for _, s := range f.shell.sections {
		if x, ok := s.screen.(*runsScreen); ok {
			runs = x
		}
	}
	f.win.Canvas().Unfocus()
	f.key(fyne.KeyReturn)
	d := runs.details
	if d == nil || f.shell.page != d {
		t.Fatalf("Enter opened no run details: %T", f.shell.page)
	}
	items = d.fails.menu(2) // C4, written with warnings
	if len(items) != 2 {
		t.Fatalf("the failures' context menu has %d items", len(items))
	}
	clip.SetContent("")
	menuItem(t, items, "Copy").Action()
	if got := clip.Content(); got != d.fails.rowText(2) || !strings.Contains(got, "C4") {
		t.Errorf("Copy copied %q", got)
	}
	before := f.shell.record
	menuItem(t, items, "Open record").Action()
	f.settle() // the record loads
	if f.shell.record == before || !strings.Contains(f.shell.record.about.Text, "written with warnings") {
		t.Errorf("Open record from run details: %+v", f.shell.record)
	}
}

// TestLocalDataGridContextMenu: a right click on a cell of the Local data
// grid selects it and offers Open record, Copy cell and Copy row.
func TestLocalDataGridContextMenu(t *testing.T) {
	f := newFixture(t)
	mappedCRM(t, f)
	f.tap(t, "Download…")
	runTransfer(t, f, f.shell.transfer, "Import")
	f.menuShortcut(t, fyne.Key2)
	var ld *localDataScreen
	for _, s := range f.shell.sections {
		if x, ok := s.screen.(*localDataScreen); ok {
			ld = x
		}
	}
	ld.entities.list.Select(0)
	v := ld.rowsView
	waitFor(t, "the rows", func() bool { return len(v.rows) == 3 })
	f.win.Resize(fyne.NewSize(1280, 1000))                                   // room for the grid under the entity's details
	v.table.TappedSecondary(&fyne.PointEvent{Position: fyne.NewPos(20, 60)}) // below the header row
	id, ok := v.table.selected()
	if !ok {
		t.Fatalf("a right click selected no cell; table size %v, sel %+v", v.table.Size(), v.table.sel)
	}
	items := v.menu(id)
	if len(items) != 3 || !menuShows(f, 3) {
		t.Fatalf("a right click on the grid shows no context menu of 3 items (%d)", len(items))
	}
	f.key(fyne.KeyEscape)
	clip := f.shell.app.Clipboard()
	menuItem(t, items, "Copy cell").Action()
	if got, want := clip.Content(), cellText(v.rows[id.Row], v.cols[id.Col]); got != want {
		t.Errorf("Copy cell copied %q, want %q", got, want)
	}
	menuItem(t, items, "Copy row").Action()
	if got := clip.Content(); got != v.rowText(id.Row) || strings.Count(got, "\t") != len(v.cols)-1 {
		t.Errorf("Copy row copied %q", got)
	}
	menuItem(t, items, "Open record").Action()
	f.settle() // the record loads
	if rv := f.shell.record; rv == nil || rv.rec.ID != v.rows[id.Row].ID || !f.shell.modalOpen() {
		t.Fatal("Open record opened no record view")
	}
	if v.menu(widget.TableCellID{Row: 99, Col: 0}) != nil {
		t.Error("a cell beyond the rows has a menu")
	}
}

// TestSettingsFieldKeys: F1 in a connector-settings field (ui/form) shows
// the shortcuts and Esc closes them, as in the app's own fields.
func TestSettingsFieldKeys(t *testing.T) {
	f := newFixture(t)
	f.menuShortcut(t, fyne.KeyN)
	if f.shell.page != f.shell.editor || f.shell.editor == nil {
		t.Fatal("Ctrl+N opened no editor")
	}
	var field fyne.Focusable
	for _, o := range f.visible() {
		if fmt.Sprintf("%T", o) == "*form.keyEntry" {
			field = o.(fyne.Focusable)
			break
		}
	}
	if field == nil {
		t.Fatal("the editor shows no settings field")
	}
	f.win.Canvas().Focus(field)
	if f.win.Canvas().Focused() != field {
		t.Fatal("the settings field takes no focus")
	}
	f.key(fyne.KeyF1)
	if !f.shell.modalOpen() || !f.shows("Ctrl+D") {
		t.Fatalf("F1 in a settings field shows no shortcuts: %q", f.texts())
	}
	f.key(fyne.KeyEscape)
	if f.shell.modalOpen() {
		t.Fatal("Esc did not close the shortcuts")
	}
}
