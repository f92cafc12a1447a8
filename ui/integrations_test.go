package ui

import (
	"context"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/mapping"
	"switchyard/core/schedule"
	"switchyard/core/spec"
)

// editor returns the editor page the content area shows.
func (f *fixture) editor(t *testing.T) *integrationEditor {
	t.Helper()
	if f.shell.editor == nil {
		t.Fatal("no editor open")
	}
	return f.shell.editor
}

func (f *fixture) save(t *testing.T, in mapping.Integration) {
	t.Helper()
	if err := f.st.SaveIntegration(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	f.shell.Show(SectionIntegrations)
	f.settle()
}

func TestWindow(t *testing.T) {
	f := newFixture(t)
	want := "Switchyard — :memory:"
	if onPostgres() { // the schema on the server, and never the URL with its options
		want = "Switchyard — t_testwindow_"
	}
	if got := f.win.Title(); !strings.HasPrefix(got, want) || strings.Contains(got, "options") {
		t.Errorf("title = %q, want %q…", got, want)
	}
	for _, name := range []string{SectionIntegrations, SectionLocalData, SectionRuns, SectionSchedules} {
		if !f.shows(name) {
			t.Errorf("sidebar lacks %q", name)
		}
	}
}

func TestNewIntegrationIsListed(t *testing.T) {
	f := newFixture(t)
	if !f.shows(emptyIntegrations) {
		t.Fatalf("empty workspace does not show the empty state; shows %q", f.texts())
	}
	f.tap(t, "New")
	ed := f.editor(t)
	if ed.picker.Selected != "Memory service" {
		t.Errorf("connector picker starts on %q", ed.picker.Selected)
	}
	test.Type(ed.name, "crm")
	test.Type(ed.form.Widget("url").(*widget.Entry), "https://crm.example.com/odata/")
	ed.form.Widget("auth").(*widget.Select).SetSelected("apikey")
	test.Type(ed.form.Widget("apikey").(*widget.Entry), "good")
	f.tap(t, "Save")

	if ed.status.Visible() && ed.status.Text != "" {
		t.Fatalf("Save failed: %s", ed.status.Text)
	}
	sc := f.shell.integrations
	if len(sc.items) != 1 || sc.items[0].Name != "crm" {
		t.Fatalf("listed = %v, want crm", sc.items)
	}
	row := []string{}
	for c := range 6 {
		s, _ := sc.cell(0, c)
		row = append(row, s)
	}
	if want := []string{"crm", "Memory service", "0", "never", "not scheduled", "https://crm.example.com/odata/"}; strings.Join(row, "|") != strings.Join(want, "|") {
		t.Errorf("row = %q, want %q", row, want)
	}
	if f.shows(emptyIntegrations) {
		t.Error("empty state still shown")
	}
	in, err := f.st.Integration(context.Background(), "crm")
	if err != nil {
		t.Fatal(err)
	}
	if in.Settings["apikey"] != "" || in.Secrets["apikey"] != "good" || in.Settings["url"] != "https://crm.example.com/odata/" || in.Settings["timeout"] != "30" {
		t.Errorf("stored settings %v and secrets %v: want the key among the secrets only", in.Settings, in.Secrets)
	}
	if sel, ok := sc.current(); !ok || sel.Name != "crm" {
		t.Errorf("the saved integration is not selected")
	}
}

func TestEditorRefuses(t *testing.T) {
	tests := []struct {
		name    string
		typed   string
		url     string
		nameErr string
		urlErr  string
	}{
		{"duplicate name", "crm", "https://x.example/", `An integration called "crm" already exists`, ""},
		{"missing name", "", "https://x.example/", "Name is required", ""},
		{"missing url", "erp", "", "", "Service URL is required"},
		{"bad url", "erp", "x.example", "", "must be an absolute http:// or https:// URL"},
		{"both", "crm", "", "already exists", "Service URL is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.save(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"}})
			f.tap(t, "New")
			ed := f.editor(t)
			test.Type(ed.name, tt.typed)
			test.Type(ed.form.Widget("url").(*widget.Entry), tt.url)
			f.tap(t, "Save")

			gotName := ""
			if ed.nameErr.Visible() {
				gotName = ed.nameErr.Text
			}
			if (tt.nameErr == "") != (gotName == "") || !strings.Contains(gotName, tt.nameErr) {
				t.Errorf("name error = %q, want %q", gotName, tt.nameErr)
			}
			if got := ed.form.Error("url"); !strings.Contains(got, tt.urlErr) || (tt.urlErr == "") != (got == "") {
				t.Errorf("url error = %q, want %q", got, tt.urlErr)
			}
			if !f.shows(invalidMessage) {
				t.Error("no message at the bottom of the page")
			}
			if tt.nameErr != "" && !f.shows(tt.nameErr) || tt.urlErr != "" && !f.shows(tt.urlErr) {
				t.Errorf("errors not visible on the page; shows %q", f.texts())
			}
			list, _ := f.st.Integrations(context.Background())
			if len(list) != 1 {
				t.Errorf("the workspace holds %d integrations, want the first one only", len(list))
			}
		})
	}
}

