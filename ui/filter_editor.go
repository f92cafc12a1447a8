package ui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/filter"
	"switchyard/core/meta"
)

// countDelay is how long the filter editor waits after the last keystroke before counting.
const countDelay = 400 * time.Millisecond

// counter counts the records a filter text matches.
type counter func(ctx context.Context, text string) (int64, error)

// operator is one choice of a condition row's operator picker.
type operator struct {
	label string
	op    string // eq, ne, gt, ge, lt, le, or a text function name
	null  bool   // eq null / ne null: no value
}

var (
	opsEqual   = []operator{{"equals", "eq", false}, {"does not equal", "ne", false}}
	opsOrder   = []operator{{"greater than", "gt", false}, {"at least", "ge", false}, {"less than", "lt", false}, {"at most", "le", false}}
	opsText    = []operator{{"contains", filter.FuncContains, false}, {"starts with", filter.FuncStartsWith, false}, {"ends with", filter.FuncEndsWith, false}}
	opsPresent = []operator{{"is empty", "eq", true}, {"is not empty", "ne", true}}
)

// operatorsFor returns the operators that apply to a field of type t.
func operatorsFor(t meta.Type) []operator {
	var ops []operator
	ops = append(ops, opsEqual...)
	switch t {
	case meta.String:
		ops = append(ops, opsText...)
		ops = append(ops, opsOrder...)
	case meta.Int, meta.Decimal, meta.Double, meta.Date, meta.DateTime, meta.Time:
		ops = append(ops, opsOrder...)
	case meta.Binary:
		ops = nil
	}
	return append(ops, opsPresent...)
}

// filterEditor edits one filter of one entity: condition rows (field,
// operator, value) joined by and/or, and the text they spell, validated as
// the admin types, with the number of matching records when it can be counted.
type filterEditor struct {
	ent   meta.Entity
	count counter

	rows     []*conditionRow
	rowsBox  *fyne.Container
	noRows   *widget.Label
	addBtn   *widget.Button
	join     *widget.RadioGroup
	text     *keyEntry
	problem  *widget.Label
	matching *widget.Label
	note     *widget.Label
	// quoteBtn puts a bare word that is no field (city eq Berlin) in quotes.
	quoteBtn *widget.Button
	// unquoted are the bare words of the text that name no field.
	unquoted []*filter.Field
	root     fyne.CanvasObject
	// values, when set, finds values a field holds (recent values) for the
	// value pickers and gives them to show, perhaps later (off the UI goroutine).
	values valueSource

	// syncing is true while the rows write the text, so that the text does not rebuild the rows.
	syncing bool
	// valid is true when the text is a filter valid for the entity.
	valid bool
	// gen numbers count requests, so that only the latest one is shown.
	gen   int
	timer *time.Timer
	// onValid, when set, is told whether the text is valid after every change.
	onValid func(bool)
}

// newFilterEditor returns an editor of text, a filter of ent; count may be nil.
func newFilterEditor(ent meta.Entity, text string, count counter) *filterEditor {
	return newFilterEditorWith(ent, text, count, nil)
}

// valueSource finds values field holds and calls show with them on the UI
// goroutine, at once or once it has read them.
type valueSource func(field string, show func(values []string))

