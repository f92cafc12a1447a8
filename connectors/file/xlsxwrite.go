package file

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"switchyard/core/meta"
	"switchyard/core/values"
)

// A write into a workbook changes only the cells it sets, adds its rows after
// the last one and removes the rows it deletes: every other cell keeps its
// value, type, style and number format (and the other sheets, formulas and
// formats stay as excelize keeps them). A cell it sets is typed by its
// column: numbers as numbers (text when they have more digits than Excel
// keeps, 15), dates and date-times as dates with a date number format (the
// cell's own when it has one), the rest as text. A date-time with a fraction
// of a second, or before 1900, stays ISO 8601 text, which keeps every digit.

// datetimeFormat is the number format of date-times Switchyard writes.
const datetimeFormat = "yyyy-mm-dd hh:mm:ss"

// save writes what the write changed in t into its sheet (made when the
// workbook has none), through a new copy renamed over the workbook.
func (s workbook) save(t *table, types func() []meta.Type) error {
	f, err := s.open()
	if err != nil {
		return err
	}
	defer f.Close()
	if idx, _ := f.GetSheetIndex(t.name); idx < 0 {
		if _, err := f.NewSheet(t.name); err != nil {
			return fmt.Errorf("write workbook %s: add the sheet %s: %w", s.path, t.name, err)
		}
		t.width, t.last = 0, 0
	}
	w := newCellWriter(f, t.name, types())
	if err := w.header(t); err != nil {
		return fmt.Errorf("write sheet %s of %s: %w", t.name, s.path, err)
	}
	// New rows take the styles of the last row the sheet had.
	template := 0
	for _, l := range t.lines {
		template = max(template, l)
	}
	next := max(t.last, 1) + 1
	for r, row := range t.rows {
		line := 0
		if r < len(t.lines) {
			line = t.lines[r]
		}
		if line == 0 {
			line, next = next, next+1
			for i, v := range row {
				if v == "" {
					continue
				}
				if err := w.cell(i, line, v, template); err != nil {
					return fmt.Errorf("write sheet %s of %s: %w", t.name, s.path, err)
				}
			}
			continue
		}
		if r >= len(t.changed) {
			continue
		}
		for i := range t.changed[r] {
			if err := w.cell(i, line, row[i], 0); err != nil {
				return fmt.Errorf("write sheet %s of %s: %w", t.name, s.path, err)
			}
		}
	}
	deleted := slices.Clone(t.deleted)
	slices.Sort(deleted)
	for _, line := range slices.Backward(deleted) {
		if err := f.RemoveRow(t.name, line); err != nil {
			return fmt.Errorf("write sheet %s of %s: %w", t.name, s.path, err)
		}
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(s.path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp := filepath.Join(filepath.Dir(s.path), "."+filepath.Base(s.path)+".tmp.xlsx")
	if err := f.SaveAs(tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write workbook %s: %w", s.path, err)
	}
	os.Chmod(tmp, mode)
	if err := os.Rename(tmp, s.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write workbook %s: %w", s.path, err)
	}
	return nil
}

// cellWriter writes typed cells into one sheet.
type cellWriter struct {
	f        *excelize.File
	sheet    string
	types    []meta.Type
	date1904 bool
	dates    *excelDates    // what the workbook's styles show
	derived  map[[2]int]int // date styles made from a style: by style and what it shows
	shown    map[int]shows  // what the styles made here show
	template map[[2]int]int // styles of the template row's cells, by column and row
}

func newCellWriter(f *excelize.File, sheet string, types []meta.Type) *cellWriter {
	w := &cellWriter{f: f, sheet: sheet, types: types, dates: newExcelDates(f),
		derived: map[[2]int]int{}, shown: map[int]shows{}, template: map[[2]int]int{}}
	w.date1904 = w.dates.date1904
	return w
}

// header writes the header cells the sheet lacks, each in the style of the
// header's last cell.
func (w *cellWriter) header(t *table) error {
	style := 0
	if t.width > 0 {
		last, _ := excelize.CoordinatesToCellName(t.width, 1)
		style, _ = w.f.GetCellStyle(w.sheet, last)
	}
	for i := t.width; i < len(t.header); i++ {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := w.f.SetCellStr(w.sheet, cell, t.header[i]); err != nil {
			return err
		}
		if style != 0 {
			if err := w.f.SetCellStyle(w.sheet, cell, cell, style); err != nil {
				return err
			}
		}
	}
	return nil
}

// shows tells what the style idx shows.
func (w *cellWriter) shows(idx int) shows {
	if s, ok := w.shown[idx]; ok {
		return s
	}
	return w.dates.styles[idx]
}

// dateStyle returns base, or a copy of it with a date (or date-time) number
// format when base shows no date.
func (w *cellWriter) dateStyle(base int, what shows) (int, error) {
	switch w.shows(base) {
	case showsDate, showsDateTime:
		return base, nil
	}
	if id, ok := w.derived[[2]int{base, int(what)}]; ok {
		return id, nil
	}
	st := &excelize.Style{}
	if base != 0 {
		if got, err := w.f.GetStyle(base); err == nil && got != nil {
			st = got
		}
	}
	st.NumFmt, st.CustomNumFmt = 14, nil // the short date of Excel's locale
	if what == showsDateTime {
		code := datetimeFormat
		st.NumFmt, st.CustomNumFmt = 0, &code
	}
	id, err := w.f.NewStyle(st)
	if err != nil {
		return 0, err
	}
	w.derived[[2]int{base, int(what)}] = id
	w.shown[id] = what
	return id, nil
}

// cell writes the text v into column i (from 0) of the sheet row line, typed
// by its column; a new row's cell (template > 0) takes the style of the
// template row's cell in its column.
func (w *cellWriter) cell(i, line int, v string, template int) error {
	cell, err := excelize.CoordinatesToCellName(i+1, line)
	if err != nil {
		return err
	}
	style := -1 // keep the cell's
	if template > 0 {
		key := [2]int{i, template}
		s, ok := w.template[key]
		if !ok {
			above, _ := excelize.CoordinatesToCellName(i+1, template)
			s, _ = w.f.GetCellStyle(w.sheet, above)
			w.template[key] = s
		}
		style = s
	}
	typ := meta.String
	if i < len(w.types) {
		typ = w.types[i]
	}
	var what shows
	switch {
	case v == "":
		err = w.f.SetCellValue(w.sheet, cell, nil)
	case typ == meta.Int || typ == meta.Decimal || typ == meta.Double:
		if x, ok := numberCell(v); ok {
			err = w.f.SetCellFloat(w.sheet, cell, x, -1, 64)
		} else {
			err = w.f.SetCellStr(w.sheet, cell, v)
		}
	case typ == meta.Date || typ == meta.DateTime:
		if serial, ok := w.serial(typ, v); ok {
			err = w.f.SetCellFloat(w.sheet, cell, serial, -1, 64)
			what = showsDate
			if serial != float64(int64(serial)) || typ == meta.DateTime {
				what = showsDateTime
			}
		} else {
			err = w.f.SetCellStr(w.sheet, cell, v)
		}
	default:
		err = w.f.SetCellStr(w.sheet, cell, v)
	}
	if err != nil {
		return err
	}
	if what != showsNumber {
		base := style
		if base < 0 {
			if base, err = w.f.GetCellStyle(w.sheet, cell); err != nil {
				return err
			}
		}
		if style, err = w.dateStyle(base, what); err != nil {
			return err
		}
	}
	if style > 0 {
		return w.f.SetCellStyle(w.sheet, cell, cell, style)
	}
	return nil
}

// numberCell returns the number of the text v when a cell holds it without
// loss: at most 15 significant digits, as Excel keeps.
func numberCell(v string) (float64, bool) {
	if !values.IsNumberText(v) || significant(v) > 15 {
		return 0, false
	}
	x, err := strconv.ParseFloat(v, 64)
	return x, err == nil
}

// Excel's day 0 (1900 date system, which counts a 29 February 1900 that was
// not: its serials are right from 1 March 1900 on) and the 1904 system's.
var (
	excelEpoch1900 = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	excelFrom1900  = time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)
	excelEpoch1904 = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
)

// serial returns Excel's day number of the date or date-time text v (ISO
// 8601; a date-time in UTC, as the connector reads the workbook's time),
// false when a date cell would not hold it exactly.
func (w *cellWriter) serial(typ meta.Type, v string) (float64, bool) {
	var t time.Time
	var err error
	if typ == meta.Date && values.IsDateText(v) {
		t, err = time.Parse(time.DateOnly, v)
	} else {
		t, err = values.ParseDateTime(v)
	}
	if err != nil || t.Nanosecond() != 0 {
		return 0, false
	}
	epoch := excelEpoch1900
	if w.date1904 {
		epoch = excelEpoch1904
	}
	if t.Before(excelFrom1900) || t.Before(epoch) || t.Year() > 9999 {
		return 0, false
	}
	secs := t.Unix() - epoch.Unix()
	return float64(secs/86400) + float64(secs%86400)/86400, true
}
