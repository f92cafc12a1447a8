package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// A workspace opened by a read-only role (admin.Service.ReadOnly: a
// PostgreSQL role with the grants of deploy/postgres/roles.sql) can be
// browsed and previewed. The window says so in a banner, and the controls
// that run or edit are not shown: the admin's refusal (a configuration error
// naming the role) stays the rule, the screens just do not offer what would
// be refused. Drafts a reader makes (a mapping tried out) are not offered
// for saving when the page is left.

// readOnlyNote is the banner's text for the role.
func readOnlyNote(role string) string {
	if role == "" {
		return "Read-only workspace: you can browse and preview. Runs, imports and edits need the workspace's owner."
	}
	return fmt.Sprintf("Read-only: the role %q can browse and preview this workspace. "+
		"Runs, imports and edits need the workspace's owner role (docs/workspace.md, \"Roles\").", role)
}

// readOnlyBanner is the strip across the top of the window of a read-only
// workspace, nil otherwise.
func (s *Shell) readOnlyBanner() fyne.CanvasObject {
	if !s.readOnly {
		return nil
	}
	text := widget.NewLabel(readOnlyNote(s.svc.Role()))
	text.Wrapping = fyne.TextWrapWord
	text.Importance = widget.WarningImportance
	return container.NewBorder(nil, widget.NewSeparator(), container.NewPadded(widget.NewIcon(theme.WarningIcon())), nil, text)
}

// writes hides objs, the controls that run or edit, when the workspace may
// only be read. Call it when a screen builds them: hidden controls stay
// hidden whatever the screen enables later.
func (s *Shell) writes(objs ...fyne.CanvasObject) {
	if !s.readOnly {
		return
	}
	for _, o := range objs {
		if o != nil {
			o.Hide()
		}
	}
}

// writeItems disables items, the menu entries that run or edit, when the
// workspace may only be read, and returns them.
func (s *Shell) writeItems(items ...*fyne.MenuItem) []*fyne.MenuItem {
	for _, it := range items {
		if s.readOnly && !it.IsSeparator {
			it.Disabled = true
		}
	}
	return items
}

// writeShortcuts are the keys of the shortcuts that edit (New integration,
// Save, Edit): a read-only workspace's window lists them disabled and
// ignores them.
var writeShortcuts = map[fyne.KeyName]bool{fyne.KeyN: true, fyne.KeyS: true, fyne.KeyE: true}
