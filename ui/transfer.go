package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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

	cancel  context.CancelFunc
	running bool
	report  string
	// planned is how many entities the run under way moves; started names
	// those it has begun, in its order: the bar shows the whole run's progress.
	planned int
	started []string

	// options are the entities the run can take (read off the UI goroutine,
	// loads); chosen those it takes, all when nil.
	options    []string
	loads      loader
	chosen     []string
	entityBtn  *widget.Button
	previewBtn *widget.Button
	runBtn     *widget.Button
	cancelBtn  *widget.Button
	reportBtn  *widget.Button
	results    *resultsTable
	bar        *widget.ProgressBar
	// counts is the status line: the counts as the run goes, then how it ended.
	counts *widget.Label
	// summary is the results line (engine.Result.Summary).
	summary *widget.Label
	// errText keeps a failed run's error and its fix on screen until the next run.
	errText *widget.Label
	// files names the run's report and failures CSV, with Open, Copy path and Show folder.
	files *fyne.Container
	body  *fyne.Container
	empty fyne.CanvasObject
	root  fyne.CanvasObject
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
	p.entityBtn = widget.NewButtonWithIcon("", theme.ListIcon(), p.chooseEntities)
	p.setOptions(mapping.Integration{}, entities)
	p.entityBtn.Disable() // until the integration's entities are read
	svc, name := p.shell.svc, p.name
	load(p.shell, &p.loads, func(ctx context.Context) (mapping.Integration, error) {
		return svc.Integration(ctx, name)
	}, func(in mapping.Integration, _ error) {
		p.setOptions(in, entities)
		p.entityBtn.Enable()
	})
	p.previewBtn = widget.NewButtonWithIcon("Preview", theme.VisibilityIcon(), func() { p.start(true) })
	p.runBtn = widget.NewButtonWithIcon(p.verb(), theme.MediaPlayIcon(), func() { p.start(false) })
	p.runBtn.Importance = widget.HighImportance
	p.shell.writes(p.runBtn)
	p.cancelBtn = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), p.onCancel)
	p.cancelBtn.Disable()
	p.reportBtn = widget.NewButtonWithIcon("Open report", theme.DocumentIcon(), p.openReport)
	p.reportBtn.Disable()

	p.results = newResultsTable()
	p.results.open = p.openRecord
	p.bar = widget.NewProgressBar()
	p.bar.Hide()
	p.counts = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.counts.Wrapping = fyne.TextWrapWord
	p.summary = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	p.summary.Wrapping = fyne.TextWrapWord
	p.errText = errorLabel()
	hintText := fmt.Sprintf("Click Preview to see what %s would do to each record,\nor %s to move the %s now.", article(strings.ToLower(title)), p.verb(), what)
	if p.shell.readOnly {
		hintText = fmt.Sprintf("Click Preview to see what %s would do to each record\n(nothing is written: the workspace's owner runs it).", article(strings.ToLower(title)))
	}
	p.empty = emptyState(theme.VisibilityIcon(), hintText)
	p.body = container.NewStack(p.empty)

	toolbar := newToolbar(back, nil, widget.NewLabel("Entities"), p.entityBtn, p.previewBtn, p.runBtn, p.cancelBtn, p.reportBtn)
	p.files = container.NewVBox()
	status := container.NewVBox(p.bar, p.counts, p.summary, p.errText, p.files)
	top := container.NewVBox(heading(fmt.Sprintf("%s — %s", title, p.name)), toolbar, status)
	p.root = container.NewPadded(container.NewBorder(top, nil, nil, nil, p.body))
}

