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
)

// The results table's columns that code refers to: the result and the error or warning.
const (
	colResult = 3
	colText   = 5
)

// copyText is the selected record's line, as Ctrl+C copies it.
func (t *resultsTable) copyText() string {
	if id := t.table.list.selectedID(); id >= 0 {
		return t.table.rowText(id)
	}
	return ""
}

// menu is the context menu of record row id of the page shown.
func (t *resultsTable) menu(id int) []*fyne.MenuItem {
	open := fyne.NewMenuItem("Open record", func() { t.table.onOpen(id) })
	open.Disabled = t.open == nil
	return []*fyne.MenuItem{
		open,
		fyne.NewMenuItem("Copy row", func() { copyToClipboard(t.table.rowText(id)) }),
	}
}

// resultsPageSize is how many records the results table shows per page.
const resultsPageSize = 500

// othersKept is how many of a run's records that neither failed nor were
// written with warnings the results table keeps; the report has them all.
const othersKept = 2000

// problemsKept bounds the failed records and those with warnings that the
// results table keeps in memory; the report and the run log have them all.
const problemsKept = 100_000

// outcomeRow is one record's line in the results table.
type outcomeRow struct {
	entity, key string
	// name is the record's primary name (its name, fullname, title…), looked
	// up in the workspace after a run; "" when it has none or is not there.
	name   string
	action engine.Action
	// fields names the changed fields.
	fields string
	// text is the record's error, or its warning.
	text string
}

func newOutcomeRow(r engine.RecordResult) outcomeRow {
	row := outcomeRow{entity: r.Entity, key: r.Key, action: r.Action, text: r.Error}
	if r.Action == engine.Warn || row.text == "" {
		row.text = r.Warning
	}
	if len(r.Changes) > 0 {
		names := make([]string, len(r.Changes))
		for i, c := range r.Changes {
			names[i] = c.Field
		}
		row.fields = strings.Join(names, ", ")
	} else if r.Action == engine.Create {
		row.fields = "all (a new record)"
	}
	return row
}

// outcomes collects a run's records as the engine hands them over (one call
// per record, with its final result): every record that failed or was
// written with warnings, and the first othersKept others.
type outcomes struct {
	fails, warns, others []outcomeRow
	// moreProblems and moreOthers count the records not kept.
	moreProblems, moreOthers int
}

// add keeps r if there is room for it, and counts it otherwise.
func (o *outcomes) add(r engine.RecordResult) {
	switch r.Action {
	case engine.Fail, engine.Warn:
		if len(o.fails)+len(o.warns) >= problemsKept {
			o.moreProblems++
			return
		}
		if r.Action == engine.Fail {
			o.fails = append(o.fails, newOutcomeRow(r))
		} else {
			o.warns = append(o.warns, newOutcomeRow(r))
		}
	default:
		if len(o.others) >= othersKept {
			o.moreOthers++
			return
		}
		o.others = append(o.others, newOutcomeRow(r))
	}
}

// keys returns, by entity, the keys of the records kept.
func (o *outcomes) keys() map[string][]string {
	out := map[string][]string{}
	for _, rows := range [][]outcomeRow{o.fails, o.warns, o.others} {
		for _, r := range rows {
			if r.key != "" {
				out[r.entity] = append(out[r.entity], r.key)
			}
		}
	}
	return out
}

// setNames gives the records kept their primary names, names[entity][key].
func (o *outcomes) setNames(names map[string]map[string]string) {
	for _, rows := range [][]outcomeRow{o.fails, o.warns, o.others} {
		for i := range rows {
			rows[i].name = names[rows[i].entity][rows[i].key]
		}
	}
}

// empty reports whether no record was collected.
func (o *outcomes) empty() bool {
	return o == nil || len(o.fails)+len(o.warns)+len(o.others)+o.moreProblems+o.moreOthers == 0
}

// outcomeFilter is one choice of the results table's outcome filter.
type outcomeFilter struct {
	label string
	// actions are the outcomes shown; all of them when nil.
	actions []engine.Action
}

// outcomeFilters are the results table's filters, in the picker's order.
var outcomeFilters = []outcomeFilter{
	{"All", nil},
	{"Failed", []engine.Action{engine.Fail}},
	{"With warnings", []engine.Action{engine.Warn}},
	{"Created", []engine.Action{engine.Create}},
	{"Updated", []engine.Action{engine.Update}},
	{"Unchanged", []engine.Action{engine.Unchanged}},
	{"Deleted", []engine.Action{engine.Delete}},
}

func (f outcomeFilter) matches(a engine.Action) bool {
	if f.actions == nil {
		return true
	}
	for _, x := range f.actions {
		if x == a {
			return true
		}
	}
	return false
}

