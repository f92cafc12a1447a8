package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"switchyard/ui/form"
)

// Esc and F1 in a connector-settings field (ui/form) reach the window too.
func init() { form.PassKey = passKey }

// keyHandler is the main window's handler of the keys that must work
// wherever the focus is (Esc and Enter on dialogs, F1); focused widgets of
// this package hand those keys to it. It reports whether it used the key.
var keyHandler func(ev *fyne.KeyEvent) bool

// passKey hands ev to the window's handler when it is one of the keys that
// work wherever the focus is, and reports whether it was used.
func passKey(ev *fyne.KeyEvent) bool {
	if keyHandler == nil {
		return false
	}
	switch ev.Name {
	case fyne.KeyEscape, fyne.KeyF1:
		return keyHandler(ev)
	}
	return false
}

// passEnter hands Enter to the window's handler (a dialog's default button).
func passEnter(ev *fyne.KeyEvent) bool {
	if keyHandler == nil || (ev.Name != fyne.KeyReturn && ev.Name != fyne.KeyEnter) {
		return false
	}
	return keyHandler(ev)
}

// keyEntry is a text entry whose Esc (and F1) reach the window: Esc closes
// the dialog it is in; a one-line entry without its own OnSubmitted confirms
// the dialog with Enter.
type keyEntry struct {
	widget.Entry
}

func newKeyEntry() *keyEntry {
	e := &keyEntry{}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

func newKeyMultiLineEntry() *keyEntry {
	e := &keyEntry{}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey hands Esc, F1 and (one line, no OnSubmitted) Enter to the window.
func (e *keyEntry) TypedKey(ev *fyne.KeyEvent) {
	if passKey(ev) {
		return
	}
	if !e.MultiLine && e.OnSubmitted == nil && passEnter(ev) {
		return
	}
	e.Entry.TypedKey(ev)
}

// keySelect is a drop-down whose Esc and F1 reach the window while it has the focus.
type keySelect struct {
	widget.Select
}

func newKeySelect(options []string, changed func(string)) *keySelect {
	s := &keySelect{}
	s.Options, s.OnChanged, s.PlaceHolder = options, changed, "(Select one)"
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey hands Esc and F1 to the window, and Enter when a dialog waits for it.
func (s *keySelect) TypedKey(ev *fyne.KeyEvent) {
	if passKey(ev) {
		return
	}
	s.Select.TypedKey(ev)
}

// keyButton is a button that Enter presses too (as Space does), and whose
// Esc and F1 reach the window.
type keyButton struct {
	widget.Button
}

func newKeyButton(label string, icon fyne.Resource, tapped func()) *keyButton {
	b := &keyButton{}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey presses the button on Enter and hands Esc and F1 to the window.
func (b *keyButton) TypedKey(ev *fyne.KeyEvent) {
	switch {
	case ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter:
		if !b.Disabled() && b.OnTapped != nil {
			b.OnTapped()
		}
	case passKey(ev):
	default:
		b.Button.TypedKey(ev)
	}
}