// article puts "a" or "an" before a noun: "a download", "an upload".
func article(noun string) string {
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

// setOptions offers the enabled entities of in that run in the page's
// direction, then those of entities it lacks, and chooses entities.
func (p *transferPage) setOptions(in mapping.Integration, entities []string) {
	p.options = nil
	for _, em := range in.Entities {
		if !em.Disabled && engine.Runs(em.Direction, p.dir) {
			p.options = append(p.options, em.External)
		}
	}
	for _, e := range entities {
		if !containsString(p.options, e) {
			p.options = append(p.options, e)
		}
	}
	p.setChosen(entities)
}

// setChosen makes the run take entities (all when none or every one) and says so on the button.
func (p *transferPage) setChosen(entities []string) {
	p.chosen = nil
	if len(entities) > 0 && len(entities) < len(p.options) {
		p.chosen = slices.Clone(entities)
	}
	switch {
	case p.chosen == nil:
		p.entityBtn.SetText(fmt.Sprintf("%s (%d)…", allEntities, len(p.options)))
	case len(p.chosen) <= 2:
		p.entityBtn.SetText(strings.Join(p.chosen, ", ") + "…")
	default:
		p.entityBtn.SetText(fmt.Sprintf("%s and %d more…", strings.Join(p.chosen[:2], ", "), len(p.chosen)-2))
	}
}

// chooseEntities lets the admin tick the entities the run takes.
func (p *transferPage) chooseEntities() {
	checks := widget.NewCheckGroup(p.options, nil)
	if p.chosen == nil {
		checks.SetSelected(p.options)
	} else {
		checks.SetSelected(p.chosen)
	}
	all := widget.NewButton("All", func() { checks.SetSelected(p.options) })
	none := widget.NewButton("None", func() { checks.SetSelected(nil) })
	problem := errorLabel()
	scroll := container.NewVScroll(checks)
	scroll.SetMinSize(fyne.NewSize(360, fyne.Min(320, float32(len(p.options))*40+10)))
	body := container.NewBorder(container.NewHBox(all, none), problem, nil, nil, scroll)
	_, _ = p.shell.formDialog(fmt.Sprintf("Entities to %s", strings.ToLower(p.runNoun(false))), "OK", body, fyne.Size{}, func() bool {
		if len(checks.Selected) == 0 {
			showMessage(problem, "Tick at least one entity.")
			return false
		}
		// In the integration's order, not the order of the ticks.
		var picked []string
		for _, o := range p.options {
			if containsString(checks.Selected, o) {
				picked = append(picked, o)
			}
		}
		p.setChosen(picked)
		return true
	})
	p.shell.entityChecks = checks
}

// runsIn reports whether an entity of direction d takes part in a run of direction run.
func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// start runs a preview or the real thing off the UI goroutine.
func (p *transferPage) start(preview bool) {
	if p.running {
		return
	}
	entities := slices.Clone(p.chosen)
	var rep *report.Writer
	if !preview {
		path := reportPath(p.shell.svc.LocalFolder(), p.name, p.dir, time.Now())
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
	p.planned, p.started = len(entities), nil
	if len(entities) == 0 {
		p.planned = len(p.options)
	}
	p.bar.TextFormatter = nil
	p.bar.SetValue(0)
	p.bar.Show()
	p.setStatus("", widget.MediumImportance)
	showMessage(p.errText, "")
	p.files.RemoveAll()
	p.counts.Importance = widget.MediumImportance
	if preview {
		p.counts.SetText("Planning the " + strings.ToLower(p.verb()) + "…")
	} else {
		p.counts.SetText("Starting…")
	}
	p.results.set(nil, engine.Counts{}, preview)
	p.body.Objects = []fyne.CanvasObject{emptyState(theme.HistoryIcon(), "The records are listed here when the "+p.runNoun(preview)+" ends,\nthose that failed or have warnings first.")}
	p.body.Refresh()
	// The engine hands over every record with its final result, in order,
	// on the run's goroutine; the page reads them once the run is over.
	col := &outcomes{}
	opts := admin.RunOptions{Direction: p.dir, Entities: entities, Preview: preview,
		Progress: func(pr engine.Progress) { fyne.Do(func() { p.progress(pr) }) },
		OnRecord: func(r engine.RecordResult) {
			col.add(r)
			if rep != nil {
				rep.Record(r)
			}
		}}
	done := p.done
	go func() {
		defer close(done)
		defer cancel()
		res, err := p.shell.svc.Run(ctx, p.name, opts)
		var repErr error
		if rep != nil {
			repErr = rep.Close(res)
		}
		if res != nil && res.Preview {
			// A preview's records are in its result, not handed over one by one.
			col = &outcomes{}
			for _, e := range res.Entities {
				for _, r := range e.Preview {
					col.add(r)
				}
			}
		}
		// Rows show the records' primary names, from the workspace (after a
		// preview, of the records it holds already).
		names := map[string]map[string]string{}
		for entity, keys := range col.keys() {
			names[entity], _ = p.shell.svc.PrimaryNames(context.WithoutCancel(ctx), p.name, entity, keys)
		}
		col.setNames(names)
		fyne.Do(func() { p.finished(res, err, col, rep, repErr) })
	}()
}

// runNoun names a preview or a run: "preview", "import", "export".
func (p *transferPage) runNoun(preview bool) string {
	if preview {
		return "preview"
	}
	return strings.ToLower(p.verb())
}

// reportPath is where a run's Excel report goes: a reports folder in the
// workspace's local folder (admin.Service.LocalFolder: beside a workspace
// file), in the temporary folder when there is none.
func reportPath(local, name string, dir engine.Direction, at time.Time) string {
	folder := filepath.Join(os.TempDir(), "switchyard-reports")
	if local != "" {
		folder = filepath.Join(local, "reports")
	}
	return filepath.Join(folder, fmt.Sprintf("%s-%s-%s.xlsx", name, dir, at.Format("20060102-150405")))
}

// progress shows how far the run has got; it runs on the UI goroutine.
func (p *transferPage) progress(pr engine.Progress) {
	if !p.running {
		return
	}
	c := pr.Counts
	where := fmt.Sprintf("%s: %s records", pr.Entity, thousands(pr.Done))
	switch {
	case pr.Done == 0 && pr.Total < 0:
		where = pr.Entity + ": completing lookups"
	default:
		if !containsString(p.started, pr.Entity) {
			p.started = append(p.started, pr.Entity)
		}
		part := 0.0
		if pr.Total > 0 {
			part = float64(pr.Done) / float64(pr.Total)
			where = fmt.Sprintf("%s: %s of %s records", pr.Entity, thousands(pr.Done), thousands(pr.Total))
		}
		// Entities begun before this one are done: the bar is the whole run's.
		n := max(p.planned, len(p.started), 1)
		p.bar.SetValue(min(1, (float64(len(p.started)-1)+part)/float64(n)))
	}
	moved := fmt.Sprintf("imported %s", thousands(int64(c.Imported)))
	if p.dir == engine.Export {
		moved = fmt.Sprintf("exported %s", thousands(int64(c.Exported)))
	}
	p.counts.Importance = widget.MediumImportance
	if c.Failed > 0 {
		p.counts.Importance = widget.WarningImportance
	}
	p.counts.SetText(fmt.Sprintf("%s — %s, updated %s, unchanged %s, failed %s, warnings %s", where, moved,
		thousands(int64(c.Updated)), thousands(int64(c.Unchanged)), thousands(int64(c.Failed)), thousands(int64(c.Warnings))))
}

// finished shows the outcome of a run, with the records col collected; it
// runs on the UI goroutine.
func (p *transferPage) finished(res *engine.Result, err error, col *outcomes, rep *report.Writer, repErr error) {
	p.running = false
	p.setRunning(false)
	preview := res != nil && res.Preview
	var totals engine.Counts
	if res != nil {
		totals = res.Totals()
	}
	switch {
	case err == nil:
		p.bar.SetValue(1)
	case res == nil:
		p.bar.Hide() // it never started: there is no "where it stopped"
	default: // the bar stays where the run stopped, and says so
		stopped := p.bar.Value
		p.bar.TextFormatter = func() string { return fmt.Sprintf("stopped at %.0f%%", stopped*100) }
		p.bar.Refresh()
	}

	status, imp := p.statusText(res, err, totals)
	p.counts.Importance = imp
	p.counts.SetText(status)
	switch {
	case res != nil:
		p.setStatus(res.Summary(), imp)
	case err != nil:
		p.setStatus("RESULTS (INCOMPLETE: the "+p.runNoun(preview)+" did not start): nothing was read or written", imp)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		title := p.verb() + " of " + p.name + " failed"
		if preview {
			title = "Preview of " + p.name + " failed"
		}
		showMessage(p.errText, title+": "+err.Error()+"\n"+runFix(err))
		p.shell.showError(title, err, runFix(err))
	}

	p.results.set(col, totals, preview)
	switch {
	case !col.empty():
		p.body.Objects = []fyne.CanvasObject{p.results.view}
	case preview:
		p.body.Objects = []fyne.CanvasObject{emptyState(theme.InfoIcon(), "The preview found no record to move: check the entities' filters and directions.")}
	case err != nil:
		p.body.Objects = []fyne.CanvasObject{emptyState(theme.ErrorIcon(), "No record was handled before the "+p.runNoun(false)+" stopped.")}
	default:
		p.body.Objects = []fyne.CanvasObject{emptyState(theme.InfoIcon(), "The "+p.runNoun(false)+" found no record to move: check the entities' filters and directions.")}
	}
	p.body.Refresh()

	switch {
	case rep != nil && repErr != nil:
		p.shell.showError("Could not write the report", repErr, "Make sure "+rep.Path()+" can be written; the run itself is done.")
	case rep != nil && fileExists(rep.Path()):
		p.report = rep.Path()
		p.reportBtn.Enable()
		p.files.Add(p.shell.fileLinks("Report", rep.Path()))
		if fileExists(rep.FailedPath()) && totals.Failed > 0 {
			p.files.Add(p.shell.fileLinks("Failed records (CSV)", rep.FailedPath()))
		}
	}
	if res != nil {
		p.shell.refreshAfterRun()
	}
}

// setStatus shows the results line coloured imp, or hides it when text is "".
func (p *transferPage) setStatus(text string, imp widget.Importance) {
	p.summary.Importance = imp
	showMessage(p.summary, text)
}

// statusText is the status line at the end of a run or preview, and its colour:
// success, partial (warning colour), failed or cancelled (danger).
func (p *transferPage) statusText(res *engine.Result, err error, c engine.Counts) (string, widget.Importance) {
	verb := p.verb()
	if res != nil && res.Preview && err == nil {
		imp := widget.HighImportance
		if c.Failed > 0 {
			imp = widget.WarningImportance
		}
		return "Preview — nothing was written: " + previewCounts(p.dir, c) + " (" + previewScope(res) + ")", imp
	}
	if res == nil {
		if errors.Is(err, context.Canceled) {
			return "Cancelled before it started: nothing was read or written.", widget.DangerImportance
		}
		return verb + " failed before it started: nothing was read or written.", widget.DangerImportance
	}
	took := duration(res.Started, res.Ended)
	problems := func() string {
		var parts []string
		if c.Failed > 0 {
			parts = append(parts, plural(c.Failed, "record failed", "records failed"))
		}
		if c.Warnings > 0 {
			parts = append(parts, plural(c.Warnings, "record written with warnings", "records written with warnings"))
		}
		if len(parts) == 0 {
			return ""
		}
		return ": " + strings.Join(parts, ", ") + " (listed first below)"
	}
	switch {
	case res.Preview:
		return "Preview failed after " + plural(c.All, "record", "records") + ": nothing was written.", widget.DangerImportance
	case errors.Is(err, context.Canceled) || res.Status == engine.Cancelled:
		return fmt.Sprintf("%s cancelled after %s in %s: the records moved so far stay; the run log says how many.", verb, plural(c.All, "record", "records"), took), widget.DangerImportance
	case err != nil || res.Status == engine.Failed:
		return fmt.Sprintf("%s failed after %s in %s: the records moved so far stay; run it again to go on.", verb, plural(c.All, "record", "records"), took), widget.DangerImportance
	case res.Status == engine.Partial:
		return fmt.Sprintf("%s partly done in %s%s", verb, took, problems()), widget.WarningImportance
	}
	return fmt.Sprintf("%s succeeded in %s%s", verb, took, problems()), widget.SuccessImportance
}

// previewCounts says what a preview would do: "would create 120, would update 3, would fail 2".
func previewCounts(dir engine.Direction, c engine.Counts) string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, what+" "+thousands(int64(n)))
		}
	}
	add(c.Imported+c.Exported, "would create")
	add(c.Updated, "would update")
	add(c.Deleted, "would delete")
	if c.Unchanged > 0 {
		parts = append(parts, thousands(int64(c.Unchanged))+" unchanged")
	}
	add(c.Failed, "would fail")
	add(c.Warnings, "would warn")
	if len(parts) == 0 {
		return "no record to move"
	}
	return strings.Join(parts, ", ")
}

