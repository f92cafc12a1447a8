package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/mapping"
	"switchyard/core/spec"
)

// rowItemOf returns the visible row widget of list r showing row id.
func (f *fixture) rowItemOf(t *testing.T, r *rowList, id int) *rowItem {
	t.Helper()
	for _, o := range f.visible() {
		if it, ok := o.(*rowItem); ok && it.list == r && it.id == id {
			return it
		}
	}
	t.Fatalf("row %d is not visible", id)
	return nil
}

// TestKeyboardAndMouse: arrow keys move the selection of a list and Enter
// opens; a double click opens; a right click offers the screen's actions;
// Ctrl+C copies the selected row; shortcuts do not reach the screen behind
// a dialog, whose Esc closes it; F1 works while a drop-down has the focus.
func TestKeyboardAndMouse(t *testing.T) {
	f := newFixture(t)
	for _, name := range []string{"alpha", "beta", "crm"} {
		f.save(t, mapping.Integration{Name: name, Connector: "mem", Settings: spec.Values{"url": "https://" + name + ".example/"}})
	}
	sc := f.shell.integrations
	sc.list.tap(0)
	if f.win.Canvas().Focused() != sc.list.list {
		t.Fatal("a click does not give the list the keyboard")
	}
	f.key(fyne.KeyDown)
	if got, _ := sc.current(); got.Name != "beta" {
		t.Errorf("Down selected %q, want beta", got.Name)
	}
	f.key(fyne.KeyEnd)
	f.key(fyne.KeyUp)
	if got, _ := sc.current(); got.Name != "beta" {
		t.Errorf("End, Up selected %q, want beta", got.Name)
	}
	clip := f.shell.app.Clipboard()
	sc.list.list.TypedShortcut(&fyne.ShortcutCopy{Clipboard: clip})
	if got := clip.Content(); !strings.HasPrefix(got, "beta\tMemory service\t") {
		t.Errorf("Ctrl+C in the list copied %q", got)
	}
	f.win.Canvas().Unfocus()
	clip.SetContent("")
	f.shell.copySelection(clip)
	if got := clip.Content(); !strings.HasPrefix(got, "beta\t") {
		t.Errorf("Ctrl+C on the screen copied %q", got)
	}

	// A dialog: shortcuts leave the screen behind alone; Esc closes it.
	f.tap(t, "Delete")
	f.menuShortcut(t, fyne.Key3)
	f.menuShortcut(t, fyne.KeyN)
	if f.shell.current != SectionIntegrations || f.shell.page != nil || !f.shell.modalOpen() {
		t.Fatalf("a shortcut acted behind the dialog: section %q, page %T", f.shell.current, f.shell.page)
	}
	f.key(fyne.KeyEscape)
	if f.shell.modalOpen() {
		t.Fatal("Esc did not close the dialog")
	}
	if _, err := f.st.Integration(context.Background(), "beta"); err != nil {
		t.Fatal("Esc deleted the integration")
	}

	// F1 while a drop-down has the focus.
	f.win.Canvas().Focus(f.shell.themeSel)
	f.key(fyne.KeyF1)
	if !f.shows("Ctrl+D") {
		t.Fatalf("F1 with a drop-down focused shows no shortcuts: %q", f.texts())
	}
	f.key(fyne.KeyReturn) // Enter closes a dialog that only tells
	if f.shell.modalOpen() {
		t.Fatal("Enter did not close the shortcuts")
	}

	// A right click offers the row's actions; a double click opens it.
	it := f.rowItemOf(t, sc.list, 2)
	it.TappedSecondary(&fyne.PointEvent{})
	if !menuShows(f, len(sc.menu(2))) {
		var types []string
		for _, o := range f.win.Canvas().Overlays().List() {
			types = append(types, fmt.Sprintf("%T", o))
		}
		for _, o := range f.visible() {
			if m, ok := o.(*widget.Menu); ok {
				types = append(types, fmt.Sprintf("menu of %d", len(m.Items)))
			}
		}
		t.Errorf("no context menu; overlays %v", types)
	}
	if got, _ := sc.current(); got.Name != "crm" {
		t.Errorf("a right click selected %q", got.Name)
	}
	f.key(fyne.KeyEscape)
	if f.shell.modalOpen() {
		t.Fatal("Esc did not close the context menu")
	}
	it.DoubleTapped(&fyne.PointEvent{})
	if f.shell.page != f.shell.mapping || f.shell.mapping.in.Name != "crm" {
		t.Fatalf("a double click did not open crm: %T", f.shell.page)
	}
	waitFor(t, "the catalog", func() bool { return !f.shell.mapping.loading })

	// Enter on a focused list opens the selected row.
	f.menuShortcut(t, fyne.Key1)
	sc.list.tap(1)
	f.key(fyne.KeyReturn)
	if f.shell.page != f.shell.mapping || f.shell.mapping.in.Name != "beta" {
		t.Errorf("Enter did not open beta: %T", f.shell.page)
	}
	waitFor(t, "the catalog", func() bool { return !f.shell.mapping.loading })
}