func TestEditKeepsSecretsAndRenames(t *testing.T) {
	f := newFixture(t)
	f.save(t, mapping.Integration{Name: "crm", Connector: "mem",
		Settings: spec.Values{"url": "https://crm.example/", "auth": "apikey"}, Secrets: spec.Values{"apikey": "good"},
		Schedules: []schedule.Schedule{{Every: "15m", Enabled: true}}})
	sc := f.shell.integrations
	sc.list.list.Select(0)
	f.tap(t, "Edit")
	ed := f.editor(t)
	key := ed.form.Widget("apikey").(*widget.Entry)
	if key.Text != "" || key.PlaceHolder != storedSecret {
		t.Errorf("secret field shows %q / %q, want empty with the stored-secret note", key.Text, key.PlaceHolder)
	}
	if ed.name.Text != "crm" || ed.form.Values()["url"] != "https://crm.example/" {
		t.Errorf("editor shows name %q and values %v", ed.name.Text, ed.form.Values())
	}
	ed.name.SetText("crm2")
	test.Type(ed.form.Widget("tenant").(*widget.Entry), "acme")
	f.tap(t, "Save")

	ctx := context.Background()
	if _, err := f.st.Integration(ctx, "crm"); !errors.Is(err, admin.ErrNotFound) {
		t.Errorf("old name still stored: %v", err)
	}
	in, err := f.st.Integration(ctx, "crm2")
	if err != nil {
		t.Fatal(err)
	}
	if in.Secrets["apikey"] != "good" || in.Settings["tenant"] != "acme" || len(in.Schedules) != 1 {
		t.Errorf("after edit: settings %v secrets %v schedules %v", in.Settings, in.Secrets, in.Schedules)
	}

	// Typing a secret replaces it.
	sc.selectName("crm2")
	f.tap(t, "Edit")
	ed = f.editor(t)
	test.Type(ed.form.Widget("apikey").(*widget.Entry), "new")
	f.tap(t, "Save")
	if in, _ = f.st.Integration(ctx, "crm2"); in.Secrets["apikey"] != "new" {
		t.Errorf("secret after typing = %q, want new", in.Secrets["apikey"])
	}
}

