package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/mapping"
	"switchyard/core/meta"
)

// notMapped is the local field picker's first choice: the field is not mapped.
const notMapped = "— not mapped —"

// fieldsTable is the Map metadata fields table: per external field an enable
// check, its name and type, the local field picker (suggestions with their
// scores first, then every other local field), the match and the lookup target.
type fieldsTable struct {
	p    *entityPane
	list *widget.List
	view fyne.CanvasObject
	// choices caches each external field's picker options and what they stand for.
	choices map[string]fieldChoices
}

// fieldChoices are one external field's picker options and the local field each names.
type fieldChoices struct {
	options []string
	local   map[string]string
	cand    map[string]mapping.Candidate
}

// fieldsColumns are the fields table's columns.
var fieldsColumns = []column{{"On", 44}, {"External field", 150}, {"Type", 80}, {"Local field", 220}, {"Match", 110}, {"Lookup target", 120}}

func newFieldsTable(p *entityPane) *fieldsTable {
	t := &fieldsTable{p: p, choices: map[string]fieldChoices{}}
	widths := make([]float32, len(fieldsColumns))
	for i, c := range fieldsColumns {
		widths[i] = c.width
	}
	header := container.New(&columnsLayout{widths: widths})
	for _, c := range fieldsColumns {
		l := widget.NewLabelWithStyle(c.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Truncation = fyne.TextTruncateEllipsis
		header.Add(l)
	}
	t.list = widget.NewList(
		func() int { return len(p.ext.Fields) },
		func() fyne.CanvasObject {
			row := container.New(&columnsLayout{widths: widths})
			row.Add(widget.NewCheck("", nil))
			for range 2 {
				l := widget.NewLabel("")
				l.Truncation = fyne.TextTruncateEllipsis
				row.Add(l)
			}
			row.Add(newKeySelect(nil, nil))
			for range 2 {
				l := widget.NewLabel("")
				l.Truncation = fyne.TextTruncateEllipsis
				row.Add(l)
			}
			return row
		},
		t.update,
	)
	t.list.OnSelected = func(widget.ListItemID) { t.list.UnselectAll() }
	t.view = container.NewBorder(container.NewVBox(header, widget.NewSeparator()), nil, nil, nil, t.list)
	return t
}

// reset forgets the cached choices (the local entity changed) and redraws.
func (t *fieldsTable) reset() {
	t.choices = map[string]fieldChoices{}
	t.list.Refresh()
	t.list.ScrollToTop()
}

// update fills row id of the table.
func (t *fieldsTable) update(id widget.ListItemID, o fyne.CanvasObject) {
	p := t.p
	if id >= len(p.ext.Fields) {
		return
	}
	f := p.ext.Fields[id]
	objs := o.(*fyne.Container).Objects
	check, name, typ := objs[0].(*widget.Check), objs[1].(*widget.Label), objs[2].(*widget.Label)
	sel, match, lookup := objs[3].(*keySelect), objs[4].(*widget.Label), objs[5].(*widget.Label)

	idx := p.fieldIndex(f.Name)
	var fm mapping.FieldMapping
	if idx >= 0 {
		fm = p.draft.Fields[idx]
	}
	check.OnChanged = nil
	check.SetChecked(idx >= 0 && !fm.Disabled)
	check.OnChanged = func(on bool) { t.setEnabled(f, on) }

	name.SetText(f.Name)
	name.TextStyle.Bold = !f.Nullable
	typ.SetText(string(f.Type))

	ch := t.choicesFor(f)
	sel.OnChanged = nil
	sel.Options = ch.options
	sel.Selected = ""
	if fm.Local != "" {
		sel.Selected = ch.label(fm.Local)
	}
	sel.PlaceHolder = notMapped
	sel.Refresh()
	sel.OnChanged = func(label string) { t.setLocal(f, label) }

	match.Importance = widget.LowImportance
	switch c, ok := ch.cand[fm.Local]; {
	case fm.Local == "":
		best, has := p.sugg[f.Name].Best()
		if has {
			match.SetText(fmt.Sprintf("suggested: %s", best.Local))
		} else {
			match.SetText("")
		}
	case ok:
		match.Importance = scoreImportance(c.Score)
		match.SetText(fmt.Sprintf("%d%% %s", c.Score, scoreWord(c.Score)))
	case p.loc.Name != "" && !hasField(p.loc, fm.Local):
		match.Importance = widget.WarningImportance
		match.SetText("new local field")
	default:
		match.SetText("picked")
	}
	switch {
	case fm.Lookup != "":
		lookup.SetText(f.Target + " > " + fm.Lookup)
	default:
		lookup.SetText(f.Target)
	}
}

// scoreImportance colours a suggestion's score.
func scoreImportance(score int) widget.Importance {
	switch {
	case score >= 90:
		return widget.SuccessImportance
	case score >= mapping.SuggestThreshold:
		return widget.MediumImportance
	}
	return widget.WarningImportance
}

// scoreWord says in a word how good a suggestion's score is.
func scoreWord(score int) string {
	switch {
	case score >= 90:
		return "sure"
	case score >= mapping.SuggestThreshold:
		return "likely"
	}
	return "weak"
}

// hasField reports whether e has a field called name.
func hasField(e meta.Entity, name string) bool {
	_, ok := e.Field(name)
	return ok
}

// label is the picker option that stands for the local field local.
func (c fieldChoices) label(local string) string {
	for _, o := range c.options {
		if c.local[o] == local {
			return o
		}
	}
	return local
}

// choicesFor returns the picker options of the external field f: not
// mapped, the suggestions with their scores, then the other local fields.
func (t *fieldsTable) choicesFor(f meta.Field) fieldChoices {
	if c, ok := t.choices[f.Name]; ok {
		return c
	}
	c := fieldChoices{options: []string{notMapped}, local: map[string]string{notMapped: ""}, cand: map[string]mapping.Candidate{}}
	seen := map[string]bool{}
	for _, cand := range t.p.sugg[f.Name].Candidates {
		label := fmt.Sprintf("%s  (%d%%)", cand.Local, cand.Score)
		c.options = append(c.options, label)
		c.local[label] = cand.Local
		c.cand[cand.Local] = cand
		seen[cand.Local] = true
	}
	for _, lf := range t.p.loc.Fields {
		if seen[lf.Name] || lf.ReadOnly {
			continue
		}
		c.options = append(c.options, lf.Name)
		c.local[lf.Name] = lf.Name
	}
	if idx := t.p.fieldIndex(f.Name); idx >= 0 {
		if l := t.p.draft.Fields[idx].Local; l != "" && !seen[l] && c.local[l] == "" {
			c.options = append(c.options, l)
			c.local[l] = l
		}
	}
	t.choices[f.Name] = c
	return c
}

// setEnabled turns the mapping of the external field f on or off. Turning
// on a field without a mapping maps it to its best suggestion, else to a new
// local field of the same name (Save adds it to the local entity).
func (t *fieldsTable) setEnabled(f meta.Field, on bool) {
	p := t.p
	idx := p.fieldIndex(f.Name)
	switch {
	case idx >= 0:
		p.draft.Fields[idx].Disabled = !on
	case on:
		fm := mapping.FieldMapping{External: f.Name, Local: mapping.LocalName(f.Name)}
		if best, ok := p.sugg[f.Name].Best(); ok {
			fm.Local, fm.Lookup = best.Local, best.Lookup
		}
		p.draft.Fields = append(p.draft.Fields, fm)
	default:
		return
	}
	p.setDirty()
	t.list.Refresh()
}

// setLocal maps the external field f to the local field the picker option label names.
func (t *fieldsTable) setLocal(f meta.Field, label string) {
	p := t.p
	ch := t.choicesFor(f)
	local := ch.local[label]
	if local == "" && label != notMapped {
		local = strings.TrimSpace(label)
	}
	idx := p.fieldIndex(f.Name)
	if local == "" {
		if idx >= 0 {
			p.draft.Fields = append(p.draft.Fields[:idx], p.draft.Fields[idx+1:]...)
		}
	} else {
		if idx < 0 {
			p.draft.Fields = append(p.draft.Fields, mapping.FieldMapping{External: f.Name})
			idx = len(p.draft.Fields) - 1
		}
		fm := &p.draft.Fields[idx]
		fm.Local, fm.Disabled, fm.Lookup = local, false, ""
		if c, ok := ch.cand[local]; ok {
			fm.Lookup = c.Lookup
		} else if lf, ok := p.loc.Field(local); ok && lf.Type == meta.Lookup {
			fm.Lookup = lf.Target
		}
	}
	p.setDirty()
	t.list.Refresh()
}