// count is how many records of c the filter matches.
func (f outcomeFilter) count(c engine.Counts) int {
	if f.actions == nil {
		return c.All
	}
	switch f.actions[0] {
	case engine.Fail:
		return c.Failed
	case engine.Warn:
		return c.Warnings
	case engine.Create:
		return c.Imported + c.Exported
	case engine.Update:
		return c.Updated
	case engine.Unchanged:
		return c.Unchanged
	case engine.Delete:
		return c.Deleted
	}
	return 0
}

// resultsTable lists a run's or a preview's records, failed ones and those
// with warnings first, filtered by outcome, a page at a time.
type resultsTable struct {
	data    *outcomes
	counts  engine.Counts
	preview bool
	// shown are the records the filter lets through; page is the page shown.
	shown []outcomeRow
	page  int

	filter  *keySelect
	table   *rowList
	prevBtn *widget.Button
	nextBtn *widget.Button
	pager   *widget.Label
	// detail shows the whole line of the record selected, its error or warning unabridged.
	detail *widget.Label
	// hint tells about detail, when a record has an error or a warning.
	hint *widget.Label
	view fyne.CanvasObject
	// open, when set, opens a record (a double click, Enter): the record view.
	open func(r outcomeRow, preview bool)
}

func newResultsTable() *resultsTable {
	t := &resultsTable{data: &outcomes{}}
	t.table = newRowList([]column{{"Entity", 110}, {"Key", 200}, {"Name", 160}, {"Result", 170}, {"Changed fields", 150}, {"Error or warning", 320}},
		func() int { return t.pageLen() }, t.cell)
	t.table.keepWidth(colResult) // the result is what the admin reads first
	t.table.list.OnSelected = t.showDetail
	t.table.onOpen = func(id int) {
		if i := t.page*resultsPageSize + id; i >= 0 && i < len(t.shown) && t.open != nil {
			t.open(t.shown[i], t.preview)
		}
	}
	t.table.menu = t.menu
	t.detail = widget.NewLabel("")
	t.detail.Wrapping = fyne.TextWrapWord
	t.detail.Hide()
	labels := make([]string, len(outcomeFilters))
	for i, f := range outcomeFilters {
		labels[i] = f.label
	}
	t.filter = newKeySelect(labels, nil)
	t.filter.SetSelectedIndex(0)
	t.filter.OnChanged = func(string) { t.apply() }
	t.prevBtn = widget.NewButtonWithIcon("Previous", theme.NavigateBackIcon(), func() { t.turn(-1) })
	t.nextBtn = widget.NewButtonWithIcon("Next", theme.NavigateNextIcon(), func() { t.turn(1) })
	t.pager = widget.NewLabel("")
	t.pager.Truncation = fyne.TextTruncateEllipsis
	t.prevBtn.Hide()
	t.nextBtn.Hide()
	t.hint = hint("Select a record to read its whole error or warning; double-click it (or Enter) to see all its fields.")
	filterRow := container.NewBorder(nil, nil,
		container.NewHBox(widget.NewLabel("Show"), container.NewGridWrap(fyne.NewSize(220, t.filter.MinSize().Height), t.filter)), nil, t.hint)
	bottom := container.NewVBox(t.detail, container.NewBorder(nil, nil, container.NewHBox(t.prevBtn, t.nextBtn), nil, t.pager))
	t.view = container.NewBorder(filterRow, bottom, nil, nil, t.table.view)
	return t
}

// set shows the records of data, whose true counts are counts; preview says
// they are what a preview would do.
func (t *resultsTable) set(data *outcomes, counts engine.Counts, preview bool) {
	if data == nil {
		data = &outcomes{}
	}
	t.data, t.counts, t.preview = data, counts, preview
	if len(data.fails)+len(data.warns) > 0 {
		t.hint.Show()
	} else {
		t.hint.Hide()
	}
	title := "Result"
	if preview {
		title = "Would"
	}
	t.table.setTitle(colResult, title)
	labels := make([]string, len(outcomeFilters))
	for i, f := range outcomeFilters {
		labels[i] = fmt.Sprintf("%s (%s)", f.label, thousands(int64(f.count(counts))))
	}
	sel := t.filter.SelectedIndex()
	if sel < 0 {
		sel = 0
	}
	t.filter.OnChanged = nil
	t.filter.SetOptions(labels)
	t.filter.SetSelectedIndex(sel)
	t.filter.OnChanged = func(string) { t.apply() }
	t.apply()
}

// selected is the filter chosen.
func (t *resultsTable) selected() outcomeFilter {
	if i := t.filter.SelectedIndex(); i >= 0 && i < len(outcomeFilters) {
		return outcomeFilters[i]
	}
	return outcomeFilters[0]
}

// apply lists the records the filter lets through, from the first page.
func (t *resultsTable) apply() {
	f := t.selected()
	t.shown = t.shown[:0]
	for _, rows := range [][]outcomeRow{t.data.fails, t.data.warns, t.data.others} {
		for _, r := range rows {
			if f.matches(r.action) {
				t.shown = append(t.shown, r)
			}
		}
	}
	t.page = 0
	t.refresh()
}