func TestDeleteAsksFirst(t *testing.T) {
	f := newFixture(t)
	f.save(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example/"}})
	sc := f.shell.integrations
	sc.list.list.UnselectAll()
	if f.button(t, "Delete").Disabled() == false {
		t.Error("Delete is enabled with nothing selected")
	}
	sc.list.list.Select(0)

	f.tap(t, "Delete")
	if !f.shows(`Delete the integration "crm"`) {
		t.Fatalf("the confirmation does not name the integration; shows %q", f.texts())
	}
	f.tap(t, "Cancel")
	if list, _ := f.st.Integrations(context.Background()); len(list) != 1 {
		t.Fatal("Cancel deleted the integration")
	}

	f.tap(t, "Delete") // the toolbar's
	f.tap(t, "Delete") // the dialog's
	if list, _ := f.st.Integrations(context.Background()); len(list) != 0 {
		t.Errorf("integration not deleted: %v", list)
	}
	if len(sc.items) != 0 || !f.shows(emptyIntegrations) {
		t.Errorf("list not updated: %v", sc.items)
	}
}

func TestTestConnection(t *testing.T) {
	tests := []struct {
		url, title, detail string
	}{
		{"https://crm.example/", `Connection to "crm" works`, "External entities: 3"},
		{"https://broken.example/", `Connection to "crm" failed`, "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			f := newFixture(t)
			f.save(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": tt.url}})
			f.shell.integrations.list.list.Select(0)
			f.tap(t, "Test connection")
			waitFor(t, "the result dialog", func() bool { return f.shows(tt.title) })
			if !f.shows(tt.detail) {
				t.Errorf("result lacks %q; shows %q", tt.detail, f.texts())
			}
			if f.sys.tests.Load() != 1 {
				t.Errorf("connector tested %d times", f.sys.tests.Load())
			}
		})
	}
}

func TestEditorTestConnection(t *testing.T) {
	f := newFixture(t)
	f.tap(t, "New")
	ed := f.editor(t)
	test.Type(ed.name, "crm")
	test.Type(ed.form.Widget("url").(*widget.Entry), "https://crm.example/")
	ed.form.Widget("auth").(*widget.Select).SetSelected("apikey")
	test.Type(ed.form.Widget("apikey").(*widget.Entry), "bad")
	f.tap(t, "Test connection")
	waitFor(t, "the test result", func() bool { return ed.testBtn.Disabled() == false && ed.status.Text != "" })
	if !strings.Contains(ed.status.Text, "401 Unauthorized: check the API key") {
		t.Errorf("status = %q", ed.status.Text)
	}
	key := ed.form.Widget("apikey").(*widget.Entry)
	key.SetText("good")
	f.tap(t, "Test connection")
	waitFor(t, "the test result", func() bool { return strings.HasPrefix(ed.status.Text, "Connection works") })
	if list, _ := f.st.Integrations(context.Background()); len(list) != 0 {
		t.Error("testing saved the integration")
	}
}

func TestCaptureIntegrations(t *testing.T) {
	dir := os.Getenv("SWITCHYARD_UI_SHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	f := newFixture(t)
	shot := func(name string) {
		t.Helper()
		img := f.win.Canvas().Capture()
		if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 600 {
			t.Errorf("%s: capture is %v, want the 1100×700 window", name, b)
		}
		out, err := os.Create(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		if err := png.Encode(out, img); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", out.Name())
	}
	shot("integrations-empty")
	for _, sec := range []string{SectionLocalData, SectionRuns, SectionSchedules} {
		f.shell.Show(sec)
		shot("empty-" + strings.ReplaceAll(strings.ToLower(sec), " ", "-"))
	}
	f.shell.Show(SectionIntegrations)
	f.settle() // the screen loads its list
	f.save(t, mapping.Integration{Name: "crm", Connector: "mem", Settings: spec.Values{"url": "https://crm.example.com/odata/v4/", "auth": "apikey"},
		Secrets: spec.Values{"apikey": "good"}, Entities: []mapping.EntityMapping{{External: "Accounts", Local: "account", Direction: mapping.Download}}})
	f.save(t, mapping.Integration{Name: "erp", Connector: "other", Settings: spec.Values{"path": "/srv/erp"}})
	f.shell.integrations.list.list.Select(0)
	shot("integrations-list")
	f.tap(t, "Test connection")
	waitFor(t, "the result dialog", func() bool { return f.shows(`Connection to "crm" works`) })
	shot("test-result")
	f.tap(t, "Close")
	f.tap(t, "Edit")
	shot("integration-editor")
	ed := f.editor(t)
	ed.name.SetText("erp")
	ed.form.Widget("url").(*widget.Entry).SetText("")
	ed.form.Widget("timeout").(*widget.Entry).SetText("soon")
	f.tap(t, "Save")
	shot("integration-editor-errors")
	f.shell.Show(SectionIntegrations)
	f.settle() // the screen loads its list
	f.shell.integrations.list.list.Select(0)
	f.tap(t, "Open")
	sc := f.shell.mapping
	waitFor(t, "the catalog", func() bool { return !sc.loading })
	sc.entities.list.Select(0)
	shot("map-metadata")
}
