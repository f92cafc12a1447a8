package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// modalKeys is what Esc and Enter do on a dialog the shell shows: Esc
// cancels (or closes), Enter confirms (or closes a dialog that only tells).
type modalKeys struct {
	esc, enter func()
}

// track shows d and remembers what Esc and Enter do on it while it is the
// top overlay of the window; esc is d.Hide when nil, enter does nothing when nil.
func (s *Shell) track(d dialog.Dialog, esc, enter func()) {
	if esc == nil {
		esc = d.Hide
	}
	d.Show()
	top := s.win.Canvas().Overlays().Top()
	if top == nil {
		return
	}
	if s.modals == nil {
		s.modals = map[fyne.CanvasObject]*modalKeys{}
	}
	s.modals[top] = &modalKeys{esc: esc, enter: enter}
	d.SetOnClosed(func() { delete(s.modals, top) })
}

// modalOpen reports whether a dialog covers the window: shortcuts then
// leave the screens behind it alone.
func (s *Shell) modalOpen() bool {
	top := s.win.Canvas().Overlays().Top()
	return top != nil && top.Visible()
}

// topModal returns the keys of the dialog on top, nil when none or not one the shell tracks.
func (s *Shell) topModal() *modalKeys {
	top := s.win.Canvas().Overlays().Top()
	if top == nil {
		return nil
	}
	return s.modals[top]
}

// inform shows a dialog that tells something; Esc and Enter close it.
func (s *Shell) inform(title, message string) dialog.Dialog {
	d := dialog.NewInformation(title, message, s.win)
	s.track(d, nil, d.Hide)
	return d
}

// showCustom shows content in a dialog with one button, dismiss; Esc and Enter close it.
func (s *Shell) showCustom(title, dismiss string, content fyne.CanvasObject) *dialog.CustomDialog {
	d := dialog.NewCustom(title, dismiss, content, s.win)
	s.track(d, nil, d.Hide)
	return d
}

// ask shows a confirmation: Enter confirms, Esc says no. confirmText names the
// action ("Delete"), danger colours it as one that destroys something.
func (s *Shell) ask(title, message, confirmText string, danger bool, done func(bool)) *dialog.ConfirmDialog {
	d := dialog.NewConfirm(title, message, done, s.win)
	if confirmText != "" {
		d.SetConfirmText(confirmText)
		d.SetDismissText("Cancel")
	}
	if danger {
		d.SetConfirmImportance(widget.DangerImportance)
	}
	s.track(d, nil, d.Confirm)
	return d
}

// formDialog shows content in a dialog with Cancel and a confirm button
// called confirmText; Enter confirms and Esc cancels. onConfirm returns false
// to keep the dialog open (it shows what is wrong). The confirm button is
// returned so that the caller can disable it while the content is not valid.
// A dialog onConfirm shows is taken away when this one hides (hiding an
// overlay removes those above it): show it from the dialog's SetOnClosed.
func (s *Shell) formDialog(title, confirmText string, content fyne.CanvasObject, size fyne.Size, onConfirm func() bool) (*dialog.CustomDialog, *keyButton) {
	return s.formDialogThen(title, confirmText, content, size, func(finish func(bool)) { finish(onConfirm()) })
}

// formDialogThen is formDialog whose confirm finishes later: onConfirm
// starts what it does (a write off the UI goroutine, act) and calls finish
// with whether the dialog closes. Meanwhile the confirm button is disabled
// and Enter does nothing, so that a confirm never runs twice.
func (s *Shell) formDialogThen(title, confirmText string, content fyne.CanvasObject, size fyne.Size, onConfirm func(finish func(closes bool))) (*dialog.CustomDialog, *keyButton) {
	d := dialog.NewCustomWithoutButtons(title, content, s.win)
	ok := newKeyButton(confirmText, theme.ConfirmIcon(), nil)
	ok.Importance = widget.HighImportance
	busy := false
	confirm := func() {
		if ok.Disabled() || busy {
			return
		}
		busy = true
		ok.Disable()
		onConfirm(func(closes bool) {
			busy = false
			ok.Enable()
			if closes {
				d.Hide()
			}
		})
	}
	ok.OnTapped = confirm
	cancel := newKeyButton("Cancel", theme.CancelIcon(), d.Hide)
	d.SetButtons([]fyne.CanvasObject{cancel, ok})
	if !size.IsZero() {
		d.Resize(size)
	}
	s.track(d, d.Hide, confirm)
	return d, ok
}

// choice is one button of a choose dialog.
type choice struct {
	label string
	icon  fyne.Resource
	imp   widget.Importance
	do    func()
}

// choose shows message with one button per choice, the last one the
// default (Enter); Esc picks none and calls cancel when not nil.
func (s *Shell) choose(title, message string, cancel func(), choices ...choice) *dialog.CustomDialog {
	text := widget.NewLabel(message)
	text.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(text)
	d := dialog.NewCustomWithoutButtons(title, body, s.win)
	var buttons []fyne.CanvasObject
	for _, c := range choices {
		b := newKeyButton(c.label, c.icon, func() {
			d.Hide()
			if c.do != nil {
				c.do()
			}
		})
		b.Importance = c.imp
		buttons = append(buttons, b)
	}
	d.SetButtons(buttons)
	d.Resize(fyne.NewSize(520, 0))
	esc := func() {
		d.Hide()
		if cancel != nil {
			cancel()
		}
	}
	last := choices[len(choices)-1]
	s.track(d, esc, func() {
		d.Hide()
		if last.do != nil {
			last.do()
		}
	})
	return d
}
