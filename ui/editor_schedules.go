package ui

import (
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/schedule"
)

// scheduleSection is the integration editor's list of schedules: part of
// the editor's draft, saved with the integration by Save.
type scheduleSection struct {
	ed    *integrationEditor
	items []schedule.Schedule
	list  *rowList
	// selected is the selected schedule, -1 when none.
	selected  int
	addBtn    *widget.Button
	editBtn   *widget.Button
	toggleBtn *widget.Button
	deleteBtn *widget.Button
	none      *widget.Label
	root      fyne.CanvasObject
}

func newScheduleSection(ed *integrationEditor, items []schedule.Schedule) *scheduleSection {
	ss := &scheduleSection{ed: ed, items: slices.Clone(items), selected: -1}
	ss.list = newRowList([]column{{"When", 320}, {"Enabled", 80}, {"Next run", 170}},
		func() int { return len(ss.items) }, ss.cell)
	ss.list.list.OnSelected = func(id widget.ListItemID) { ss.selected = id; ss.updateButtons() }
	ss.list.list.OnUnselected = func(widget.ListItemID) { ss.selected = -1; ss.updateButtons() }
	ss.list.onOpen = func(int) { ss.onEdit() }
	ss.addBtn = widget.NewButtonWithIcon("Add schedule…", theme.ContentAddIcon(), ss.onAdd)
	ss.editBtn = widget.NewButtonWithIcon("Edit…", theme.DocumentCreateIcon(), ss.onEdit)
	ss.toggleBtn = widget.NewButtonWithIcon("Disable", theme.CancelIcon(), ss.onToggle)
	ss.deleteBtn = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), ss.onDelete)
	ss.none = hint("No schedules: the integration syncs only when you run it. Add one to sync at set times or every N minutes.")
	title := widget.NewLabelWithStyle("Schedules", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	listBox := container.NewGridWrap(fyne.NewSize(600, 150), ss.list.view)
	ss.root = container.NewVBox(title, ss.none, listBox, newToolbar(ss.addBtn, ss.editBtn, ss.toggleBtn, ss.deleteBtn))
	ss.refresh()
	return ss
}

// name is the integration's name as typed, for the schedule editor.
func (ss *scheduleSection) name() string {
	if n := strings.TrimSpace(ss.ed.name.Text); n != "" {
		return n
	}
	return "(new integration)"
}

// savedName is the integration's saved name, "" for a new one.
func (ss *scheduleSection) savedName() string {
	if ss.ed.orig == nil {
		return ""
	}
	return ss.ed.orig.Name
}

func (ss *scheduleSection) cell(row, col int) (string, widget.Importance) {
	sc := ss.items[row]
	switch col {
	case 0:
		if sc.Validate() != nil {
			return sc.Expression() + " (invalid)", widget.DangerImportance
		}
		return sc.Describe(), widget.MediumImportance
	case 1:
		if !sc.Enabled {
			return "off", widget.LowImportance
		}
		return "on", widget.SuccessImportance
	}
	if !sc.Enabled || sc.Validate() != nil {
		return "—", widget.LowImportance
	}
	now := time.Now()
	var last time.Time
	if n := ss.savedName(); n != "" {
		last = ss.ed.shell.lastSync(n)
	}
	ts, err := ss.ed.shell.previewTimes(ss.savedName(), sc, last, now, 1)
	if err != nil || len(ts) == 0 {
		return "—", widget.LowImportance
	}
	return schedule.When(ts[0], now), widget.MediumImportance
}

// refresh lists the schedules again.
func (ss *scheduleSection) refresh() {
	if len(ss.items) == 0 {
		ss.none.Show()
	} else {
		ss.none.Hide()
	}
	if ss.selected >= len(ss.items) {
		ss.selected = -1
	}
	ss.list.list.Refresh()
	ss.updateButtons()
}

func (ss *scheduleSection) updateButtons() {
	ok := ss.selected >= 0 && ss.selected < len(ss.items)
	for _, b := range []*widget.Button{ss.editBtn, ss.toggleBtn, ss.deleteBtn} {
		if ok {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if ok && !ss.items[ss.selected].Enabled {
		ss.toggleBtn.SetText("Enable")
	} else {
		ss.toggleBtn.SetText("Disable")
	}
}

// changed lists the schedules again and marks the editor changed.
func (ss *scheduleSection) changed(selected int) {
	ss.refresh()
	if selected >= 0 && selected < len(ss.items) {
		ss.list.list.Select(selected)
	}
	ss.ed.changed()
}

func (ss *scheduleSection) onAdd() {
	ss.ed.shell.editSchedule([]string{ss.name()}, ss.name(), schedule.Schedule{}, true, func(_ string, sc schedule.Schedule, done func(error)) {
		ss.items = append(ss.items, sc)
		ss.changed(len(ss.items) - 1)
		done(nil)
	})
}

func (ss *scheduleSection) onEdit() {
	i := ss.selected
	if i < 0 || i >= len(ss.items) {
		return
	}
	ss.ed.shell.editSchedule([]string{ss.name()}, ss.name(), ss.items[i], false, func(_ string, sc schedule.Schedule, done func(error)) {
		ss.items[i] = sc
		ss.changed(i)
		done(nil)
	})
}

func (ss *scheduleSection) onToggle() {
	i := ss.selected
	if i < 0 || i >= len(ss.items) {
		return
	}
	ss.items[i].Enabled = !ss.items[i].Enabled
	ss.changed(i)
}

func (ss *scheduleSection) onDelete() {
	i := ss.selected
	if i < 0 || i >= len(ss.items) {
		return
	}
	ss.items = slices.Delete(ss.items, i, i+1)
	ss.list.list.UnselectAll()
	ss.selected = -1
	ss.changed(-1)
}