// turn goes by pages of the records shown.
func (t *resultsTable) turn(by int) {
	t.page = max(0, min(t.page+by, t.pages()-1))
	t.refresh()
}

func (t *resultsTable) pages() int {
	return max(1, (len(t.shown)+resultsPageSize-1)/resultsPageSize)
}

func (t *resultsTable) pageLen() int {
	return max(0, min(resultsPageSize, len(t.shown)-t.page*resultsPageSize))
}

func (t *resultsTable) refresh() {
	if t.pages() > 1 {
		t.prevBtn.Show()
		t.nextBtn.Show()
	} else {
		t.prevBtn.Hide()
		t.nextBtn.Hide()
	}
	if t.page > 0 {
		t.prevBtn.Enable()
	} else {
		t.prevBtn.Disable()
	}
	if t.page < t.pages()-1 {
		t.nextBtn.Enable()
	} else {
		t.nextBtn.Disable()
	}
	t.pager.SetText(t.pagerText())
	t.table.list.UnselectAll()
	t.detail.Hide()
	t.table.list.Refresh()
	t.table.list.ScrollToTop()
}

// pagerText says which records the page shows, and which are not listed.
func (t *resultsTable) pagerText() string {
	f := t.selected()
	var text string
	switch n := len(t.shown); {
	case n == 0 && f.actions == nil:
		text = "No records."
	case n == 0:
		text = "No record has this outcome."
	default:
		from := t.page*resultsPageSize + 1
		text = fmt.Sprintf("Records %s–%s of %s", thousands(int64(from)), thousands(int64(from+t.pageLen()-1)), thousands(int64(n)))
		if f.actions == nil && len(t.data.fails)+len(t.data.warns) > 0 {
			text += ", failed ones and those with warnings first"
		}
	}
	if missing := f.count(t.counts) - len(t.shown); missing > 0 {
		text += fmt.Sprintf(" … and %s more in the report", thousands(int64(missing)))
	}
	return text
}

// showDetail shows the whole line of row id of the page shown.
func (t *resultsTable) showDetail(id widget.ListItemID) {
	i := t.page*resultsPageSize + id
	if i < 0 || i >= len(t.shown) {
		t.detail.Hide()
		return
	}
	r := t.shown[i]
	key := r.key
	if r.name != "" {
		key += " (" + r.name + ")"
	}
	text := fmt.Sprintf("%s %s: %s", r.entity, key, actionText(r.action, t.preview))
	if r.text != "" {
		text += " — " + r.text
	}
	if r.fields != "" {
		text += " (changed fields: " + r.fields + ")"
	}
	_, t.detail.Importance = t.cell(id, colText)
	t.detail.SetText(text)
	t.detail.Show()
	t.table.list.ScrollTo(id) // the detail took room from the table: keep the row in sight
}

// cell is one cell of the page shown.
func (t *resultsTable) cell(row, col int) (string, widget.Importance) {
	i := t.page*resultsPageSize + row
	if i >= len(t.shown) {
		return "", widget.MediumImportance
	}
	r := t.shown[i]
	switch col {
	case 0:
		return r.entity, widget.MediumImportance
	case 1:
		return r.key, widget.MediumImportance
	case 2:
		return r.name, widget.MediumImportance
	case colResult:
		return actionText(r.action, t.preview), actionImportance(r.action)
	case 4:
		return r.fields, widget.MediumImportance
	}
	switch r.action {
	case engine.Fail:
		return r.text, widget.DangerImportance
	case engine.Warn:
		return r.text, widget.WarningImportance
	}
	return r.text, widget.MediumImportance
}

// actionText says a record's outcome: what happened, or in a preview, what would.
func actionText(a engine.Action, preview bool) string {
	if preview {
		switch a {
		case engine.Create:
			return "would create"
		case engine.Update:
			return "would update"
		case engine.Unchanged:
			return "unchanged"
		case engine.Fail:
			return "would fail"
		case engine.Warn:
			return "would warn"
		case engine.Delete:
			return "would delete"
		}
		return string(a)
	}
	switch a {
	case engine.Create:
		return "created"
	case engine.Update:
		return "updated"
	case engine.Unchanged:
		return "unchanged"
	case engine.Fail:
		return "failed"
	case engine.Warn:
		return "written with warnings"
	case engine.Delete:
		return "deleted"
	}
	return string(a)
}

// actionImportance colours a record's outcome.
func actionImportance(a engine.Action) widget.Importance {
	switch a {
	case engine.Create:
		return widget.SuccessImportance
	case engine.Update:
		return widget.HighImportance
	case engine.Fail:
		return widget.DangerImportance
	case engine.Warn:
		return widget.WarningImportance
	}
	return widget.LowImportance
}

// thousands writes n with a comma between groups of three digits: 1,200.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
