package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// column is one column of a rowList: its title and width; the last column takes the rest.
type column struct {
	title string
	width float32
}

// cellFunc returns the text of one cell and how to style it.
type cellFunc func(row, col int) (string, widget.Importance)

// rowList is a list whose rows are laid out in columns under a header row,
// so that a whole row highlights when selected.
type rowList struct {
	cols   []column
	cellFn cellFunc
	list   *keyList
	header *fyne.Container
	view   fyne.CanvasObject
	// floors are the columns' widths kept when space is short (keepWidth), shared by the rows' layouts.
	floors []float32
	// onOpen, when set, opens row id: a double click or Enter.
	onOpen func(id int)
	// menu, when set, returns the context menu of row id (a right click).
	menu func(id int) []*fyne.MenuItem
	// held is where the list was scrolled before a refresh (holdScroll), nil when none is under way.
	held *float32
}

// newRowList builds a rowList of length() rows whose cells cell gives.
func newRowList(cols []column, length func() int, cell cellFunc) *rowList {
	r := &rowList{cols: cols, cellFn: cell}
	widths := make([]float32, len(cols))
	for i, c := range cols {
		widths[i] = c.width
	}
	r.floors = make([]float32, len(cols))
	r.header = container.New(&columnsLayout{widths: widths, floors: r.floors})
	for _, c := range cols {
		l := widget.NewLabelWithStyle(c.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Truncation = fyne.TextTruncateEllipsis
		r.header.Add(l)
	}
	r.list = newKeyList(
		length,
		func() fyne.CanvasObject {
			row := container.New(&columnsLayout{widths: widths, floors: r.floors})
			for range cols {
				l := widget.NewLabel("")
				l.Truncation = fyne.TextTruncateEllipsis
				row.Add(l)
			}
			return newRowItem(r, row)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if it, ok := o.(*rowItem); ok {
				it.id = id
			}
			row := rowContent(o)
			for c, obj := range row.Objects {
				text, imp := cell(id, c)
				l := obj.(*widget.Label)
				l.Importance = imp
				l.SetText(text)
			}
		},
	)
	r.list.onOpen = func(id widget.ListItemID) {
		if r.onOpen != nil {
			r.onOpen(id)
		}
	}
	r.list.copyText = r.rowText
	r.view = container.NewBorder(container.NewVBox(r.header, widget.NewSeparator()), nil, nil, nil, r.list)
	return r
}

// columnsLayout places objects side by side at their widths; the last one takes
// what is left. When the space is narrower than the widths, the wide columns
// give up room first, down to columnFloor, and only then all shrink alike
// (the labels truncate), so that a narrow column of numbers keeps its title;
// the header and the rows, laid out alike, stay aligned.
type columnsLayout struct {
	widths []float32
	// floors are the widths down to which each column shrinks before all
	// shrink alike; a zero (or a nil slice) is columnFloor.
	floors []float32
}

// columnFloor is the width down to which a wider column shrinks before the narrow ones do.
const columnFloor = 64

// floor is the width down to which column i shrinks before all shrink alike.
func (l *columnsLayout) floor(i int) float32 {
	if i < len(l.floors) && l.floors[i] > 0 {
		return fyne.Min(l.widths[i], l.floors[i])
	}
	return fyne.Min(l.widths[i], columnFloor)
}

func (l *columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	widths := l.fit(len(objs), size.Width-float32(len(objs)-1)*pad)
	x := float32(0)
	for i, o := range objs {
		w := widths[i]
		if i == len(objs)-1 {
			w = fyne.Max(w, size.Width-x)
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w + pad
	}
}

// fit returns the widths of n columns in avail.
func (l *columnsLayout) fit(n int, avail float32) []float32 {
	out := make([]float32, n)
	var total, floors float32
	for i := range n {
		out[i] = l.widths[i]
		total += out[i]
		floors += l.floor(i)
	}
	avail = fyne.Max(avail, 0)
	switch {
	case total <= avail || total == 0:
	case floors <= avail:
		// Cut the room above the floor, in proportion to it.
		cut := (total - avail) / (total - floors)
		for i := range out {
			out[i] -= (out[i] - l.floor(i)) * cut
		}
	default:
		scale := avail / floors
		for i := range out {
			out[i] = l.floor(i) * scale
		}
	}
	return out
}

// MinSize asks for half the widths: narrower panes shrink the columns.
func (l *columnsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for i, o := range objs {
		w += l.widths[i] / 2
		h = fyne.Max(h, o.MinSize().Height)
	}
	return fyne.NewSize(w, h)
}

// heading returns a screen's title, large and bold; text is shown as is (no markdown).
func heading(text string) *widget.RichText {
	return widget.NewRichText(&widget.TextSegment{Style: widget.RichTextStyleSubHeading, Text: text})
}

// emptyState is what a screen shows when it has nothing to list: a short
// explanation (lines broken by hand) and, optionally, the action that fills it.
func emptyState(icon fyne.Resource, text string, actions ...fyne.CanvasObject) fyne.CanvasObject {
	msg := widget.NewLabel(text)
	msg.Alignment = fyne.TextAlignCenter
	img := widget.NewIcon(icon)
	items := []fyne.CanvasObject{
		container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(64), img)),
		msg,
	}
	if len(actions) > 0 {
		items = append(items, container.NewCenter(container.NewHBox(actions...)))
	}
	return container.NewCenter(container.NewVBox(items...))
}

