package ui

import (
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/ui/form"
)

// noLocal is the local entity picker's text when the entity maps to none yet.
const noLocal = "Pick a local entity"

// entityPane is the right side of Map metadata: the entity mapping (local
// entity, primary key, direction, filters) and the fields table of one
// external entity, edited as a draft until Save.
type entityPane struct {
	sc *mapMetadataScreen

	ext    meta.Entity
	loc    meta.Entity
	draft  mapping.EntityMapping
	mapped bool
	dirty  bool
	// sugg holds the suggestions for each external field, best first.
	sugg map[string]mapping.Suggestion
	// newLocal is the local entity that Create from external plans: Save creates it.
	newLocal *meta.Entity

	title     *widget.RichText
	localSel  *keySelect
	createBtn *widget.Button
	keySel    *keySelect
	dirSel    *keySelect
	filters   *widget.Label
	fields    *fieldsTable
	status    *widget.Label
	saveBtn   *widget.Button
	exportBtn *widget.Button
	importBtn *widget.Button
	marker    *widget.Label
	// warnings shows what checking the mapping warns about this entity.
	warnings *widget.Label
	root     fyne.CanvasObject
}

func newEntityPane(sc *mapMetadataScreen) *entityPane {
	p := &entityPane{sc: sc}
	p.buildUI()
	return p
}

func (p *entityPane) buildUI() {
	p.title = widget.NewRichText(&widget.TextSegment{Style: widget.RichTextStyleStrong, Text: ""})
	p.localSel = newKeySelect(nil, p.onLocal)
	p.localSel.PlaceHolder = noLocal
	p.createBtn = widget.NewButtonWithIcon("Create from external", theme.ContentAddIcon(), p.onCreate)
	p.keySel = newKeySelect(nil, func(k string) { p.draft.PrimaryKey = k; p.setDirty() })
	dirs := make([]string, len(mapping.Directions))
	for i, d := range mapping.Directions {
		dirs[i] = string(d)
	}
	p.dirSel = newKeySelect(dirs, func(d string) { p.draft.Direction = mapping.Direction(d); p.setDirty() })
	p.filters = widget.NewLabel("")
	p.filters.Wrapping = fyne.TextWrapWord
	p.warnings = widget.NewLabel("")
	p.warnings.Importance = widget.WarningImportance
	p.warnings.Wrapping = fyne.TextWrapWord
	p.warnings.Hide()

	formBox := container.New(layout.NewFormLayout(),
		form.NewLabel("Local entity", true), container.NewBorder(nil, nil, nil, p.createBtn, p.localSel),
		form.NewLabel("Primary key", true), p.keySel,
		form.NewLabel("Sync direction", true), p.dirSel,
		form.NewLabel("Filters", false), p.filters,
	)

	p.fields = newFieldsTable(p)
	mapSuggested := widget.NewButtonWithIcon("Map suggested", theme.ContentPasteIcon(), p.onMapSuggested)
	dlFilter := widget.NewButtonWithIcon("Download filter…", theme.DownloadIcon(), func() { p.editFilter(mapping.Download) })
	ulFilter := widget.NewButtonWithIcon("Upload filter…", theme.UploadIcon(), func() { p.editFilter(mapping.Upload) })
	p.exportBtn = widget.NewButtonWithIcon("Export entity…", theme.DocumentSaveIcon(), p.onExport)
	p.importBtn = widget.NewButtonWithIcon("Import entity…", theme.FolderOpenIcon(), p.onImport)
	p.saveBtn = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() { p.save(nil) })
	p.saveBtn.Importance = widget.HighImportance
	actions := newToolbar(mapSuggested, dlFilter, ulFilter, nil, p.exportBtn, p.importBtn)
	p.sc.shell.writes(p.createBtn, mapSuggested, p.importBtn, p.saveBtn)
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	p.marker = newUnsavedMarker()

	fieldsTitle := widget.NewLabelWithStyle("Fields", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	top := container.NewVBox(p.title, formBox, p.warnings, widget.NewSeparator(), container.NewBorder(nil, nil, fieldsTitle, nil, actions))
	bottom := container.NewBorder(nil, nil, nil, container.NewHBox(p.marker, p.saveBtn), p.status)
	p.root = container.NewBorder(top, bottom, nil, nil, p.fields.view)
}