// newFilterEditorWith is newFilterEditor whose value pickers offer the values
// of values; values may be nil.
func newFilterEditorWith(ent meta.Entity, text string, count counter, values valueSource) *filterEditor {
	fe := &filterEditor{ent: ent, count: count, values: values}
	fe.rowsBox = container.NewVBox()
	fe.addBtn = widget.NewButtonWithIcon("Add condition", theme.ContentAddIcon(), func() {
		fe.addRow(ent.Fields[0].Name, "", "")
		fe.rowsChanged()
	})
	if len(ent.Fields) == 0 {
		fe.addBtn.Disable()
	}
	fe.join = widget.NewRadioGroup([]string{"all conditions (and)", "any condition (or)"}, func(string) { fe.rowsChanged() })
	fe.join.Horizontal = true
	fe.join.Required = true
	fe.syncing = true
	fe.join.SetSelected("all conditions (and)")
	fe.syncing = false
	fe.text = newKeyMultiLineEntry()
	fe.text.SetMinRowsVisible(3)
	fe.text.Wrapping = fyne.TextWrapWord
	fe.text.SetPlaceHolder("e.g. statecode eq 0 and modifiedon ge now() sub duration'P30D' — empty moves every record")
	fe.text.OnChanged = fe.textChanged
	fe.problem = widget.NewLabel("")
	fe.problem.Wrapping = fyne.TextWrapWord
	fe.quoteBtn = widget.NewButtonWithIcon("", theme.ContentRedoIcon(), fe.quoteWords)
	fe.quoteBtn.Hide()
	fe.matching = widget.NewLabel("")
	fe.note = widget.NewLabel("")
	fe.note.Importance = widget.LowImportance
	fe.note.Wrapping = fyne.TextWrapWord

	fe.noRows = widget.NewLabel("No conditions: every record is moved. Click Add condition, or type a filter below.")
	fe.noRows.Importance = widget.LowImportance
	match := container.NewHBox(widget.NewLabel("Match"), fe.join)
	rows := container.NewVScroll(container.NewVBox(fe.noRows, fe.rowsBox))
	rows.SetMinSize(fyne.NewSize(700, 170))
	top := container.NewVBox(match, rows, container.NewHBox(fe.addBtn), fe.note, widget.NewSeparator(),
		widget.NewLabelWithStyle("Filter text", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), fe.text)
	fe.root = container.NewVBox(top, fe.problem, container.NewHBox(fe.quoteBtn), fe.matching)

	fe.syncing = true
	fe.text.SetText(text)
	fe.syncing = false
	fe.textChanged(text)
	return fe
}

// Text returns the filter text.
func (fe *filterEditor) Text() string { return strings.TrimSpace(fe.text.Text) }

// conditionRow is one condition: a field, an operator and a value.
type conditionRow struct {
	fe    *filterEditor
	field *keySelect
	op    *keySelect
	// value is typed, or picked from the field's options and recent values.
	value  *widget.SelectEntry
	choice *keySelect // the value of a bool field
	box    *fyne.Container
	ops    []operator
	// picks maps a picker option (an option set's "1 — Active") to the value it writes.
	picks map[string]string
	// options are the value's drop-down choices.
	options []string
}

// addRow adds a condition row for field, op (an operator label, "" for the first) and value.
func (fe *filterEditor) addRow(field, opLabel, value string) *conditionRow {
	r := &conditionRow{fe: fe}
	r.field = newKeySelect(fe.ent.FieldNames(), nil)
	r.op = newKeySelect(nil, nil)
	r.value = widget.NewSelectEntry(nil)
	r.choice = newKeySelect([]string{"true", "false"}, nil)
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { fe.removeRow(r) })
	valueBox := container.NewStack(r.value, r.choice)
	r.box = container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(330, r.field.MinSize().Height), container.NewGridWithColumns(2, r.field, r.op)), remove, valueBox)
	r.field.SetSelected(field)
	r.setField(field, opLabel, value)
	r.field.OnChanged = func(f string) { r.setField(f, "", ""); fe.rowsChanged() }
	r.op.OnChanged = func(string) { r.updateValue(); fe.rowsChanged() }
	r.value.OnChanged = func(string) { fe.rowsChanged() }
	r.choice.OnChanged = func(string) { fe.rowsChanged() }
	fe.rows = append(fe.rows, r)
	fe.rowsBox.Add(r.box)
	fe.noRows.Hide()
	return r
}

