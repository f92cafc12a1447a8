package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// keyList is a list that behaves as a desktop list: the arrow keys (and
// Home, End, Page Up, Page Down) move the selection, not only a focus
// mark; Enter opens the selected row; Ctrl+C copies it.
type keyList struct {
	widget.List
	// onOpen opens row id: Enter, a double click.
	onOpen func(id widget.ListItemID)
	// copyText is the text of row id that Ctrl+C copies.
	copyText func(id widget.ListItemID) string
	// moving is true while a key moves the highlight, which then selects.
	moving bool
	// selectedRow is the selected row, -1 when none.
	selectedRow widget.ListItemID
}

// newKeyList returns a keyList over length, create and update, as widget.NewList takes them.
func newKeyList(length func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject)) *keyList {
	l := &keyList{selectedRow: -1}
	l.Length, l.CreateItem, l.UpdateItem = length, create, update
	l.OnHighlighted = func(id widget.ListItemID) {
		if l.moving {
			l.Select(id)
		}
	}
	l.ExtendBaseWidget(l)
	return l
}

// selectedID returns the selected row, -1 when none.
func (l *keyList) selectedID() widget.ListItemID {
	if l.selectedRow >= l.Length() {
		return -1
	}
	return l.selectedRow
}

// Select selects row id (and remembers it: widget.List does not tell).
func (l *keyList) Select(id widget.ListItemID) {
	if id >= 0 && id < l.Length() {
		l.selectedRow = id
	}
	l.List.Select(id)
}

// Unselect unselects row id.
func (l *keyList) Unselect(id widget.ListItemID) {
	if l.selectedRow == id {
		l.selectedRow = -1
	}
	l.List.Unselect(id)
}

// UnselectAll unselects every row.
func (l *keyList) UnselectAll() {
	l.selectedRow = -1
	l.List.UnselectAll()
}

// TypedKey moves the selection with the arrow keys and opens with Enter.
func (l *keyList) TypedKey(ev *fyne.KeyEvent) {
	n := l.Length()
	if n == 0 {
		l.List.TypedKey(ev)
		return
	}
	sel := l.selectedID()
	target := -1
	switch ev.Name {
	case fyne.KeyUp:
		target = max(0, sel-1)
	case fyne.KeyDown:
		target = min(n-1, sel+1)
	case fyne.KeyHome:
		target = 0
	case fyne.KeyEnd:
		target = n - 1
	case fyne.KeyPageUp:
		target = max(0, sel-10)
	case fyne.KeyPageDown:
		target = min(n-1, max(sel, 0)+10)
	case fyne.KeyReturn, fyne.KeyEnter:
		if sel >= 0 && l.onOpen != nil {
			l.onOpen(sel)
		}
		return
	default:
		if !passKey(ev) {
			l.List.TypedKey(ev)
		}
		return
	}
	l.moving = true
	l.Highlight(target)
	l.moving = false
	l.Select(target)
}

// TypedShortcut copies the selected row on Ctrl+C.
func (l *keyList) TypedShortcut(s fyne.Shortcut) {
	if c, ok := s.(*fyne.ShortcutCopy); ok && l.copyText != nil && l.selectedID() >= 0 {
		c.Clipboard.SetContent(l.copyText(l.selectedID()))
	}
}

// rowItem is one row of a rowList: a tap selects it (and focuses the list
// for the keyboard), a double tap opens it, a right click offers the
// screen's actions for it.
type rowItem struct {
	widget.BaseWidget
	list    *rowList
	id      widget.ListItemID
	content *fyne.Container
}

func newRowItem(r *rowList, content *fyne.Container) *rowItem {
	it := &rowItem{list: r, content: content, id: -1}
	it.ExtendBaseWidget(it)
	return it
}

func (it *rowItem) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(it.content)
}

// Tapped selects the row and gives the list the keyboard.
func (it *rowItem) Tapped(*fyne.PointEvent) { it.list.tap(it.id) }

// DoubleTapped opens the row.
func (it *rowItem) DoubleTapped(*fyne.PointEvent) {
	it.list.tap(it.id)
	if it.list.onOpen != nil && it.id >= 0 {
		it.list.onOpen(it.id)
	}
}

// TappedSecondary selects the row and shows its context menu.
func (it *rowItem) TappedSecondary(ev *fyne.PointEvent) {
	it.list.tap(it.id)
	if it.list.menu == nil || it.id < 0 {
		return
	}
	items := it.list.menu(it.id)
	if len(items) == 0 {
		return
	}
	showContextMenu(it, items, ev.AbsolutePosition)
}

