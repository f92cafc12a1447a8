package file

import (
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"switchyard/core/meta"
)

func TestFormatShows(t *testing.T) {
	tests := []struct {
		code string
		want shows
	}{
		{"mm-dd-yy", showsDate}, {"yyyy-mm-dd", showsDate}, {"d-mmm", showsDate}, {"mmm-yy", showsDate}, {"mmmm", showsDate},
		{`dd"."mm"."yyyy`, showsDate}, {"[$-409]d mmmm yyyy;@", showsDate},
		{"m/d/yy hh:mm", showsDateTime}, {"dd/mm/yyyy hh:mm:ss", showsDateTime}, {"yyyy-mm-ddThh:mm:ss", showsDateTime},
		{"h:mm AM/PM", showsTime}, {"hh:mm:ss", showsTime}, {"mm:ss", showsTime},
		{"[h]:mm:ss", showsNumber}, {"General", showsNumber}, {"0.00", showsNumber}, {"#,##0", showsNumber},
		{"0.00E+00", showsNumber}, {"0%", showsNumber}, {"@", showsNumber}, {`"Day "0`, showsNumber}, {`0" days"`, showsNumber},
	}
	for _, tt := range tests {
		if got := formatShows(tt.code); got != tt.want {
			t.Errorf("formatShows(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

// TestWorkbookDates: cells that Excel shows as dates and times come in as
// ISO 8601 text, typed as such by the catalog; numbers stay numbers.
func TestWorkbookDates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "book.xlsx")
	f := excelize.NewFile()
	sheet := "orders"
	f.SetSheetName("Sheet1", sheet)
	style := func(s excelize.Style) int {
		t.Helper()
		id, err := f.NewStyle(&s)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	custom := func(code string) int { return style(excelize.Style{CustomNumFmt: &code}) }
	date, stamp, clock := style(excelize.Style{NumFmt: 14}), custom("yyyy-mm-dd hh:mm"), custom("hh:mm")
	money, elapsed := custom("#,##0.00"), custom("[h]:mm")
	header := []any{"id", "ordered", "shipped", "cutoff", "amount", "effort", "note"}
	f.SetSheetRow(sheet, "A1", &header)
	rows := [][]any{
		{1, 45322.0, 45322.5416666667, 0.75, 1234.5, 1.5, "first"},
		{2, 45351.0, 45351.0, 0.5, 99.0, 30.25, "29 February 2024"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		f.SetSheetRow(sheet, cell, &r)
		for col, s := range map[string]int{"B": date, "C": stamp, "D": clock, "E": money, "F": elapsed} {
			name := col + cell[1:]
			f.SetCellStyle(sheet, name, name, s)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	tab, err := workbook{path: path}.load(sheet)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"1", "2024-01-31", "2024-01-31T13:00:00", "18:00:00", "1234.5", "1.5", "first"},
		{"2", "2024-02-29", "2024-02-29T00:00:00", "12:00:00", "99", "30.25", "29 February 2024"},
	}
	for r, row := range want {
		for c, v := range row {
			if got := tab.cell(r, c); got != v {
				t.Errorf("row %d, %s = %q, want %q", r+1, tab.header[c], got, v)
			}
		}
	}
	for c, typ := range map[int]meta.Type{1: meta.Date, 2: meta.DateTime, 4: meta.Decimal, 0: meta.Int} {
		var got meta.Type
		for r := range tab.rows {
			got = meta.Widen(got, kindOf(tab.cell(r, c)))
		}
		if got != typ {
			t.Errorf("column %s is %s, want %s", tab.header[c], got, typ)
		}
	}
}
