package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/mapping"
	"switchyard/core/schedule"
	"switchyard/core/spec"
)

// changeBehind saves the integration called name as change leaves it,
// behind the app's back: what another window, another admin or a headless
// import does.
func (f *fixture) changeBehind(t *testing.T, name string, change func(in *mapping.Integration)) {
	t.Helper()
	in, err := f.st.Integration(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	change(&in)
	if err := f.st.SaveIntegration(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

// TestEditorSaveRefusedAfterAnotherSave: the integration editor saves from
// the version it opened; when another save came in between, Save is
// refused, a dialog says what changed and keeps the draft (Keep editing, and
// a later Save is still refused), and Reload edits the integration as saved.
func TestEditorSaveRefusedAfterAnotherSave(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.save(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"}})
	f.shell.integrations.selectName("crm")
	f.tap(t, "Edit")
	ed := f.editor(t)
	test.Type(ed.form.Widget("tenant").(*widget.Entry), "acme")
	f.changeBehind(t, "crm", func(in *mapping.Integration) {
		in.Settings["url"] = "https://other.example/"
		in.Schedules = []schedule.Schedule{{Every: "1h", Enabled: true}}
	})

	for range 2 { // Keep editing, then Save again: still refused
		f.tap(t, "Save")
		if !f.shows("crm was changed by another save") || !f.shows("settings url") || !f.shows("schedules") || !f.shows("you started from version 1") {
			t.Fatalf("no conflict dialog naming what changed: %q", f.texts())
		}
		if in, _ := f.st.Integration(ctx, "crm"); in.Settings["tenant"] != "" || in.Settings["url"] != "https://other.example/" {
			t.Fatalf("the other save was overwritten: %v", in.Settings)
		}
		f.tap(t, "Keep editing")
		if f.shell.modalOpen() || f.shell.editor != ed || !ed.unsaved() || ed.form.Values()["tenant"] != "acme" {
			t.Fatalf("Keep editing: dialog open %v, same editor %v, draft %v", f.shell.modalOpen(), f.shell.editor == ed, ed.form.Values())
		}
		if !strings.HasPrefix(ed.status.Text, "Not saved: crm was changed by another save") {
			t.Errorf("status = %q", ed.status.Text)
		}
	}

	f.tap(t, "Save")
	f.tap(t, "Reload")
	now := f.editor(t)
	if now == ed || now.unsaved() || now.form.Values()["url"] != "https://other.example/" || now.form.Values()["tenant"] != "" || len(now.schedules.items) != 1 {
		t.Fatalf("Reload: new editor %v, unsaved %v, values %v, schedules %v", now != ed, now.unsaved(), now.form.Values(), now.schedules.items)
	}
	test.Type(now.form.Widget("tenant").(*widget.Entry), "acme")
	f.tap(t, "Save")
	in, v, err := f.st.VersionedIntegration(ctx, "crm")
	if err != nil || in.Settings["tenant"] != "acme" || in.Settings["url"] != "https://other.example/" || len(in.Schedules) != 1 || v.Number != 3 {
		t.Errorf("after Reload and Save: %v %v version %d, %v", in.Settings, in.Schedules, v.Number, err)
	}
}

// TestMapMetadataSaveRefusedAfterAnotherSave: Map metadata saves an entity
// mapping from the version it loaded; another save in between refuses it
// with the dialog, the draft is kept until Reload drops it.
func TestMapMetadataSaveRefusedAfterAnotherSave(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sc := f.openMapping(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"}})
	sc.selectName("Accounts")
	f.tap(t, "Enable")
	check, _, _ := fieldRow(sc, 1)
	test.Tap(check) // untick name: a draft
	f.changeBehind(t, "crm", func(in *mapping.Integration) {
		em, _ := in.Entity("Accounts")
		em.Direction = mapping.Bidirectional
		*in, _ = in.WithEntity(em)
	})
	f.tap(t, "Save")
	if !f.shows("crm was changed by another save") || !f.shows("entity Accounts: direction") {
		t.Fatalf("no conflict dialog naming what changed: %q", f.texts())
	}
	in, _ := f.st.Integration(ctx, "crm")
	if em, _ := in.Entity("Accounts"); em.Direction != mapping.Bidirectional || em.Fields[1].Disabled {
		t.Fatalf("the other save was overwritten: %+v", em)
	}
	if !sc.pane.dirty {
		t.Fatal("the draft was dropped before the admin chose")
	}
	f.tap(t, "Reload")
	if sc.pane.dirty || sc.in.Entities[0].Direction != mapping.Bidirectional || sc.pane.draft.Direction != mapping.Bidirectional {
		t.Fatalf("Reload: draft kept %v, direction %q, shown %q", sc.pane.dirty, sc.in.Entities[0].Direction, sc.pane.draft.Direction)
	}
	check, _, _ = fieldRow(sc, 1)
	test.Tap(check)
	f.tap(t, "Save")
	in, _ = f.st.Integration(ctx, "crm")
	if em, _ := in.Entity("Accounts"); em.Direction != mapping.Bidirectional || !em.Fields[1].Disabled {
		t.Errorf("after Reload and Save: %+v; error %q", em, f.shell.lastError)
	}
}

// TestSchedulesSaveRefusedAfterAnotherSave: the Schedules screen changes a
// schedule from the version it listed; another save in between refuses it
// with the dialog (no second error dialog), and Reload lists what is saved.
func TestSchedulesSaveRefusedAfterAnotherSave(t *testing.T) {
	f := newFixture(t)
	f.save(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"},
		Schedules: []schedule.Schedule{{Every: "15m", Enabled: true}}})
	f.menuShortcut(t, fyne.Key4)
	sc := f.schedules()
	sc.list.list.Select(0)
	f.changeBehind(t, "crm", func(in *mapping.Integration) {
		in.Schedules = append(in.Schedules, schedule.Schedule{Cron: "0 2 * * *"})
	})
	f.tap(t, "Disable")
	if !f.shows("crm was changed by another save") || !f.shows("schedules") || strings.Contains(f.shell.lastError, "Could not change") {
		t.Fatalf("conflict dialog: %q; last error %q", f.texts(), f.shell.lastError)
	}
	if got := f.stored(t, "crm"); len(got) != 2 || !got[0].Enabled {
		t.Fatalf("the other save was overwritten: %+v", got)
	}
	f.tap(t, "Reload")
	if len(sc.items) != 2 {
		t.Fatalf("Reload lists %d schedules, want 2", len(sc.items))
	}
	sc.list.list.Select(0)
	f.tap(t, "Disable")
	if got := f.stored(t, "crm"); len(got) != 2 || got[0].Enabled {
		t.Errorf("after Reload and Disable: %+v; error %q", got, f.shell.lastError)
	}
}