// showContextMenu shows items as the context menu of o at pos (absolute),
// as every list and grid of the app does on a right click.
func showContextMenu(o fyne.CanvasObject, items []*fyne.MenuItem, pos fyne.Position) {
	if len(items) == 0 {
		return
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(o)
	if c == nil {
		return
	}
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), c, pos)
}

// copyToClipboard puts text on the app's clipboard (a context menu's Copy).
func copyToClipboard(text string) {
	if a := fyne.CurrentApp(); a != nil {
		a.Clipboard().SetContent(text)
	}
}

// tap selects row id and focuses the list, as a click on a desktop list does.
func (r *rowList) tap(id widget.ListItemID) {
	if id < 0 || id >= r.list.Length() {
		return
	}
	if c := fyne.CurrentApp().Driver().CanvasForObject(r.list); c != nil {
		c.Focus(r.list)
	}
	r.list.Highlight(id)
	r.list.Select(id)
}

// rowText is row id's cells joined by tabs, as Ctrl+C copies it.
func (r *rowList) rowText(id widget.ListItemID) string {
	out := ""
	for c := range r.cols {
		text, _ := r.cellFn(id, c)
		if c > 0 {
			out += "\t"
		}
		out += text
	}
	return out
}

// rowContent returns the columns container of a rowItem.
func rowContent(o fyne.CanvasObject) *fyne.Container {
	if it, ok := o.(*rowItem); ok {
		return it.content
	}
	return o.(*fyne.Container)
}

// keyTable is a table that behaves as a desktop grid: the arrow keys move
// the selected cell, Enter or a double click opens its row, Ctrl+C copies
// the selected cell.
type keyTable struct {
	widget.Table
	// onOpen opens row (a double click, Enter).
	onOpen func(row int)
	// menu, when set, returns the context menu of cell id (a right click).
	menu func(id widget.TableCellID) []*fyne.MenuItem
	// onSelect, when set, is told the selected cell.
	onSelect func(id widget.TableCellID)
	// sel is the selected cell, Row -1 when none.
	sel    widget.TableCellID
	moving bool
}

// newKeyTable returns a keyTable with a header row, over length, create and update as widget.NewTable takes them.
func newKeyTable(length func() (int, int), create func() fyne.CanvasObject, update func(widget.TableCellID, fyne.CanvasObject)) *keyTable {
	t := &keyTable{sel: widget.TableCellID{Row: -1, Col: -1}}
	t.Length, t.CreateCell, t.UpdateCell = length, create, update
	t.ShowHeaderRow = true
	t.OnSelected = func(id widget.TableCellID) {
		t.sel = id
		if t.onSelect != nil {
			t.onSelect(id)
		}
	}
	t.OnUnselected = func(widget.TableCellID) { t.sel = widget.TableCellID{Row: -1, Col: -1} }
	t.OnHighlighted = func(id widget.TableCellID) {
		if t.moving {
			t.Select(id)
		}
	}
	t.ExtendBaseWidget(t)
	return t
}

// selected returns the selected cell and whether one is.
func (t *keyTable) selected() (widget.TableCellID, bool) {
	rows, cols := t.Length()
	ok := t.sel.Row >= 0 && t.sel.Row < rows && t.sel.Col >= 0 && t.sel.Col < cols
	return t.sel, ok
}

// TypedKey moves the selected cell with the arrow keys and opens its row with Enter.
func (t *keyTable) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyUp, fyne.KeyDown, fyne.KeyLeft, fyne.KeyRight:
		if _, ok := t.selected(); !ok {
			if rows, cols := t.Length(); rows > 0 && cols > 0 {
				t.Select(widget.TableCellID{})
			}
			return
		}
		t.moving = true
		t.Table.TypedKey(ev)
		t.moving = false
	case fyne.KeyReturn, fyne.KeyEnter:
		if id, ok := t.selected(); ok && t.onOpen != nil {
			t.onOpen(id.Row)
		}
	default:
		if !passKey(ev) {
			t.Table.TypedKey(ev)
		}
	}
}

// DoubleTapped selects the cell under the pointer and opens its row.
func (t *keyTable) DoubleTapped(ev *fyne.PointEvent) {
	t.Table.Tapped(ev)
	if id, ok := t.selected(); ok && t.onOpen != nil {
		t.onOpen(id.Row)
	}
}

// TappedSecondary selects the cell under the pointer and shows its context menu.
func (t *keyTable) TappedSecondary(ev *fyne.PointEvent) {
	t.Table.Tapped(ev)
	id, ok := t.selected()
	if !ok || t.menu == nil {
		return
	}
	showContextMenu(t, t.menu(id), ev.AbsolutePosition)
}
