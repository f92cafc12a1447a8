package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/engine"
	"switchyard/core/mapping"
	"switchyard/core/report"
)

// allEntities is the entity picker's choice for every enabled entity.
const allEntities = "All enabled entities"

// transferPage runs a download (import) or an upload (export) of one
// integration: Preview plans it and lists each record's action, Import or
// Export runs it with a progress bar, counts and Cancel, then shows the
// results line and offers the Excel report.
type transferPage struct {
	shell *Shell
	name  string
	dir   engine.Direction

	preview []engine.RecordResult
	cancel  context.CancelFunc
	running bool
	report  string

	entitySel  *widget.Select
	previewBtn *widget.Button
	runBtn     *widget.Button
	cancelBtn  *widget.Button
	reportBtn  *widget.Button
	table      *rowList
	bar        *widget.ProgressBar
	counts     *widget.Label
	results    *widget.Label
	body       *fyne.Container
	empty      fyne.CanvasObject
	root       fyne.CanvasObject
	// done is closed when the run under way ends; tests wait on it.
	done chan struct{}
}

// openTransfer shows the download or upload page of the integration called
// name, restricted to entities when not empty.
func (s *Shell) openTransfer(name string, dir engine.Direction, entities []string) *transferPage {
	p := &transferPage{shell: s, name: name, dir: dir}
	p.buildUI(entities)
	s.transfer = p
	s.setContent(p.root)
	return p
}

// verb is the run's button text: Import or Export.
func (p *transferPage) verb() string {
	if p.dir == engine.Export {
		return "Export"
	}
	return "Import"
}

func (p *transferPage) buildUI(entities []string) {
	title, what := "Download", "external records into the workspace"
	if p.dir == engine.Export {
		title, what = "Upload", "workspace records to the external system"
	}
	back := widget.NewButtonWithIcon("Integrations", theme.NavigateBackIcon(), func() { p.shell.Show(SectionIntegrations) })
	options := []string{allEntities}
	if in, err := p.shell.svc.Store.Integration(p.shell.ctx(), p.name); err == nil {
		for _, em := range in.Entities {
			if !em.Disabled && runsIn(em.Direction, p.dir) {
				options = append(options, em.External)
			}
		}
	}
	for _, e := range entities {
		if !containsString(options, e) {
			options = append(options, e)
		}
	}
	p.entitySel = widget.NewSelect(options, nil)
	p.entitySel.SetSelected(allEntities)
	if len(entities) == 1 {
		p.entitySel.SetSelected(entities[0])
	}
	p.previewBtn = widget.NewButtonWithIcon("Preview", theme.VisibilityIcon(), func() { p.start(true) })
	p.runBtn = widget.NewButtonWithIcon(p.verb(), theme.MediaPlayIcon(), func() { p.start(false) })
	p.runBtn.Importance = widget.HighImportance
	p.cancelBtn = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), p.onCancel)
	p.cancelBtn.Disable()
	p.reportBtn = widget.NewButtonWithIcon("Open report", theme.DocumentIcon(), p.openReport)
	p.reportBtn.Disable()

	p.table = newRowList([]column{{"Entity", 130}, {"Key", 300}, {"Action", 110}, {"Changed fields", 280}, {"Error", 160}},
		func() int { return len(p.preview) }, p.cell)
	p.bar = widget.NewProgressBar()
	p.bar.Hide()
	p.counts = widget.NewLabel("")
	p.results = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	p.results.Wrapping = fyne.TextWrapWord
	p.empty = emptyState(theme.VisibilityIcon(), fmt.Sprintf("Click Preview to see what a %s would do to each record,\nor %s to move the %s now.", strings.ToLower(title), p.verb(), what))
	p.body = container.NewStack(p.empty)

	toolbar := container.NewHBox(back, widget.NewSeparator(), widget.NewLabel("Entities"), container.NewGridWrap(fyne.NewSize(240, p.entitySel.MinSize().Height), p.entitySel), p.previewBtn, p.runBtn, p.cancelBtn, p.reportBtn)
	status := container.NewVBox(p.bar, p.counts, p.results)
	top := container.NewVBox(heading(fmt.Sprintf("%s — %s", title, p.name)), toolbar, status)
	p.root = container.NewPadded(container.NewBorder(top, nil, nil, nil, p.body))
}

