package form

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/spec"
)

var testOptions = spec.Options{
	{Key: "url", Label: "Service URL", Help: "The root of the OData service.", Kind: spec.KindURL, Required: true},
	{Key: "auth", Label: "Authentication", Kind: spec.KindEnum, Choices: []string{"none", "basic", "bearer"}, Default: "none"},
	{Key: "username", Label: "User name", Kind: spec.KindString, Required: true, When: &spec.Condition{Key: "auth", Values: []string{"basic"}}},
	{Key: "password", Label: "Password", Kind: spec.KindSecret, When: &spec.Condition{Key: "auth", Values: []string{"basic"}}},
	{Key: "token", Label: "Token", Kind: spec.KindSecret, Required: true, When: &spec.Condition{Key: "auth", Values: []string{"bearer"}}},
	{Key: "pagesize", Label: "Page size", Kind: spec.KindInt, Default: "100", Advanced: true},
	{Key: "verbose", Label: "Log requests", Kind: spec.KindBool, Advanced: true},
}

// show places the form in a test window so that its widgets are laid out and rendered.
func show(t *testing.T, f *Form) fyne.Window {
	t.Helper()
	w := test.NewTempWindow(t, f.Object())
	w.Resize(fyne.NewSize(600, 500))
	return w
}

func TestWidgetsPerKind(t *testing.T) {
	test.NewTempApp(t)
	f := New(testOptions, spec.Values{"auth": "basic"})
	show(t, f)
	tests := []struct {
		key      string
		want     string
		password bool
	}{
		{"url", "*widget.Entry", false},
		{"auth", "*widget.Select", false},
		{"username", "*widget.Entry", false},
		{"password", "*widget.Entry", true},
		{"pagesize", "*widget.Entry", false},
		{"verbose", "*widget.Check", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			w := f.Widget(tt.key)
			if got := fmt.Sprintf("%T", w); got != tt.want {
				t.Fatalf("Widget(%q) is %s, want %s", tt.key, got, tt.want)
			}
			if e, ok := w.(*widget.Entry); ok && e.Password != tt.password {
				t.Errorf("Widget(%q).Password = %v, want %v", tt.key, e.Password, tt.password)
			}
		})
	}
	if sel := f.Widget("auth").(*widget.Select); len(sel.Options) != 3 || sel.Selected != "basic" {
		t.Errorf("auth select has options %v and %q selected, want 3 choices and basic", sel.Options, sel.Selected)
	}
	if e := f.Widget("pagesize").(*widget.Entry); e.Text != "100" {
		t.Errorf("pagesize shows %q, want its default 100", e.Text)
	}
	if f.Widget("nope") != nil {
		t.Error("Widget of an unknown key is not nil")
	}
}

func TestRequiredMarkAndHelp(t *testing.T) {
	test.NewTempApp(t)
	f := New(testOptions, nil)
	show(t, f)
	tests := []struct {
		key      string
		label    string
		required bool
		help     string
	}{
		{"url", "* Service URL", true, "The root of the OData service."},
		{"auth", "Authentication", false, ""},
	}
	for _, tt := range tests {
		r := f.byKey[tt.key]
		if got := r.label.String(); got != tt.label {
			t.Errorf("label of %s = %q, want %q", tt.key, got, tt.label)
		}
		if r.hint.Visible() != (tt.help != "") || r.hint.Text != tt.help {
			t.Errorf("hint of %s = %q (visible %v), want %q", tt.key, r.hint.Text, r.hint.Visible(), tt.help)
		}
	}
}

func TestConditionalVisibility(t *testing.T) {
	test.NewTempApp(t)
	f := New(testOptions, nil)
	show(t, f)
	sel := f.Widget("auth").(*widget.Select)
	tests := []struct {
		auth  string
		shown []string
		gone  []string
	}{
		{"none", []string{"url", "auth"}, []string{"username", "password", "token"}},
		{"basic", []string{"username", "password"}, []string{"token"}},
		{"bearer", []string{"token"}, []string{"username", "password"}},
		{"none", nil, []string{"username", "password", "token"}},
	}
	for _, tt := range tests {
		sel.SetSelected(tt.auth)
		for _, k := range tt.shown {
			if !f.Visible(k) || !f.byKey[k].labelC.Visible() {
				t.Errorf("auth=%s: %s is hidden, want shown", tt.auth, k)
			}
		}
		for _, k := range tt.gone {
			if f.Visible(k) || f.byKey[k].labelC.Visible() {
				t.Errorf("auth=%s: %s is shown, want hidden", tt.auth, k)
			}
			if _, ok := f.Values()[k]; ok {
				t.Errorf("auth=%s: Values() holds %s, which is not in force", tt.auth, k)
			}
		}
	}
}

func TestValuesRoundTrip(t *testing.T) {
	test.NewTempApp(t)
	tests := []spec.Values{
		{"url": "https://example.com/odata/v4/", "auth": "basic", "username": "ann", "password": "s3cret", "pagesize": "500", "verbose": "true"},
		{"url": "http://localhost:4004/", "auth": "bearer", "token": "abc", "pagesize": "100", "verbose": "false"},
		{"auth": "none", "pagesize": "100", "verbose": "false"},
	}
	for i, v := range tests {
		f := New(testOptions, v)
		if got := f.Values(); !maps.Equal(got, v) {
			t.Errorf("%d: Values() = %v, want %v", i, got, v)
		}
	}
}

