package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/engine"
)

// shortcut is one keyboard shortcut of the main window, and its menu entry.
type shortcut struct {
	key  fyne.KeyName
	mod  fyne.KeyModifier
	menu string // the main menu it is listed in
	what string
	do   func(s *Shell)
}

// ctrl is the platform's shortcut modifier (Ctrl, or ⌘ on macOS).
const ctrl = fyne.KeyModifierShortcutDefault

// shortcuts are the main window's keyboard shortcuts, as the main menu and
// the Shortcuts dialog list them.
var shortcuts []shortcut

func init() {
	shortcuts = shortcutList()
}

// shortcutList builds the shortcuts (in a function, as F1's action lists them).
func shortcutList() []shortcut {
	return []shortcut{
		{fyne.KeyN, ctrl, "File", "New integration", func(s *Shell) { s.leave(func() { s.Show(SectionIntegrations); s.integrations.onNew() }) }},
		{fyne.KeyS, ctrl, "File", "Save the page shown (editor, entity mapping)", func(s *Shell) { s.saveShortcut() }},
		{fyne.KeyE, ctrl, "Integration", "Edit the selected integration", func(s *Shell) { s.integrationShortcut(s.integrations.onEdit) }},
		{fyne.KeyO, ctrl, "Integration", "Open the selected integration (Map metadata)", func(s *Shell) { s.integrationShortcut(s.integrations.onOpen) }},
		{fyne.KeyT, ctrl, "Integration", "Test the selected integration's connection", func(s *Shell) { s.integrationShortcut(s.integrations.onTest) }},
		{fyne.KeyD, ctrl, "Integration", "Download (import) the selected or open integration", func(s *Shell) { s.runShortcut(engine.Import) }},
		{fyne.KeyU, ctrl, "Integration", "Upload (export) the selected or open integration", func(s *Shell) { s.runShortcut(engine.Export) }},
		{fyne.KeyR, ctrl, "View", "Reload the current screen", func(s *Shell) { s.reloadShortcut() }},
		{fyne.KeyL, ctrl, "View", "Theme: cycle System, Light, Dark", func(s *Shell) { s.cycleTheme() }},
		{fyne.Key1, ctrl, "View", "Integrations", func(s *Shell) { s.showSection(SectionIntegrations) }},
		{fyne.Key2, ctrl, "View", "Local data", func(s *Shell) { s.showSection(SectionLocalData) }},
		{fyne.Key3, ctrl, "View", "Runs", func(s *Shell) { s.showSection(SectionRuns) }},
		{fyne.Key4, ctrl, "View", "Schedules", func(s *Shell) { s.showSection(SectionSchedules) }},
		{fyne.KeyF1, 0, "Help", "This list of shortcuts", func(s *Shell) { s.showShortcuts() }},
	}
}

// menuOrder is the order of the main menus.
var menuOrder = []string{"File", "Integration", "View", "Help"}

// addShortcuts puts the shortcuts in the main menu (so that they work
// wherever the focus is) and binds the keys that work without a modifier.
func (s *Shell) addShortcuts() {
	var menus []*fyne.Menu
	for _, name := range menuOrder {
		var items []*fyne.MenuItem
		for _, sc := range shortcuts {
			if sc.menu != name {
				continue
			}
			item := fyne.NewMenuItem(sc.what, func() { s.shortcut(sc) })
			if sc.mod != 0 {
				item.Shortcut = &desktop.CustomShortcut{KeyName: sc.key, Modifier: sc.mod}
			}
			if writeShortcuts[sc.key] {
				s.writeItems(item)
			}
			items = append(items, item)
		}
		if name == "File" {
			// The first menu ends with Quit; ours asks about unsaved changes first.
			quit := fyne.NewMenuItem("Quit", func() {
				if !s.modalOpen() {
					s.leave(func() {
						s.saveSize()
						s.win.Close()
					})
				}
			})
			quit.IsQuit = true
			quit.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: ctrl}
			items = append(items, s.writeItems(
				fyne.NewMenuItem("Import an integration file…", func() {
					if !s.modalOpen() {
						s.leave(func() { s.Show(SectionIntegrations); s.integrations.onImport() })
					}
				}))[0],
				fyne.NewMenuItemSeparator(), quit)
		}
		menus = append(menus, fyne.NewMenu(name, items...))
	}
	s.win.SetMainMenu(fyne.NewMainMenu(menus...))
	c := s.win.Canvas()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) { s.typedKey(ev) })
	c.AddShortcut(&fyne.ShortcutCopy{}, func(sh fyne.Shortcut) {
		if cp, ok := sh.(*fyne.ShortcutCopy); ok && !s.modalOpen() {
			s.copySelection(cp.Clipboard)
		}
	})
	keyHandler = s.typedKeyUsed
}

