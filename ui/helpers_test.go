package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/core/store"
)

// memOptions are the options of the test connector: a required URL, an enum,
// a secret and a string that applies to one choice of the enum.
var memOptions = spec.Options{
	{Key: "url", Label: "Service URL", Help: "Root URL of the service.", Kind: spec.KindURL, Required: true},
	{Key: "auth", Label: "Authentication", Kind: spec.KindEnum, Choices: []string{"none", "apikey"}, Default: "none"},
	{Key: "apikey", Label: "API key", Kind: spec.KindSecret, Required: true, When: &spec.Condition{Key: "auth", Values: []string{"apikey"}}},
	{Key: "tenant", Label: "Tenant", Kind: spec.KindString, Help: "Leave empty for the default tenant."},
	{Key: "timeout", Label: "Timeout (s)", Kind: spec.KindInt, Default: "30", Advanced: true},
}

// memCatalog is what the test connector's system exposes.
var memCatalog = []meta.Entity{
	{Name: "Accounts", Key: []string{"ID"}, Fields: []meta.Field{
		{Name: "ID", Type: meta.GUID, ExternalType: "Edm.Guid"},
		{Name: "name", Type: meta.String, ExternalType: "Edm.String", Nullable: true},
		{Name: "owner", Type: meta.Lookup, ExternalType: "Users", Target: "Users", Nullable: true},
	}},
	{Name: "Contacts", Key: []string{"ID"}, Fields: []meta.Field{
		{Name: "ID", Type: meta.GUID, ExternalType: "Edm.Guid"},
		{Name: "email", Type: meta.String, ExternalType: "Edm.String"},
	}},
	{Name: "Users", Key: []string{"ID"}, Fields: []meta.Field{{Name: "ID", Type: meta.GUID}}},
}

// memSystem counts the test connector's calls.
type memSystem struct {
	catalogs atomic.Int32
	tests    atomic.Int32
}

// memConnector is an in-memory connector: a test double of the connector port.
type memConnector struct {
	sys *memSystem
	v   spec.Values
}

func (c *memConnector) Catalog(context.Context) ([]meta.Entity, error) {
	c.sys.catalogs.Add(1)
	if strings.Contains(c.v["url"], "broken") {
		return nil, errors.New("GET $metadata: 503 Service Unavailable: try again later")
	}
	return memCatalog, nil
}

func (c *memConnector) Close() error { return nil }

// memRecords are the records the test connector's system holds.
var memRecords = map[string][]meta.Record{
	"Accounts": {
		{"ID": "6d0b3a1e-0000-4000-8000-000000000001", "name": "Contoso", "owner": nil},
		{"ID": "6d0b3a1e-0000-4000-8000-000000000002", "name": "Fabrikam", "owner": nil},
		{"ID": "6d0b3a1e-0000-4000-8000-000000000003", "name": "Northwind", "owner": nil},
	},
}

// ReadPage returns every record of the entity in one page, the total when asked.
func (c *memConnector) ReadPage(_ context.Context, q connector.Query, _ string) (connector.Page, error) {
	recs := memRecords[q.Entity]
	if strings.Contains(q.Filter, "Contoso") {
		recs = recs[:1]
	}
	total := int64(-1)
	if q.Count {
		total = int64(len(recs))
	}
	return connector.Page{Records: recs, Total: total}, nil
}

func (c *memConnector) Test(context.Context) (connector.Report, error) {
	c.sys.tests.Add(1)
	if strings.Contains(c.v["url"], "broken") {
		return connector.Report{}, fmt.Errorf("connect to %s: connection refused: check the URL and that the service runs", c.v["url"])
	}
	if c.v["auth"] == "apikey" && c.v["apikey"] != "good" {
		return connector.Report{}, errors.New("401 Unauthorized: check the API key")
	}
	return connector.Report{System: "Memory", Version: "1.0", Entities: len(memCatalog)}, nil
}

// fixture is a shell over a test workspace (testWorkspace) and a registry with the test connector.
type fixture struct {
	shell *Shell
	st    *store.Store
	sys   *memSystem
	win   fyne.Window
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureOn(t, testWorkspace(t))
}

// newFixtureOn is newFixture on the workspace ws.
func newFixtureOn(t *testing.T, ws string) *fixture {
	t.Helper()
	newSerialApp(t)
	st := openTestStore(t, ws)
	sys := &memSystem{}
	reg := connector.NewRegistry()
	for _, info := range []connector.Info{
		{Name: "mem", Title: "Memory service", Description: "An in-memory service for tests.", Options: memOptions,
			New: func(_ context.Context, v spec.Values) (connector.Connector, error) {
				return &memConnector{sys: sys, v: v}, nil
			}},
		{Name: "other", Title: "Other", Options: spec.Options{{Key: "path", Label: "Path", Kind: spec.KindString, Required: true}},
			New: func(_ context.Context, v spec.Values) (connector.Connector, error) {
				return &memConnector{sys: sys, v: v}, nil
			}},
	} {
		if err := reg.Add(info); err != nil {
			t.Fatal(err)
		}
	}
	sh := NewShell(fyne.CurrentApp(), admin.New(st, reg))
	w := sh.Window()
	w.Resize(fyne.NewSize(1100, 700))
	sh.Show(SectionIntegrations)
	f := &fixture{shell: sh, st: st, sys: sys, win: w}
	f.settle()
	return f
}

// settle waits until the screens' loads under way have shown what they read
// (Shell.load), as a person waits for a list to appear.
func (f *fixture) settle() { uiTurn.pause(f.shell.pending.Wait) }

// visible returns the visible objects of the window: its content and its
// overlays (dialogs), once the screens' loads have shown their data.
func (f *fixture) visible() []fyne.CanvasObject {
	f.settle()
	var out []fyne.CanvasObject
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		out = append(out, o)
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(f.win.Canvas().Content())
	for _, o := range f.win.Canvas().Overlays().List() {
		walk(o)
	}
	return out
}

// button returns the visible button labelled text, the last one found (dialogs come last).
func (f *fixture) button(t *testing.T, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	for _, o := range f.visible() {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
		}
		if b, ok := o.(*keyButton); ok && b.Text == text {
			found = &b.Button
		}
	}
	if found == nil {
		t.Fatalf("no visible button %q; texts shown: %q", text, f.texts())
	}
	return found
}

// tap taps the visible, enabled button labelled text.
func (f *fixture) tap(t *testing.T, text string) {
	t.Helper()
	b := f.button(t, text)
	// Screens enable buttons once their work off the UI goroutine is done: wait for it as a person would.
	untilTurn(5*time.Second, func() bool {
		b = f.button(t, text)
		return !b.Disabled()
	})
	if b.Disabled() {
		t.Fatalf("button %q is disabled", text)
	}
	test.Tap(b)
	f.settle() // and sees what the tap loads
}

// texts returns the text of every visible label and rich text.
func (f *fixture) texts() []string {
	var out []string
	for _, o := range f.visible() {
		switch x := o.(type) {
		case *widget.Label:
			if x.Text != "" {
				out = append(out, x.Text)
			}
		case *widget.RichText:
			if s := x.String(); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// shows reports whether a visible text holds sub.
func (f *fixture) shows(sub string) bool {
	for _, s := range f.texts() {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// waitFor waits until cond holds, for work that runs off the UI goroutine.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if !untilTurn(5*time.Second, cond) {
		t.Fatalf("timed out waiting for %s", what)
	}
}
