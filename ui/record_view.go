package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
)

// recordView is the dialog that shows one local record whole: every field
// with its type and value, its external keys, when it was last written and
// by which run (its last sync), and what waits on it.
type recordView struct {
	rec    admin.RecordView
	fields *rowList
	about  *widget.Label
	root   fyne.CanvasObject
}

// recordAbout says where the record comes from: its keys, its last sync, what waits on it.
func recordAbout(v admin.RecordView, context string) string {
	var lines []string
	if context != "" {
		lines = append(lines, context)
	}
	if len(v.Keys) == 0 {
		lines = append(lines, "External key: none (no integration maps "+v.Entity.Name+", or the record was made here)")
	}
	for _, k := range v.Keys {
		lines = append(lines, fmt.Sprintf("External key in %s: %s %s = %s", k.Integration, k.External, k.Field, k.Key))
	}
	switch {
	case v.LastRun != nil:
		r := v.LastRun
		lines = append(lines, fmt.Sprintf("Last sync: %s, by run %d (%s of %s, %s)", v.Modified.Local().Format("2006-01-02 15:04:05"),
			r.ID, r.Kind, r.Integration, r.Status))
	case !v.Modified.IsZero():
		lines = append(lines, "Last written: "+v.Modified.Local().Format("2006-01-02 15:04:05")+" (not by a run: edited here or by another program)")
	}
	lines = append(lines, v.Problems...)
	return strings.Join(lines, "\n")
}

// newRecordView lays out v; context is a line about where it was opened from (a run's outcome).
func newRecordView(v admin.RecordView, context string) *recordView {
	rv := &recordView{rec: v}
	fields := v.SortedFields()
	rv.fields = newRowList([]column{{"Field", 180}, {"Type", 130}, {"Value", 380}},
		func() int { return len(fields) },
		func(row, col int) (string, widget.Importance) {
			f := fields[row]
			imp := widget.MediumImportance
			if f.ReadOnly {
				imp = widget.LowImportance
			}
			switch col {
			case 0:
				if f.ReadOnly {
					return f.Name + " (system)", imp
				}
				return f.Name, imp
			case 1:
				t := string(f.Type)
				if f.Target != "" {
					t += " > " + f.Target
				}
				return t, imp
			}
			return cellText(admin.Row{ID: v.ID, Values: v.Values}, f.Name), imp
		})
	rv.about = widget.NewLabel(recordAbout(v, context))
	rv.about.Wrapping = fyne.TextWrapWord
	rv.about.Selectable = true
	value := widget.NewLabel("Select a field to read its whole value; Ctrl+C copies it.")
	value.Wrapping = fyne.TextWrapWord
	value.Selectable = true
	rv.fields.list.OnSelected = func(id widget.ListItemID) {
		f := fields[id]
		value.SetText(f.Name + ": " + cellText(admin.Row{ID: v.ID, Values: v.Values}, f.Name))
	}
	rv.fields.list.copyText = func(id widget.ListItemID) string {
		return cellText(admin.Row{ID: v.ID, Values: v.Values}, fields[id].Name)
	}
	rv.root = container.NewBorder(rv.about, value, nil, nil, rv.fields.view)
	return rv
}

// text is the record as "field: value" lines, as Copy all copies it.
func (rv *recordView) text() string {
	var lines []string
	for _, f := range rv.rec.SortedFields() {
		lines = append(lines, f.Name+": "+cellText(admin.Row{ID: rv.rec.ID, Values: rv.rec.Values}, f.Name))
	}
	return strings.Join(lines, "\n")
}

// showRecord shows the record v in a dialog; context says where it was opened from.
func (s *Shell) showRecord(v admin.RecordView, context string) *recordView {
	rv := newRecordView(v, context)
	title := v.Entity.Name + " " + v.ID
	if f := admin.PrimaryNameField(v.Entity); f != "" && v.Values[f] != nil {
		title = fmt.Sprintf("%v (%s)", v.Values[f], v.Entity.Name)
	}
	copyAll := widget.NewButtonWithIcon("Copy all", theme.ContentCopyIcon(), func() {
		s.app.Clipboard().SetContent(rv.text())
	})
	body := container.NewBorder(nil, container.NewHBox(copyAll), nil, nil, rv.root)
	d := s.showCustom("Record — "+title, "Close", body)
	d.Resize(fyne.NewSize(760, 600))
	s.record = rv
	return rv
}

// openRecordByKey shows the workspace's record for key of the integration's
// external entity (a results row, a failed record), read off the UI
// goroutine; outcome is the row's outcome. A record the workspace does not
// hold is said so plainly.
func (s *Shell) openRecordByKey(integration, external, key, outcome string) {
	svc := s.svc
	load(s, &s.records, func(ctx context.Context) (admin.RecordView, error) {
		return svc.RecordByKey(ctx, integration, external, key)
	}, func(v admin.RecordView, err error) { s.recordByKeyRead(v, err, external, key, outcome) })
}

// recordByKeyRead shows the record openRecordByKey read, or says why there is none.
func (s *Shell) recordByKeyRead(v admin.RecordView, err error, external, key, outcome string) {
	if err != nil {
		msg := fmt.Sprintf("%s %s is not in the workspace.\n%s", external, key, outcome)
		if !errors.Is(err, admin.ErrNoRecord) {
			msg = fmt.Sprintf("Could not read %s %s: %v\n%s", external, key, err, outcome)
		} else {
			msg += "\n\nIt failed or was left out, the run was a preview, or it was removed since: nothing of it was written here."
		}
		s.lastError = msg
		s.inform("Record "+external+" "+key, strings.TrimSpace(msg))
		return
	}
	s.showRecord(v, outcome)
}

// openRecord shows the row id of the local entity called entity, read off the UI goroutine.
func (s *Shell) openRecord(entity, id string) {
	svc := s.svc
	load(s, &s.records, func(ctx context.Context) (admin.RecordView, error) {
		return svc.Record(ctx, entity, id)
	}, func(v admin.RecordView, err error) {
		if err != nil {
			s.showError("Could not open the record", err, "Reload the list (Ctrl+R): the row may have been removed.")
			return
		}
		s.showRecord(v, "")
	})
}
