package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

// openMapping saves in, selects it and opens its Map metadata page.
func (f *fixture) openMapping(t *testing.T, in mapping.Integration) *mapMetadataScreen {
	t.Helper()
	f.save(t, in)
	f.shell.integrations.selectName(in.Name)
	f.tap(t, "Open")
	sc := f.shell.mapping
	waitFor(t, "the catalog", func() bool { return !sc.loading })
	return sc
}

// fieldRow is row i of the fields table, filled: its check, local field picker and match label.
func fieldRow(sc *mapMetadataScreen, i int) (*widget.Check, *keySelect, *widget.Label) {
	ft := sc.pane.fields
	row := ft.list.CreateItem()
	ft.update(i, row)
	objs := row.(*fyne.Container).Objects
	return objs[0].(*widget.Check), objs[3].(*keySelect), objs[4].(*widget.Label)
}

func TestMapMetadataListsAndSearches(t *testing.T) {
	f := newFixture(t)
	sc := f.openMapping(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"}})
	if len(sc.shown) != 3 || !f.shows("3 external entities, 0 mapped, 0 enabled") {
		t.Fatalf("shown %d entities; texts %q; error %q", len(sc.shown), f.texts(), sc.errText.Text)
	}
	if !f.shows("Select an external entity on the left") {
		t.Error("no empty state in the mapping pane")
	}
	test.Type(sc.search, "con")
	if len(sc.shown) != 1 || sc.shown[0].Name != "Contacts" {
		t.Errorf("search con shows %v", sc.shown)
	}
	sc.search.SetText("")

	// Refresh schema reads the system again; reload uses the cache.
	before := f.sys.catalogs.Load()
	f.tap(t, "Refresh schema")
	waitFor(t, "the refreshed catalog", func() bool { return !sc.loading })
	if f.sys.catalogs.Load() != before+1 {
		t.Errorf("Refresh schema read the catalog %d times", f.sys.catalogs.Load()-before)
	}
	sc.reload()
	waitFor(t, "the cached catalog", func() bool { return !sc.loading })
	if f.sys.catalogs.Load() != before+1 {
		t.Error("reload without refresh read the system instead of the cache")
	}
	f.tap(t, "Integrations")
	if f.shell.current != SectionIntegrations {
		t.Error("the back button does not lead to the integrations")
	}
}

func TestMapMetadataError(t *testing.T) {
	f := newFixture(t)
	sc := f.openMapping(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://broken.example/"}})
	if !sc.errText.Visible() || !strings.Contains(sc.errText.Text, "503 Service Unavailable") || !strings.Contains(sc.errText.Text, "Refresh schema") {
		t.Errorf("error = %q, want the cause and the fix", sc.errText.Text)
	}
	if sc.refreshBtn.Disabled() {
		t.Error("Refresh schema stays disabled after an error")
	}
}

func TestMapMetadataEnableEditSave(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sc := f.openMapping(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"}})
	sc.selectName("Accounts")
	if sc.pane.ext.Name != "Accounts" || sc.enableBtn.Disabled() {
		t.Fatal("Accounts not selected, or Enable disabled")
	}
	// Enable an unmapped entity: a local entity is created from it, every field mapped.
	f.tap(t, "Enable")
	in, _ := f.st.Integration(ctx, "crm")
	em, ok := in.Entity("Accounts")
	if !ok || em.Local == "" || em.Disabled {
		t.Fatalf("Enable did not map Accounts: %+v; error %q", in.Entities, f.shell.lastError)
	}
	if _, err := f.st.Entity(ctx, em.Local); err != nil {
		t.Fatalf("local entity %q not created: %v", em.Local, err)
	}
	if got := cells(3, sc.entities.cellFn, 0); got != "Accounts|"+em.Local+"|enabled" {
		t.Errorf("entity row = %q", got)
	}
	p := sc.pane
	if !p.saveBtn.Disabled() {
		t.Error("Save enabled with nothing changed")
	}

	// The "name" field is mapped; its picker shows the suggestion with its score.
	check, sel, match := fieldRow(sc, 1)
	if !check.Checked || !strings.HasPrefix(sel.Selected, "name") {
		t.Fatalf("name row: checked %v, local %q", check.Checked, sel.Selected)
	}
	if !strings.Contains(sel.Selected, "%") || !strings.Contains(match.Text, "%") {
		t.Errorf("no score shown: picker %q, match %q", sel.Selected, match.Text)
	}
	// Untick it and save: the mapping stays, disabled.
	test.Tap(check)
	if p.saveBtn.Disabled() {
		t.Fatal("Save stays disabled after a change")
	}
	f.tap(t, "Save")
	in, _ = f.st.Integration(ctx, "crm")
	em, _ = in.Entity("Accounts")
	var name mapping.FieldMapping
	for _, fm := range em.Fields {
		if fm.External == "name" {
			name = fm
		}
	}
	if !name.Disabled {
		t.Errorf("name mapping after Save = %+v, want disabled; error %q", name, f.shell.lastError)
	}
	if !strings.HasPrefix(p.status.Text, "Saved the mapping of Accounts") {
		t.Errorf("status = %q", p.status.Text)
	}

	// Pick "not mapped": the field mapping goes; Map suggested brings it back.
	_, sel, _ = fieldRow(sc, 1)
	sel.SetSelected(notMapped)
	if p.fieldIndex("name") >= 0 {
		t.Fatal("not mapped kept the field mapping")
	}
	f.tap(t, "Map suggested")
	if i := p.fieldIndex("name"); i < 0 || p.draft.Fields[i].Local != "name" {
		t.Errorf("Map suggested did not map name: %+v", p.draft.Fields)
	}

	// Disable the entity, then enable it again. The mapping has unsaved
	// changes (Map suggested): Disable asks first; Save keeps them.
	f.tap(t, "Disable")
	if !strings.Contains(f.shell.lastPrompt, "The mapping of Accounts") || !f.shows("Unsaved changes") {
		t.Fatalf("Disable did not ask about the unsaved changes: %q", f.shell.lastPrompt)
	}
	f.tap(t, "Save")
	if in, _ := f.st.Integration(ctx, "crm"); !in.Entities[0].Disabled {
		t.Error("Disable did not disable the entity")
	}
	f.tap(t, "Enable")
	if in, _ := f.st.Integration(ctx, "crm"); in.Entities[0].Disabled {
		t.Error("Enable did not enable the entity again")
	}

	// Export, then import it into another integration.
	var buf bytes.Buffer
	if err := p.exporter()(ctx, &buf); err != nil || !strings.Contains(buf.String(), mapping.EntityFormat) {
		t.Fatalf("export: %v, %q", err, buf.String())
	}
	sc2 := f.openMapping(t, mapping.Integration{Name: "crm2", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"}})
	sc2.pane.importFrom(&buf)
	f.settle() // the import is written off the UI goroutine
	if in, _ := f.st.Integration(ctx, "crm2"); len(in.Entities) != 1 || in.Entities[0].External != "Accounts" {
		t.Errorf("import gave %+v; error %q", in.Entities, f.shell.lastError)
	}
	sc2.pane.importFrom(strings.NewReader(`{"format":"nonsense"}`))
	f.settle()
	if !strings.Contains(f.shell.lastError, "Could not import the entity mapping") {
		t.Errorf("bad file: last error %q", f.shell.lastError)
	}
}

func TestMapMetadataCleanUp(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.st.CreateEntity(ctx, meta.Entity{Name: "contact", Fields: []meta.Field{{Name: "email", Type: meta.String}, {Name: "externalid", Type: meta.String}}}); err != nil {
		t.Fatal(err)
	}
	sc := f.openMapping(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"},
		Entities: []mapping.EntityMapping{{External: "Contacts", Local: "contact", PrimaryKey: "externalid", Direction: mapping.Download,
			Fields: []mapping.FieldMapping{{External: "email", Local: "email"}, {External: "phone", Local: "email2"}}}}})
	waitFor(t, "the clean-up dialog", func() bool { return sc.cleanup != nil })
	if !f.shows("The mapping of \"crm\" names entities or fields that no longer exist") {
		t.Fatalf("no clean-up dialog; shows %q", f.texts())
	}
	f.tap(t, "Clean Up")
	in, _ := f.st.Integration(ctx, "crm")
	if fs := in.Entities[0].Fields; len(fs) != 1 || fs[0].External != "email" {
		t.Errorf("after Clean Up the fields are %+v", fs)
	}
}

func TestFilterEditor(t *testing.T) {
	newSerialApp(t)
	ent := meta.Entity{Name: "account", Fields: []meta.Field{
		{Name: "name", Type: meta.String}, {Name: "revenue", Type: meta.Decimal}, {Name: "active", Type: meta.Bool},
	}}
	counted := make(chan string, 10)
	count := func(_ context.Context, text string) (int64, error) { counted <- text; return 7, nil }
	fe := newFilterEditor(ent, "name eq 'O''Brien' and revenue gt 1000", count)
	if len(fe.rows) != 2 || fe.rows[0].value.Text != "O'Brien" || fe.rows[1].op.Selected != "greater than" {
		t.Fatalf("rows from text: %d rows", len(fe.rows))
	}
	waitFor(t, "the count", func() bool { return strings.Contains(fe.matching.Text, "7 matching records") })

	tests := []struct {
		text, problem string
		valid         bool
	}{
		{"", "No filter", true},
		{"name eq", "Column", false},
		{"nmae eq 'x'", "Column 1", false},
		{"active eq true or contains(name,'x')", "Valid filter.", true},
		{"revenue gt 'x'", "Column", false},
	}
	for _, tt := range tests {
		test.Type(fe.text, "") // focus
		fe.text.SetText(tt.text)
		if fe.valid != tt.valid || !strings.Contains(fe.problem.Text, tt.problem) {
			t.Errorf("%q: valid %v, problem %q; want %v, %q", tt.text, fe.valid, fe.problem.Text, tt.valid, tt.problem)
		}
	}
	// The rows write the text: change the join and add a condition.
	fe.text.SetText("active eq true")
	fe.join.SetSelected("any condition (or)")
	fe.addRow("name", "starts with", "")
	fe.rows[1].value.SetText("Con")
	if got := fe.Text(); got != "active eq true or startswith(name,'Con')" {
		t.Errorf("text from rows = %q", got)
	}
	// A filter beyond simple conditions is edited as text.
	fe.text.SetText("not (active eq true)")
	if fe.rowsBox.Visible() || !strings.Contains(fe.note.Text, "edit it as text") {
		t.Error("complex filter still shown as rows")
	}
}