func TestTypingChangesValues(t *testing.T) {
	test.NewTempApp(t)
	f := New(testOptions, nil)
	show(t, f)
	changes := 0
	f.OnChanged = func() { changes++ }
	test.Type(f.Widget("url").(*widget.Entry), "https://x.example/")
	f.Widget("auth").(*widget.Select).SetSelected("bearer")
	test.Type(f.Widget("token").(*widget.Entry), "tok")
	test.Tap(f.Widget("verbose").(*widget.Check))

	want := spec.Values{"url": "https://x.example/", "auth": "bearer", "token": "tok", "pagesize": "100", "verbose": "true"}
	if got := f.Values(); !maps.Equal(got, want) {
		t.Errorf("Values() = %v, want %v", got, want)
	}
	if changes == 0 {
		t.Error("OnChanged was not called")
	}
	if err := testOptions.Validate(f.Values()); err != nil {
		t.Errorf("Validate(Values()) = %v, want nil", err)
	}
}

func TestSetErrors(t *testing.T) {
	test.NewTempApp(t)
	f := New(testOptions, spec.Values{"auth": "basic"})
	show(t, f)

	err := testOptions.Validate(spec.Values{"auth": "basic", "extra": "1"})
	f.SetErrors(fmt.Errorf("check OData settings: %w", err))
	tests := []struct{ key, want string }{
		{"url", "Service URL is required"},
		{"username", "User name is required"},
		{"password", ""},
	}
	for _, tt := range tests {
		if got := f.Error(tt.key); got != tt.want {
			t.Errorf("Error(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
	if got := f.GeneralError(); got == "" || !strings.Contains(got, "extra: unknown setting") {
		t.Errorf("GeneralError() = %q, want the unknown setting named", got)
	}

	f.SetErrors(errors.New("connection refused"))
	if f.Error("url") != "" || f.GeneralError() != "connection refused" {
		t.Errorf("after a plain error: Error(url) = %q, GeneralError() = %q", f.Error("url"), f.GeneralError())
	}
	f.SetErrors(nil)
	if f.GeneralError() != "" {
		t.Errorf("SetErrors(nil) left %q", f.GeneralError())
	}

	// An error on an advanced field opens the Advanced section.
	f.SetErrors(&spec.FieldError{Key: "pagesize", Msg: "Page size must be a whole number"})
	if f.Error("pagesize") == "" || f.advanced.Items[0].Open != true {
		t.Errorf("advanced error: Error = %q, open = %v", f.Error("pagesize"), f.advanced.Items[0].Open)
	}
}

func TestLiveValidation(t *testing.T) {
	test.NewTempApp(t)
	f := New(testOptions, nil)
	show(t, f)
	tests := []struct {
		key, typed, want string
	}{
		{"pagesize", "12x", `Page size must be a whole number, not "12x"`},
		{"url", "ftp://a", `Service URL must be an absolute http:// or https:// URL, not "ftp://a"`},
	}
	for _, tt := range tests {
		e := f.Widget(tt.key).(*widget.Entry)
		e.SetText("")
		test.Type(e, tt.typed)
		e.FocusLost()
		if got := f.Error(tt.key); got != tt.want {
			t.Errorf("after typing %q into %s: Error = %q, want %q", tt.typed, tt.key, got, tt.want)
		}
		e.SetText("")
		if got := f.Error(tt.key); got != "" {
			t.Errorf("after clearing %s: Error = %q, want none", tt.key, got)
		}
	}
}

func TestNoOptions(t *testing.T) {
	test.NewTempApp(t)
	f := New(nil, nil)
	show(t, f)
	if got := f.Values(); len(got) != 0 {
		t.Errorf("Values() = %v, want none", got)
	}
	f.SetErrors(errors.New("boom"))
	if f.GeneralError() != "boom" {
		t.Errorf("GeneralError() = %q", f.GeneralError())
	}
}

// TestEscAndF1ReachPassKey: Esc and F1 typed in a settings field (text,
// secret, drop-down, check box) go to PassKey; other keys, and those it
// does not use, reach the field; Widget still returns the plain widget.
func TestEscAndF1ReachPassKey(t *testing.T) {
	test.NewTempApp(t)
	var got []fyne.KeyName
	used := true
	PassKey = func(ev *fyne.KeyEvent) bool { got = append(got, ev.Name); return used }
	defer func() { PassKey = nil }()
	f := New(testOptions, spec.Values{"auth": "basic", "url": "ab"})
	for _, key := range []string{"url", "password", "auth", "verbose"} {
		got = nil
		in, ok := f.byKey[key].input.(fyne.Focusable)
		if !ok {
			t.Fatalf("%s: %T takes no keys", key, f.byKey[key].input)
		}
		in.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		in.TypedKey(&fyne.KeyEvent{Name: fyne.KeyF1})
		in.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
		if len(got) != 2 || got[0] != fyne.KeyEscape || got[1] != fyne.KeyF1 {
			t.Errorf("%s handed %v, want Esc and F1", key, got)
		}
	}
	// The field keeps the keys that are not Esc or F1: Backspace edits.
	e := f.Widget("url").(*widget.Entry)
	e.CursorColumn = 2
	f.byKey["url"].input.(fyne.Focusable).TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	if e.Text != "a" {
		t.Errorf("Backspace left %q", e.Text)
	}
	// A password field stays one.
	if !f.Widget("password").(*widget.Entry).Password {
		t.Error("the secret field shows its text")
	}
}
