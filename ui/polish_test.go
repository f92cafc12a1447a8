package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/connector"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

// TestSaveAfterFailedTestAsks: settings whose connection test just failed
// are saved only once the admin says so.
func TestSaveAfterFailedTestAsks(t *testing.T) {
	f := newFixture(t)
	f.tap(t, "New")
	ed := f.editor(t)
	test.Type(ed.name, "crm")
	test.Type(ed.form.Widget("url").(*widget.Entry), "https://broken.example/")
	f.tap(t, "Test connection")
	waitFor(t, "the test", func() bool { return strings.Contains(ed.status.Text, "Connection failed") })
	f.tap(t, "Save")
	if !f.shows("The connection test of these settings failed") {
		t.Fatalf("no question; shows %q", f.texts())
	}
	f.tap(t, "Cancel")
	if _, err := f.st.Integration(context.Background(), "crm"); err == nil {
		t.Fatal("saved although the admin cancelled")
	}
	f.tap(t, "Save")
	f.tap(t, "Save anyway")
	if _, err := f.st.Integration(context.Background(), "crm"); err != nil {
		t.Fatalf("Save anyway did not save: %v", err)
	}
}

// TestCompanyOnlyForBusinessCentral: the OData connector's company id shows
// only for a service that is (or looks like, or was tested to be) Business Central.
func TestCompanyOnlyForBusinessCentral(t *testing.T) {
	f := newFixture(t)
	err := f.shell.svc.Registry.Add(connector.Info{Name: "odata", Title: "OData v4", Options: spec.Options{
		{Key: "url", Label: "Service URL", Kind: spec.KindURL, Required: true},
		{Key: "preset", Label: "System", Kind: spec.KindEnum, Choices: []string{"auto", "cap", "businesscentral"}, Default: "auto"},
		{Key: "company", Label: "Company id", Kind: spec.KindString, When: &spec.Condition{Key: "preset", Values: []string{"auto", "businesscentral"}}},
	}, New: func(context.Context, spec.Values) (connector.Connector, error) { return nil, nil }})
	if err != nil {
		t.Fatal(err)
	}
	f.tap(t, "New")
	ed := f.editor(t)
	ed.picker.SetSelected("OData v4")
	url := ed.form.Widget("url").(*widget.Entry)
	test.Type(url, "https://crm.example/odata/v4/")
	if ed.form.Visible("company") || f.shows("Company id") {
		t.Error("Company id shown for a service that is not Business Central")
	}
	url.SetText("https://api.businesscentral.dynamics.com/v2.0/tenant/production/api/v2.0/")
	if !ed.form.Visible("company") {
		t.Error("Company id hidden for a Business Central URL")
	}
	url.SetText("https://crm.example/odata/v4/")
	ed.form.Widget("preset").(*widget.Select).SetSelected("businesscentral")
	if !ed.form.Visible("company") {
		t.Error("Company id hidden with the Business Central preset")
	}
}

// TestUploadNeedsAnUploadingEntity: Upload is offered only when an enabled
// entity uploads; Ctrl+U on a download-only integration says why instead of failing.
func TestUploadNeedsAnUploadingEntity(t *testing.T) {
	f := newFixture(t)
	f.save(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"},
		Entities: []mapping.EntityMapping{{External: "Accounts", Local: "accounts", Direction: mapping.Download}}})
	f.shell.integrations.selectName("crm")
	if !f.shell.integrations.uploadBtn.Disabled() {
		t.Error("Upload enabled for a download-only integration")
	}
	f.shell.runShortcut("export")
	if f.shell.page != nil || !f.shows("only download") {
		t.Errorf("Ctrl+U opened %T; shows %q", f.shell.page, f.texts())
	}
	if p := article("upload"); p != "an upload" {
		t.Errorf("article = %q", p)
	}
}

