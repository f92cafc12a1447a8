package ui

import (
	"fmt"

	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The one rule of editing in the app: a page that edits something (the
// integration editor, an entity's mapping on Map metadata) keeps a draft
// that Save (Ctrl+S) writes to the workspace; while the draft differs, the
// page says "Unsaved changes", and leaving it — another section, another
// entity, Back, closing the window — asks: Save, Discard or Cancel. Actions
// in dialogs (a schedule, a delete, an import) and list actions (Enable,
// Disable) take effect when confirmed.

// draftPage is a page that edits a draft.
type draftPage interface {
	// unsaved reports whether the draft differs from what is saved.
	unsaved() bool
	// unsavedWhat names what has unsaved changes, e.g. "The mapping of Accounts".
	unsavedWhat() string
	// saveDraft saves the draft, off the UI goroutine, and tells done
	// whether it could (the page shows why not).
	saveDraft(done func(saved bool))
	// discardDraft forgets the draft's changes.
	discardDraft()
}

// savingPage is a page whose save may be under way: it is not left, nor the
// window closed, until the save is done.
type savingPage interface {
	// savingNow reports whether a save of the page is being written.
	savingNow() bool
}

// unsavedMarker is the text that marks a page with unsaved changes.
const unsavedMarker = "● Unsaved changes"

// newUnsavedMarker returns the hidden label that says a page has unsaved changes.
func newUnsavedMarker() *widget.Label {
	l := widget.NewLabel(unsavedMarker)
	l.Importance = widget.WarningImportance
	l.Hide()
	return l
}

// setMarker shows or hides the unsaved-changes marker.
func setMarker(l *widget.Label, on bool) {
	if on {
		l.Show()
	} else {
		l.Hide()
	}
}

// leave runs next once the page shown has no unsaved changes: at once when
// it has none, else after the admin saved or discarded them.
func (s *Shell) leave(next func()) { s.leaveOr(next, nil) }

// leaveOr is leave with what to do when the admin cancels.
func (s *Shell) leaveOr(next, cancel func()) {
	if sp, ok := s.page.(savingPage); ok && sp.savingNow() {
		// Leaving now would show another page under the save's result, and
		// closing the window would cancel the write.
		s.inform("Saving", "A save is under way: wait for it to finish, then go on.")
		if cancel != nil {
			cancel()
		}
		return
	}
	p, ok := s.page.(draftPage)
	if !ok || !p.unsaved() || s.readOnly { // a reader's draft cannot be saved: nothing to ask
		next()
		return
	}
	s.promptUnsaved(p, next, cancel)
}

// promptUnsaved asks what to do with the unsaved changes of p before next:
// Save (the default, Enter), Discard, or Cancel (Esc) to stay. After Save,
// next runs once the draft is written; when it could not be, the page stays.
func (s *Shell) promptUnsaved(p draftPage, next, cancel func()) {
	msg := fmt.Sprintf("%s has unsaved changes.\nSave them before you go on, discard them, or cancel to stay?", p.unsavedWhat())
	s.lastPrompt = msg
	stay := func() {
		if cancel != nil {
			cancel()
		}
	}
	s.choose("Unsaved changes", msg, stay,
		choice{label: "Cancel", icon: theme.CancelIcon(), imp: widget.MediumImportance, do: stay},
		choice{label: "Discard", icon: theme.DeleteIcon(), imp: widget.DangerImportance, do: func() {
			p.discardDraft()
			next()
		}},
		choice{label: "Save", icon: theme.DocumentSaveIcon(), imp: widget.HighImportance, do: func() {
			p.saveDraft(func(saved bool) {
				if saved {
					next()
				} else {
					stay()
				}
			})
		}},
	)
}
