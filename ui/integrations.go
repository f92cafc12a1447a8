package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/connector"
	"switchyard/core/engine"
	"switchyard/core/mapping"
	"switchyard/core/spec"
	"switchyard/core/store"
)

// emptyIntegrations is what the Integrations screen says when there is none.
const emptyIntegrations = "No integrations yet. Click New to connect to an OData service."

// testTimeout bounds a connection test.
const testTimeout = 2 * time.Minute

// integrationsScreen lists the integrations with a toolbar to create, edit,
// delete, test and open them.
type integrationsScreen struct {
	shell    *Shell
	items    []mapping.Integration
	selected int
	// lastRuns holds each integration's latest run, by name.
	lastRuns map[string]store.LogEntry

	list      *rowList
	body      *fyne.Container // the list or the empty state
	listView  fyne.CanvasObject
	empty     fyne.CanvasObject
	loadErr   *widget.Label
	newBtn    *widget.Button
	editBtn   *widget.Button
	deleteBtn *widget.Button
	testBtn   *widget.Button
	openBtn   *widget.Button
	runBtns   []*widget.Button
	root      fyne.CanvasObject
}

func newIntegrationsScreen(s *Shell) *integrationsScreen {
	sc := &integrationsScreen{shell: s, selected: -1}
	sc.buildUI()
	return sc
}

func (sc *integrationsScreen) object() fyne.CanvasObject { return sc.root }

func (sc *integrationsScreen) buildUI() {
	sc.newBtn = widget.NewButtonWithIcon("New", theme.ContentAddIcon(), sc.onNew)
	sc.newBtn.Importance = widget.HighImportance
	sc.editBtn = widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), sc.onEdit)
	sc.deleteBtn = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), sc.onDelete)
	sc.testBtn = widget.NewButtonWithIcon("Test connection", theme.MediaPlayIcon(), sc.onTest)
	sc.openBtn = widget.NewButtonWithIcon("Open", theme.FolderOpenIcon(), sc.onOpen)
	download := widget.NewButtonWithIcon("Download", theme.DownloadIcon(), func() { sc.onRun(engine.Import) })
	upload := widget.NewButtonWithIcon("Upload", theme.UploadIcon(), func() { sc.onRun(engine.Export) })
	syncBtn := widget.NewButtonWithIcon("Sync", theme.MediaReplayIcon(), func() {
		if in, ok := sc.current(); ok {
			sc.shell.syncNow(in.Name)
		}
	})
	schema := widget.NewButtonWithIcon("Update schema", theme.ViewRefreshIcon(), sc.onUpdateSchema)
	export := widget.NewButtonWithIcon("Export", theme.MailForwardIcon(), sc.onExport)
	sc.runBtns = []*widget.Button{syncBtn, download, upload, schema, export}
	importBtn := widget.NewButtonWithIcon("Import", theme.MailReplyIcon(), sc.onImport)
	toolbar := container.NewHBox(sc.newBtn, sc.editBtn, sc.deleteBtn, widget.NewSeparator(), sc.openBtn, sc.testBtn,
		syncBtn, download, upload, schema, widget.NewSeparator(), export, importBtn)

	sc.list = newRowList([]column{
		{"Name", 130}, {"Connector", 180}, {"Entities", 70}, {"Last run", 190}, {"Next run", 150}, {"Connection", 250},
	}, func() int { return len(sc.items) }, sc.cell)
	sc.list.list.OnSelected = func(id widget.ListItemID) { sc.selected = id; sc.updateButtons() }
	sc.list.list.OnUnselected = func(widget.ListItemID) { sc.selected = -1; sc.updateButtons() }
	sc.listView = sc.list.view

	emptyNew := widget.NewButtonWithIcon("New", theme.ContentAddIcon(), sc.onNew)
	emptyNew.Importance = widget.HighImportance
	sc.empty = emptyState(theme.StorageIcon(), emptyIntegrations, emptyNew)

	sc.loadErr = errorLabel()
	sc.body = container.NewStack(sc.empty)
	top := container.NewVBox(heading("Integrations"), toolbar, sc.loadErr)
	sc.root = container.NewPadded(container.NewBorder(top, nil, nil, nil, sc.body))
	sc.updateButtons()
}

