package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/engine"
	"switchyard/core/mapping"
	"switchyard/core/meta"
)

// catalogTimeout bounds reading an external catalog.
const catalogTimeout = 5 * time.Minute

// noEntitySelected is what the mapping pane says before an entity is picked.
const noEntitySelected = "Select an external entity on the left to map it.\n" +
	"Enabled entities are synchronised; Enable maps a new one to a local entity."

// mapMetadataScreen is the page an integration opens on: its external
// entities on the left, the mapping of the selected one on the right.
type mapMetadataScreen struct {
	shell *Shell
	in    mapping.Integration
	// version is the version of in that a save starts from (0 until loaded:
	// a save then starts from what is stored).
	version admin.Version

	catalog []meta.Entity
	locals  []meta.Entity
	shown   []meta.Entity
	// loading is true while a catalog read is under way.
	loading bool
	// saving is true while a change to the mapping is written.
	saving bool
	// loads reads the page's data (load), saves what a save changed (afterSave).
	loads, saves loader

	search     *keyEntry
	entities   *rowList
	enableBtn  *widget.Button
	disableBtn *widget.Button
	refreshBtn *widget.Button
	uploadBtn  *widget.Button
	status     *widget.Label
	errText    *widget.Label
	progress   *widget.ProgressBarInfinite

	pane *entityPane
	// findings are what checking the mapping found, warnings included.
	findings []mapping.Finding
	// warnings says how many warnings the check found, with a button to list them.
	warnings    *widget.Label
	warningsBtn *widget.Button
	// reselecting is true while the list's selection is set back after a Cancel.
	reselecting bool
	// cleanup is the clean-up dialog shown last, nil when none was.
	cleanup dialog.Dialog
	right   *fyne.Container
	empty   fyne.CanvasObject
	root    fyne.CanvasObject
}

func newMapMetadataScreen(s *Shell, in mapping.Integration) *mapMetadataScreen {
	sc := &mapMetadataScreen{shell: s, in: in}
	sc.buildUI()
	return sc
}

func (sc *mapMetadataScreen) object() fyne.CanvasObject { return sc.root }

