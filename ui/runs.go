package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
)

// emptyRuns is what the Runs screen says when no run was recorded.
const emptyRuns = "No runs yet. Imports, exports and syncs are listed here."

// runsLimit is how many of the latest runs the screen lists.
const runsLimit = 500

// runsScreen lists the latest runs of every integration.
type runsScreen struct {
	shell   *Shell
	items   []admin.Run
	loads   loader
	list    *rowList
	loadErr *widget.Label
	body    *fyne.Container
	empty   fyne.CanvasObject
	root    fyne.CanvasObject
	// details is the run details page opened last.
	details *runDetails
	openBtn *widget.Button
	// want is the run to select once the list is read again (refresh), 0 for the latest.
	want int64
}

func newRunsScreen(s *Shell) *runsScreen {
	sc := &runsScreen{shell: s}
	sc.buildUI()
	return sc
}

func (sc *runsScreen) object() fyne.CanvasObject { return sc.root }

func (sc *runsScreen) buildUI() {
	sc.list = newRowList([]column{
		{"Integration", 104}, {"Kind", 72}, {"Status", 100}, {"Started", 150}, {"Duration", 82},
		{"All", 80}, {"Imported", 84}, {"Updated", 80}, {"Unchanged", 104}, {"Failed", 62}, {"Warnings", 86},
	}, func() int { return len(sc.items) }, sc.cell) // the message is in the run's details
	sc.list.keepWidth(3) // when it started
	sc.list.onOpen = sc.open
	sc.list.keepWidth(2)
	sc.list.list.OnSelected = func(widget.ListItemID) { sc.openBtn.Enable() }
	sc.list.menu = func(id int) []*fyne.MenuItem {
		return []*fyne.MenuItem{fyne.NewMenuItem("Details…", func() { sc.open(id) })}
	}
	sc.openBtn = widget.NewButtonWithIcon("Details…", theme.InfoIcon(), func() {
		if id := sc.list.list.selectedID(); id >= 0 {
			sc.open(id)
		}
	})
	sc.openBtn.Disable()
	sc.empty = emptyState(theme.HistoryIcon(), emptyRuns)
	sc.loadErr = errorLabel()
	sc.body = container.NewStack(loadingState())
	top := container.NewVBox(heading("Runs"),
		hint("Double-click a run (or select it and press Enter) to see its entities, the queries sent, its report, the failed records and those written with warnings."),
		newToolbar(sc.openBtn), sc.loadErr)
	sc.root = container.NewPadded(container.NewBorder(top, nil, nil, nil, sc.body))
}

// open shows the details of run id of the list.
func (sc *runsScreen) open(id int) {
	if id < 0 || id >= len(sc.items) {
		return
	}
	sc.details = newRunDetails(sc.shell, sc.items[id])
	sc.shell.setContent(sc.details.root)
	sc.shell.page = sc.details
}

// copyText is the selected run's row, as Ctrl+C copies it.
func (sc *runsScreen) copyText() string {
	if id := sc.list.list.selectedID(); id >= 0 {
		return sc.list.rowText(id)
	}
	return ""
}

func (sc *runsScreen) cell(row, col int) (string, widget.Importance) {
	e := sc.items[row]
	switch col {
	case 0:
		return e.Integration, widget.MediumImportance
	case 1:
		return e.Kind, widget.MediumImportance
	case 2:
		return e.Status, statusImportance(e.Status)
	case 3:
		return e.Started.Local().Format("2006-01-02 15:04:05"), widget.MediumImportance
	case 4:
		return duration(e.Started, e.Ended), widget.MediumImportance
	case 5, 6, 7, 8, 9, 10:
		return countCell(col-5, e.All, e.Imported, e.Updated, e.Unchanged, e.Failed, e.Warnings)
	default:
		return e.Message, widget.MediumImportance
	}
}

// countCell is the text of count i of a run's (or a run's entity's) count
// columns, which end with the failed records (shown in red when any) and
// those written with warnings (amber when any).
func countCell(i int, counts ...int) (string, widget.Importance) {
	n, imp := counts[i], widget.MediumImportance
	switch {
	case n > 0 && i == len(counts)-2:
		imp = widget.DangerImportance
	case n > 0 && i == len(counts)-1:
		imp = widget.WarningImportance
	}
	return thousands(int64(n)), imp
}

// statusImportance colours a run status.
func statusImportance(status string) widget.Importance {
	switch status {
	case "succeeded":
		return widget.SuccessImportance
	case "partial":
		return widget.WarningImportance
	case "failed":
		return widget.DangerImportance
	}
	return widget.MediumImportance
}

// duration is how long a run took, "running" while it goes on.
func duration(started, ended time.Time) string {
	if ended.IsZero() {
		return "running"
	}
	d := ended.Sub(started)
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// reload lists the latest runs again off the UI goroutine.
func (sc *runsScreen) reload() {
	svc := sc.shell.svc
	load(sc.shell, &sc.loads, func(ctx context.Context) ([]admin.Run, error) {
		return svc.Runs(ctx, "", runsLimit)
	}, sc.loaded)
}

// loaded lists the runs read by reload; it runs on the UI goroutine.
func (sc *runsScreen) loaded(items []admin.Run, err error) {
	if err != nil {
		showMessage(sc.loadErr, fmt.Sprintf("Could not read the run history: %v", err))
		return
	}
	showMessage(sc.loadErr, "")
	keep := sc.want
	sc.want = 0
	sc.items = items
	if len(items) == 0 {
		sc.body.Objects = []fyne.CanvasObject{sc.empty}
	} else {
		sc.body.Objects = []fyne.CanvasObject{sc.list.view}
	}
	sc.body.Refresh()
	sc.list.list.UnselectAll()
	sc.openBtn.Disable()
	sc.list.list.Refresh()
	sel := 0 // the latest run
	for i, r := range items {
		if keep != 0 && r.ID == keep {
			sel = i
		}
	}
	if len(items) > 0 {
		sc.list.list.Select(sel)
	}
	sc.list.restoreScroll()
}

// openSelected shows the details of the selected run (Enter).
func (sc *runsScreen) openSelected() { sc.open(sc.list.list.selectedID()) }
