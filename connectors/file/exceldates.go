package file

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"github.com/xuri/nfp"

	"switchyard/core/values"
)

// Excel stores dates and times as numbers, days since 1900 (or 1904), and
// shows them as dates through the cell's number format. Read raw, a date
// column would come in as 45321; excelDates gives such cells as ISO 8601
// text instead, as a CSV file would have them: 2024-01-31, 2024-01-31T13:00:00
// (no offset: the workbook's time, which the connector takes as UTC), 13:00:00.

// shows says what a number format shows of a number.
type shows int

const (
	showsNumber shows = iota
	showsDate
	showsDateTime
	showsTime
)

// builtInDateFormats are Excel's built-in number formats (by id) that show
// dates or times; other built-in ids show numbers.
var builtInDateFormats = map[int]string{
	14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM",
	20: "hh:mm", 21: "hh:mm:ss", 22: "m/d/yy hh:mm", 45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0",
}

// formatShows tells what the number format code shows: tokens of years or
// days make a date, of hours or seconds a time (minutes and months share
// their letter and go with either); elapsed times ([h]:mm) are durations,
// numbers.
func formatShows(code string) shows {
	parser := nfp.NumberFormatParser()
	sections := parser.Parse(code)
	if len(sections) == 0 {
		return showsNumber
	}
	var date, clock, month bool
	for _, tok := range sections[0].Items {
		switch tok.TType {
		case nfp.TokenTypeElapsedDateTimes:
			return showsNumber
		case nfp.TokenTypeDateTimes:
			v := strings.ToLower(tok.TValue)
			date = date || strings.ContainsAny(v, "yd")
			clock = clock || strings.ContainsAny(v, "hs")
			month = month || strings.Contains(v, "m")
		}
	}
	switch {
	case date && clock:
		return showsDateTime
	case date || (month && !clock):
		return showsDate
	case clock:
		return showsTime
	}
	return showsNumber
}

// excelDates turns the numbers of a workbook's date-formatted cells into ISO
// 8601 text. The first look at a cell's style makes excelize parse the whole
// sheet (about a second for 50,000 rows, more than reading its values), so
// a workbook none of whose styles shows dates is not looked at at all.
type excelDates struct {
	f        *excelize.File
	date1904 bool
	styles   map[int]shows // by style index
	none     bool          // no style shows dates or times
}

// maxStyles bounds the styles of a workbook newExcelDates reads.
const maxStyles = 1 << 16

func newExcelDates(f *excelize.File) *excelDates {
	d := &excelDates{f: f, styles: map[int]shows{}, none: true}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		d.date1904 = *props.Date1904
	}
	for idx := 0; idx < maxStyles; idx++ {
		style, err := f.GetStyle(idx)
		if err != nil {
			break // past the last
		}
		what := showsNumber
		if style.CustomNumFmt != nil && *style.CustomNumFmt != "" {
			what = formatShows(*style.CustomNumFmt)
		} else if code, ok := builtInDateFormats[style.NumFmt]; ok {
			what = formatShows(code)
		}
		d.styles[idx] = what
		d.none = d.none && what == showsNumber
	}
	return d
}

// text returns the ISO 8601 text of the cell at col, row (from 1) of sheet,
// which holds raw, when its number format shows a date or a time.
func (d *excelDates) text(sheet string, col, row int, raw string) (string, bool) {
	if d.none {
		return "", false
	}
	serial, err := strconv.ParseFloat(raw, 64)
	if err != nil || serial < 0 {
		return "", false
	}
	cell, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return "", false
	}
	idx, err := d.f.GetCellStyle(sheet, cell)
	if err != nil {
		return "", false
	}
	what := d.styles[idx] // showsNumber for a style not read
	if what == showsDate && serial != math.Trunc(serial) {
		what = showsDateTime // a time the format does not show is still there
	}
	if what == showsTime && serial >= 1 {
		return "", false // more than a day: a duration, not a time of day
	}
	t, err := excelize.ExcelDateToTime(serial, d.date1904)
	if err != nil {
		return "", false
	}
	t = t.Round(time.Second)
	switch what {
	case showsDate:
		return values.FormatDate(t), true
	case showsDateTime:
		return t.Format("2006-01-02T15:04:05"), true
	case showsTime:
		return t.Format(time.TimeOnly), true
	}
	return "", false
}
