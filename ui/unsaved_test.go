package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"switchyard/core/mapping"
	"switchyard/core/spec"
)

// pick selects the external entity called name in the Map metadata list, as a click does.
func pick(sc *mapMetadataScreen, name string) {
	for i, e := range sc.shown {
		if e.Name == name {
			sc.entities.tap(i)
			return
		}
	}
}

// TestUnsavedFilterIsNotLost: a download filter applied on Accounts is part
// of the draft ("Unsaved changes"); clicking Contacts asks first: Cancel
// stays on Accounts with the filter, Save keeps it in the workspace; leaving
// the page with another change asks again, and Discard forgets it.
func TestUnsavedFilterIsNotLost(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sc := f.openMapping(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"}})
	for _, name := range []string{"Accounts", "Contacts"} {
		pick(sc, name)
		f.tap(t, "Enable")
	}
	pick(sc, "Accounts")
	if sc.pane.ext.Name != "Accounts" || sc.pane.marker.Visible() {
		t.Fatalf("Accounts not shown, or marked unsaved: %q", sc.pane.ext.Name)
	}
	f.tap(t, "Download filter…")
	fe := f.shell.filterEditor
	fe.text.SetText("name eq 'Contoso'")
	f.key(fyne.KeyEscape) // Esc cancels the filter dialog: nothing changes
	if sc.pane.draft.DownloadFilter != "" || sc.pane.dirty {
		t.Fatalf("Esc applied the filter: %q", sc.pane.draft.DownloadFilter)
	}
	f.tap(t, "Download filter…")
	fe = f.shell.filterEditor
	fe.text.SetText("name eq 'Contoso'")
	f.tap(t, "Apply")
	if sc.pane.draft.DownloadFilter != "name eq 'Contoso'" || !sc.pane.marker.Visible() || !f.shows(unsavedMarker) {
		t.Fatalf("after Apply: filter %q, marker %v", sc.pane.draft.DownloadFilter, sc.pane.marker.Visible())
	}
	if got := cells(3, sc.entities.cellFn, 0); !strings.HasSuffix(got, "|unsaved") {
		t.Errorf("the entity list does not mark Accounts unsaved: %q", got)
	}

	// Another entity: asked first; Cancel (Esc) stays, with the filter.
	pick(sc, "Contacts")
	if !strings.Contains(f.shell.lastPrompt, "The mapping of Accounts") || !f.shows("Save them before you go on") {
		t.Fatalf("no prompt; shows %q", f.texts())
	}
	f.key(fyne.KeyEscape)
	if sc.pane.ext.Name != "Accounts" || sc.pane.draft.DownloadFilter != "name eq 'Contoso'" {
		t.Fatalf("Cancel left Accounts or lost the filter: %q %q", sc.pane.ext.Name, sc.pane.draft.DownloadFilter)
	}
	if got := sc.entities.list.selectedID(); got < 0 || sc.shown[got].Name != "Accounts" {
		t.Errorf("the list did not go back to Accounts: %d", got)
	}
	// Again, and Save (Enter): saved, then Contacts is shown.
	pick(sc, "Contacts")
	f.key(fyne.KeyReturn)
	in, _ := f.st.Integration(ctx, "crm")
	if em, _ := in.Entity("Accounts"); em.DownloadFilter != "name eq 'Contoso'" {
		t.Errorf("saved filter = %q", em.DownloadFilter)
	}
	if sc.pane.ext.Name != "Contacts" {
		t.Errorf("after Save the pane shows %q", sc.pane.ext.Name)
	}
	pick(sc, "Accounts")
	if sc.pane.draft.DownloadFilter != "name eq 'Contoso'" || sc.pane.dirty {
		t.Errorf("back on Accounts: filter %q, dirty %v", sc.pane.draft.DownloadFilter, sc.pane.dirty)
	}

	// Leaving the page (Ctrl+3) with a change asks; Discard forgets it.
	sc.pane.dirSel.SetSelected(string(mapping.Bidirectional))
	f.menuShortcut(t, fyne.Key3)
	if f.shell.current == SectionRuns && f.shell.page == nil {
		t.Fatal("left the page without asking")
	}
	f.tap(t, "Discard")
	if f.shell.current != SectionRuns || f.shell.page != nil {
		t.Errorf("Discard did not go on to Runs: %q", f.shell.current)
	}
	in, _ = f.st.Integration(ctx, "crm")
	if em, _ := in.Entity("Accounts"); em.Direction != mapping.Download {
		t.Errorf("Discard saved the direction: %q", em.Direction)
	}
}

// TestEditorAsksBeforeLeaving: a changed integration editor asks before the
// sidebar leaves it; Cancel stays (the sidebar goes back), Save saves and goes on.
func TestEditorAsksBeforeLeaving(t *testing.T) {
	f := newFixture(t)
	f.save(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"}})
	f.shell.integrations.selectName("crm")
	f.tap(t, "Edit")
	ed := f.editor(t)
	test.Type(ed.form.Widget("tenant").(fyne.Focusable), "acme")
	if !ed.marker.Visible() {
		t.Fatal("no unsaved-changes marker after typing")
	}
	f.shell.nav.Select(1) // Local data, from the sidebar
	if !strings.Contains(f.shell.lastPrompt, `The integration "crm"`) {
		t.Fatalf("no prompt: %q", f.shell.lastPrompt)
	}
	f.tap(t, "Cancel")
	if f.shell.page != ed {
		t.Fatal("Cancel left the editor")
	}
	f.shell.nav.Select(1)
	f.tap(t, "Save")
	if f.shell.current != SectionLocalData {
		t.Errorf("Save did not go on: %q", f.shell.current)
	}
	if in, _ := f.st.Integration(context.Background(), "crm"); in.Settings["tenant"] != "acme" {
		t.Errorf("tenant = %q", in.Settings["tenant"])
	}
}

// TestCreateFromExternalWaitsForSave: Create from external plans the local
// entity as the draft, like every other edit: nothing is created until Save.
func TestCreateFromExternalWaitsForSave(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sc := f.openMapping(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"}})
	pick(sc, "Contacts")
	f.tap(t, "Create from external")
	if _, err := f.st.Entity(ctx, "contacts"); err == nil {
		t.Fatal("Create from external created the local entity before Save")
	}
	if !sc.pane.dirty || sc.pane.localSel.Selected != "contacts"+newSuffix || len(sc.pane.draft.Fields) != 2 {
		t.Fatalf("draft: dirty %v, local %q, fields %+v", sc.pane.dirty, sc.pane.localSel.Selected, sc.pane.draft.Fields)
	}
	f.menuShortcut(t, fyne.KeyS)
	if _, err := f.st.Entity(ctx, "contacts"); err != nil {
		t.Fatalf("Save did not create the local entity: %v; error %q", err, f.shell.lastError)
	}
	in, _ := f.st.Integration(ctx, "crm")
	if em, ok := in.Entity("Contacts"); !ok || em.Local != "contacts" || len(em.Fields) != 2 {
		t.Errorf("saved mapping = %+v", em)
	}
}

// TestNoLeavingDuringASave: while a save is written, the sidebar, Cancel and
// closing the window do not leave the page (closing would cancel the write):
// the window says to wait; the save then ends as usual.
func TestNoLeavingDuringASave(t *testing.T) {
	f := newFixture(t)
	f.save(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"}})
	f.shell.integrations.selectName("crm")
	f.tap(t, "Edit")
	ed := f.editor(t)
	test.Type(ed.form.Widget("tenant").(fyne.Focusable), "acme")
	ed.onSave() // its write runs off the UI goroutine; its end waits for the window's turn
	if !ed.savingNow() {
		t.Fatal("the editor does not say a save is under way")
	}
	f.shell.nav.Select(1) // Local data, from the sidebar
	ed.onCancel()
	if f.shell.page != ed || f.shell.current != SectionIntegrations || !f.shows("A save is under way") {
		t.Fatalf("left for %T %q during the save; shows %q", f.shell.page, f.shell.current, f.texts())
	}
	f.settle()
	if ed.savingNow() {
		t.Error("still saving after the write ended")
	}
	if in, _ := f.st.Integration(context.Background(), "crm"); in.Settings["tenant"] != "acme" {
		t.Errorf("tenant = %q, want the save written", in.Settings["tenant"])
	}
}