// cell is the text of one cell of the list.
func (sc *integrationsScreen) cell(row, col int) (string, widget.Importance) {
	in := sc.items[row]
	switch col {
	case 0:
		return in.Name, widget.MediumImportance
	case 1:
		info, err := sc.shell.svc.Registry.Lookup(in.Connector)
		if err != nil {
			return in.Connector + " (not installed)", widget.DangerImportance
		}
		return connectorTitle(info), widget.MediumImportance
	case 2:
		return strconv.Itoa(len(in.Entities)), widget.MediumImportance
	case 3:
		last, ok := sc.lastRuns[in.Name]
		if !ok {
			return "never", widget.LowImportance
		}
		return fmt.Sprintf("%s, %s", last.Status, last.Started.Local().Format("2006-01-02 15:04")), statusImportance(last.Status)
	case 4:
		return nextRunText(in, sc.lastRuns[in.Name], time.Now()), widget.MediumImportance
	default:
		info, _ := sc.shell.svc.Registry.Lookup(in.Connector)
		return mainSetting(info.Options, in.Settings), widget.MediumImportance
	}
}

// connectorTitle is what people see for a connector.
func connectorTitle(info connector.Info) string {
	if info.Title != "" {
		return info.Title
	}
	return info.Name
}

// mainSetting is the setting that best tells integrations apart: the first URL
// set, else the first plain setting set, shown as "label: value".
func mainSetting(opts spec.Options, settings spec.Values) string {
	for _, o := range opts {
		if o.Kind == spec.KindURL && settings[o.Key] != "" {
			return settings[o.Key]
		}
	}
	for _, o := range opts {
		if o.Secret() || o.Advanced || settings[o.Key] == "" {
			continue
		}
		label := o.Label
		if label == "" {
			label = o.Key
		}
		return label + ": " + settings[o.Key]
	}
	return ""
}

func (sc *integrationsScreen) reload() {
	var keep string
	if sel, ok := sc.current(); ok {
		keep = sel.Name
	}
	items, err := sc.shell.svc.Store.Integrations(sc.shell.ctx())
	if err != nil {
		showMessage(sc.loadErr, fmt.Sprintf("Could not read the integrations of this workspace: %v", err))
		return
	}
	showMessage(sc.loadErr, "")
	sc.items = items
	sc.loadLastRuns()
	sc.list.list.UnselectAll()
	sc.selected = -1
	if len(items) == 0 {
		sc.body.Objects = []fyne.CanvasObject{sc.empty}
	} else {
		sc.body.Objects = []fyne.CanvasObject{sc.listView}
	}
	sc.body.Refresh()
	sc.list.list.Refresh()
	if keep != "" {
		sc.selectName(keep)
	}
	sc.updateButtons()
}

// selectName selects the integration called name, if listed.
func (sc *integrationsScreen) selectName(name string) {
	for i, in := range sc.items {
		if in.Name == name {
			sc.list.list.Select(i)
			return
		}
	}
}

// current returns the selected integration.
func (sc *integrationsScreen) current() (mapping.Integration, bool) {
	if sc.selected < 0 || sc.selected >= len(sc.items) {
		return mapping.Integration{}, false
	}
	return sc.items[sc.selected], true
}

// loadLastRuns reads each integration's latest run.
func (sc *integrationsScreen) loadLastRuns() {
	runs := map[string]store.LogEntry{}
	for _, in := range sc.items {
		if logs, err := sc.shell.svc.Store.Logs(sc.shell.ctx(), in.Name, 1); err == nil && len(logs) > 0 {
			runs[in.Name] = logs[0]
		}
	}
	sc.lastRuns = runs
	sc.list.list.Refresh()
}