// setField sets the row's operators for the type of field.
func (r *conditionRow) setField(field, opLabel, value string) {
	f, _ := r.fe.ent.Field(field)
	r.ops = operatorsFor(f.Type)
	labels := make([]string, len(r.ops))
	for i, o := range r.ops {
		labels[i] = o.label
	}
	r.op.Options = labels
	if opLabel == "" && len(labels) > 0 {
		opLabel = labels[0]
	}
	r.op.Selected = opLabel
	r.op.Refresh()
	r.value.SetPlaceHolder(placeholderFor(f.Type))
	r.setPicks(f)
	r.value.Text = value
	r.value.Refresh()
	r.choice.Selected = value
	r.choice.Refresh()
	r.updateValue()
}

// setPicks offers the values field f can take in the value's drop-down: an
// option set's members ("1 — Active"), else the values the field holds in
// the workspace, the most frequent first.
func (r *conditionRow) setPicks(f meta.Field) {
	r.picks = map[string]string{}
	var opts []string
	for _, m := range f.Enum {
		label := m.Value
		if m.Name != "" && m.Name != m.Value {
			label = m.Value + " — " + m.Name
		}
		opts = append(opts, label)
		r.picks[label] = m.Value
	}
	r.options = opts
	r.value.SetOptions(opts)
	if len(opts) == 0 && r.fe.values != nil && f.Name != "" {
		r.fe.values(f.Name, func(vs []string) {
			if r.field.Selected == f.Name && len(r.options) == 0 {
				r.options = vs
				r.value.SetOptions(vs)
			}
		})
	}
}

// placeholderFor shows how a value of type t is written.
func placeholderFor(t meta.Type) string {
	switch t {
	case meta.Int:
		return "a whole number, e.g. 42"
	case meta.Decimal, meta.Double:
		return "a number, e.g. 9.95"
	case meta.Date:
		return "YYYY-MM-DD, e.g. 2024-01-31"
	case meta.DateTime:
		return "e.g. 2024-01-31T09:30:00Z or now() sub duration'P30D'"
	case meta.Time:
		return "HH:MM, e.g. 09:30"
	case meta.GUID, meta.Lookup:
		return "a GUID, e.g. aea00b94-3481-5df7-b7e1-89ec3da7558f"
	}
	return "text, without quotes"
}

// operator returns the row's operator.
func (r *conditionRow) operator() (operator, bool) {
	for _, o := range r.ops {
		if o.label == r.op.Selected {
			return o, true
		}
	}
	return operator{}, false
}

// updateValue shows the value widget that fits the field and operator.
func (r *conditionRow) updateValue() {
	f, _ := r.fe.ent.Field(r.field.Selected)
	o, _ := r.operator()
	r.value.Hide()
	r.choice.Hide()
	switch {
	case o.null:
	case f.Type == meta.Bool:
		r.choice.Show()
	default:
		r.value.Show()
	}
}

// term is the row's condition as filter text; "" while incomplete.
func (r *conditionRow) term() string {
	f, ok := r.fe.ent.Field(r.field.Selected)
	o, okOp := r.operator()
	if !ok || !okOp {
		return ""
	}
	if o.null {
		return fmt.Sprintf("%s %s null", f.Name, o.op)
	}
	value := strings.TrimSpace(r.value.Text)
	if v, ok := r.picks[value]; ok {
		value = v
	}
	if f.Type == meta.Bool {
		value = r.choice.Selected
	}
	if value == "" {
		return ""
	}
	lit := value
	if f.Type == meta.String {
		lit = "'" + strings.ReplaceAll(value, "'", "''") + "'"
	}
	switch o.op {
	case filter.FuncContains, filter.FuncStartsWith, filter.FuncEndsWith:
		return fmt.Sprintf("%s(%s,%s)", o.op, f.Name, lit)
	}
	return fmt.Sprintf("%s %s %s", f.Name, o.op, lit)
}

func (fe *filterEditor) removeRow(r *conditionRow) {
	for i, x := range fe.rows {
		if x == r {
			fe.rows = append(fe.rows[:i], fe.rows[i+1:]...)
		}
	}
	fe.rowsBox.Remove(r.box)
	if len(fe.rows) == 0 {
		fe.noRows.Show()
	}
	fe.rowsChanged()
}