func (sc *mapMetadataScreen) buildUI() {
	back := widget.NewButtonWithIcon("Integrations", theme.NavigateBackIcon(), func() { sc.shell.showSection(SectionIntegrations) })
	sc.refreshBtn = widget.NewButtonWithIcon("Refresh schema", theme.ViewRefreshIcon(), func() { sc.shell.leave(func() { sc.load(true) }) })
	download := widget.NewButtonWithIcon("Download…", theme.DownloadIcon(), func() {
		sc.shell.leave(func() { sc.shell.openTransfer(sc.in.Name, engine.Import, nil) })
	})
	sc.uploadBtn = widget.NewButtonWithIcon("Upload…", theme.UploadIcon(), func() {
		sc.shell.leave(func() { sc.shell.openTransfer(sc.in.Name, engine.Export, nil) })
	})
	sc.search = newKeyEntry()
	sc.search.SetPlaceHolder("Search entities")
	sc.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	sc.search.OnChanged = func(string) { sc.applyFilter() }

	sc.progress = widget.NewProgressBarInfinite()
	sc.progress.Stop()
	sc.progress.Hide()
	sc.status = widget.NewLabel("")
	sc.status.Importance = widget.LowImportance
	sc.errText = errorLabel()

	sc.entities = newRowList([]column{{"Entity", 125}, {"Local entity", 105}, {"Status", 110}},
		func() int { return len(sc.shown) }, sc.entityCell)
	sc.entities.list.OnSelected = sc.onPick
	sc.entities.menu = sc.entityMenu
	sc.entities.keepWidth(2)
	sc.enableBtn = widget.NewButtonWithIcon("Enable", theme.ConfirmIcon(), sc.onEnable)
	sc.disableBtn = widget.NewButtonWithIcon("Disable", theme.CancelIcon(), sc.onDisable)
	sc.enableBtn.Disable()
	sc.disableBtn.Disable()
	sc.shell.writes(sc.enableBtn, sc.disableBtn)
	leftTitle := widget.NewLabelWithStyle("External entities", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	left := container.NewBorder(container.NewVBox(leftTitle, sc.search), newToolbar(sc.enableBtn, sc.disableBtn), nil, nil, sc.entities.view)

	sc.pane = newEntityPane(sc)
	sc.empty = emptyState(theme.NavigateNextIcon(), noEntitySelected)
	sc.right = container.NewStack(sc.empty)
	split := container.NewHSplit(left, sc.right)
	split.Offset = 0.34

	sc.warnings = widget.NewLabel("")
	sc.warnings.Importance = widget.WarningImportance
	sc.warnings.Truncation = fyne.TextTruncateEllipsis
	sc.warningsBtn = widget.NewButtonWithIcon("Warnings…", theme.WarningIcon(), sc.showWarnings)
	sc.warningsBtn.Hide()
	toolbar := newToolbar(back, sc.refreshBtn, nil, download, sc.uploadBtn, sc.warningsBtn)
	top := container.NewVBox(heading(fmt.Sprintf("Map metadata — %s", sc.in.Name)),
		toolbar, sc.status, container.NewStack(sc.progress), sc.errText)
	sc.root = container.NewPadded(container.NewBorder(top, nil, nil, nil, split))
}

// entityCell is the text of one cell of the external entities list.
func (sc *mapMetadataScreen) entityCell(row, col int) (string, widget.Importance) {
	e := sc.shown[row]
	em, mapped := sc.in.Entity(e.Name)
	switch col {
	case 0:
		return e.Name, widget.MediumImportance
	case 1:
		return em.Local, widget.MediumImportance
	}
	status, imp := "enabled", widget.SuccessImportance
	switch {
	case !mapped:
		status, imp = "", widget.MediumImportance
	case em.Disabled:
		status, imp = "disabled", widget.LowImportance
	case len(sc.entityWarnings(e.Name)) > 0:
		status, imp = "enabled, warning", widget.WarningImportance
	}
	if sc.pane.dirty && sc.pane.ext.Name == e.Name {
		status = "unsaved"
		imp = widget.WarningImportance
	}
	return status, imp
}

// reload reads the cached catalog, or the live one when nothing is cached.
func (sc *mapMetadataScreen) reload() { sc.load(false) }

// load reads the integration, the local entities and the catalog off the UI
// goroutine; refresh asks the system again. When done, the mapping is
// checked and the clean-up dialog offered if it names what no longer exists.
func (sc *mapMetadataScreen) load(refresh bool) {
	if sc.loading {
		return
	}
	sc.loading = true
	sc.refreshBtn.Disable()
	sc.progress.Show()
	sc.progress.Start()
	showMessage(sc.errText, "")
	if refresh {
		sc.status.SetText(fmt.Sprintf("Reading the schema of %q from the system…", sc.in.Name))
	} else {
		sc.status.SetText("Loading the schema…")
	}
	name := sc.in.Name
	svc := sc.shell.svc
	load(sc.shell, &sc.loads, func(ctx context.Context) (mapData, error) {
		ctx, cancel := context.WithTimeout(ctx, catalogTimeout)
		defer cancel()
		return readMapData(ctx, svc, name, refresh), nil
	}, func(d mapData, _ error) { sc.loaded(d) })
}

// readMapData reads what the Map metadata page shows: the integration, its
// catalog (from the system when refresh), the local entities and the
// mapping's findings.
func readMapData(ctx context.Context, svc *admin.Service, name string, refresh bool) mapData {
	d := mapData{}
	d.in, d.version, d.err = loadVersioned(ctx, svc, name)
	if d.err == nil {
		d.catalog, d.err = svc.Catalog(ctx, name, refresh)
	}
	if d.err == nil {
		d.locals, d.err = svc.LocalEntities(ctx)
	}
	if d.err == nil {
		if res, err := svc.Check(ctx, name); err == nil {
			d.findings = res.Findings
		}
	}
	return d
}

// loadVersioned reads the integration called name with its version.
func loadVersioned(ctx context.Context, svc *admin.Service, name string) (mapping.Integration, admin.Version, error) {
	l, err := svc.LoadIntegration(ctx, name)
	return l.Integration, l.Version, err
}

// mapData is what load reads.
type mapData struct {
	in       mapping.Integration
	version  admin.Version
	catalog  []meta.Entity
	locals   []meta.Entity
	findings []mapping.Finding
	err      error
}

// loaded shows the outcome of load; it runs on the UI goroutine.
func (sc *mapMetadataScreen) loaded(d mapData) {
	sc.loading = false
	sc.progress.Stop()
	sc.progress.Hide()
	sc.refreshBtn.Enable()
	if d.err != nil {
		sc.status.SetText("")
		showMessage(sc.errText, fmt.Sprintf("Could not read the external entities: %v\nCheck the integration's settings (Integrations > Edit > Test connection), then click Refresh schema.", d.err))
		return
	}
	sc.in, sc.version, sc.catalog, sc.locals = d.in, d.version, d.catalog, d.locals
	sc.setFindings(d.findings)
	sc.updateStatus()
	keep := sc.pane.ext.Name
	sc.applyFilter()
	if keep == "" && len(sc.shown) > 0 {
		if _, mapped := sc.in.Entity(sc.shown[0].Name); mapped {
			keep = sc.shown[0].Name // the first mapped entity: the page opens on a mapping
		}
	}
	if keep != "" {
		sc.selectName(keep)
	}
	if blocking := cleanable(d.findings); len(blocking) > 0 {
		sc.showCleanUp(blocking)
	}
}

// updateStatus says how many entities there are and how many are mapped.
func (sc *mapMetadataScreen) updateStatus() {
	mapped, enabled := 0, 0
	for _, e := range sc.catalog {
		if em, ok := sc.in.Entity(e.Name); ok {
			mapped++
			if !em.Disabled {
				enabled++
			}
		}
	}
	sc.status.SetText(fmt.Sprintf("%d external entities, %d mapped, %d enabled", len(sc.catalog), mapped, enabled))
	if sc.uploadBtn != nil {
		// Upload only when an enabled entity sends records.
		up := false
		for _, em := range sc.in.Entities {
			up = up || (!em.Disabled && engine.Runs(em.Direction, engine.Export))
		}
		if up {
			sc.uploadBtn.Enable()
		} else {
			sc.uploadBtn.Disable()
		}
	}
}

// applyFilter shows the entities whose name or label holds the search text,
// the mapped ones first.
func (sc *mapMetadataScreen) applyFilter() {
	q := strings.ToLower(strings.TrimSpace(sc.search.Text))
	sc.shown = sc.shown[:0]
	for _, e := range sc.catalog {
		if q == "" || strings.Contains(strings.ToLower(e.Name), q) || strings.Contains(strings.ToLower(e.Label), q) {
			sc.shown = append(sc.shown, e)
		}
	}
	slices.SortStableFunc(sc.shown, func(a, b meta.Entity) int {
		_, am := sc.in.Entity(a.Name)
		_, bm := sc.in.Entity(b.Name)
		switch {
		case am && !bm:
			return -1
		case bm && !am:
			return 1
		}
		return 0
	})
	sc.reselecting = true
	sc.entities.list.UnselectAll()
	sc.entities.list.Refresh()
	if sc.pane.ext.Name != "" {
		for i, e := range sc.shown {
			if e.Name == sc.pane.ext.Name {
				sc.entities.list.Select(i)
			}
		}
	}
	sc.reselecting = false
}

// onPick shows the entity picked in the list. Another entity than the one
// whose mapping has unsaved changes is shown only once the admin saved or
// discarded them; on Cancel the list goes back to the entity being edited.
func (sc *mapMetadataScreen) onPick(id widget.ListItemID) {
	if sc.reselecting || id < 0 || id >= len(sc.shown) {
		return
	}
	ext := sc.shown[id]
	if ext.Name == sc.pane.ext.Name && sc.right.Objects[0] == sc.pane.root {
		return // the entity shown, picked again (a search kept it): keep its draft
	}
	sc.guard(func() { sc.selectEntity(ext) }, func() {
		sc.reselecting = true
		defer func() { sc.reselecting = false }()
		for i, e := range sc.shown {
			if e.Name == sc.pane.ext.Name {
				sc.entities.list.Select(i)
				return
			}
		}
		sc.entities.list.UnselectAll()
	})
}

// guard runs next once the entity's mapping has no unsaved changes: at once,
// or after the admin saved or discarded them; cancel runs on Cancel.
func (sc *mapMetadataScreen) guard(next, cancel func()) {
	if !sc.unsaved() {
		next()
		return
	}
	sc.shell.promptUnsaved(sc, next, cancel)
}

// unsaved reports whether the entity mapping shown has unsaved changes.
func (sc *mapMetadataScreen) unsaved() bool { return sc.pane.dirty }

// savingNow reports whether a change to the mapping is being written (savingPage).
func (sc *mapMetadataScreen) savingNow() bool { return sc.saving }

// unsavedWhat names the draft for the unsaved-changes prompt.
func (sc *mapMetadataScreen) unsavedWhat() string {
	return fmt.Sprintf("The mapping of %s (integration %s)", sc.pane.ext.Name, sc.in.Name)
}

// saveDraft saves the entity mapping shown and tells done whether it did.
func (sc *mapMetadataScreen) saveDraft(done func(saved bool)) { sc.pane.save(done) }

// discardDraft forgets the changes to the entity mapping shown.
func (sc *mapMetadataScreen) discardDraft() {
	sc.pane.dirty = false
	if ext := sc.pane.ext; ext.Name != "" {
		sc.selectEntity(ext)
	}
	sc.entities.list.Refresh()
}

// selectName selects the external entity called name in the list.
func (sc *mapMetadataScreen) selectName(name string) {
	for i, e := range sc.shown {
		if e.Name == name {
			sc.entities.list.Select(i)
			sc.entities.list.ScrollTo(i)
			if sc.pane.ext.Name != name {
				sc.selectEntity(e) // picked again after a search: show it all the same
			}
			return
		}
	}
}

// selectEntity shows the mapping of ext in the right pane.
func (sc *mapMetadataScreen) selectEntity(ext meta.Entity) {
	em, mapped := sc.in.Entity(ext.Name)
	sc.pane.show(ext, em, mapped)
	sc.updateEnable()
	sc.right.Objects = []fyne.CanvasObject{sc.pane.root}
	sc.right.Refresh()
}

// updateEnable enables Enable for an entity shown that is not mapped or
// disabled, Disable for one mapped and enabled; neither while a save runs.
func (sc *mapMetadataScreen) updateEnable() {
	em, mapped := sc.in.Entity(sc.pane.ext.Name)
	sc.enableBtn.Disable()
	sc.disableBtn.Disable()
	switch {
	case sc.saving || sc.pane.ext.Name == "":
	case !mapped || em.Disabled:
		sc.enableBtn.Enable()
	default:
		sc.disableBtn.Enable()
	}
}

// setSaving disables Enable, Disable and Save while a change is written.
func (sc *mapMetadataScreen) setSaving(on bool) {
	sc.saving = on
	sc.updateEnable()
	sc.pane.updateButtons()
}

// local returns the local entity called name.
func (sc *mapMetadataScreen) local(name string) (meta.Entity, bool) {
	return meta.FindEntity(sc.locals, name)
}

// onEnable turns the selected entity on: a disabled mapping is enabled
// again; an unmapped entity is mapped to a local entity of the same name,
// created from the external one when missing, with the suggested fields.
func (sc *mapMetadataScreen) onEnable() {
	sc.guard(sc.enable, nil)
}

func (sc *mapMetadataScreen) enable() {
	ext := sc.pane.ext
	if ext.Name == "" || sc.saving {
		return
	}
	if em, ok := sc.in.Entity(ext.Name); ok {
		em.Disabled = false
		sc.saveMapping(em, fmt.Sprintf("%s enabled", ext.Name), nil)
		return
	}
	name := mapping.LocalName(ext.Name)
	if loc, ok := sc.local(name); ok {
		em := mapping.EntityMapping{External: ext.Name, Local: name, Direction: mapping.Download, PrimaryKey: mapping.ExternalKeyField}
		ss := mapping.Suggest(ext, loc, mapping.SuggestOptions{Mapped: mappedEntities(sc.in), PrimaryKey: em.PrimaryKey})
		em.Fields = admin.SuggestedFields(em, ss, mapping.SuggestThreshold)
		sc.saveMapping(em, fmt.Sprintf("%s mapped to the local entity %s", ext.Name, name), nil)
		return
	}
	svc, in := sc.shell.svc, sc.in.Name
	sc.setSaving(true)
	act(sc.shell, func(ctx context.Context) (admin.EntityImportResult, error) {
		return svc.CreateLocalEntity(ctx, in, ext.Name, "")
	}, func(res admin.EntityImportResult, err error) {
		sc.setSaving(false)
		if err != nil {
			sc.shell.showError("Could not enable "+ext.Name, err, "Pick a local entity on the right and click Save, or click Refresh schema if the entity is new.")
			return
		}
		sc.afterSave(strings.TrimSpace(res.Summary()))
	})
}

// onDisable keeps the selected entity's mapping but leaves it out of runs.
func (sc *mapMetadataScreen) onDisable() {
	sc.guard(sc.disable, nil)
}

func (sc *mapMetadataScreen) disable() {
	em, ok := sc.in.Entity(sc.pane.ext.Name)
	if !ok || sc.saving {
		return
	}
	em.Disabled = true
	sc.saveMapping(em, fmt.Sprintf("%s disabled: runs leave it out", em.External), nil)
}

// saveMapping saves em into the integration off the UI goroutine, with
// Enable, Disable and Save disabled meanwhile, and reloads the page; saved,
// when not nil, is told whether it was saved.
func (sc *mapMetadataScreen) saveMapping(em mapping.EntityMapping, done string, saved func(bool)) {
	if saved == nil {
		saved = func(bool) {}
	}
	if sc.saving {
		saved(false)
		return
	}
	svc, from := sc.shell.svc, admin.Loaded{Integration: sc.in, Version: sc.version}
	sc.setSaving(true)
	type result struct {
		admin.EntityImportResult
		saved admin.Loaded
	}
	act(sc.shell, func(ctx context.Context) (result, error) {
		res, saved, err := svc.SaveEntityMappingFrom(ctx, from, em)
		return result{res, saved}, err
	}, func(r result, err error) {
		res := r.EntityImportResult
		sc.setSaving(false)
		if ce := conflictFor(err); ce != nil {
			sc.pane.setStatus("Not saved: "+ce.Error(), widget.DangerImportance)
			sc.shell.showConflict(ce, sc.reloadFrom)
			saved(false)
			return
		}
		if err != nil {
			sc.shell.showError("Could not save the mapping of "+em.External, err, "Correct what the message names (pick another local field or entity), then Save again.")
			saved(false)
			return
		}
		if extra := strings.TrimSpace(res.Summary()); strings.Contains(extra, "created") || strings.Contains(extra, "added") {
			done += "; " + strings.ReplaceAll(extra, "\n", "; ")
		}
		sc.pane.dirty = false
		// The next save starts from this version, even before afterSave reads the page again.
		sc.in, sc.version = r.saved.Integration, r.saved.Version
		sc.afterSave(done)
		saved(true)
	})
}

// reloadFrom drops the draft of the selected mapping and shows current,
// the integration as another save left it (the conflict dialog's Reload).
func (sc *mapMetadataScreen) reloadFrom(current admin.Loaded) {
	if sc.shell.mapping != sc {
		return // the admin left the page meanwhile
	}
	sc.in, sc.version = current.Integration, current.Version
	sc.discardDraft()
	sc.afterSave(fmt.Sprintf("Reloaded %s as saved at version %d.", sc.in.Name, sc.version.Number))
}

// afterSave reloads the integration, the local entities and the mapping's
// findings off the UI goroutine after a change, then says what was done.
func (sc *mapMetadataScreen) afterSave(done string) {
	svc, name := sc.shell.svc, sc.in.Name
	load(sc.shell, &sc.saves, func(ctx context.Context) (mapData, error) {
		d := mapData{}
		d.in, d.version, d.err = loadVersioned(ctx, svc, name)
		d.locals, _ = svc.LocalEntities(ctx)
		if res, err := svc.Check(ctx, name); err == nil {
			d.findings = res.Findings
		}
		return d, nil
	}, func(d mapData, _ error) {
		if d.err == nil {
			sc.in, sc.version = d.in, d.version
		}
		if d.locals != nil {
			sc.locals = d.locals
		}
		sc.setFindings(d.findings)
		sc.updateStatus()
		sc.entities.list.Refresh()
		if ext := sc.pane.ext; ext.Name != "" {
			sc.selectEntity(ext)
		}
		sc.pane.setStatus(done, widget.SuccessImportance)
	})
}

// mappedEntities maps each external entity of in to its local entity.
func mappedEntities(in mapping.Integration) map[string]string {
	m := map[string]string{}
	for _, e := range in.Entities {
		m[e.External] = e.Local
	}
	return m
}
