package ui

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/mapping"
	"switchyard/core/schedule"
)

// emptySchedules says what schedules do and how to make one.
const emptySchedules = "No schedules yet.\n" +
	"A schedule syncs an integration on its own: at set times (cron) or every N minutes.\n" +
	"Add one here, or in the integration's editor."

// noIntegrationsForSchedules is the empty state when there is nothing to schedule.
const noIntegrationsForSchedules = "No integrations yet: create one on Integrations, then schedule its syncs here."

// scheduleRow is one schedule of one integration with its next run.
type scheduleRow struct {
	integration string
	// index is the schedule's place among the integration's schedules.
	index int
	schedule.Schedule
	next string
	// times are the next five runs, none when disabled or invalid.
	times []time.Time
	err   error
}

// schedulesScreen lists the schedules of every integration with their next
// runs, adds, edits, enables or disables, deletes and runs them, and shows
// the OS scheduler snippet that runs the selected one headless.
type schedulesScreen struct {
	shell   *Shell
	ins     []mapping.Integration
	items   []scheduleRow
	list    *rowList
	snippet *keyEntry
	detail  *widget.Label
	times   *widget.Label
	loadErr *widget.Label
	body    *fyne.Container
	empty   fyne.CanvasObject
	noIns   fyne.CanvasObject
	split   fyne.CanvasObject
	root    fyne.CanvasObject

	addBtn    *widget.Button
	editBtn   *widget.Button
	toggleBtn *widget.Button
	deleteBtn *widget.Button
	runBtn    *widget.Button
	// selected is the index of the selected schedule, -1 when none.
	selected int
	loads    loader
	// want is the schedule to select when the load under way ends; its
	// integration is "" for the one selected.
	want scheduleRow
	// saving is true while a change is written: the toolbar waits for it.
	saving bool
	// versions are the versions of ins, by name, that a change saves from.
	versions map[string]admin.Version
}

func newSchedulesScreen(s *Shell) *schedulesScreen {
	sc := &schedulesScreen{shell: s, selected: -1}
	sc.buildUI()
	return sc
}

func (sc *schedulesScreen) object() fyne.CanvasObject { return sc.root }

func (sc *schedulesScreen) buildUI() {
	sc.list = newRowList([]column{{"Integration", 150}, {"When", 320}, {"Enabled", 80}, {"Next run", 170}},
		func() int { return len(sc.items) }, sc.cell)
	sc.list.keepWidth(2)
	sc.snippet = newKeyMultiLineEntry()
	sc.snippet.TextStyle = fyne.TextStyle{Monospace: true}
	sc.snippet.SetMinRowsVisible(7)
	sc.snippet.SetText("Select a schedule to see how to run it from the operating system's scheduler.")
	sc.detail = widget.NewLabelWithStyle("Select a schedule to see its next runs.", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sc.detail.Wrapping = fyne.TextWrapWord
	sc.times = widget.NewLabel("")

	sc.addBtn = widget.NewButtonWithIcon("Add schedule…", theme.ContentAddIcon(), sc.onAdd)
	sc.addBtn.Importance = widget.HighImportance
	sc.editBtn = widget.NewButtonWithIcon("Edit…", theme.DocumentCreateIcon(), sc.onEdit)
	sc.toggleBtn = widget.NewButtonWithIcon("Disable", theme.CancelIcon(), sc.onToggle)
	sc.deleteBtn = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), sc.onDelete)
	sc.runBtn = widget.NewButtonWithIcon("Run now", theme.MediaPlayIcon(), sc.onRunNow)
	sc.list.list.OnSelected = func(id widget.ListItemID) { sc.selected = id; sc.showSelected() }
	sc.list.list.OnUnselected = func(widget.ListItemID) { sc.selected = -1; sc.showSelected() }
	sc.list.onOpen = func(int) {
		if !sc.shell.readOnly {
			sc.onEdit()
		}
	}
	sc.list.menu = sc.menu

	nextTab := container.NewVScroll(container.NewVBox(sc.detail, sc.times))
	tabs := container.NewAppTabs(
		container.NewTabItemWithIcon("Next runs", theme.CalendarIcon(), nextTab),
		container.NewTabItemWithIcon("Run it from the OS scheduler", theme.ComputerIcon(), sc.snippet),
	)
	split := container.NewVSplit(sc.list.view, tabs)
	split.Offset = 0.5
	sc.split = split
	emptyAdd := widget.NewButtonWithIcon("Add schedule…", theme.ContentAddIcon(), sc.onAdd)
	emptyAdd.Importance = widget.HighImportance
	sc.empty = emptyState(theme.CalendarIcon(), emptySchedules, emptyAdd)
	sc.shell.writes(sc.addBtn, sc.editBtn, sc.toggleBtn, sc.deleteBtn, sc.runBtn, emptyAdd)
	sc.noIns = emptyState(theme.CalendarIcon(), noIntegrationsForSchedules)
	sc.loadErr = errorLabel()
	sc.body = container.NewStack(loadingState())
	toolbar := newToolbar(sc.addBtn, sc.editBtn, sc.toggleBtn, sc.deleteBtn, nil, sc.runBtn)
	top := container.NewVBox(heading("Schedules"),
		hint("While the app is open it runs the enabled schedules itself; without it, use the OS scheduler snippet."),
		toolbar, sc.loadErr)
	sc.root = container.NewPadded(container.NewBorder(top, nil, nil, nil, sc.body))
	sc.updateButtons()
}

