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

	"switchyard/core/admin"
	"switchyard/core/connector"
	"switchyard/core/engine"
	"switchyard/core/mapping"
	"switchyard/core/spec"
)

// emptyIntegrations is what the Integrations screen says when there is none.
const emptyIntegrations = "No integrations yet. Click New to connect to an OData service."

// emptyIntegrationsReadOnly is what it says when there is none and the workspace may only be read.
const emptyIntegrationsReadOnly = "No integrations yet. The workspace's owner adds them; they show here without a restart."

// testTimeout bounds a connection test.
const testTimeout = 2 * time.Minute

// integrationsScreen lists the integrations with a toolbar to create, edit,
// delete, test and open them.
type integrationsScreen struct {
	shell *Shell
	items []mapping.Integration
	// versions are the items' versions, by name, that Edit saves from.
	versions map[string]admin.Version
	selected int
	loads    loader
	// want is the integration to select when the load under way ends, "" for the one selected.
	want string

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
	uploadBtn *widget.Button
	importBtn *widget.Button
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
	sc.runBtns = []*widget.Button{syncBtn, download, schema, export}
	sc.uploadBtn = upload
	sc.importBtn = widget.NewButtonWithIcon("Import", theme.MailReplyIcon(), sc.onImport)
	toolbar := newToolbar(sc.newBtn, sc.editBtn, sc.deleteBtn, nil, sc.openBtn, sc.testBtn,
		syncBtn, download, upload, schema, nil, export, sc.importBtn)
	sc.shell.writes(sc.newBtn, sc.editBtn, sc.deleteBtn, syncBtn, schema, sc.importBtn)

	sc.list = newRowList([]column{
		{"Name", 130}, {"Connector", 160}, {"Entities", 80}, {"Last run", 190}, {"Next run", 150}, {"Connection", 250},
	}, func() int { return len(sc.items) }, sc.cell)
	sc.list.list.OnSelected = func(id widget.ListItemID) { sc.selected = id; sc.updateButtons() }
	sc.list.list.OnUnselected = func(widget.ListItemID) { sc.selected = -1; sc.updateButtons() }
	sc.list.onOpen = func(int) { sc.onOpen() }
	sc.list.menu = sc.menu
	sc.list.keepWidth(4) // the next run
	sc.list.keepWidth(2)
	sc.listView = sc.list.view

	emptyNew := widget.NewButtonWithIcon("New", theme.ContentAddIcon(), sc.onNew)
	emptyNew.Importance = widget.HighImportance
	sc.empty = emptyState(theme.StorageIcon(), emptyIntegrations, emptyNew)
	if sc.shell.readOnly {
		sc.empty = emptyState(theme.StorageIcon(), emptyIntegrationsReadOnly)
	}

	sc.loadErr = errorLabel()
	sc.body = container.NewStack(loadingState())
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
		last := sc.shell.statuses[in.Name].LastRun
		if last.ID == 0 {
			return "never", widget.LowImportance
		}
		return fmt.Sprintf("%s, %s", last.Status, last.Started.Local().Format("2006-01-02 15:04")), statusImportance(last.Status)
	case 4:
		return sc.shell.nextRunText(sc.shell.statuses[in.Name], time.Now()), widget.MediumImportance
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

// reload lists the integrations again off the UI goroutine, with their
// last runs and next runs, keeping the selection.
func (sc *integrationsScreen) reload() {
	if sel, ok := sc.current(); ok && sc.want == "" {
		sc.want = sel.Name
	}
	svc := sc.shell.svc
	load(sc.shell, &sc.loads, svc.IntegrationStatuses, sc.loaded)
}

// reloadSelecting lists the integrations again and then selects the one called name.
func (sc *integrationsScreen) reloadSelecting(name string) {
	sc.want = name
	sc.reload()
}

// loaded shows the integrations read by reload; it runs on the UI goroutine.
func (sc *integrationsScreen) loaded(list []admin.IntegrationStatus, err error) {
	keep := sc.want
	sc.want = ""
	if err != nil {
		showMessage(sc.loadErr, fmt.Sprintf("Could not read the integrations of this workspace: %v", err))
		return
	}
	showMessage(sc.loadErr, "")
	sc.shell.noteStatuses(list, time.Now())
	sc.items = make([]mapping.Integration, len(list))
	sc.versions = make(map[string]admin.Version, len(list))
	for i, st := range list {
		sc.items[i] = st.Integration
		sc.versions[st.Integration.Name] = st.Version
	}
	sc.list.list.UnselectAll()
	sc.selected = -1
	if len(sc.items) == 0 {
		sc.body.Objects = []fyne.CanvasObject{sc.empty}
	} else {
		sc.body.Objects = []fyne.CanvasObject{sc.listView}
	}
	sc.body.Refresh()
	sc.list.list.Refresh()
	if keep != "" {
		sc.selectName(keep)
	}
	if sc.selected < 0 && len(sc.items) > 0 {
		sc.list.list.Select(0) // as desktop lists do: the keyboard and the toolbar act on it at once
	}
	sc.list.restoreScroll()
	sc.updateButtons()
}

// openSelected opens the selected integration (Enter).
func (sc *integrationsScreen) openSelected() { sc.onOpen() }

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

func (sc *integrationsScreen) updateButtons() {
	in, ok := sc.current()
	for _, b := range append([]*widget.Button{sc.editBtn, sc.deleteBtn, sc.testBtn, sc.openBtn}, sc.runBtns...) {
		if ok {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if ok && uploads(in) {
		sc.uploadBtn.Enable()
	} else {
		sc.uploadBtn.Disable()
	}
}

// uploads reports whether an enabled entity of in sends records to the
// external system: Upload is offered only then.
func uploads(in mapping.Integration) bool {
	for _, em := range in.Entities {
		if !em.Disabled && engine.Runs(em.Direction, engine.Export) {
			return true
		}
	}
	return false
}

// menu is the context menu of integration row id.
func (sc *integrationsScreen) menu(int) []*fyne.MenuItem {
	in, _ := sc.current()
	upload := fyne.NewMenuItem("Upload…", func() { sc.onRun(engine.Export) })
	upload.Disabled = !uploads(in)
	edit, syncNow := fyne.NewMenuItem("Edit…", sc.onEdit), fyne.NewMenuItem("Sync now", func() { sc.shell.syncNow(in.Name) })
	schema, del := fyne.NewMenuItem("Update schema", sc.onUpdateSchema), fyne.NewMenuItem("Delete…", sc.onDelete)
	sc.shell.writeItems(edit, syncNow, schema, del)
	return []*fyne.MenuItem{
		fyne.NewMenuItem("Open (Map metadata)", sc.onOpen),
		edit,
		fyne.NewMenuItem("Test connection", sc.onTest),
		fyne.NewMenuItemSeparator(),
		syncNow,
		fyne.NewMenuItem("Download…", func() { sc.onRun(engine.Import) }),
		upload,
		schema,
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Export to a file…", sc.onExport),
		del,
	}
}

// copyText is the selected integration's row, as Ctrl+C copies it.
func (sc *integrationsScreen) copyText() string {
	if sc.selected >= 0 && sc.selected < len(sc.items) {
		return sc.list.rowText(sc.selected)
	}
	return ""
}

func (sc *integrationsScreen) onNew() {
	sc.shell.editor = newIntegrationEditor(sc.shell, nil, admin.Version{})
	sc.shell.setContent(sc.shell.editor.object())
}

func (sc *integrationsScreen) onEdit() {
	in, ok := sc.current()
	if !ok {
		return
	}
	sc.shell.editor = newIntegrationEditor(sc.shell, &in, sc.versions[in.Name])
	sc.shell.setContent(sc.shell.editor.object())
}

func (sc *integrationsScreen) onOpen() {
	in, ok := sc.current()
	if !ok {
		return
	}
	sc.shell.openMapping(in)
}

// onRun opens the download or upload page of the selected integration; an
// integration whose enabled entities only download has nothing to upload.
func (sc *integrationsScreen) onRun(dir engine.Direction) {
	in, ok := sc.current()
	if !ok {
		return
	}
	if dir == engine.Export && !uploads(in) {
		sc.shell.inform("Nothing to upload", fmt.Sprintf("The enabled entities of %s only download.\n"+
			"To upload, set an entity's sync direction to upload or bidirectional on Map metadata (Open), and Save.", in.Name))
		return
	}
	sc.shell.openTransfer(in.Name, dir, nil)
}

func (sc *integrationsScreen) onDelete() {
	in, ok := sc.current()
	if !ok {
		return
	}
	msg := fmt.Sprintf("Delete the integration %q with its settings, secrets, mappings, schedules and run history?\nThis cannot be undone.", in.Name)
	sc.shell.ask("Delete integration", msg, "Delete", true, func(yes bool) {
		if !yes {
			return
		}
		sc.deleteBtn.Disable() // until the delete is done: it cannot run twice
		svc := sc.shell.svc
		run(sc.shell, func(ctx context.Context) error { return svc.DeleteIntegration(ctx, in.Name) }, func(err error) {
			sc.updateButtons()
			if err != nil {
				sc.shell.showError("Could not delete "+in.Name, fmt.Errorf("delete integration %q: %w", in.Name, err), "Reload with Ctrl+R and try again.")
				return
			}
			sc.shell.plan.Forget(in.Name)
			sc.reload()
		})
	})
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
	sc.shell.track(progress, nil, nil)
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
			d := testResultDialog(in.Name, rep, err, sc.shell.win)
			sc.shell.track(d, nil, d.Hide)
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
