// Package ui is Switchyard's desktop interface: a main window with a sidebar
// of sections (Integrations, Local data, Runs, Schedules) and one screen per
// section, each in its own file. Screens know the workspace through
// admin.Service only. They read it off the UI goroutine (load), one call per
// screen, and so do the actions that write it (act); both reach widgets
// through fyne.Do, and closing the window cancels what they started. The
// package never creates the app itself (cmd/ does), so that it can be tested
// headless with fyne.io/fyne/v2/test.
package ui

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/connector"
	"switchyard/core/mapping"
	"switchyard/core/schedule"
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
	// editor, mapping and transfer are the editor, Map metadata and
	// download/upload pages opened last; page is the one shown now, nil when
	// a section is shown.
	editor   *integrationEditor
	mapping  *mapMetadataScreen
	transfer *transferPage
	page     any
	themeSel *keySelect
	// lastError is the last error dialog's title and message, for tests.
	lastError string
	// lastNotice is the last sign-in request shown, for tests.
	lastNotice string
	// runner is the in-app scheduler, nil when none was handed over.
	runner *schedule.Runner
	// activity tells under the sidebar what the scheduler does.
	activity *widget.Label
	// syncDone, when set, is told that a sync run by syncNow ended (tests wait on it).
	syncDone func(name string)
	// readOnly is admin.Service.ReadOnly when the window opened: the
	// controls that run or edit are hidden (readonly.go).
	readOnly bool
	// plan is the plan of next runs: the runner's once SetRunner is called,
	// so that every screen shows what the runner does.
	plan *schedule.Plan
	// statuses are the integrations as the list loaded last read them, by
	// name: their last syncs and their schedules' counting (noteStatuses).
	statuses map[string]admin.IntegrationStatus
	// modals are what Esc and Enter do on the dialogs shown, by their overlay.
	modals map[fyne.CanvasObject]*modalKeys
	// scheduleForm is the schedule editor opened last, for tests.
	scheduleForm *scheduleForm
	// navigating is true while the sidebar's selection is set back after a Cancel.
	navigating bool
	// lastPrompt is the last unsaved-changes prompt's message, for tests.
	lastPrompt string
	// filterEditor is the filter editor opened last, for tests.
	filterEditor *filterEditor
	// record is the record view opened last, for tests.
	record *recordView
	// records reads the record a view opens.
	records loader
	// entityChecks is the entity chooser of a run shown last, for tests.
	entityChecks *widget.CheckGroup
	// opener, when set, opens URLs instead of the app (tests).
	opener func(*url.URL) error
	// base is the context of everything the window starts; closing the
	// window cancels it (stop), so that no run goes on for a window that is gone.
	base context.Context
	stop context.CancelFunc
	// pending are the loads and actions under way (load, act); tests wait on it.
	pending sync.WaitGroup
	// changes are the workspace changes made elsewhere not yet refreshed (watch).
	changes changes
}

// NewShell builds the main window over svc, showing Integrations; call Show to
// pick another section and Window().ShowAndRun() to run it. Until the window
// closes, it watches the workspace for what others write (watch).
func NewShell(a fyne.App, svc *admin.Service) *Shell {
	return newShell(a, svc, nil)
}

// newShell is NewShell, the watch looking once per value from ticks when
// they are set (tests), else every admin.WatchEvery.
func newShell(a fyne.App, svc *admin.Service, ticks <-chan time.Time) *Shell {
	s := &Shell{app: a, svc: svc, syncDone: func(string) {}, plan: &schedule.Plan{}, readOnly: svc.ReadOnly()}
	s.base, s.stop = context.WithCancel(context.Background())
	s.win = a.NewWindow(windowTitle(svc))
	s.win.Resize(s.savedSize())
	s.win.SetCloseIntercept(func() {
		s.leave(func() {
			s.saveSize()
			s.stop() // runs the window started are cancelled: each stops after the page it writes
			s.win.Close()
		})
	})
	s.applyTheme(s.themePref())
	s.buildUI()
	s.win.SetContent(s.object())
	s.win.SetMaster()
	s.addShortcuts()
	s.Show(SectionIntegrations)
	s.watch(ticks)
	return s
}

// windowTitle names the workspace in the window title: its file, or its
// PostgreSQL schema and server.
func windowTitle(svc *admin.Service) string {
	return "Switchyard — " + svc.WorkspaceTitle()
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
		s.showIndex(idx)
		return
	}
	s.navigating = true
	s.nav.Select(idx)
	s.navigating = false
	s.showIndex(idx)
}

// showSection shows the section called name, first asking about unsaved
// changes of the page shown (Save, Discard or Cancel).
func (s *Shell) showSection(name string) {
	s.leave(func() { s.Show(name) })
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
	s.themeSel = newKeySelect(themeChoices, func(c string) { s.setTheme(c) })
	s.themeSel.SetSelected(s.themePref())
}