// runsIn reports whether an entity of direction d takes part in a run of direction run.
func runsIn(d mapping.Direction, run engine.Direction) bool {
	return d == mapping.Bidirectional || (run == engine.Import && d == mapping.Download) || (run == engine.Export && d == mapping.Upload)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// cell is one cell of the preview table.
func (p *transferPage) cell(row, col int) (string, widget.Importance) {
	r := p.preview[row]
	switch col {
	case 0:
		return r.Entity, widget.MediumImportance
	case 1:
		return r.Key, widget.MediumImportance
	case 2:
		return string(r.Action), actionImportance(r.Action)
	case 3:
		names := make([]string, len(r.Changes))
		for i, c := range r.Changes {
			names[i] = c.Field
		}
		return strings.Join(names, ", "), widget.MediumImportance
	}
	return r.Error, widget.DangerImportance
}

// actionImportance colours a record's action.
func actionImportance(a engine.Action) widget.Importance {
	switch a {
	case engine.Create:
		return widget.SuccessImportance
	case engine.Update:
		return widget.HighImportance
	case engine.Fail:
		return widget.DangerImportance
	}
	return widget.LowImportance
}

// start runs a preview or the real thing off the UI goroutine.
func (p *transferPage) start(preview bool) {
	if p.running {
		return
	}
	var entities []string
	if sel := p.entitySel.Selected; sel != "" && sel != allEntities {
		entities = []string{sel}
	}
	var rep *report.Writer
	if !preview {
		path := reportPath(p.shell.svc.Store.Path(), p.name, p.dir, time.Now())
		err := os.MkdirAll(filepath.Dir(path), 0o755)
		if err == nil {
			rep, err = report.New(path)
		}
		if err != nil {
			p.shell.showError("Could not start the report", err, "Make sure the folder "+filepath.Dir(path)+" can be written.")
			return
		}
	}
	ctx, cancel := context.WithCancel(p.shell.ctx())
	p.cancel, p.running, p.done = cancel, true, make(chan struct{})
	p.setRunning(true)
	p.bar.SetValue(0)
	p.bar.Show()
	p.results.SetText("")
	if preview {
		p.counts.SetText("Planning the " + strings.ToLower(p.verb()) + "…")
	} else {
		p.counts.SetText("Starting…")
	}
	opts := admin.RunOptions{Direction: p.dir, Entities: entities, Preview: preview,
		Progress: func(pr engine.Progress) { fyne.Do(func() { p.progress(pr) }) }}
	if rep != nil {
		opts.OnRecord = rep.Record
	}
	done := p.done
	go func() {
		defer close(done)
		defer cancel()
		res, err := p.shell.svc.Run(ctx, p.name, opts)
		var repErr error
		if rep != nil {
			repErr = rep.Close(res)
		}
		fyne.Do(func() { p.finished(res, err, rep, repErr) })
	}()
}

// reportPath is where a run's Excel report goes: a reports folder beside
// the workspace (the temporary folder for an in-memory one).
func reportPath(workspace, name string, dir engine.Direction, at time.Time) string {
	folder := filepath.Join(os.TempDir(), "switchyard-reports")
	if workspace != "" && workspace != ":memory:" {
		folder = filepath.Join(filepath.Dir(workspace), "reports")
	}
	return filepath.Join(folder, fmt.Sprintf("%s-%s-%s.xlsx", name, dir, at.Format("20060102-150405")))
}

// progress shows how far the run has got; it runs on the UI goroutine.
func (p *transferPage) progress(pr engine.Progress) {
	c := pr.Counts
	of := ""
	if pr.Total > 0 {
		p.bar.SetValue(float64(pr.Done) / float64(pr.Total))
		of = fmt.Sprintf(" of %d", pr.Total)
	}
	moved := fmt.Sprintf("imported %d", c.Imported)
	if p.dir == engine.Export {
		moved = fmt.Sprintf("exported %d", c.Exported)
	}
	p.counts.SetText(fmt.Sprintf("%s: %d%s records — %s, updated %d, unchanged %d, failed %d",
		pr.Entity, pr.Done, of, moved, c.Updated, c.Unchanged, c.Failed))
}

// finished shows the outcome of a run; it runs on the UI goroutine.
func (p *transferPage) finished(res *engine.Result, err error, rep *report.Writer, repErr error) {
	p.running = false
	p.setRunning(false)
	p.bar.SetValue(1)
	if res != nil && res.Preview {
		p.preview = p.preview[:0]
		for _, e := range res.Entities {
			p.preview = append(p.preview, e.Preview...)
		}
		p.body.Objects = []fyne.CanvasObject{p.table.view}
		if len(p.preview) == 0 {
			p.body.Objects = []fyne.CanvasObject{emptyState(theme.InfoIcon(), "The preview found no record to move: check the entities' filters and directions.")}
		}
		p.body.Refresh()
		p.table.list.Refresh()
	}
	if res != nil {
		p.results.SetText(res.Summary())
		p.counts.SetText(fmt.Sprintf("%s in %s", res.Status, duration(res.Started, res.Ended)))
	}
	switch {
	case errors.Is(err, context.Canceled):
		p.counts.SetText("Cancelled: the records moved so far stay; the run log says how many.")
	case err != nil:
		p.counts.SetText("")
		p.shell.showError(p.verb()+" of "+p.name+" failed", err, runFix(err))
	}
	switch {
	case rep != nil && repErr != nil:
		p.shell.showError("Could not write the report", repErr, "Make sure "+rep.Path()+" can be written; the run itself is done.")
	case rep != nil && fileExists(rep.Path()):
		p.report = rep.Path()
		p.reportBtn.Enable()
	}
	if res != nil {
		p.shell.refreshAfterRun()
	}
}

// runFix says what to do after a run failed with err.
func runFix(err error) string {
	if admin.IsConfigError(err) {
		return "Correct the mapping on the Map metadata page (Integrations → Open) or the settings (Edit), then run again."
	}
	return "Check the connection (Integrations → Test connection), then run again; records already moved are not moved twice."
}

func (p *transferPage) setRunning(on bool) {
	for _, b := range []*widget.Button{p.previewBtn, p.runBtn} {
		if on {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if on {
		p.cancelBtn.Enable()
		p.entitySel.Disable()
	} else {
		p.cancelBtn.Disable()
		p.entitySel.Enable()
	}
}

func (p *transferPage) onCancel() {
	if p.cancel != nil {
		p.cancel()
	}
}

// openReport opens the last run's Excel report with the desktop's program.
func (p *transferPage) openReport() {
	if p.report == "" {
		return
	}
	u := &url.URL{Scheme: "file", Path: p.report}
	if err := fyne.CurrentApp().OpenURL(u); err != nil {
		p.shell.showError("Could not open the report", err, "Open "+p.report+" with a spreadsheet program.")
	}
}

// fileExists reports whether path names a file.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
