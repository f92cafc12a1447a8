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
	list   *widget.List
	header *fyne.Container
	view   fyne.CanvasObject
}

// newRowList builds a rowList of length() rows whose cells cell gives.
func newRowList(cols []column, length func() int, cell cellFunc) *rowList {
	r := &rowList{cols: cols, cellFn: cell}
	widths := make([]float32, len(cols))
	for i, c := range cols {
		widths[i] = c.width
	}
	r.header = container.New(&columnsLayout{widths: widths})
	for _, c := range cols {
		l := widget.NewLabelWithStyle(c.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Truncation = fyne.TextTruncateEllipsis
		r.header.Add(l)
	}
	r.list = widget.NewList(
		length,
		func() fyne.CanvasObject {
			row := container.New(&columnsLayout{widths: widths})
			for range cols {
				l := widget.NewLabel("")
				l.Truncation = fyne.TextTruncateEllipsis
				row.Add(l)
			}
			return row
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			for c, obj := range row.Objects {
				text, imp := cell(id, c)
				l := obj.(*widget.Label)
				l.Importance = imp
				l.SetText(text)
			}
		},
	)
	r.view = container.NewBorder(container.NewVBox(r.header, widget.NewSeparator()), nil, nil, nil, r.list)
	return r
}

// columnsLayout places objects side by side at their widths; the last one takes
// what is left. When the space is narrower than the widths, all shrink alike
// (the labels truncate), so that the header and the rows stay aligned.
type columnsLayout struct{ widths []float32 }

func (l *columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	total := float32(0)
	for i := range objs {
		total += l.widths[i]
	}
	avail := size.Width - float32(len(objs)-1)*pad
	scale := float32(1)
	if avail < total && total > 0 {
		scale = fyne.Max(avail, 0) / total
	}
	x := float32(0)
	for i, o := range objs {
		w := l.widths[i] * scale
		if i == len(objs)-1 {
			w = fyne.Max(w, size.Width-x)
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w + pad
	}
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

// hint returns a short, quiet line that tells what a screen offers.
func hint(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Importance = widget.LowImportance
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}