// TestSeveralEntitiesPerRun: the Download page takes the entities ticked, in
// the integration's order; ticking them all is "All enabled entities".
func TestSeveralEntitiesPerRun(t *testing.T) {
	f := newFixture(t)
	sc := f.openMapping(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"}})
	for _, name := range []string{"Accounts", "Contacts", "Users"} {
		pick(sc, name)
		f.tap(t, "Enable")
	}
	f.tap(t, "Download…")
	p := f.shell.transfer
	if !strings.HasPrefix(p.entityBtn.Text, "All enabled entities (3)") {
		t.Fatalf("entity button = %q", p.entityBtn.Text)
	}
	f.tap(t, p.entityBtn.Text)
	checks := f.shell.entityChecks
	checks.SetSelected([]string{"Users", "Accounts"})
	f.tap(t, "OK")
	if p.entityBtn.Text != "Accounts, Users…" || strings.Join(p.chosen, ",") != "Accounts,Users" {
		t.Fatalf("chosen %v, button %q", p.chosen, p.entityBtn.Text)
	}
	runTransfer(t, f, p, "Preview")
	for _, r := range p.results.shown {
		if r.entity == "Contacts" {
			t.Fatalf("a run of Accounts and Users previewed Contacts: %+v", r)
		}
	}
	if len(p.results.shown) != 3 {
		t.Errorf("%d records previewed, want Accounts' 3", len(p.results.shown))
	}
	f.tap(t, p.entityBtn.Text)
	f.tap(t, "None")
	f.tap(t, "OK")
	if !f.shows("Tick at least one entity.") {
		t.Error("no entity ticked was accepted")
	}
	f.tap(t, "All")
	f.tap(t, "OK")
	if p.chosen != nil || !strings.HasPrefix(p.entityBtn.Text, "All enabled entities") {
		t.Errorf("all ticked: chosen %v, button %q", p.chosen, p.entityBtn.Text)
	}
}

// TestFilterValuePickers: a condition's value offers the field's option set
// and the values it holds; a text value typed without quotes is recognised
// and put in quotes for the admin.
func TestFilterValuePickers(t *testing.T) {
	newSerialApp(t)
	ent := meta.Entity{Name: "site", Fields: []meta.Field{
		{Name: "city", Type: meta.String},
		{Name: "status", Type: meta.Int, Enum: []meta.EnumMember{{Name: "Active", Value: "1"}, {Name: "Closed", Value: "2"}}},
	}}
	values := func(field string) []string {
		if field == "city" {
			return []string{"Berlin", "Paris"}
		}
		return nil
	}
	fe := newFilterEditorWith(ent, "", nil, func(field string, show func([]string)) { show(values(field)) })
	fe.addRow("status", "", "")
	r := fe.rows[0]
	if strings.Join(r.options, ",") != "1 — Active,2 — Closed" {
		t.Fatalf("option set picks = %v", r.options)
	}
	r.value.SetText("2 — Closed")
	if got := fe.Text(); got != "status eq 2" {
		t.Errorf("text from the option set pick = %q", got)
	}
	fe.addRow("city", "", "")
	r = fe.rows[1]
	if strings.Join(r.options, ",") != "Berlin,Paris" {
		t.Fatalf("recent values = %v", r.options)
	}
	r.value.SetText("Berlin")
	if got := fe.Text(); got != "status eq 2 and city eq 'Berlin'" {
		t.Errorf("text = %q", got)
	}

	fe.text.SetText("city eq Berlin or contains(city,Par)")
	if fe.valid || !strings.Contains(fe.problem.Text, "Berlin is not a field of site: a text value goes in single quotes, 'Berlin'") || !fe.quoteBtn.Visible() {
		t.Fatalf("bare word: valid %v, problem %q", fe.valid, fe.problem.Text)
	}
	test.Tap(fe.quoteBtn)
	if got := fe.Text(); got != "city eq 'Berlin' or contains(city,'Par')" || !fe.valid {
		t.Errorf("after quoting: %q (valid %v, problem %q)", got, fe.valid, fe.problem.Text)
	}
}

// TestMappingShowsCheckWarnings: a download filter on a parent that can
// leave children without it is said on the mapping screen, as `integration
// check` says it: on the page, in the entity list and at the child.
func TestMappingShowsCheckWarnings(t *testing.T) {
	f := honestFixture(t, &honestConnector{records: contactsWithProblems()})
	ctx := context.Background()
	in, _ := f.st.Integration(ctx, "honest")
	for i := range in.Entities {
		if in.Entities[i].External == "Accounts" {
			in.Entities[i].DownloadFilter = "name eq 'Contoso'"
		}
	}
	in.Secrets = nil
	if err := f.st.SaveIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	f.shell.integrations.selectName("honest")
	f.tap(t, "Open")
	sc := f.shell.mapping
	waitFor(t, "the catalog", func() bool { return !sc.loading })
	if !sc.warningsBtn.Visible() || sc.warningsBtn.Text != "1 warning…" {
		t.Fatalf("no warnings button: %q (visible %v)", sc.warningsBtn.Text, sc.warningsBtn.Visible())
	}
	for i, e := range sc.shown {
		if e.Name == "Contacts" {
			if got, imp := sc.entityCell(i, 2); got != "enabled, warning" || imp != widget.WarningImportance {
				t.Errorf("Contacts' status = %q", got)
			}
		}
	}
	pick(sc, "Contacts")
	if !sc.pane.warnings.Visible() || !strings.Contains(sc.pane.warnings.Text, `the download filter of Accounts ("name eq 'Contoso'") can leave out the account`) {
		t.Errorf("the pane's warning = %q", sc.pane.warnings.Text)
	}
	f.tap(t, "1 warning…")
	if !f.shows("Contacts.account_ID: the download filter of Accounts") {
		t.Errorf("the warnings dialog: %q", f.texts())
	}
}

// TestNoScreenForcesAWideWindow: every screen and page fits a window under
// 1,000 px wide (the toolbars wrap, the columns give way).
func TestNoScreenForcesAWideWindow(t *testing.T) {
	f := honestFixture(t, &honestConnector{records: contactsWithProblems()})
	check := func(what string) {
		t.Helper()
		t.Logf("%s: %.0f", what, f.win.Content().MinSize().Width)
		if w := f.win.Content().MinSize().Width; w > 1000 {
			t.Errorf("%s needs a window %.0f px wide", what, w)
		}
	}
	for _, sec := range []string{SectionIntegrations, SectionLocalData, SectionRuns, SectionSchedules} {
		f.shell.Show(sec)
		check(sec)
	}
	f.shell.Show(SectionIntegrations)
	f.settle() // the screen loads its list
	f.shell.integrations.selectName("honest")
	f.tap(t, "Edit")
	check("the integration editor")
	f.shell.Show(SectionIntegrations)
	f.settle() // the screen loads its list
	f.shell.integrations.selectName("honest")
	f.tap(t, "Open")
	waitFor(t, "the catalog", func() bool { return !f.shell.mapping.loading })
	pick(f.shell.mapping, "Contacts")
	check("Map metadata")
	f.tap(t, "Download…")
	runTransfer(t, f, f.shell.transfer, "Import")
	check("the Download page after a run")
	f.shell.Show(SectionRuns)
	f.settle() // the screen loads its list
	f.key(fyne.KeyReturn)
	check("Run details")
}
