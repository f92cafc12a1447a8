// Package ui is Switchyard's desktop interface: a main window with a sidebar
// of sections (Integrations, Local data, Runs, Schedules) and one screen per
// section, each in its own file. Slow work runs off the UI goroutine and
// reaches widgets through fyne.Do. The package never creates the app itself
// (cmd/ does), so that it can be tested headless with fyne.io/fyne/v2/test.
package ui

import (
	"context"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
)

// The sections of the sidebar, as Show takes them.
const (
	SectionIntegrations = "Integrations"
	SectionLocalData    = "Local data"
	SectionRuns         = "Runs"
	SectionSchedules    = "Schedules"
)

// screen is one section's content.
type screen interface {
	// object returns the screen's canvas object, built once.
	object() fyne.CanvasObject
	// reload reads the screen's data again; it is called each time the screen is shown.
	reload()
}

// section is one entry of the sidebar.
type section struct {
	name   string
	icon   fyne.Resource
	screen screen
}

// Shell is the main window: the sidebar and the content of the selected section.
type Shell struct {
	app      fyne.App
	svc      *admin.Service
	win      fyne.Window
	sections []*section
	nav      *widget.List
	content  *fyne.Container
	current  string

	integrations *integrationsScreen
	// editor and external are the editor and external-entities pages opened last.
	editor   *integrationEditor
	external *externalEntitiesScreen
}

// NewShell builds the main window over svc, showing Integrations; call Show to
// pick another section and Window().ShowAndRun() to run it.
func NewShell(a fyne.App, svc *admin.Service) *Shell {
	s := &Shell{app: a, svc: svc}
	s.win = a.NewWindow(windowTitle(svc))
	s.win.Resize(fyne.NewSize(1280, 800))
	s.buildUI()
	s.win.SetContent(s.object())
	s.win.SetMaster()
	s.Show(SectionIntegrations)
	return s
}

// windowTitle names the workspace file in the window title.
func windowTitle(svc *admin.Service) string {
	name := "workspace"
	if svc != nil && svc.Store != nil {
		if p := svc.Store.Path(); p != "" {
			name = filepath.Base(p)
		}
	}
	return "Switchyard — " + name
}

// Window returns the main window.
func (s *Shell) Window() fyne.Window { return s.win }

// Show selects the section called name (one of the Section constants, case
// ignored) and reloads its data; an unknown name shows Integrations.
func (s *Shell) Show(name string) {
	idx := 0
	for i, sec := range s.sections {
		if strings.EqualFold(sec.name, name) {
			idx = i
			break
		}
	}
	// Select calls onNav, which shows the screen; when the item is already
	// selected it does not, so show it here too.
	if s.sections[idx].name == s.current {
		s.showSection(idx)
		return
	}
	s.nav.Select(idx)
}

func (s *Shell) buildUI() {
	s.integrations = newIntegrationsScreen(s)
	s.sections = []*section{
		{SectionIntegrations, theme.StorageIcon(), s.integrations},
		{SectionLocalData, theme.ListIcon(), newLocalDataScreen(s)},
		{SectionRuns, theme.HistoryIcon(), newRunsScreen(s)},
		{SectionSchedules, theme.CalendarIcon(), newSchedulesScreen(s)},
	}
	s.nav = widget.NewList(
		func() int { return len(s.sections) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.StorageIcon()), widget.NewLabel("Local data"))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Icon).SetResource(s.sections[id].icon)
			box.Objects[1].(*widget.Label).SetText(s.sections[id].name)
		},
	)
	s.nav.OnSelected = s.onNav
	s.content = container.NewStack()
}

func (s *Shell) object() fyne.CanvasObject {
	title := widget.NewLabelWithStyle("Switchyard", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sidebar := container.NewBorder(container.NewPadded(title), nil, nil, nil, s.nav)
	split := container.NewHSplit(sidebar, s.content)
	split.Offset = 0.17
	return split
}

func (s *Shell) onNav(id widget.ListItemID) { s.showSection(id) }

func (s *Shell) showSection(idx int) {
	sec := s.sections[idx]
	s.current = sec.name
	s.setContent(sec.screen.object())
	sec.screen.reload()
}

// setContent replaces the content area with obj, e.g. an editor page.
func (s *Shell) setContent(obj fyne.CanvasObject) {
	s.content.Objects = []fyne.CanvasObject{obj}
	s.content.Refresh()
}

// ctx is the context of the UI's requests.
func (s *Shell) ctx() context.Context { return context.Background() }