// shortcut runs sc unless a dialog covers the window: shortcuts never act on
// the screen behind a dialog.
func (s *Shell) shortcut(sc shortcut) {
	if s.modalOpen() || (s.readOnly && writeShortcuts[sc.key]) {
		return
	}
	sc.do(s)
}

// typedKey handles a key no focused widget took.
func (s *Shell) typedKey(ev *fyne.KeyEvent) { s.typedKeyUsed(ev) }

// typedKeyUsed handles Esc and Enter on the dialog on top, and F1; it reports whether it used the key.
func (s *Shell) typedKeyUsed(ev *fyne.KeyEvent) bool {
	if s.modalOpen() {
		keys := s.topModal()
		switch {
		case ev.Name == fyne.KeyEscape && keys != nil:
			keys.esc()
		case ev.Name == fyne.KeyEscape:
			// A pop-up of a widget (a context menu, a drop-down): Esc closes it.
			c := s.win.Canvas()
			if p, ok := c.Overlays().Top().(*widget.PopUp); ok {
				p.Hide()
			} else {
				c.Overlays().Remove(c.Overlays().Top())
			}
		case (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) && keys != nil && keys.enter != nil:
			keys.enter()
		default:
			return false
		}
		return true
	}
	switch ev.Name {
	case fyne.KeyF1:
		s.showShortcuts()
		return true
	case fyne.KeyReturn, fyne.KeyEnter:
		// Enter with nothing focused opens the selection of the screen shown.
		if o, ok := s.shownScreen().(interface{ openSelected() }); ok && s.page == nil {
			o.openSelected()
			return true
		}
	}
	return false
}

// shownScreen is the section's screen shown, nil while a page is.
func (s *Shell) shownScreen() screen {
	if s.page != nil {
		return nil
	}
	for _, sec := range s.sections {
		if sec.name == s.current {
			return sec.screen
		}
	}
	return nil
}

// shown is the page shown, or else the section's screen shown: what a
// refresh or a copy applies to.
func (s *Shell) shown() any {
	if s.page != nil {
		return s.page
	}
	if sc := s.shownScreen(); sc != nil {
		return sc
	}
	return nil
}

// integrationShortcut runs do for the selected integration, from the Integrations list.
func (s *Shell) integrationShortcut(do func()) {
	if s.page == nil && s.current == SectionIntegrations {
		do()
	}
}

// runShortcut opens the download or upload page of the open or selected integration.
func (s *Shell) runShortcut(dir engine.Direction) {
	switch {
	case s.page == s.mapping && s.mapping != nil:
		name := s.mapping.in.Name
		s.leave(func() { s.openTransfer(name, dir, nil) })
	case s.page == nil && s.current == SectionIntegrations:
		s.integrations.onRun(dir)
	}
}

// saveShortcut saves the page shown, when it has something to save.
func (s *Shell) saveShortcut() {
	switch p := s.page.(type) {
	case *integrationEditor:
		p.onSave()
	case *mapMetadataScreen:
		p.pane.save(nil)
	}
}

// reloadShortcut reloads the section or page shown.
func (s *Shell) reloadShortcut() {
	switch p := s.page.(type) {
	case *mapMetadataScreen:
		s.leave(p.reload)
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

// showShortcuts lists the keyboard shortcuts, and the keys of lists and dialogs.
func (s *Shell) showShortcuts() {
	var lines []string
	for _, sc := range shortcuts {
		lines = append(lines, fmt.Sprintf("%-8s %s", shortcutName(sc), sc.what))
	}
	lines = append(lines, "",
		fmt.Sprintf("%-8s %s", "↑ ↓", "Move the selection in a list (Home, End, Page Up/Down too)"),
		fmt.Sprintf("%-8s %s", "Enter", "Open the selected row; confirm a dialog"),
		fmt.Sprintf("%-8s %s", "Esc", "Cancel or close a dialog"),
		fmt.Sprintf("%-8s %s", "Ctrl+C", "Copy the selected row or cell"),
		fmt.Sprintf("%-8s %s", "Ctrl+Q", "Quit (asks about unsaved changes first)"),
		fmt.Sprintf("%-8s %s", "", "Double-click opens a row; right-click shows its actions"))
	l := widget.NewLabelWithStyle(strings.Join(lines, "\n"), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	s.showCustom("Keyboard shortcuts", "Close", l)
}
