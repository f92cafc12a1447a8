package ui

import (
	"fmt"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/schedule"
	"switchyard/core/store"
)

// emptySchedules says where schedules come from.
const emptySchedules = "No schedules yet.\n" +
	"Schedules come from the integration file for now: add a \"schedules\" list to it,\n" +
	"e.g. \"schedules\": [{\"every\": \"15m\", \"enabled\": true}], and import the file again."

// scheduleRow is one schedule of one integration with its next run.
type scheduleRow struct {
	integration string
	schedule.Schedule
	next string
}

// schedulesScreen lists the schedules of every integration, their next run,
// and the OS scheduler snippet that runs the selected one headless.
type schedulesScreen struct {
	shell   *Shell
	items   []scheduleRow
	list    *rowList
	snippet *widget.Entry
	loadErr *widget.Label
	body    *fyne.Container
	empty   fyne.CanvasObject
	split   fyne.CanvasObject
	root    fyne.CanvasObject
	syncBtn *widget.Button
	// selected is the index of the selected schedule, -1 when none.
	selected int
}

func newSchedulesScreen(s *Shell) *schedulesScreen {
	sc := &schedulesScreen{shell: s}
	sc.buildUI()
	return sc
}

func (sc *schedulesScreen) object() fyne.CanvasObject { return sc.root }

func (sc *schedulesScreen) buildUI() {
	sc.list = newRowList([]column{{"Integration", 180}, {"When", 200}, {"Enabled", 80}, {"Next run", 200}},
		func() int { return len(sc.items) },
		func(row, col int) (string, widget.Importance) {
			r := sc.items[row]
			switch col {
			case 0:
				return r.integration, widget.MediumImportance
			case 1:
				return when(r.Schedule), widget.MediumImportance
			case 2:
				if !r.Enabled {
					return "no", widget.LowImportance
				}
				return "yes", widget.MediumImportance
			default:
				if !r.Enabled {
					return "—", widget.LowImportance
				}
				return r.next, widget.MediumImportance
			}
		})
	sc.snippet = widget.NewMultiLineEntry()
	sc.snippet.TextStyle = fyne.TextStyle{Monospace: true}
	sc.snippet.SetMinRowsVisible(7)
	sc.snippet.SetText("Select a schedule to see how to run it from the operating system's scheduler.")
	snippetTitle := widget.NewLabelWithStyle("Run it headless from the OS scheduler", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sc.syncBtn = widget.NewButtonWithIcon("Sync now", theme.MediaPlayIcon(), func() {
		if sc.selected >= 0 && sc.selected < len(sc.items) {
			sc.shell.syncNow(sc.items[sc.selected].integration)
		}
	})
	sc.syncBtn.Disable()
	sc.selected = -1
	sc.list.list.OnSelected = func(id widget.ListItemID) {
		sc.selected = id
		sc.syncBtn.Enable()
		sc.snippet.SetText(osSnippet(sc.items[id], sc.workspace()))
	}
	listPane := container.NewBorder(nil, container.NewHBox(sc.syncBtn), nil, nil, sc.list.view)
	split := container.NewVSplit(listPane, container.NewBorder(snippetTitle, nil, nil, nil, sc.snippet))
	split.Offset = 0.55
	sc.empty = emptyState(theme.CalendarIcon(), emptySchedules)
	sc.loadErr = errorLabel()
	sc.body = container.NewStack(sc.empty)
	top := container.NewVBox(heading("Schedules"), hint("While the app is open it runs the enabled schedules itself; without it, use the OS scheduler snippet."), sc.loadErr)
	sc.root = container.NewPadded(container.NewBorder(top, nil, nil, nil, sc.body))
	sc.split = split
}

// workspace is the workspace file the snippets name.
func (sc *schedulesScreen) workspace() string {
	if p := sc.shell.svc.Store.Path(); p != "" && p != ":memory:" {
		return p
	}
	return "WORKSPACE.db"
}

// when says when a schedule runs.
func when(s schedule.Schedule) string {
	if s.Cron != "" {
		return "cron " + s.Cron
	}
	return "every " + s.Every
}

// osSnippet is the crontab line, the systemd units and the Windows task that run r headless.
func osSnippet(r scheduleRow, workspace string) string {
	exe, err := os.Executable()
	if err != nil || strings.HasSuffix(exe, ".test") {
		exe = "switchyard"
	}
	sn, err := schedule.OSSnippets(r.integration, exe, workspace, r.Schedule)
	if err != nil {
		return fmt.Sprintf("This schedule cannot run from the OS scheduler: %v\nCorrect it in the integration file and import it again.", err)
	}
	return fmt.Sprintf("# crontab -e\n%s\n\n# systemd: %s.service\n%s\n# systemd: %s.timer\n%s\n# Windows Task Scheduler\n%s\n",
		strings.TrimSpace(sn.Crontab), sn.Unit, strings.TrimSpace(sn.Service), sn.Unit, strings.TrimSpace(sn.Timer), strings.TrimSpace(sn.Schtasks))
}

func (sc *schedulesScreen) reload() {
	ctx := sc.shell.ctx()
	ins, err := sc.shell.svc.Store.Integrations(ctx)
	if err != nil {
		showMessage(sc.loadErr, fmt.Sprintf("Could not read the schedules of this workspace: %v", err))
		return
	}
	showMessage(sc.loadErr, "")
	sc.items = sc.items[:0]
	now := time.Now()
	for _, in := range ins {
		var last store.LogEntry
		if logs, err := sc.shell.svc.SyncHistory(ctx, in.Name, 1); err == nil && len(logs) > 0 {
			last = logs[0]
		}
		for _, s := range in.Schedules {
			sc.items = append(sc.items, scheduleRow{integration: in.Name, Schedule: s, next: nextOf(s, last, now)})
		}
	}
	if len(sc.items) == 0 {
		sc.body.Objects = []fyne.CanvasObject{sc.empty}
	} else {
		sc.body.Objects = []fyne.CanvasObject{sc.split}
	}
	sc.body.Refresh()
	sc.list.list.UnselectAll()
	sc.selected = -1
	sc.syncBtn.Disable()
	sc.list.list.Refresh()
}
