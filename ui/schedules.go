package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/schedule"
)

// emptySchedules says where schedules come from.
const emptySchedules = "No schedules yet.\n" +
	"Schedules come from the integration file for now: add a \"schedules\" list to it,\n" +
	"e.g. \"schedules\": [{\"every\": \"15m\", \"enabled\": true}], and import the file again."

// scheduleRow is one schedule of one integration.
type scheduleRow struct {
	integration string
	schedule.Schedule
}

// schedulesScreen lists the schedules of every integration.
type schedulesScreen struct {
	shell   *Shell
	items   []scheduleRow
	list    *rowList
	loadErr *widget.Label
	body    *fyne.Container
	empty   fyne.CanvasObject
	root    fyne.CanvasObject
}

func newSchedulesScreen(s *Shell) *schedulesScreen {
	sc := &schedulesScreen{shell: s}
	sc.buildUI()
	return sc
}

func (sc *schedulesScreen) object() fyne.CanvasObject { return sc.root }

func (sc *schedulesScreen) buildUI() {
	sc.list = newRowList([]column{{"Integration", 200}, {"When", 220}, {"Enabled", 80}},
		func() int { return len(sc.items) },
		func(row, col int) (string, widget.Importance) {
			r := sc.items[row]
			switch col {
			case 0:
				return r.integration, widget.MediumImportance
			case 1:
				return when(r.Schedule), widget.MediumImportance
			default:
				if !r.Enabled {
					return "no", widget.LowImportance
				}
				return "yes", widget.MediumImportance
			}
		})
	sc.empty = emptyState(theme.CalendarIcon(), emptySchedules)
	sc.loadErr = errorLabel()
	sc.body = container.NewStack(sc.empty)
	sc.root = container.NewPadded(container.NewBorder(container.NewVBox(heading("Schedules"), sc.loadErr), nil, nil, nil, sc.body))
}

// when says when a schedule runs.
func when(s schedule.Schedule) string {
	if s.Cron != "" {
		return "cron " + s.Cron
	}
	return "every " + s.Every
}

func (sc *schedulesScreen) reload() {
	ins, err := sc.shell.svc.Store.Integrations(sc.shell.ctx())
	if err != nil {
		showMessage(sc.loadErr, fmt.Sprintf("Could not read the schedules of this workspace: %v", err))
		return
	}
	showMessage(sc.loadErr, "")
	sc.items = sc.items[:0]
	for _, in := range ins {
		for _, s := range in.Schedules {
			sc.items = append(sc.items, scheduleRow{integration: in.Name, Schedule: s})
		}
	}
	if len(sc.items) == 0 {
		sc.body.Objects = []fyne.CanvasObject{sc.empty}
	} else {
		sc.body.Objects = []fyne.CanvasObject{sc.list.view}
	}
	sc.body.Refresh()
	sc.list.list.Refresh()
}