func (s *Shell) object() fyne.CanvasObject {
	title := widget.NewLabelWithStyle("Switchyard", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	help := widget.NewButtonWithIcon("Shortcuts", theme.HelpIcon(), s.showShortcuts)
	help.Importance = widget.LowImportance
	s.activity = widget.NewLabel("")
	s.activity.Wrapping = fyne.TextWrapWord
	s.activity.Importance = widget.LowImportance
	s.activity.Hide()
	bottom := container.NewVBox(s.activity, s.themeSel, help)
	sidebar := container.NewBorder(container.NewPadded(title), container.NewPadded(bottom), nil, nil, s.nav)
	split := container.NewHSplit(sidebar, s.content)
	split.Offset = 0.14
	if banner := s.readOnlyBanner(); banner != nil {
		return container.NewBorder(banner, nil, nil, nil, split)
	}
	return split
}

// onNav shows the section picked in the sidebar, after asking about unsaved
// changes; on Cancel the sidebar goes back to the section shown.
func (s *Shell) onNav(id widget.ListItemID) {
	if s.navigating {
		return
	}
	if s.sections[id].name == s.current && s.page == nil {
		return
	}
	s.leaveOr(func() { s.showIndex(id) }, func() {
		for i, sec := range s.sections {
			if sec.name == s.current {
				s.navigating = true
				s.nav.Select(i)
				s.navigating = false
			}
		}
	})
}

func (s *Shell) showIndex(idx int) {
	sec := s.sections[idx]
	s.current = sec.name
	s.setContent(sec.screen.object())
	s.page = nil
	sec.screen.reload()
}

// setContent replaces the content area with obj, e.g. an editor page.
func (s *Shell) setContent(obj fyne.CanvasObject) {
	// The keyboard leaves the screen that goes: Enter must not open its rows.
	s.win.Canvas().Unfocus()
	s.content.Objects = []fyne.CanvasObject{obj}
	s.content.Refresh()
	switch {
	case s.editor != nil && obj == s.editor.object():
		s.page = s.editor
	case s.mapping != nil && obj == s.mapping.object():
		s.page = s.mapping
	case s.transfer != nil && obj == s.transfer.root:
		s.page = s.transfer
	}
}

// openMapping shows the Map metadata page of in and loads it.
func (s *Shell) openMapping(in mapping.Integration) *mapMetadataScreen {
	s.mapping = newMapMetadataScreen(s, in)
	s.setContent(s.mapping.object())
	s.mapping.reload()
	return s.mapping
}

// refreshAfterRun reloads the screens that show run results.
func (s *Shell) refreshAfterRun() {
	s.integrations.reload()
}

// copyable is a screen or page whose selection Ctrl+C copies.
type copyable interface {
	// copyText is the selected row or cell as text, "" when nothing is selected.
	copyText() string
}

// copySelection copies the selection of the page or screen shown.
func (s *Shell) copySelection(cb fyne.Clipboard) {
	if c, ok := s.shown().(copyable); ok {
		if text := c.copyText(); text != "" {
			cb.SetContent(text)
		}
	}
}

// showError shows err in a dialog titled title, with fix: what to do about it.
func (s *Shell) showError(title string, err error, fix string) {
	msg := widget.NewLabel(err.Error())
	msg.Wrapping = fyne.TextWrapWord
	hint := widget.NewLabel(fix)
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.LowImportance
	body := container.NewVScroll(container.NewVBox(msg, widget.NewSeparator(), hint))
	body.SetMinSize(fyne.NewSize(560, 160))
	s.showCustom(title, "Close", body)
	s.lastError = title + ": " + err.Error()
}

// ctx is the context of the UI's requests: connectors opened with it show
// the admin what they must act on (a device-code sign-in), and closing the
// window cancels it.
func (s *Shell) ctx() context.Context {
	base := s.base
	if base == nil {
		base = context.Background()
	}
	return connector.WithLogger(base, slog.New(noticeHandler{show: s.showSignIn}))
}

// loader is a screen's loads: only the latest one started shows its result.
// It is used on the UI goroutine only.
type loader struct {
	gen int
	// inFlight counts the loads started and not done yet; later is the
	// refresh whenIdle put off meanwhile.
	inFlight int
	later    func()
}

// whenIdle runs refresh now when none of l's loads is under way, else once
// the last of them is done (the latest refresh put off, once): the watch's
// refreshes do not pile reads up on the database when one takes longer than
// the watch's period, as counting a million-row table can.
func (l *loader) whenIdle(refresh func()) {
	if l.inFlight > 0 {
		l.later = refresh
		return
	}
	refresh()
}

// done notes the end of one of l's loads and runs the refresh put off, if
// this was the last load under way.
func (l *loader) done() {
	l.inFlight--
	if l.inFlight == 0 && l.later != nil {
		refresh := l.later
		l.later = nil
		refresh()
	}
}

// load reads a screen's data off the UI goroutine with the window's context
// (read), then shows it on the UI goroutine (show). A load started later by
// the same loader replaces it, and a window closed meanwhile shows nothing:
// show is then not called.
func load[T any](s *Shell, l *loader, read func(ctx context.Context) (T, error), show func(T, error)) {
	l.gen++
	l.inFlight++
	gen := l.gen
	act(s, read, func(v T, err error) {
		defer l.done()
		if gen == l.gen {
			show(v, err)
		}
	})
}

// act runs call, one admin call a user action makes (a write, a check, a
// file read), off the UI goroutine with the window's context, then done on
// the UI goroutine with its result. Every call's done runs, unless the
// window closed meanwhile. The caller disables what would start it again
// until done runs.
func act[T any](s *Shell, call func(ctx context.Context) (T, error), done func(T, error)) {
	ctx := s.ctx()
	s.pending.Add(1)
	go func() {
		v, err := call(ctx)
		fyne.Do(func() {
			defer s.pending.Done()
			if ctx.Err() == nil {
				done(v, err)
			}
		})
	}()
}

// run is act for a call that returns only an error.
func run(s *Shell, call func(ctx context.Context) error, done func(error)) {
	act(s, func(ctx context.Context) (struct{}, error) { return struct{}{}, call(ctx) },
		func(_ struct{}, err error) { done(err) })
}
