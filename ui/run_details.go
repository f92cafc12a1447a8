package ui

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/engine"
	"switchyard/core/store"
)

// failuresLimit is how many failed records a run's details list.
const failuresLimit = 1000

// runDetails shows one run: per-entity counts, the queries sent and the
// failed records with their reasons, with Retry to run the failed entities again.
type runDetails struct {
	shell    *Shell
	run      store.LogEntry
	entities []store.LogEntity
	failures []store.LogFailure

	summary  *widget.Label
	ents     *rowList
	queries  *widget.Label
	fails    *rowList
	retryBtn *widget.Button
	root     fyne.CanvasObject
}

func newRunDetails(s *Shell, run store.LogEntry) *runDetails {
	d := &runDetails{shell: s, run: run}
	d.buildUI()
	d.load()
	return d
}

func (d *runDetails) buildUI() {
	d.summary = widget.NewLabel("")
	d.summary.Wrapping = fyne.TextWrapWord
	d.ents = newRowList([]column{{"Entity", 150}, {"Local entity", 130}, {"All", 60}, {"Imported", 95}, {"Exported", 95},
		{"Updated", 90}, {"Unchanged", 105}, {"Failed", 70}, {"Duration", 90}},
		func() int { return len(d.entities) }, d.entityCell)
	d.ents.list.OnSelected = func(id widget.ListItemID) { d.showQueries(d.entities[id]) }
	d.queries = widget.NewLabelWithStyle("Select an entity to see the queries sent for it.", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	d.queries.Wrapping = fyne.TextWrapBreak
	d.fails = newRowList([]column{{"Entity", 150}, {"Key", 260}, {"Reason", 400}},
		func() int { return len(d.failures) },
		func(row, col int) (string, widget.Importance) {
			f := d.failures[row]
			switch col {
			case 0:
				return f.Entity, widget.MediumImportance
			case 1:
				return f.Key, widget.MediumImportance
			}
			return f.Error, widget.DangerImportance
		})
	back := widget.NewButtonWithIcon("Runs", theme.NavigateBackIcon(), func() { d.shell.Show(SectionRuns) })
	d.retryBtn = widget.NewButtonWithIcon("Retry failed records", theme.ViewRefreshIcon(), d.onRetry)
	d.retryBtn.Importance = widget.HighImportance

	title := fmt.Sprintf("Run %d — %s %s", d.run.ID, d.run.Integration, d.run.Kind)
	top := container.NewVBox(heading(title), container.NewHBox(back, d.retryBtn), d.summary)
	queries := container.NewBorder(widget.NewLabelWithStyle("Queries sent", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil,
		container.NewVScroll(d.queries))
	tabs := container.NewAppTabs(
		container.NewTabItem("Entities", container.NewVSplit(d.ents.view, queries)),
		container.NewTabItem("Failed records", d.fails.view),
	)
	d.root = container.NewPadded(container.NewBorder(top, nil, nil, nil, tabs))
}

func (d *runDetails) entityCell(row, col int) (string, widget.Importance) {
	e := d.entities[row]
	n := func(v int) (string, widget.Importance) { return strconv.Itoa(v), widget.MediumImportance }
	switch col {
	case 0:
		return e.Entity, widget.MediumImportance
	case 1:
		return e.LocalEntity, widget.MediumImportance
	case 2:
		return n(e.All)
	case 3:
		return n(e.Imported)
	case 4:
		return n(e.Exported)
	case 5:
		return n(e.Updated)
	case 6:
		return n(e.Unchanged)
	case 7:
		if e.Failed > 0 {
			return strconv.Itoa(e.Failed), widget.DangerImportance
		}
		return n(e.Failed)
	}
	return fmt.Sprintf("%.2f s", float64(e.DurationMs)/1000), widget.MediumImportance
}

// load reads the run's entities and failures.
func (d *runDetails) load() {
	ctx := d.shell.ctx()
	var problems []string
	var err error
	if d.entities, err = d.shell.svc.Store.LogEntities(ctx, d.run.ID); err != nil {
		problems = append(problems, "entities: "+err.Error())
	}
	if d.failures, err = d.shell.svc.Store.LogFailures(ctx, d.run.ID, failuresLimit); err != nil {
		problems = append(problems, "failures: "+err.Error())
	}
	r := d.run
	text := fmt.Sprintf("%s, started %s, took %s. All %d: imported %d, exported %d, updated %d, unchanged %d, failed %d.",
		r.Status, r.Started.Local().Format("2006-01-02 15:04:05"), duration(r.Started, r.Ended), r.All, r.Imported, r.Exported, r.Updated, r.Unchanged, r.Failed)
	if r.Message != "" {
		text += "\n" + r.Message
	}
	if len(problems) > 0 {
		text += "\nCould not read the run's " + strings.Join(problems, "; ")
	}
	d.summary.Importance = statusImportance(r.Status)
	d.summary.SetText(text)
	if len(d.failures) == 0 {
		d.retryBtn.Disable()
	}
	d.ents.list.Refresh()
	d.fails.list.Refresh()
}

// showQueries lists the queries sent for e.
func (d *runDetails) showQueries(e store.LogEntity) {
	if len(e.Queries) == 0 {
		d.queries.SetText(fmt.Sprintf("No query was recorded for %s.", e.Entity))
		return
	}
	d.queries.SetText(strings.Join(e.Queries, "\n"))
}

// failedEntities names the entities with failed records, in the run's order.
func (d *runDetails) failedEntities() []string {
	var out []string
	for _, f := range d.failures {
		if !containsString(out, f.Entity) {
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
