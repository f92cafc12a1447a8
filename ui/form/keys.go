package form

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// PassKey, when set, is handed Esc and F1 typed in a settings field, and
// reports whether it used the key: the app sets it so that Esc closes the
// dialog the form is in and F1 shows the shortcuts wherever the focus is.
// Other keys, and keys it does not use, reach the field.
var PassKey func(ev *fyne.KeyEvent) bool

// passKey hands ev to PassKey when it is Esc or F1, and reports whether it was used.
func passKey(ev *fyne.KeyEvent) bool {
	if PassKey == nil || (ev.Name != fyne.KeyEscape && ev.Name != fyne.KeyF1) {
		return false
	}
	return PassKey(ev)
}

// keyEntry is a text field whose Esc and F1 reach the app. Form.Widget
// returns its *widget.Entry.
type keyEntry struct {
	widget.Entry
}

func newKeyEntry(password bool) *keyEntry {
	e := &keyEntry{}
	e.Password = password // the entry's renderer adds the reveal button
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

func (e *keyEntry) TypedKey(ev *fyne.KeyEvent) {
	if !passKey(ev) {
		e.Entry.TypedKey(ev)
	}
}

// keyCheck is a check box whose Esc and F1 reach the app.
type keyCheck struct {
	widget.Check
}

func newKeyCheck() *keyCheck {
	c := &keyCheck{}
	c.ExtendBaseWidget(c)
	return c
}

func (c *keyCheck) TypedKey(ev *fyne.KeyEvent) {
	if !passKey(ev) {
		c.Check.TypedKey(ev)
	}
}

// keySelect is a drop-down whose Esc and F1 reach the app.
type keySelect struct {
	widget.Select
}

func newKeySelect(options []string) *keySelect {
	s := &keySelect{}
	s.Options = options
	s.ExtendBaseWidget(s)
	return s
}

func (s *keySelect) TypedKey(ev *fyne.KeyEvent) {
	if !passKey(ev) {
		s.Select.TypedKey(ev)
	}
}