// show loads the mapping of ext (em when mapped) as a new draft.
func (p *entityPane) show(ext meta.Entity, em mapping.EntityMapping, mapped bool) {
	p.ext, p.mapped, p.dirty, p.newLocal = ext, mapped, false, nil
	if !mapped {
		em = mapping.EntityMapping{External: ext.Name, Direction: mapping.Download, PrimaryKey: mapping.ExternalKeyField}
	}
	p.draft = em
	p.draft.Fields = slices.Clone(em.Fields)
	state := "not mapped yet: pick a local entity, or create one from the external entity"
	switch {
	case mapped && em.Disabled:
		state = "mapped, disabled"
	case mapped:
		state = "mapped, enabled"
	}
	p.title.Segments[0].(*widget.TextSegment).Text = fmt.Sprintf("%s — %s", ext.Name, state)
	p.title.Refresh()

	names := make([]string, len(p.sc.locals))
	for i, l := range p.sc.locals {
		names[i] = l.Name
	}
	p.localSel.OnChanged = nil
	p.localSel.Options = names
	p.localSel.ClearSelected()
	if em.Local != "" {
		p.localSel.SetSelected(em.Local)
	}
	p.localSel.OnChanged = p.onLocal
	p.setLocal(em.Local)

	p.dirSel.OnChanged = nil
	p.dirSel.SetSelected(string(p.draft.Direction))
	p.dirSel.OnChanged = func(d string) { p.draft.Direction = mapping.Direction(d); p.setDirty() }
	p.updateFilters()
	p.setStatus("", widget.MediumImportance)
	p.showFindings()
	p.updateButtons()
}

// showFindings shows what checking the mapping warns about this entity.
func (p *entityPane) showFindings() {
	if p.ext.Name == "" {
		p.warnings.Hide()
		return
	}
	var lines []string
	for _, f := range p.sc.entityWarnings(p.ext.Name) {
		lines = append(lines, "Warning: "+findingText(f))
	}
	showMessage(p.warnings, strings.Join(lines, "\n"))
}

// setLocal makes the local entity called name the draft's target and
// computes the suggestions for it.
func (p *entityPane) setLocal(name string) {
	p.draft.Local = name
	p.loc, _ = p.sc.local(name)
	if p.newLocal != nil && p.newLocal.Name == name {
		p.loc = *p.newLocal
	}
	p.sugg = map[string]mapping.Suggestion{}
	if p.loc.Name != "" {
		for _, s := range mapping.Suggest(p.ext, p.loc, mapping.SuggestOptions{Mapped: mappedEntities(p.sc.in), PrimaryKey: p.draft.PrimaryKey}) {
			p.sugg[s.External] = s
		}
	}
	keys := p.loc.FieldNames()
	if p.draft.PrimaryKey != "" && !slices.Contains(keys, p.draft.PrimaryKey) {
		keys = append([]string{p.draft.PrimaryKey}, keys...)
	}
	p.keySel.OnChanged = nil
	p.keySel.Options = keys
	p.keySel.ClearSelected()
	if p.draft.PrimaryKey != "" {
		p.keySel.SetSelected(p.draft.PrimaryKey)
	}
	p.keySel.OnChanged = func(k string) { p.draft.PrimaryKey = k; p.setDirty() }
	p.fields.reset()
}

func (p *entityPane) onLocal(name string) {
	p.setLocal(strings.TrimSuffix(name, newSuffix))
	p.setDirty()
}

// newSuffix marks, in the local entity picker, the entity Save will create.
const newSuffix = " (new)"