// cell is one cell of the list.
func (sc *schedulesScreen) cell(row, col int) (string, widget.Importance) {
	r := sc.items[row]
	switch col {
	case 0:
		return r.integration, widget.MediumImportance
	case 1:
		if r.err != nil {
			return r.Expression() + " (invalid)", widget.DangerImportance
		}
		return r.Describe(), widget.MediumImportance
	case 2:
		if !r.Enabled {
			return "off", widget.LowImportance
		}
		return "on", widget.SuccessImportance
	}
	if !r.Enabled {
		return "—", widget.LowImportance
	}
	return r.next, widget.MediumImportance
}

// names are the integrations' names, in order.
func (sc *schedulesScreen) names() []string {
	out := make([]string, len(sc.ins))
	for i, in := range sc.ins {
		out[i] = in.Name
	}
	return out
}

// workspace is the workspace the snippets name: its file, or its PostgreSQL
// URL without the password.
func (sc *schedulesScreen) workspace() string {
	if p := sc.shell.svc.WorkspaceRef(); p != "" && p != ":memory:" {
		return p
	}
	return "WORKSPACE.db"
}

// sharedSnippetNote heads the snippets of a PostgreSQL workspace: what the
// job needs besides its command line, which never carries a password or key.
const sharedSnippetNote = "# A PostgreSQL workspace: give the job SWITCHYARD_KEY (the team's key) and the database password\n" +
	"# (PGPASSWORD, or ~/.pgpass of the user it runs as) in its environment. On Kubernetes: deploy/kubernetes.\n\n"

// osSnippet is the crontab line, the systemd units and the Windows task that run r headless.
func osSnippet(r scheduleRow, workspace string) string {
	exe, err := os.Executable()
	if err != nil || strings.HasSuffix(exe, ".test") {
		exe = "switchyard"
	}
	sn, err := schedule.OSSnippets(r.integration, exe, workspace, r.Schedule)
	if err != nil {
		return fmt.Sprintf("This schedule cannot run from the OS scheduler: %v\nCorrect it with Edit.", err)
	}
	text := fmt.Sprintf("# %s: %s\n# crontab -e\n%s\n\n# systemd: %s.service\n%s\n# systemd: %s.timer\n%s\n# Windows Task Scheduler (cmd.exe)\n%s\n",
		r.integration, r.Describe(), strings.TrimSpace(sn.Crontab), sn.Unit, strings.TrimSpace(sn.Service), sn.Unit, strings.TrimSpace(sn.Timer), strings.TrimSpace(sn.Schtasks))
	if ps := strings.TrimSpace(sn.SchtasksPowerShell); ps != "" && ps != strings.TrimSpace(sn.Schtasks) {
		text += "\n# Windows Task Scheduler (PowerShell)\n" + ps + "\n"
	}
	return text
}