// menuShows reports whether a pop-up menu of n items is shown.
func menuShows(f *fixture, n int) bool {
	for _, o := range f.visible() {
		if m, ok := o.(*widget.PopUpMenu); ok && len(m.Items) == n {
			return true
		}
	}
	return false
}

// TestLocalDataGridKeys: the rows grid moves its selected cell with the
// arrow keys, copies it with Ctrl+C, and opens the record view with Enter
// or a double click: every field, its external key and its last sync.
func TestLocalDataGridKeys(t *testing.T) {
	f := newFixture(t)
	mappedCRM(t, f)
	f.tap(t, "Download…")
	p := f.shell.transfer
	runTransfer(t, f, p, "Import")
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
	nameCol := -1
	for i, c := range v.cols {
		if c == "name" {
			nameCol = i
		}
	}
	v.table.Select(widget.TableCellID{Row: 0, Col: nameCol})
	f.win.Canvas().Focus(v.table)
	f.key(fyne.KeyDown)
	if id, ok := v.table.selected(); !ok || id.Row != 1 || id.Col != nameCol {
		t.Fatalf("Down moved the selection to %+v", id)
	}
	want := cellText(v.rows[1], "name")
	clip := f.shell.app.Clipboard()
	f.shell.copySelection(clip)
	if clip.Content() != want || want == "" {
		t.Errorf("Ctrl+C copied %q, want %q", clip.Content(), want)
	}
	f.key(fyne.KeyReturn)
	rv := f.shell.record
	if rv == nil || rv.rec.ID != v.rows[1].ID {
		t.Fatalf("Enter opened no record view")
	}
	about := rv.about.Text
	if !strings.Contains(about, "External key in crm: Accounts externalid = ") || !strings.Contains(about, "Last sync: ") || !strings.Contains(about, "(import of crm, succeeded)") {
		t.Errorf("record view says %q", about)
	}
	if n := rv.fields.list.Length(); n != len(ld.selected.Fields) {
		t.Errorf("record view lists %d fields, the entity has %d", n, len(ld.selected.Fields))
	}
	if !strings.Contains(rv.text(), "name: "+want) {
		t.Errorf("record text lacks the name:\n%s", rv.text())
	}
	f.key(fyne.KeyEscape)
	if f.shell.modalOpen() {
		t.Error("Esc did not close the record view")
	}
	v.table.DoubleTapped(&fyne.PointEvent{Position: fyne.NewPos(5, 5)})
	f.settle() // the record loads
	if !f.shell.modalOpen() {
		t.Error("a double click opened nothing")
	}
	// The focus does not stay with the grid of a screen left: Enter on Runs opens the run.
	f.key(fyne.KeyEscape)
	f.menuShortcut(t, fyne.Key3)
	f.key(fyne.KeyReturn)
	if _, ok := f.shell.page.(*runDetails); !ok || f.shell.modalOpen() {
		t.Errorf("Enter on Runs: page %T, dialog open %v", f.shell.page, f.shell.modalOpen())
	}
}

// TestRecordFromResultsAndRunDetails: opening a results row shows the
// record with its name; a failed record that was never written says so.
func TestRecordFromResultsAndRunDetails(t *testing.T) {
	f := honestFixture(t, &honestConnector{records: contactsWithProblems()})
	f.shell.integrations.selectName("honest")
	f.tap(t, "Download")
	p := f.shell.transfer
	runTransfer(t, f, p, "Import")
	// Row 4 is Accounts A1 (Contoso), created.
	if got, _ := p.results.cell(4, 2); got != "Contoso" {
		t.Fatalf("row 4's name = %q", got)
	}
	p.results.table.onOpen(4)
	f.settle() // the record loads
	rv := f.shell.record
	if rv == nil || rv.rec.Values["name"] != "Contoso" || !strings.Contains(rv.about.Text, "In this import: created") {
		t.Fatalf("record view of A1: %+v", rv)
	}
	f.key(fyne.KeyEscape)
	p.results.table.onOpen(0) // C3 failed: nothing was written
	f.settle()                // the record loads
	if !strings.Contains(f.shell.lastError, "C3 is not in the workspace") || !f.shows("nothing of it was written here") {
		t.Errorf("a failed record: %q", f.shell.lastError)
	}
	f.key(fyne.KeyEscape)
	// From Run details, a record written with a warning opens with its warning.
	f.menuShortcut(t, fyne.Key3)
	var runs *runsScreen
	for _, s := range f.shell.sections {
		if x, ok := s.screen.(*runsScreen); ok {
			runs = x
		}
	}
	f.win.Canvas().Unfocus()
	f.key(fyne.KeyReturn) // Enter opens the latest run, selected as the screen shows
	d := runs.details
	if d == nil || f.shell.page != d {
		t.Fatalf("Enter opened no run details: %T", f.shell.page)
	}
	d.fails.onOpen(2) // C4, written with warnings
	f.settle()        // the record loads
	if f.shell.record == rv || !strings.Contains(f.shell.record.about.Text, "written with warnings") {
		t.Errorf("run details' record view: %q", f.shell.record.about.Text)
	}
}
