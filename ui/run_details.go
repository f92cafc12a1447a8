package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/engine"
)

// failuresLimit is how many failed records and records with warnings a run's details list.
const failuresLimit = 1000

// runDetails shows one run: per-entity counts, the queries sent and the
// failed records and those written with warnings, with their reasons (the
// failures first), with Retry to run the entities with failed records again.
type runDetails struct {
	shell    *Shell
	run      admin.Run
	entities []admin.RunEntity
	failures []admin.RunFailure
	loads    loader

	summary *widget.Label
	ents    *rowList
	queries *widget.Label
	fails   *rowList
	// failsNote says when the list holds only the first failuresLimit.
	failsNote *widget.Label
	// failDetail shows the selected record's whole reason.
	failDetail *widget.Label
	retryBtn   *widget.Button
	// files links to the run's report and failures CSV.
	files *fyne.Container
	// report is the run's Excel report, "" when none was found.
	report string
	root   fyne.CanvasObject
}

func newRunDetails(s *Shell, run admin.Run) *runDetails {
	d := &runDetails{shell: s, run: run}
	d.buildUI()
	d.load()
	return d
}

func (d *runDetails) buildUI() {
	d.summary = widget.NewLabel("")
	d.summary.Wrapping = fyne.TextWrapWord
	d.ents = newRowList([]column{{"Entity", 96}, {"Local entity", 104}, {"All", 40}, {"Imported", 84}, {"Exported", 86},
		{"Updated", 80}, {"Unchanged", 104}, {"Failed", 62}, {"Warnings", 86}, {"Duration", 82}},
		func() int { return len(d.entities) }, d.entityCell)
	d.ents.list.OnSelected = func(id widget.ListItemID) { d.showQueries(d.entities[id]) }
	d.queries = widget.NewLabelWithStyle("Select an entity to see the queries sent for it.", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	d.queries.Wrapping = fyne.TextWrapBreak
	d.fails = newRowList([]column{{"Entity", 150}, {"Key", 260}, {"Kind", 170}, {"Reason", 400}},
		func() int { return len(d.failures) }, d.failureCell)
	d.fails.list.OnSelected = d.showFailure
	d.fails.onOpen = d.openFailure
	d.fails.menu = func(id int) []*fyne.MenuItem {
		return []*fyne.MenuItem{
			fyne.NewMenuItem("Open record", func() { d.openFailure(id) }),
			fyne.NewMenuItem("Copy", func() { copyToClipboard(d.fails.rowText(id)) }),
		}
	}
	d.failsNote = hint("")
	d.failsNote.Hide()
	d.failDetail = widget.NewLabel("")
	d.failDetail.Wrapping = fyne.TextWrapWord
	d.failDetail.Hide()
	back := widget.NewButtonWithIcon("Runs", theme.NavigateBackIcon(), func() { d.shell.Show(SectionRuns) })
	d.retryBtn = widget.NewButtonWithIcon("Retry failed records", theme.ViewRefreshIcon(), d.onRetry)
	d.retryBtn.Importance = widget.HighImportance
	d.shell.writes(d.retryBtn)

	title := fmt.Sprintf("Run %d — %s %s", d.run.ID, d.run.Integration, d.run.Kind)
	d.files = container.NewVBox()
	top := container.NewVBox(heading(title), newToolbar(back, d.retryBtn), d.summary, d.files)
	queries := container.NewBorder(widget.NewLabelWithStyle("Queries sent", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil,
		container.NewVScroll(d.queries))
	tabs := container.NewAppTabs(
		container.NewTabItem("Entities", container.NewVSplit(d.ents.view, queries)),
		container.NewTabItem("Failed records and warnings", container.NewBorder(nil, container.NewVBox(d.failDetail, d.failsNote), nil, nil, d.fails.view)),
	)
	d.root = container.NewPadded(container.NewBorder(top, nil, nil, nil, tabs))
}

func (d *runDetails) entityCell(row, col int) (string, widget.Importance) {
	e := d.entities[row]
	switch col {
	case 0:
		return e.Entity, widget.MediumImportance
	case 1:
		return e.LocalEntity, widget.MediumImportance
	case 2, 3, 4, 5, 6, 7, 8:
		return countCell(col-2, e.All, e.Imported, e.Exported, e.Updated, e.Unchanged, e.Failed, e.Warnings)
	}
	return fmt.Sprintf("%.2f s", float64(e.DurationMs)/1000), widget.MediumImportance
}

// load reads the run's entities and failures off the UI goroutine.
func (d *runDetails) load() {
	r := d.run
	d.summary.Importance = statusImportance(r.Status)
	d.summary.SetText(d.summaryText(nil))
	d.retryBtn.Disable()
	svc := d.shell.svc
	load(d.shell, &d.loads, func(ctx context.Context) (admin.RunDetail, error) {
		return svc.RunDetails(ctx, r.ID, failuresLimit)
	}, d.loaded)
	d.showFiles()
}

// summaryText is what the run's summary says, with what could not be read (err).
func (d *runDetails) summaryText(err error) string {
	r := d.run
	text := fmt.Sprintf("%s, started %s, took %s. All %d: imported %d, exported %d, updated %d, unchanged %d, failed %d, warnings %d.",
		r.Status, r.Started.Local().Format("2006-01-02 15:04:05"), duration(r.Started, r.Ended), r.All, r.Imported, r.Exported, r.Updated, r.Unchanged, r.Failed, r.Warnings)
	if r.Message != "" {
		text += "\n" + r.Message
	}
	if err != nil {
		text += "\nCould not read the run's " + err.Error()
	}
	return text
}

// loaded shows the entities and failures read by load; it runs on the UI goroutine.
func (d *runDetails) loaded(rd admin.RunDetail, err error) {
	r := d.run
	d.entities, d.failures = rd.Entities, rd.Failures
	d.summary.SetText(d.summaryText(err))
	if len(d.failedEntities()) > 0 {
		d.retryBtn.Enable()
	}
	if n := r.Failed + r.Warnings; len(d.failures) >= failuresLimit && n > len(d.failures) {
		showMessage(d.failsNote, fmt.Sprintf("The first %s of %s are listed; the run's report has them all.", thousands(int64(len(d.failures))), thousands(int64(n))))
	} else {
		showMessage(d.failsNote, "")
	}
	d.ents.list.Refresh()
	d.fails.list.Refresh()
}

// showFiles links to the run's report and its CSV of failed records.
func (d *runDetails) showFiles() {
	d.files.RemoveAll()
	d.report = runReport(d.shell.svc.LocalFolder(), d.run)
	if d.report == "" {
		d.files.Add(hint("No report was kept for this run: runs from the app write one in the reports folder beside the workspace; the CLI writes one with --report."))
		return
	}
	d.files.Add(d.shell.fileLinks("Report", d.report))
	if csv := failedCSVPath(d.report); fileExists(csv) && d.run.Failed > 0 {
		d.files.Add(d.shell.fileLinks("Failed records (CSV)", csv))
	}
}

// showQueries lists the queries sent for e.
func (d *runDetails) showQueries(e admin.RunEntity) {
	if len(e.Queries) == 0 {
		d.queries.SetText(fmt.Sprintf("No query was recorded for %s.", e.Entity))
		return
	}
	d.queries.SetText(strings.Join(e.Queries, "\n"))
}

// failureCell is one cell of the failed records and warnings.
func (d *runDetails) failureCell(row, col int) (string, widget.Importance) {
	f := d.failures[row]
	imp := widget.DangerImportance
	if f.Warning {
		imp = widget.WarningImportance
	}
	switch col {
	case 0:
		return f.Entity, widget.MediumImportance
	case 1:
		return f.Key, widget.MediumImportance
	case 2:
		if f.Warning {
			return "written with warnings", imp
		}
		return "failed", imp
	}
	return f.Error, imp
}

// showFailure shows the whole reason of failure id.
func (d *runDetails) showFailure(id widget.ListItemID) {
	if id < 0 || id >= len(d.failures) {
		d.failDetail.Hide()
		return
	}
	kind, imp := d.failureCell(id, 2)
	d.failDetail.Importance = imp
	d.failDetail.SetText(fmt.Sprintf("%s %s: %s — %s", d.failures[id].Entity, d.failures[id].Key, kind, d.failures[id].Error))
	d.failDetail.Show()
	d.fails.list.ScrollTo(id)
}

// openFailure shows the workspace's record of failure id (a record that
// failed was not written: the view says so).
func (d *runDetails) openFailure(id int) {
	if id < 0 || id >= len(d.failures) {
		return
	}
	f := d.failures[id]
	kind, _ := d.failureCell(id, 2)
	d.shell.openRecordByKey(d.run.Integration, f.Entity, f.Key, fmt.Sprintf("In run %d: %s — %s", d.run.ID, kind, f.Error))
}

// copyText is the selected failure's row, as Ctrl+C copies it.
func (d *runDetails) copyText() string {
	if id := d.fails.list.selectedID(); id >= 0 {
		return d.fails.rowText(id)
	}
	if id := d.ents.list.selectedID(); id >= 0 {
		return d.ents.rowText(id)
	}
	return ""
}

// failedEntities names the entities with failed records (not those with
// warnings only: warnings are not retried), in the run's order.
func (d *runDetails) failedEntities() []string {
	var out []string
	for _, f := range d.failures {
		if !f.Warning && !containsString(out, f.Entity) {
			out = append(out, f.Entity)
		}
	}
	return out
}

// onRetry runs the run's direction again for the entities whose records
// failed: records already moved come out unchanged, the failed ones are tried again.
func (d *runDetails) onRetry() {
	dir := engine.Import
	if d.run.Direction == "export" || d.run.Direction == "upload" {
		dir = engine.Export
	}
	d.shell.openTransfer(d.run.Integration, dir, d.failedEntities())
}

// reread reads the run again, then its entities and failures: a run still
// going on when the page opened, which another process or window records.
func (d *runDetails) reread() {
	svc, r := d.shell.svc, d.run
	load(d.shell, &d.loads, func(ctx context.Context) (admin.Run, error) {
		runs, err := svc.Runs(ctx, r.Integration, runsLimit)
		for _, run := range runs {
			if run.ID == r.ID {
				return run, err
			}
		}
		return r, err
	}, func(run admin.Run, err error) {
		if err == nil {
			d.run = run
			d.load()
		}
	})
}