func (sc *integrationsScreen) updateButtons() {
	_, ok := sc.current()
	for _, b := range append([]*widget.Button{sc.editBtn, sc.deleteBtn, sc.testBtn, sc.openBtn}, sc.runBtns...) {
		if ok {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

func (sc *integrationsScreen) onNew() {
	sc.shell.editor = newIntegrationEditor(sc.shell, nil)
	sc.shell.setContent(sc.shell.editor.object())
}

func (sc *integrationsScreen) onEdit() {
	in, ok := sc.current()
	if !ok {
		return
	}
	sc.shell.editor = newIntegrationEditor(sc.shell, &in)
	sc.shell.setContent(sc.shell.editor.object())
}

func (sc *integrationsScreen) onOpen() {
	in, ok := sc.current()
	if !ok {
		return
	}
	sc.shell.openMapping(in)
}

// onRun opens the download or upload page of the selected integration.
func (sc *integrationsScreen) onRun(dir engine.Direction) {
	if in, ok := sc.current(); ok {
		sc.shell.openTransfer(in.Name, dir, nil)
	}
}

func (sc *integrationsScreen) onDelete() {
	in, ok := sc.current()
	if !ok {
		return
	}
	msg := fmt.Sprintf("Delete the integration %q with its settings, secrets, mappings, schedules and run history?\nThis cannot be undone.", in.Name)
	d := dialog.NewConfirm("Delete integration", msg, func(yes bool) {
		if !yes {
			return
		}
		if err := sc.shell.svc.Store.DeleteIntegration(sc.shell.ctx(), in.Name); err != nil {
			dialog.ShowError(fmt.Errorf("delete integration %q: %w", in.Name, err), sc.shell.win)
			return
		}
		sc.reload()
	}, sc.shell.win)
	d.SetConfirmText("Delete")
	d.SetConfirmImportance(widget.DangerImportance)
	d.SetDismissText("Cancel")
	d.Show()
}

func (sc *integrationsScreen) onTest() {
	in, ok := sc.current()
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(sc.shell.ctx(), testTimeout)
	bar := widget.NewProgressBarInfinite()
	progress := dialog.NewCustom("Test connection", "Cancel",
		container.NewVBox(widget.NewLabel(fmt.Sprintf("Connecting to %q…", in.Name)), bar), sc.shell.win)
	progress.SetOnClosed(cancel)
	progress.Show()
	sc.testBtn.Disable()
	go func() {
		rep, err := sc.shell.svc.Test(ctx, in)
		fyne.Do(func() {
			cancelled := ctx.Err() == context.Canceled
			bar.Stop()
			progress.Hide()
			sc.updateButtons()
			if cancelled {
				return
			}
			testResultDialog(in.Name, rep, err, sc.shell.win).Show()
		})
	}()
}

// testResultDialog tells the outcome of a connection test.
func testResultDialog(name string, rep connector.Report, err error, win fyne.Window) dialog.Dialog {
	if err != nil {
		msg := widget.NewLabel(err.Error())
		msg.Wrapping = fyne.TextWrapWord
		fix := widget.NewLabel("Check the address, the credentials and the network, correct the settings with Edit, and test again.")
		fix.Wrapping = fyne.TextWrapWord
		fix.Importance = widget.LowImportance
		body := container.NewVScroll(container.NewVBox(msg, fix))
		body.SetMinSize(fyne.NewSize(520, 170))
		return dialog.NewCustom(fmt.Sprintf("Connection to %q failed", name), "Close", body, win)
	}
	body := widget.NewLabel(reportText(rep))
	return dialog.NewCustom(fmt.Sprintf("Connection to %q works", name), "Close", body, win)
}

// reportText describes a connection test's findings, one per line.
func reportText(rep connector.Report) string {
	var lines []string
	if rep.System != "" {
		lines = append(lines, "System: "+rep.System)
	}
	if rep.Version != "" {
		lines = append(lines, "Version: "+rep.Version)
	}
	lines = append(lines, fmt.Sprintf("External entities: %d", rep.Entities))
	lines = append(lines, rep.Details...)
	return strings.Join(lines, "\n")
}
