package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/engine"
)

// shortcut is one keyboard shortcut of the main window.
type shortcut struct {
	key  fyne.KeyName
	mod  fyne.KeyModifier
	what string
	do   func(s *Shell)
}

// ctrl is the platform's shortcut modifier (Ctrl, or ⌘ on macOS).
const ctrl = fyne.KeyModifierShortcutDefault

// shortcuts are the main window's keyboard shortcuts, as the Shortcuts dialog lists them.
var shortcuts []shortcut

func init() {
	shortcuts = shortcutList()
}

// shortcutList builds the shortcuts (in a function, as F1's action lists them).
func shortcutList() []shortcut {
	return []shortcut{
		{fyne.KeyN, ctrl, "New integration", func(s *Shell) { s.Show(SectionIntegrations); s.integrations.onNew() }},
		{fyne.KeyE, ctrl, "Edit the selected integration", func(s *Shell) { s.integrations.onEdit() }},
		{fyne.KeyO, ctrl, "Open the selected integration (Map metadata)", func(s *Shell) { s.integrations.onOpen() }},
		{fyne.KeyT, ctrl, "Test the selected integration's connection", func(s *Shell) { s.integrations.onTest() }},
		{fyne.KeyD, ctrl, "Download (import) the selected or open integration", func(s *Shell) { s.runShortcut(engine.Import) }},
		{fyne.KeyU, ctrl, "Upload (export) the selected or open integration", func(s *Shell) { s.runShortcut(engine.Export) }},
		{fyne.KeyS, ctrl, "Save the editor or the entity mapping", func(s *Shell) { s.saveShortcut() }},
		{fyne.KeyR, ctrl, "Reload the current screen", func(s *Shell) { s.reloadShortcut() }},
		{fyne.KeyL, ctrl, "Switch between the light and the dark theme", func(s *Shell) { s.toggleTheme() }},
		{fyne.Key1, ctrl, "Integrations", func(s *Shell) { s.Show(SectionIntegrations) }},
		{fyne.Key2, ctrl, "Local data", func(s *Shell) { s.Show(SectionLocalData) }},
		{fyne.Key3, ctrl, "Runs", func(s *Shell) { s.Show(SectionRuns) }},
		{fyne.Key4, ctrl, "Schedules", func(s *Shell) { s.Show(SectionSchedules) }},
		{fyne.KeyF1, 0, "This list of shortcuts", func(s *Shell) { s.showShortcuts() }},
	}
}

// addShortcuts binds the shortcuts to the window's canvas.
func (s *Shell) addShortcuts() {
	c := s.win.Canvas()
	for _, sc := range shortcuts {
		sc := sc
		if sc.mod == 0 {
			prev := c.OnTypedKey()
			c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
				if ev.Name == sc.key {
					sc.do(s)
					return
				}
				if prev != nil {
					prev(ev)
				}
			})
			continue
		}
		c.AddShortcut(&desktop.CustomShortcut{KeyName: sc.key, Modifier: sc.mod}, func(fyne.Shortcut) { sc.do(s) })
	}
}

// runShortcut opens the download or upload page of the open or selected integration.
func (s *Shell) runShortcut(dir engine.Direction) {
	switch {
	case s.page == s.mapping && s.mapping != nil:
		s.openTransfer(s.mapping.in.Name, dir, nil)
	case s.page == nil && s.current == SectionIntegrations:
		if in, ok := s.integrations.current(); ok {
			s.openTransfer(in.Name, dir, nil)
		}
	}
}

// saveShortcut saves the page shown, when it has something to save.
func (s *Shell) saveShortcut() {
	switch p := s.page.(type) {
	case *integrationEditor:
		p.onSave()
	case *mapMetadataScreen:
		p.pane.save()
	}
}

// reloadShortcut reloads the section or page shown.
func (s *Shell) reloadShortcut() {
	switch p := s.page.(type) {
	case *mapMetadataScreen:
		p.reload()
	case nil:
		s.Show(s.current)
	}
}

// shortcutName is how a shortcut is written for people, e.g. Ctrl+N.
func shortcutName(sc shortcut) string {
	if sc.mod == 0 {
		return string(sc.key)
	}
	return "Ctrl+" + string(sc.key)
}

// showShortcuts lists the keyboard shortcuts.
func (s *Shell) showShortcuts() {
	var lines []string
	for _, sc := range shortcuts {
		lines = append(lines, fmt.Sprintf("%-8s %s", shortcutName(sc), sc.what))
	}
	l := widget.NewLabelWithStyle(strings.Join(lines, "\n"), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	dialog.NewCustom("Keyboard shortcuts", "Close", l, s.win).Show()
}