// rowsChanged writes the rows' conditions into the text.
func (fe *filterEditor) rowsChanged() {
	if fe.syncing {
		return
	}
	var terms []string
	for _, r := range fe.rows {
		if t := r.term(); t != "" {
			terms = append(terms, t)
		}
	}
	join := " and "
	if strings.HasPrefix(fe.join.Selected, "any") {
		join = " or "
	}
	fe.syncing = true
	fe.text.SetText(strings.Join(terms, join))
	fe.syncing = false
	fe.validate(fe.text.Text)
}

// textChanged validates the typed text and shows it as rows when it is made of simple conditions.
func (fe *filterEditor) textChanged(text string) {
	if fe.syncing {
		return
	}
	fe.validate(text)
	e, err := filter.Parse(text)
	if err != nil {
		return
	}
	conds, op, ok := simpleConditions(e)
	fe.syncing = true
	defer func() { fe.syncing = false }()
	if !ok {
		fe.setRowsEnabled(false)
		fe.note.SetText("This filter goes beyond simple conditions (nested and/or, not, in, functions): edit it as text.")
		return
	}
	fe.setRowsEnabled(true)
	fe.note.SetText("")
	fe.rows = nil
	fe.rowsBox.RemoveAll()
	fe.noRows.Show()
	for _, c := range conds {
		fe.addRow(c.field, c.op, c.value)
	}
	if op == filter.Or {
		fe.join.SetSelected("any condition (or)")
	} else {
		fe.join.SetSelected("all conditions (and)")
	}
}

func (fe *filterEditor) setRowsEnabled(on bool) {
	if on {
		fe.addBtn.Enable()
		fe.rowsBox.Show()
	} else {
		fe.addBtn.Disable()
		fe.rowsBox.Hide()
		fe.noRows.Hide()
	}
}

// validate checks text against the entity and, when valid, counts its matches after a pause.
func (fe *filterEditor) validate(text string) {
	e, err := filter.Parse(text)
	if err == nil {
		err = filter.Check(e, fe.ent)
	}
	fe.valid = err == nil
	if fe.onValid != nil {
		fe.onValid(fe.valid)
	}
	fe.unquoted = nil
	if parsed, perr := filter.Parse(text); perr == nil && err != nil {
		fe.unquoted = unquotedWords(parsed, fe.ent)
	}
	if len(fe.unquoted) > 0 {
		w := fe.unquoted[0].Name
		fe.quoteBtn.SetText(fmt.Sprintf("Put '%s' in quotes", w))
		fe.quoteBtn.Show()
	} else {
		fe.quoteBtn.Hide()
	}
	fe.gen++
	if fe.timer != nil {
		fe.timer.Stop()
	}
	if err != nil {
		fe.problem.Importance = widget.DangerImportance
		msg := filterProblem(err)
		if len(fe.unquoted) > 0 {
			w := fe.unquoted[0].Name
			msg = fmt.Sprintf("%s is not a field of %s: a text value goes in single quotes, '%s'.\n%s", w, fe.ent.Name, w, msg)
		}
		fe.problem.SetText(msg)
		fe.matching.SetText("")
		return
	}
	fe.problem.Importance = widget.SuccessImportance
	if strings.TrimSpace(text) == "" {
		fe.problem.SetText("No filter: every record is moved.")
	} else {
		fe.problem.SetText("Valid filter.")
	}
	if fe.count == nil {
		fe.matching.SetText("")
		return
	}
	fe.matching.Importance = widget.LowImportance
	fe.matching.SetText("Counting the matching records…")
	gen := fe.gen
	fe.timer = time.AfterFunc(countDelay, func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		n, err := fe.count(ctx, text)
		fyne.Do(func() {
			if gen != fe.gen {
				return
			}
			switch {
			case errors.Is(err, admin.ErrUncountable):
				fe.matching.SetText("The system does not say how many records match.")
			case err != nil:
				fe.matching.SetText("Could not count the matching records: " + err.Error())
			default:
				fe.matching.Importance = widget.MediumImportance
				fe.matching.SetText(fmt.Sprintf("%d matching records", n))
			}
		})
	})
}