// reload lists the schedules again off the UI goroutine, keeping the selection.
func (sc *schedulesScreen) reload() {
	if sc.want.integration == "" && sc.selected >= 0 && sc.selected < len(sc.items) {
		sc.want = sc.items[sc.selected]
	}
	load(sc.shell, &sc.loads, sc.shell.svc.IntegrationStatuses, sc.loaded)
}

// loaded lists the schedules of the integrations read by reload, with
// their next runs; it runs on the UI goroutine.
func (sc *schedulesScreen) loaded(list []admin.IntegrationStatus, err error) {
	keep := sc.want
	sc.want = scheduleRow{}
	if err != nil {
		showMessage(sc.loadErr, fmt.Sprintf("Could not read the schedules of this workspace: %v", err))
		return
	}
	showMessage(sc.loadErr, "")
	now := time.Now()
	sc.shell.noteStatuses(list, now)
	sc.ins = sc.ins[:0]
	sc.items = sc.items[:0]
	sc.versions = make(map[string]admin.Version, len(list))
	for _, st := range list {
		sc.ins = append(sc.ins, st.Integration)
		sc.versions[st.Integration.Name] = st.Version
		for i, s := range st.Integration.Schedules {
			sc.items = append(sc.items, sc.row(st, i, s, now))
		}
	}
	switch {
	case len(sc.ins) == 0:
		sc.body.Objects = []fyne.CanvasObject{sc.noIns}
	case len(sc.items) == 0:
		sc.body.Objects = []fyne.CanvasObject{sc.empty}
	default:
		sc.body.Objects = []fyne.CanvasObject{sc.split}
	}
	sc.body.Refresh()
	sc.list.list.UnselectAll()
	sc.selected = -1
	sc.list.list.Refresh()
	if keep.integration != "" {
		sc.selectSchedule(keep.integration, keep.index)
	}
	if sc.selected < 0 && len(sc.items) > 0 {
		sc.list.list.Select(0)
	}
	sc.list.restoreScroll()
	sc.showSelected()
}

// row is schedule i of the integration st, s, with its next runs by the plan.
func (sc *schedulesScreen) row(st admin.IntegrationStatus, i int, s schedule.Schedule, now time.Time) scheduleRow {
	name := st.Integration.Name
	r := scheduleRow{integration: name, index: i, Schedule: s}
	r.err = s.Validate()
	switch {
	case r.err != nil:
		r.next = "invalid"
	case s.Enabled:
		r.times, r.err = sc.shell.scheduleTimes(name, s, st.LastSync, now, 5)
		if len(r.times) > 0 {
			r.next = schedule.When(r.times[0], now)
		}
	default:
		r.times, _ = sc.shell.previewTimes(name, s, st.LastSync, now, 5)
	}
	return r
}

// openSelected edits the selected schedule (Enter).
func (sc *schedulesScreen) openSelected() { sc.onEdit() }

// selectSchedule selects schedule index of the integration called name, if listed.
func (sc *schedulesScreen) selectSchedule(name string, index int) {
	for i, r := range sc.items {
		if r.integration == name && r.index == index {
			sc.list.list.Select(i)
			return
		}
	}
}

// current returns the selected schedule.
func (sc *schedulesScreen) current() (scheduleRow, bool) {
	if sc.selected < 0 || sc.selected >= len(sc.items) {
		return scheduleRow{}, false
	}
	return sc.items[sc.selected], true
}