// onCreate plans a local entity made from the external one (typed fields, a
// field for the external key, lookups to the entities already mapped) with
// every field mapped to it, as the draft: like every other edit, Save
// creates and saves it, Discard forgets it.
func (p *entityPane) onCreate() {
	if p.mapped {
		p.sc.shell.showError("Could not create a local entity", fmt.Errorf("%s already maps to %s", p.ext.Name, p.draft.Local),
			"Pick another local entity in the list, or export this mapping, delete it and enable the entity again.")
		return
	}
	name := mapping.LocalName(p.ext.Name)
	if _, exists := p.sc.local(name); exists {
		p.sc.shell.showError("Could not create a local entity for "+p.ext.Name, fmt.Errorf("the local entity %q exists already", name),
			"Pick it in the Local entity list: its fields are suggested for the external ones.")
		return
	}
	loc, em, err := mapping.FromExternal(p.ext, name, mappedEntities(p.sc.in))
	if err != nil {
		p.sc.shell.showError("Could not create a local entity for "+p.ext.Name, err, "Pick an existing local entity in the list instead, or refresh the schema.")
		return
	}
	em.Direction, em.DownloadFilter, em.UploadFilter = p.draft.Direction, p.draft.DownloadFilter, p.draft.UploadFilter
	p.newLocal = &loc
	p.draft = em
	p.localSel.OnChanged = nil
	if !slices.Contains(p.localSel.Options, name+newSuffix) {
		p.localSel.Options = append(p.localSel.Options, name+newSuffix)
	}
	p.localSel.SetSelected(name + newSuffix)
	p.localSel.OnChanged = p.onLocal
	p.setLocal(name)
	p.setDirty()
	p.setStatus(fmt.Sprintf("Planned the local entity %s with %d fields, all mapped: Save creates it.", name, len(loc.Fields)), widget.SuccessImportance)
}

// onMapSuggested maps every unmapped field whose best suggestion scores at
// least mapping.SuggestThreshold; Save keeps the result.
func (p *entityPane) onMapSuggested() {
	if p.loc.Name == "" {
		p.setStatus("Pick a local entity first: suggestions compare the external fields with its fields.", widget.WarningImportance)
		return
	}
	ss := make([]mapping.Suggestion, 0, len(p.ext.Fields))
	for _, f := range p.ext.Fields {
		if s, ok := p.sugg[f.Name]; ok {
			ss = append(ss, s)
		}
	}
	added := admin.SuggestedFields(p.draft, ss, mapping.SuggestThreshold)
	p.draft.Fields = append(p.draft.Fields, added...)
	p.fields.list.Refresh()
	if len(added) == 0 {
		p.setStatus(fmt.Sprintf("No suggestion scores %d or more for the fields left unmapped: pick their local fields by hand.", mapping.SuggestThreshold), widget.WarningImportance)
		return
	}
	p.setDirty()
	p.setStatus(fmt.Sprintf("Mapped %d fields from the suggestions: check them, then Save.", len(added)), widget.SuccessImportance)
}

// save saves the draft off the UI goroutine; done, when not nil, is told whether it did.
func (p *entityPane) save(done func(saved bool)) {
	if done == nil {
		done = func(bool) {}
	}
	if p.ext.Name == "" {
		done(true)
		return
	}
	if p.draft.Local == "" {
		p.setStatus("Pick a local entity (or click Create from external) before saving.", widget.DangerImportance)
		done(false)
		return
	}
	p.sc.saveMapping(p.draft, fmt.Sprintf("Saved the mapping of %s (%d fields)", p.ext.Name, len(p.draft.Fields)), done)
}

// setDirty marks the draft changed.
func (p *entityPane) setDirty() {
	p.dirty = true
	p.updateButtons()
	p.sc.entities.list.Refresh()
}

func (p *entityPane) updateButtons() {
	setMarker(p.marker, p.dirty)
	if p.mapped && !p.dirty {
		p.exportBtn.Enable()
	} else {
		p.exportBtn.Disable()
	}
	if p.sc.saving {
		p.saveBtn.SetText(savingText)
	} else {
		p.saveBtn.SetText("Save")
	}
	if (p.dirty || !p.mapped) && !p.sc.saving {
		p.saveBtn.Enable()
	} else {
		p.saveBtn.Disable()
	}
}

// updateFilters shows the draft's filters.
func (p *entityPane) updateFilters() {
	show := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return "none"
		}
		return s
	}
	p.filters.SetText(fmt.Sprintf("Download: %s    Upload: %s", show(p.draft.DownloadFilter), show(p.draft.UploadFilter)))
}

// setStatus shows text under the fields table.
func (p *entityPane) setStatus(text string, imp widget.Importance) {
	p.status.Importance = imp
	p.status.SetText(text)
}

// fieldIndex is the index in the draft of the mapping of the external field name, -1 when none.
func (p *entityPane) fieldIndex(name string) int {
	for i, f := range p.draft.Fields {
		if f.External == name {
			return i
		}
	}
	return -1
}
