package ui

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"switchyard/core/mapping"
)

// TestReportWithoutOpener: a run's report and failures CSV are named on the
// Download page and in Run details; "Open report" on a computer without
// xdg-open says so plainly and offers Copy path and Show folder.
func TestReportWithoutOpener(t *testing.T) {
	f := honestFixture(t, &honestConnector{records: contactsWithProblems()})
	var opened []string
	f.shell.opener = func(u *url.URL) error {
		opened = append(opened, u.Path)
		return &exec.Error{Name: "xdg-open", Err: exec.ErrNotFound}
	}
	f.shell.integrations.selectName("honest")
	f.tap(t, "Download")
	p := f.shell.transfer
	runTransfer(t, f, p, "Import")
	if p.report == "" || !f.shows("Report: "+p.report) || !f.shows("Failed records (CSV): "+failedCSVPath(p.report)) {
		t.Fatalf("the page does not name the report and the CSV: %q", f.texts())
	}
	defer os.Remove(p.report)
	defer os.Remove(failedCSVPath(p.report))
	f.tap(t, "Open report")
	if !f.shows("This computer has no program set up to open files: xdg-open is not installed.") || !f.shows(p.report) {
		t.Fatalf("no plain message; shows %q", f.texts())
	}
	if f.shows(`exec: "xdg-open"`) {
		t.Error("the raw exec error is shown")
	}
	f.tap(t, "Copy path")
	if got := f.shell.app.Clipboard().Content(); got != p.report {
		t.Errorf("Copy path copied %q", got)
	}
	f.tap(t, "Show folder")
	if len(opened) < 2 || opened[len(opened)-1] != filepath.ToSlash(filepath.Dir(p.report)) {
		t.Errorf("Show folder asked the desktop for %v", opened)
	}
	if n := len(f.win.Canvas().Overlays().List()); n < 2 {
		t.Errorf("Show folder without a file manager showed nothing (%d overlays)", n)
	}
	for f.shell.modalOpen() {
		f.win.Canvas().Overlays().Remove(f.win.Canvas().Overlays().Top())
	}

	// Run details link to the same files.
	f.menuShortcut(t, fyne.Key3)
	var runs *runsScreen
	for _, s := range f.shell.sections {
		if x, ok := s.screen.(*runsScreen); ok {
			runs = x
		}
	}
	runs.list.onOpen(0)
	f.settle() // the details load
	if d := runs.details; d.report != p.report || !f.shows("Failed records (CSV): "+failedCSVPath(p.report)) {
		t.Errorf("run details name report %q, want %q; shows %q", d.report, p.report, f.texts())
	}
}

// TestExportTypedPath: a full path typed into the export dialog is written;
// one in a folder that does not exist is refused with the reason, and the
// dialog stays open.
func TestExportTypedPath(t *testing.T) {
	f := newFixture(t)
	f.save(t, mapping.Integration{Name: "crm", Connector: "mem"})
	f.shell.integrations.selectName("crm")
	dir := t.TempDir()
	f.tap(t, "Export")
	var entry *keyEntry
	for _, o := range f.visible() {
		if e, ok := o.(*keyEntry); ok && strings.HasSuffix(e.Text, "crm.json") {
			entry = e
		}
	}
	if entry == nil {
		t.Fatalf("no path field; shows %q", f.texts())
	}
	entry.SetText(filepath.Join(dir, "missing", "crm.json"))
	f.win.Canvas().Focus(entry)
	f.key(fyne.KeyReturn)
	if !f.shows("does not exist") || !f.shell.modalOpen() {
		t.Fatalf("a path in a missing folder: shows %q", f.texts())
	}
	target := filepath.Join(dir, "crm.json")
	entry.SetText(target)
	f.key(fyne.KeyReturn)
	data, err := os.ReadFile(target)
	if err != nil || !strings.Contains(string(data), `"name": "crm"`) {
		t.Fatalf("nothing written at the typed path: %v %q", err, data)
	}
	if !f.shows("Wrote crm to " + target) {
		t.Errorf("no confirmation; shows %q", f.texts())
	}
	// Again: it asks before replacing.
	f.key(fyne.KeyReturn)
	f.tap(t, "Export")
	for _, o := range f.visible() {
		if e, ok := o.(*keyEntry); ok && strings.HasSuffix(e.Text, "crm.json") {
			entry = e
		}
	}
	entry.SetText(target)
	f.tap(t, "Save")
	if !f.shows("exists already. Replace it?") {
		t.Errorf("no question before replacing: %q", f.texts())
	}
	f.tap(t, "Replace")
	if !f.shows("Wrote crm to " + target) {
		t.Errorf("no confirmation after replacing: %q", f.texts())
	}
}