// showSelected shows the selected schedule's next runs and snippet.
func (sc *schedulesScreen) showSelected() {
	sc.updateButtons()
	r, ok := sc.current()
	if !ok {
		sc.detail.SetText("Select a schedule to see its next runs.")
		sc.times.SetText("")
		sc.snippet.SetText("Select a schedule to see how to run it from the operating system's scheduler.")
		return
	}
	now := time.Now()
	switch {
	case r.err != nil:
		sc.detail.Importance = widget.DangerImportance
		sc.detail.SetText(fmt.Sprintf("%s: this schedule is not valid: %v. Correct it with Edit.", r.integration, r.err))
		sc.times.SetText("")
	case !r.Enabled:
		sc.detail.Importance = widget.LowImportance
		sc.detail.SetText(fmt.Sprintf("%s runs %s once enabled (%s). Off now; enabled, it would run:", r.integration, r.Describe(), r.Expression()))
		sc.times.SetText(timesText(r.times, now))
	default:
		sc.detail.Importance = widget.MediumImportance
		sc.detail.SetText(fmt.Sprintf("%s syncs %s (%s). Next five runs:", r.integration, r.Describe(), r.Expression()))
		sc.times.SetText(timesText(r.times, now))
	}
	text := osSnippet(r, sc.workspace())
	if sc.shell.svc.Shared() {
		text = sharedSnippetNote + text
	}
	sc.snippet.SetText(text)
}

