package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/meta"
)

// rowsPageSize is how many rows the Local data table shows per page.
const rowsPageSize = 100

// rowsView browses a local entity's rows page by page, narrowed by a
// search box that takes plain text or a filter.
type rowsView struct {
	shell  *Shell
	entity string
	ent    meta.Entity
	cols   []string
	rows   []admin.Row
	// starts holds the "after" id of each page read so far; the last is the current page's.
	starts []string
	total  int64

	search  *keyEntry
	table   *keyTable
	prevBtn *widget.Button
	nextBtn *widget.Button
	page    *widget.Label
	errText *widget.Label
	root    fyne.CanvasObject
	// gen numbers the reads, so that only the latest one is shown.
	gen int
}

func newRowsView(s *Shell) *rowsView {
	v := &rowsView{shell: s}
	v.search = newKeyEntry()
	v.search.SetPlaceHolder("Search text fields, or a filter such as name eq 'Contoso'")
	v.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	v.search.OnChanged = func(string) { v.first() }
	v.table = newKeyTable(
		func() (int, int) { return len(v.rows), len(v.cols) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row >= len(v.rows) || id.Col >= len(v.cols) {
				return
			}
			o.(*widget.Label).SetText(cellText(v.rows[id.Row], v.cols[id.Col]))
		})
	v.table.onOpen = func(row int) {
		if row >= 0 && row < len(v.rows) {
			v.shell.openRecord(v.entity, v.rows[row].ID)
		}
	}
	v.table.menu = v.menu
	v.table.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	v.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(v.cols) {
			o.(*widget.Label).SetText(v.cols[id.Col])
		}
	}
	v.prevBtn = widget.NewButtonWithIcon("Previous", theme.NavigateBackIcon(), v.prev)
	v.nextBtn = widget.NewButtonWithIcon("Next", theme.NavigateNextIcon(), v.next)
	v.page = widget.NewLabel("")
	v.errText = errorLabel()
	bottom := container.NewHBox(v.prevBtn, v.nextBtn, v.page)
	v.root = container.NewBorder(container.NewVBox(v.search, v.errText), bottom, nil, nil, v.table)
	return v
}

// cellText is a stored value as the table shows it.
func cellText(r admin.Row, col string) string {
	if col == "id" {
		return r.ID
	}
	switch x := r.Values[col].(type) {
	case nil:
		return ""
	case time.Time:
		return x.Format(time.RFC3339)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []byte:
		return fmt.Sprintf("%d bytes", len(x))
	default:
		return fmt.Sprint(x)
	}
}

// copyText is the selected cell's value, as Ctrl+C copies it.
func (v *rowsView) copyText() string {
	id, ok := v.table.selected()
	if !ok || id.Row >= len(v.rows) || id.Col >= len(v.cols) {
		return ""
	}
	return cellText(v.rows[id.Row], v.cols[id.Col])
}

// rowText is row's values joined by tabs, as the context menu's Copy row copies them.
func (v *rowsView) rowText(row int) string {
	if row < 0 || row >= len(v.rows) {
		return ""
	}
	vals := make([]string, len(v.cols))
	for i, c := range v.cols {
		vals[i] = cellText(v.rows[row], c)
	}
	return strings.Join(vals, "\t")
}

// menu is the context menu of cell id of the grid.
func (v *rowsView) menu(id widget.TableCellID) []*fyne.MenuItem {
	if id.Row < 0 || id.Row >= len(v.rows) || id.Col < 0 || id.Col >= len(v.cols) {
		return nil
	}
	return []*fyne.MenuItem{
		fyne.NewMenuItem("Open record", func() { v.table.onOpen(id.Row) }),
		fyne.NewMenuItem("Copy cell", func() { copyToClipboard(cellText(v.rows[id.Row], v.cols[id.Col])) }),
		fyne.NewMenuItem("Copy row", func() { copyToClipboard(v.rowText(id.Row)) }),
	}
}

// show browses the rows of the local entity ent from the first page.
func (v *rowsView) show(ent meta.Entity) {
	v.entity, v.ent = ent.Name, ent
	v.cols = v.cols[:0]
	for _, f := range ent.Fields {
		v.cols = append(v.cols, f.Name)
	}
	for i, c := range v.cols {
		w := float32(140)
		if f, ok := ent.Field(c); ok {
			switch f.Type {
			case meta.GUID, meta.Lookup:
				w = 290
			case meta.String, meta.DateTime:
				w = 200
			}
		}
		if c == "id" {
			w = 90
		}
		v.table.SetColumnWidth(i, w)
	}
	v.first()
}

func (v *rowsView) first() {
	v.starts = []string{""}
	v.read()
}

func (v *rowsView) next() {
	if len(v.rows) == 0 {
		return
	}
	v.starts = append(v.starts, v.rows[len(v.rows)-1].ID)
	v.read()
}

func (v *rowsView) prev() {
	if len(v.starts) > 1 {
		v.starts = v.starts[:len(v.starts)-1]
	}
	v.read()
}

// read reads the current page off the UI goroutine.
func (v *rowsView) read() {
	if v.entity == "" {
		return
	}
	v.gen++
	gen, entity, search, after, firstPage := v.gen, v.entity, v.search.Text, v.starts[len(v.starts)-1], len(v.starts) == 1
	svc := v.shell.svc
	v.prevBtn.Disable()
	v.nextBtn.Disable()
	go func() {
		ctx, cancel := context.WithTimeout(v.shell.ctx(), time.Minute)
		defer cancel()
		_, rows, err := svc.LocalRows(ctx, entity, search, after, rowsPageSize+1)
		var total int64 = -1
		if err == nil && firstPage {
			total, _ = svc.CountRows(ctx, entity)
		}
		fyne.Do(func() {
			if gen != v.gen {
				return
			}
			v.loaded(rows, total, err)
		})
	}()
}

// loaded shows a page; it runs on the UI goroutine.
func (v *rowsView) loaded(rows []admin.Row, total int64, err error) {
	if err != nil {
		showMessage(v.errText, fmt.Sprintf("Could not read the rows: %v", err))
		v.rows = nil
		v.table.Refresh()
		return
	}
	showMessage(v.errText, "")
	if total >= 0 {
		v.total = total
	}
	more := len(rows) > rowsPageSize
	if more {
		rows = rows[:rowsPageSize]
	}
	v.rows = rows
	if more {
		v.nextBtn.Enable()
	}
	if len(v.starts) > 1 {
		v.prevBtn.Enable()
	}
	from := (len(v.starts)-1)*rowsPageSize + 1
	switch {
	case len(rows) == 0 && strings.TrimSpace(v.search.Text) != "":
		v.page.SetText("No row matches the search.")
	case len(rows) == 0:
		v.page.SetText("No rows yet: download the integration that maps this entity.")
	default:
		v.page.SetText(fmt.Sprintf("Rows %s–%s of %s in the entity. Double-click a row (or Enter) to see it whole.", thousands(int64(from)), thousands(int64(from+len(rows)-1)), thousands(v.total)))
	}
	v.table.Refresh()
	v.table.ScrollToTop()
}
