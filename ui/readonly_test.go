package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/connector"
	"switchyard/core/spec"
	"switchyard/internal/pgtest"
)

// showsButton reports whether a button labelled text is visible.
func (f *fixture) showsButton(text string) bool {
	for _, o := range f.visible() {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return true
		}
	}
	return false
}

// TestReadOnlyRoleBrowsesAndPreviews: the app opened by a read-only
// PostgreSQL role (the grants of deploy/postgres/roles.sql, on a real role)
// says so across the window, shows what the role may do (open a mapping,
// test, export, preview) and not what it may not (new, edit, delete, sync,
// update schema, import, run, schedules' changes), in buttons, context menus
// and shortcuts alike; a preview works and the workspace is unchanged.
func TestReadOnlyRoleBrowsesAndPreviews(t *testing.T) {
	ctx := context.Background()
	schema := pgtest.NewSchema(t)
	honest := connector.Info{Name: "honest", Title: "Honest", Options: spec.Options{},
		New: func(context.Context, spec.Values) (connector.Connector, error) {
			return &honestConnector{records: contactsWithProblems()}, nil
		}}
	reg := connector.NewRegistry()
	if err := reg.Add(honest); err != nil {
		t.Fatal(err)
	}
	owner := admin.New(openTestStore(t, schema.URL), reg)
	file := strings.Replace(honestIntegration, `"settings": {},`, `"settings": {}, "schedules": [{"every": "1h", "enabled": true}],`, 1)
	if _, err := owner.ImportFile(ctx, strings.NewReader(file)); err != nil {
		t.Fatal(err)
	}

	f := newFixtureOn(t, pgtest.Reader(t, schema))
	if err := f.shell.svc.Registry.Add(honest); err != nil {
		t.Fatal(err)
	}
	if !f.shell.readOnly || !f.shows("can browse and preview this workspace") {
		t.Fatalf("read-only %v; the window shows %q, want the banner", f.shell.readOnly, f.texts())
	}
	f.shell.integrations.selectName("honest")
	f.settle()
	for _, b := range []string{"Open", "Test connection", "Download", "Export"} {
		if !f.showsButton(b) {
			t.Errorf("Integrations does not show %q; a reader may use it", b)
		}
	}
	for _, b := range []string{"New", "Edit", "Delete", "Sync", "Update schema", "Import"} {
		if f.showsButton(b) {
			t.Errorf("Integrations shows %q to a reader", b)
		}
	}
	menu := f.shell.integrations.menu(0)
	for _, it := range []string{"Edit…", "Sync now", "Update schema", "Delete…"} {
		if !menuItem(t, menu, it).Disabled {
			t.Errorf("the context menu offers %q to a reader", it)
		}
	}
	if menuItem(t, menu, "Download…").Disabled {
		t.Error("the context menu does not offer Download… (the preview) to a reader")
	}
	f.menuShortcut(t, fyne.KeyN)
	f.menuShortcut(t, fyne.KeyE)
	if f.shell.page != nil {
		t.Errorf("Ctrl+N / Ctrl+E opened %T for a reader", f.shell.page)
	}

	f.tap(t, "Download")
	p := f.shell.transfer
	if f.showsButton(p.verb()) || !f.showsButton("Preview") {
		t.Fatalf("the download page shows %q; want Preview and not %s", f.texts(), p.verb())
	}
	runTransfer(t, f, p, "Preview")
	if !strings.HasPrefix(p.counts.Text, "Preview — nothing was written") {
		t.Errorf("the preview says %q", p.counts.Text)
	}

	f.shell.Show(SectionSchedules)
	f.settle()
	if f.showsButton("Add schedule…") || f.showsButton("Run now") || f.showsButton("Delete") {
		t.Errorf("Schedules shows %q to a reader", f.texts())
	}
	for _, it := range f.schedules().menu(0) {
		if !it.IsSeparator && !it.Disabled {
			t.Errorf("the schedule's context menu offers %q to a reader", it.Label)
		}
	}
	if runs, err := owner.Runs(ctx, "", 10); err != nil || len(runs) != 0 {
		t.Errorf("the reader's window left runs %+v (%v); want none", runs, err)
	}
}