func (sc *schedulesScreen) updateButtons() {
	r, ok := sc.current()
	for _, b := range []*widget.Button{sc.editBtn, sc.toggleBtn, sc.deleteBtn, sc.runBtn} {
		if ok && !sc.saving {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if len(sc.ins) == 0 || sc.saving {
		sc.addBtn.Disable()
	} else {
		sc.addBtn.Enable()
	}
	if ok && !r.Enabled {
		sc.toggleBtn.SetText("Enable")
		sc.toggleBtn.SetIcon(theme.ConfirmIcon())
	} else {
		sc.toggleBtn.SetText("Disable")
		sc.toggleBtn.SetIcon(theme.CancelIcon())
	}
}

// integration returns the integration called name as last read.
func (sc *schedulesScreen) integration(name string) (mapping.Integration, bool) {
	for _, in := range sc.ins {
		if in.Name == name {
			return in, true
		}
	}
	return mapping.Integration{}, false
}

// saveSchedules saves the schedules of the integration called name, from
// the version listed, tells the plan (a new schedule counts from now) and
// lists them again with schedule index selected; done is told the error.
// When another save came in between, the conflict dialog says what it
// changed (its Reload lists the schedules again). The toolbar is disabled
// until it is done.
func (sc *schedulesScreen) saveSchedules(name string, schedules []schedule.Schedule, index int, done func(error)) {
	sc.saving = true
	sc.updateButtons()
	in, _ := sc.integration(name)
	from := admin.Loaded{Integration: in, Version: sc.versions[name]}
	sc.shell.saveSchedules(from, schedules, func(saved admin.Loaded, err error) {
		sc.saving = false
		sc.updateButtons()
		if err == nil {
			sc.savedAs(saved) // a change made before the list is read again starts from it
			sc.want = scheduleRow{integration: name, index: index}
			sc.reload()
		}
		if ce := conflictFor(err); ce != nil {
			sc.shell.showConflict(ce, func(admin.Loaded) { sc.reload() })
		}
		done(err)
	})
}

// savedAs makes l, just saved, the integration and version a change of its
// schedules starts from.
func (sc *schedulesScreen) savedAs(l admin.Loaded) {
	for i, in := range sc.ins {
		if in.Name == l.Integration.Name {
			sc.ins[i] = l.Integration
		}
	}
	sc.versions[l.Integration.Name] = l.Version
}

// saveSchedules saves the schedules of the integration loaded in from
// through the service, off the UI goroutine, and tells the plan the runner
// follows, so that a schedule saved now counts from now and never starts a
// sync at once; done is told the integration as saved, or the error.
func (s *Shell) saveSchedules(from admin.Loaded, schedules []schedule.Schedule, done func(admin.Loaded, error)) {
	svc, name := s.svc, from.Integration.Name
	act(s, func(ctx context.Context) (admin.Loaded, error) { return svc.SaveSchedulesFrom(ctx, from, schedules) },
		func(saved admin.Loaded, err error) {
			if err == nil {
				s.observeSaved(name, schedules, time.Now())
			}
			done(saved, err)
		})
}

// onAdd adds a schedule to the selected schedule's integration (or the first).
func (sc *schedulesScreen) onAdd() {
	if len(sc.ins) == 0 {
		return
	}
	name := sc.ins[0].Name
	if r, ok := sc.current(); ok {
		name = r.integration
	}
	sc.shell.editSchedule(sc.names(), name, schedule.Schedule{}, true, func(name string, s schedule.Schedule, done func(error)) {
		in, ok := sc.integration(name)
		if !ok {
			done(fmt.Errorf("integration %q is gone: reload with Ctrl+R", name))
			return
		}
		list := append(slices.Clone(in.Schedules), s)
		sc.saveSchedules(name, list, len(list)-1, done)
	})
}

// onEdit edits the selected schedule; it stays with its integration.
func (sc *schedulesScreen) onEdit() {
	r, ok := sc.current()
	if !ok {
		return
	}
	sc.shell.editSchedule([]string{r.integration}, r.integration, r.Schedule, false, func(name string, s schedule.Schedule, done func(error)) {
		in, ok := sc.integration(name)
		if !ok || r.index >= len(in.Schedules) {
			done(fmt.Errorf("the schedule is gone: reload with Ctrl+R"))
			return
		}
		list := slices.Clone(in.Schedules)
		list[r.index] = s
		sc.saveSchedules(name, list, r.index, done)
	})
}

// onToggle enables or disables the selected schedule at once.
func (sc *schedulesScreen) onToggle() {
	r, ok := sc.current()
	if !ok {
		return
	}
	in, ok := sc.integration(r.integration)
	if !ok || r.index >= len(in.Schedules) {
		return
	}
	list := slices.Clone(in.Schedules)
	list[r.index].Enabled = !list[r.index].Enabled
	sc.saveSchedules(r.integration, list, r.index, func(err error) {
		if err != nil && conflictFor(err) == nil { // a conflict has its own dialog
			sc.shell.showError("Could not change the schedule", err, "Correct the schedule with Edit, then try again.")
		}
	})
}

// onDelete deletes the selected schedule after asking.
func (sc *schedulesScreen) onDelete() {
	r, ok := sc.current()
	if !ok {
		return
	}
	msg := fmt.Sprintf("Delete the schedule of %s that runs %s?", r.integration, r.Describe())
	sc.shell.ask("Delete schedule", msg, "Delete", true, func(yes bool) {
		if !yes {
			return
		}
		in, ok := sc.integration(r.integration)
		if !ok || r.index >= len(in.Schedules) {
			return
		}
		list := slices.Delete(slices.Clone(in.Schedules), r.index, r.index+1)
		sc.saveSchedules(r.integration, list, min(r.index, len(list)-1), func(err error) {
			if err != nil && conflictFor(err) == nil { // a conflict has its own dialog
				sc.shell.showError("Could not delete the schedule", err, "Reload with Ctrl+R and try again.")
			}
		})
	})
}

// onRunNow syncs the selected schedule's integration now, whatever its schedules.
func (sc *schedulesScreen) onRunNow() {
	if r, ok := sc.current(); ok {
		sc.shell.syncNow(r.integration)
	}
}

// menu is the context menu of schedule row id.
func (sc *schedulesScreen) menu(int) []*fyne.MenuItem {
	r, _ := sc.current()
	toggle := "Disable"
	if !r.Enabled {
		toggle = "Enable"
	}
	return sc.shell.writeItems(
		fyne.NewMenuItem("Edit…", sc.onEdit),
		fyne.NewMenuItem(toggle, sc.onToggle),
		fyne.NewMenuItem("Run now", sc.onRunNow),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Delete", sc.onDelete),
	)
}