// previewScope says how many records a preview looked at, of how many:
// "first 50 of 1,200", "all 3", "first 50" when the system gave no count.
func previewScope(res *engine.Result) string {
	var looked, counted int64
	known, complete := true, true
	for _, e := range res.Entities {
		looked += int64(e.Counts.All)
		switch {
		case e.Check != nil:
			counted += e.Check.Counted
			if e.Check.Counted > int64(e.Counts.All) {
				complete = false
			}
		default:
			known = false
			if e.Counts.All >= engine.DefaultPreviewLimit {
				complete = false
			}
		}
	}
	switch {
	case complete:
		return "all " + plural(int(looked), "record", "records")
	case known:
		return "first " + thousands(looked) + " of " + thousands(counted)
	}
	return "first " + thousands(looked)
}

// plural is n and the singular or plural words: "1 record", "2 records".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(int64(n)) + " " + many
}

// runFix says what to do after a run failed with err.
func runFix(err error) string {
	if admin.IsConfigError(err) {
		return "Correct the mapping on the Map metadata page (Open on Integrations) or the settings (Edit), then run again."
	}
	return "Check the connection (Test connection on Integrations), then run again; records already moved are not moved twice."
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
		p.entityBtn.Disable()
	} else {
		p.cancelBtn.Disable()
		p.entityBtn.Enable()
	}
}

func (p *transferPage) onCancel() {
	if p.cancel != nil {
		p.cancel()
	}
}

// openReport opens the last run's Excel report with the desktop's program
// (openFile); without one it says so and offers Copy path and Show folder.
func (p *transferPage) openReport() {
	if p.report != "" {
		p.shell.openPath(p.report, "the report")
	}
}

// openRecord shows the workspace's record of results row r.
func (p *transferPage) openRecord(r outcomeRow, preview bool) {
	about := fmt.Sprintf("In this %s: %s", p.runNoun(preview), actionText(r.action, preview))
	if r.text != "" {
		about += " — " + r.text
	}
	p.shell.openRecordByKey(p.name, r.entity, r.key, about)
}

// copyText is the selected results row, as Ctrl+C copies it.
func (p *transferPage) copyText() string { return p.results.copyText() }

// fileExists reports whether path names a file.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