// loadingState is what a list shows until its first load ends.
func loadingState() fyne.CanvasObject {
	msg := widget.NewLabel("Loading…")
	msg.Importance = widget.LowImportance
	return container.NewCenter(msg)
}

// errorLabel returns a hidden label for inline error messages.
func errorLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

// showMessage sets l to text and shows it, or hides it when text is "".
func showMessage(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// hint returns a short line that tells what a screen offers: in italics,
// at full contrast, wrapped rather than cut.
func hint(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle = fyne.TextStyle{Italic: true}
	l.Wrapping = fyne.TextWrapWord
	return l
}

// keepWidth makes column col keep its width while the others give up room
// above columnFloor, when the list is narrower than its columns.
func (r *rowList) keepWidth(col int) {
	r.floors[col] = r.cols[col].width
}

// setTitle renames column col's header.
func (r *rowList) setTitle(col int, title string) {
	if l, ok := r.header.Objects[col].(*widget.Label); ok && l.Text != title {
		l.SetText(title)
	}
}

// newToolbar lays out a screen's buttons in a row that wraps onto more
// rows when the window is too narrow for them, so that no toolbar forces the
// window wider; a nil item is a separator.
func newToolbar(items ...fyne.CanvasObject) *fyne.Container {
	objs := make([]fyne.CanvasObject, 0, len(items))
	for _, o := range items {
		if o == nil {
			o = widget.NewSeparator()
		}
		objs = append(objs, o)
	}
	fl := &flowLayout{}
	c := container.New(fl, objs...)
	fl.box = c
	return c
}

// flowLayout places objects left to right at their minimum sizes and wraps
// them onto the next row when the width runs out. Its minimum width is its
// widest object's; its minimum height is that of the rows at the width it
// was last laid out at.
type flowLayout struct {
	width float32
	rows  int
	box   *fyne.Container
}

// lines splits objs into rows that fit width.
func (l *flowLayout) lines(objs []fyne.CanvasObject, width float32) [][]fyne.CanvasObject {
	pad := theme.Padding()
	var out [][]fyne.CanvasObject
	var line []fyne.CanvasObject
	x := float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		w := o.MinSize().Width
		if _, sep := o.(*widget.Separator); sep {
			w = theme.SeparatorThicknessSize()
		}
		if len(line) > 0 && width > 0 && x+pad+w > width {
			out = append(out, line)
			line, x = nil, 0
		}
		if len(line) > 0 {
			x += pad
		}
		line = append(line, o)
		x += w
	}
	if len(line) > 0 {
		out = append(out, line)
	}
	return out
}

// lineHeight is the height of a row of objs.
func lineHeight(objs []fyne.CanvasObject) float32 {
	var h float32
	for _, o := range objs {
		if _, sep := o.(*widget.Separator); !sep {
			h = fyne.Max(h, o.MinSize().Height)
		}
	}
	return h
}

func (l *flowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	lines := l.lines(objs, size.Width)
	y := float32(0)
	for _, line := range lines {
		h := lineHeight(line)
		x := float32(0)
		for _, o := range line {
			w := o.MinSize().Width
			if _, sep := o.(*widget.Separator); sep {
				w = theme.SeparatorThicknessSize()
			}
			o.Move(fyne.NewPos(x, y))
			o.Resize(fyne.NewSize(w, h))
			x += w + pad
		}
		y += h + pad
	}
	l.width = size.Width
	if len(lines) != l.rows {
		l.rows = len(lines)
		// The height asked for changed with the width: lay the window out again.
		if l.box != nil {
			box := l.box
			go fyne.Do(func() {
				if c := fyne.CurrentApp().Driver().CanvasForObject(box); c != nil && c.Content() != nil {
					c.Content().Refresh()
				}
			})
		}
	}
}

func (l *flowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	var w float32
	for _, o := range objs {
		if o.Visible() {
			w = fyne.Max(w, o.MinSize().Width)
		}
	}
	lines := l.lines(objs, l.width)
	var h float32
	for i, line := range lines {
		if i > 0 {
			h += pad
		}
		h += lineHeight(line)
	}
	return fyne.NewSize(w, h)
}