// unquotedWords returns the bare words of e compared with a field that name
// no field of ent: text values typed without their quotes (city eq Berlin).
func unquotedWords(e filter.Expr, ent meta.Entity) []*filter.Field {
	var out []*filter.Field
	known := func(x filter.Expr) bool {
		f, ok := x.(*filter.Field)
		if !ok {
			return true
		}
		_, has := ent.Field(f.Name)
		return has
	}
	bare := func(x filter.Expr) {
		if f, ok := x.(*filter.Field); ok && !known(f) {
			out = append(out, f)
		}
	}
	var walk func(x filter.Expr)
	walk = func(x filter.Expr) {
		switch v := x.(type) {
		case *filter.Logical:
			for _, t := range v.Terms {
				walk(t)
			}
		case *filter.Not:
			walk(v.X)
		case *filter.Compare:
			if _, isField := v.Left.(*filter.Field); isField && known(v.Left) {
				bare(v.Right)
			} else if _, isField := v.Right.(*filter.Field); isField && known(v.Right) {
				bare(v.Left)
			}
		case *filter.Call:
			for _, a := range v.Args[min(1, len(v.Args)):] {
				bare(a)
			}
		case *filter.In:
			for _, a := range v.List {
				bare(a)
			}
		}
	}
	walk(e)
	sort.Slice(out, func(i, j int) bool { return out[i].At < out[j].At })
	return out
}

// quoteWords puts the bare words that name no field in quotes, in the text.
func (fe *filterEditor) quoteWords() {
	text := []rune(fe.text.Text)
	// From the last to the first, so that the columns before stay right.
	ws := append([]*filter.Field{}, fe.unquoted...)
	for i := len(ws) - 1; i >= 0; i-- {
		w := ws[i]
		at := w.At - 1
		end := at + len([]rune(w.Name))
		if at < 0 || end > len(text) || string(text[at:end]) != w.Name {
			continue
		}
		quoted := []rune("'" + strings.ReplaceAll(w.Name, "'", "''") + "'")
		text = append(text[:at], append(quoted, text[end:]...)...)
	}
	fe.text.SetText(string(text))
}

// filterProblem words a filter's errors, each with its column.
func filterProblem(err error) string {
	var es filter.Errors
	var one *filter.Error
	switch {
	case errors.As(err, &es):
		var lines []string
		for _, e := range es {
			lines = append(lines, fmt.Sprintf("Column %d: %s", e.Column, e.Msg))
		}
		return strings.Join(lines, "\n")
	case errors.As(err, &one):
		return fmt.Sprintf("Column %d: %s", one.Column, one.Msg)
	}
	return err.Error()
}

// windowCounter is count, cancelled also when the window closes: a count
// may ask the external system for up to a minute.
func (s *Shell) windowCounter(count counter) counter {
	if count == nil {
		return nil
	}
	window := s.ctx()
	return func(ctx context.Context, text string) (int64, error) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		defer context.AfterFunc(window, cancel)()
		return count(ctx, text)
	}
}

// showFilterDialog opens the filter editor in a dialog; done gets the text
// when the admin clicks Apply (or presses Enter outside the filter text).
func (s *Shell) showFilterDialog(title string, ent meta.Entity, text string, count counter, values valueSource, done func(string)) *filterEditor {
	fe := newFilterEditorWith(ent, text, s.windowCounter(count), values)
	_, apply := s.formDialog(title, "Apply", fe.root, fyne.NewSize(820, 560), func() bool {
		if !fe.valid {
			return false
		}
		done(fe.Text())
		return true
	})
	fe.onValid = func(ok bool) {
		if ok {
			apply.Enable()
		} else {
			apply.Disable()
		}
	}
	fe.onValid(fe.valid)
	s.win.Canvas().Focus(fe.text)
	s.filterEditor = fe
	return fe
}
