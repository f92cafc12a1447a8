package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/engine"
	"switchyard/core/mapping"
	"switchyard/core/schedule"
	"switchyard/core/spec"
)

// The test holds the UI's turn (uiTurn): an action's admin call runs off the
// UI goroutine, but what it shows waits until the test lets go (settle). So
// between a tap and settle the test sees the page as the admin does while
// the write runs.

// TestPromptSaveWaitsForTheWrite: Save in the unsaved-changes prompt writes
// the draft off the UI goroutine; the page stays, its Save disabled and the
// progress shown, until the write is done, then the section asked for is
// shown. A write that fails keeps the page and says why in a dialog.
func TestPromptSaveWaitsForTheWrite(t *testing.T) {
	f := newFixture(t)
	f.save(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"}})
	f.shell.integrations.selectName("crm")
	f.tap(t, "Edit")
	ed := f.editor(t)
	test.Type(ed.form.Widget("tenant").(*widget.Entry), "acme")

	f.shell.showSection(SectionRuns)
	test.Tap(f.button(t, "Save")) // the prompt's, shown over the editor's
	if f.shell.page != ed || !ed.saveBtn.Disabled() || ed.saveBtn.Text != savingText || !ed.progress.Visible() {
		t.Fatalf("while saving: page %T, Save %q disabled %v, progress %v", f.shell.page, ed.saveBtn.Text, ed.saveBtn.Disabled(), ed.progress.Visible())
	}
	f.settle()
	if f.shell.page != nil || f.shell.current != SectionRuns {
		t.Fatalf("after the save: page %T, section %q", f.shell.page, f.shell.current)
	}
	if in, err := f.st.Integration(context.Background(), "crm"); err != nil || in.Settings["tenant"] != "acme" {
		t.Fatalf("saved %+v, %v", in.Settings, err)
	}

	// The integration is deleted behind the editor's back: the rename fails.
	f.shell.Show(SectionIntegrations)
	f.settle()
	f.shell.integrations.selectName("crm")
	f.tap(t, "Edit")
	ed = f.editor(t)
	ed.name.SetText("crm2")
	if err := f.shell.svc.DeleteIntegration(context.Background(), "crm"); err != nil {
		t.Fatal(err)
	}
	f.shell.showSection(SectionRuns)
	f.tap(t, "Save")
	if f.shell.page != ed || ed.saveBtn.Disabled() || ed.saveBtn.Text != "Save" || ed.progress.Visible() {
		t.Errorf("after a failed save: page %T, Save disabled %v, progress %v", f.shell.page, ed.saveBtn.Disabled(), ed.progress.Visible())
	}
	if !strings.Contains(f.shell.lastError, "Could not rename the integration crm2") {
		t.Errorf("no error dialog: %q", f.shell.lastError)
	}
}

// TestActionsDisableTheirButtons: each action that writes the workspace
// disables what starts it until its write, off the UI goroutine, is done.
func TestActionsDisableTheirButtons(t *testing.T) {
	crm := mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"},
		Schedules: []schedule.Schedule{{Every: "1h", Enabled: true}}}
	tests := []struct {
		name string
		// start starts the action and returns the button it disables.
		start func(t *testing.T, f *fixture) *widget.Button
		// done checks what the action did.
		done func(t *testing.T, f *fixture)
	}{
		{"delete integration", func(t *testing.T, f *fixture) *widget.Button {
			f.tap(t, "Delete")
			test.Tap(f.button(t, "Delete")) // the confirmation's
			return f.shell.integrations.deleteBtn
		}, func(t *testing.T, f *fixture) {
			if list, _ := f.st.Integrations(context.Background()); len(list) != 0 {
				t.Errorf("not deleted: %+v", list)
			}
		}},
		{"import integration file", func(t *testing.T, f *fixture) *widget.Button {
			var file strings.Builder
			if err := f.shell.svc.ExportFile(context.Background(), "crm", &file); err != nil {
				t.Fatal(err)
			}
			f.shell.integrations.importFrom(strings.NewReader(strings.Replace(file.String(), `"crm"`, `"erp"`, 1)))
			return f.shell.integrations.importBtn
		}, func(t *testing.T, f *fixture) {
			if _, err := f.st.Integration(context.Background(), "erp"); err != nil || !f.shows("Integration imported") {
				t.Errorf("not imported: %v; shows %q", err, f.texts())
			}
		}},
		{"disable schedule", func(t *testing.T, f *fixture) *widget.Button {
			f.shell.Show(SectionSchedules)
			sc := f.schedules()
			sc.list.list.Select(0)
			test.Tap(sc.toggleBtn)
			return sc.toggleBtn
		}, func(t *testing.T, f *fixture) {
			if got := f.stored(t, "crm"); got[0].Enabled {
				t.Errorf("schedule still enabled: %+v", got)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.save(t, crm)
			f.shell.integrations.selectName("crm")
			b := tt.start(t, f)
			if !b.Disabled() {
				t.Errorf("%q is enabled while its action runs", b.Text)
			}
			f.settle()
			tt.done(t, f)
		})
	}
}

// TestMappingSaveDisablesSave: Save on Map metadata writes the mapping off
// the UI goroutine with Save, Enable and Disable disabled meanwhile.
func TestMappingSaveDisablesSave(t *testing.T) {
	f := newFixture(t)
	mappedCRM(t, f)
	sc := f.shell.mapping
	sc.pane.dirSel.SetSelected(string(mapping.Bidirectional))
	test.Tap(sc.pane.saveBtn)
	if !sc.pane.saveBtn.Disabled() || sc.pane.saveBtn.Text != savingText || !sc.disableBtn.Disabled() || !sc.enableBtn.Disabled() {
		t.Errorf("while saving: Save %v, Disable %v, Enable %v disabled", sc.pane.saveBtn.Disabled(), sc.disableBtn.Disabled(), sc.enableBtn.Disabled())
	}
	f.settle()
	in, _ := f.st.Integration(context.Background(), "crm")
	if em, _ := in.Entity("Accounts"); em.Direction != mapping.Bidirectional {
		t.Errorf("saved direction %q", em.Direction)
	}
	if sc.pane.dirty || sc.disableBtn.Disabled() {
		t.Errorf("after the save: dirty %v, Disable disabled %v", sc.pane.dirty, sc.disableBtn.Disabled())
	}
}

// TestFilterValuesLoadOffTheUIGoroutine: the filter editor's value picker
// offers the values a local field holds once they are read off the UI
// goroutine; the row is there at once, its picks follow.
func TestFilterValuesLoadOffTheUIGoroutine(t *testing.T) {
	f := newFixture(t)
	mappedCRM(t, f)
	if _, err := f.shell.svc.Run(context.Background(), "crm", admin.RunOptions{Direction: engine.Import}); err != nil {
		t.Fatal(err)
	}
	sc := f.shell.mapping
	sc.selectName("Accounts")
	f.tap(t, "Upload filter…")
	fe := f.shell.filterEditor
	r := fe.addRow("name", "", "")
	if len(r.options) != 0 {
		t.Errorf("picks before the read: %v", r.options)
	}
	f.settle()
	if got := strings.Join(r.options, ","); !strings.Contains(got, "Contoso") || !strings.Contains(got, "Northwind") {
		t.Errorf("picks = %q, want the names downloaded", got)
	}
}
