package file

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

// cellState is what a cell holds and shows.
type cellState struct {
	value, formula string
	typ            excelize.CellType
	style          int
	numFmt         int
	customFmt      string
	fill           string
	bold           bool
}

func (c cellState) String() string {
	return fmt.Sprintf("%q %q type %v style %d fmt %d %q fill %s bold %v", c.value, c.formula, c.typ, c.style, c.numFmt, c.customFmt, c.fill, c.bold)
}

// cellsOf reads the state of every cell of the sheet's first rows and columns.
func cellsOf(t *testing.T, path, sheet string, rows, cols int) [][]cellState {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := make([][]cellState, rows+1)
	for r := 1; r <= rows; r++ {
		out[r] = make([]cellState, cols+1)
		for c := 1; c <= cols; c++ {
			name, _ := excelize.CoordinatesToCellName(c, r)
			var s cellState
			s.value, _ = f.GetCellValue(sheet, name, excelize.Options{RawCellValue: true})
			s.formula, _ = f.GetCellFormula(sheet, name)
			s.typ, _ = f.GetCellType(sheet, name)
			s.style, _ = f.GetCellStyle(sheet, name)
			if st, err := f.GetStyle(s.style); err == nil && st != nil {
				s.numFmt = st.NumFmt
				if st.CustomNumFmt != nil {
					s.customFmt = *st.CustomNumFmt
				}
				if len(st.Fill.Color) > 0 {
					s.fill = st.Fill.Color[0]
				}
				s.bold = st.Font != nil && st.Font.Bold
			}
			out[r][c] = s
		}
	}
	return out
}

// TestWorkbookUpdateKeepsCells: an update of one row, a create and a delete
// in a sheet change those cells and rows only: every other cell of the sheet
// (and of the other sheet) keeps its value, type, style and number format,
// date cells stay dates, formulas stay formulas. Dates and date-times
// written go in as date cells with a date number format: the cell's own, the
// one of the row above for a new row, Excel's short date (or
// yyyy-mm-dd hh:mm:ss) added to the cell's style otherwise.
func TestWorkbookUpdateKeepsCells(t *testing.T) {
	path := filepath.Join(t.TempDir(), "book.xlsx")
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "items")
	style := func(s excelize.Style) int {
		t.Helper()
		id, err := f.NewStyle(&s)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	code := func(s string) *string { return &s }
	bold := style(excelize.Style{Font: &excelize.Font{Bold: true}})
	money := style(excelize.Style{CustomNumFmt: code(`#,##0.00 "€"`)})
	german := style(excelize.Style{CustomNumFmt: code("dd.mm.yyyy")})
	stamp := style(excelize.Style{CustomNumFmt: code("yyyy-mm-dd hh:mm")})
	yellow := style(excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFFF00"}}})
	header := []any{"id", "name", "price", "since", "stamp", "active", "due", "total"}
	f.SetSheetRow("items", "A1", &header)
	f.SetCellStyle("items", "A1", "H1", bold)
	data := [][]any{
		{1, "one", 1.5, 45322.0, 45322.5, true, "2024-01-10"},
		{2, "two", 2.25, 45323.0, 45323.25, false, "2024-01-11"},
		{3, "three", 1234.5, 45324.0, 45324.75, true, "2024-01-12"},
		nil, // a row left empty
		{5, "five", 0.1, 45326.0, 45326.125, false, "2024-01-14"},
	}
	for i, r := range data {
		line := i + 2
		if r == nil {
			continue
		}
		cell := fmt.Sprintf("A%d", line)
		f.SetSheetRow("items", cell, &r)
		f.SetCellStyle("items", fmt.Sprintf("C%d", line), fmt.Sprintf("C%d", line), money)
		f.SetCellStyle("items", fmt.Sprintf("D%d", line), fmt.Sprintf("D%d", line), german)
		f.SetCellStyle("items", fmt.Sprintf("E%d", line), fmt.Sprintf("E%d", line), stamp)
		f.SetCellStyle("items", fmt.Sprintf("G%d", line), fmt.Sprintf("G%d", line), yellow)
		f.SetCellFormula("items", fmt.Sprintf("H%d", line), fmt.Sprintf("C%d*2", line))
	}
	f.NewSheet("other")
	other := []any{"kept", 42, 3.5}
	f.SetSheetRow("other", "A1", &other)
	f.SetCellStyle("other", "B1", "B1", money)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	before := cellsOf(t, path, "items", 8, 10)
	otherBefore := cellsOf(t, path, "other", 2, 4)

	c, err := Open(context.Background(), spec.Values{"path": path})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := c.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e, _ := meta.FindEntity(cat, "items")
	for name, typ := range map[string]meta.Type{"since": meta.Date, "stamp": meta.DateTime, "due": meta.Date, "price": meta.Decimal} {
		if f, _ := e.Field(name); f.Type != typ {
			t.Fatalf("%s is %s, want %s", name, f.Type, typ)
		}
	}
	ctx := context.Background()
	res, err := c.Write(ctx, "items", connector.Update, []meta.Record{{
		"id": int64(3), "name": "three, changed", "price": json.Number("1234.50"), // the same price: kept
		"since": "2024-03-15", "stamp": time.Date(2024, 3, 15, 9, 30, 0, 0, time.UTC), "due": "2024-04-01",
	}})
	if err != nil || res[0].Err != nil {
		t.Fatal(res, err)
	}
	res, err = c.Write(ctx, "items", connector.Create, []meta.Record{{
		"id": int64(6), "name": "six", "price": json.Number("6.75"), "since": "2024-05-01",
		"stamp": time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), "due": "2024-05-02", "colour": "red",
	}})
	if err != nil || res[0].Err != nil {
		t.Fatal(res, err)
	}
	res, err = c.Write(ctx, "items", connector.Delete, []meta.Record{{"id": int64(2)}})
	if err != nil || res[0].Err != nil {
		t.Fatal(res, err)
	}
	after := cellsOf(t, path, "items", 8, 10)

	// Row 3 (id 2) is gone: rows below moved up one.
	changed := map[[2]int]bool{{3, 2}: true, {3, 4}: true, {3, 5}: true, {3, 7}: true} // id 3's name, since, stamp, due (before: row 4)
	for r := 1; r <= 6; r++ {
		if r == 3 {
			continue
		}
		to := r
		if r > 3 {
			to = r - 1
		}
		for col := 1; col <= 8; col++ {
			if changed[[2]int{to, col}] {
				continue
			}
			b, a := before[r][col], after[to][col]
			if col == 8 && b.formula != "" {
				b.formula = fmt.Sprintf("C%d*2", to) // moved up with its row, as in Excel
			}
			if b != a {
				t.Errorf("cell %d,%d (now row %d): %v, then %v", r, col, to, b, a)
			}
		}
	}
	// The cells written: id 3 is now row 3.
	date := before[2][4]
	for _, tt := range []struct {
		col         int
		want        cellState
		description string
	}{
		{2, cellState{value: "three, changed", typ: excelize.CellTypeSharedString}, "text"},
		{4, cellState{value: "45366", typ: date.typ, style: date.style, customFmt: "dd.mm.yyyy"}, "a date in the cell's own date format"},
		{5, cellState{value: "45366.395833333336", typ: date.typ, style: before[2][5].style, customFmt: "yyyy-mm-dd hh:mm"}, "a date-time in the cell's own format"},
		{7, cellState{value: "45383", typ: date.typ, numFmt: 14, fill: "FFFF00"}, "a date where text was: Excel's short date, the cell's fill kept"},
	} {
		got := after[3][tt.col]
		got.style = tt.want.style // compared where the test names one
		if tt.want.style == 0 {
			got.style = 0
		}
		if got != tt.want {
			t.Errorf("%s: %v, want %v", tt.description, got, tt.want)
		}
	}
	// The new row went after the sheet's last (6), and moved up with the
	// delete; it takes the styles of the row above.
	newRow := 0
	for r := 1; r <= 8; r++ {
		if after[r][1].value == "6" {
			newRow = r
		}
	}
	if newRow != 6 {
		t.Fatalf("the new row is row %d, want 6 (after the last row, 6, moved up by the delete)", newRow)
	}
	for col, want := range map[int]cellState{
		3: {value: "6.75", typ: before[2][3].typ, style: before[2][3].style, customFmt: `#,##0.00 "€"`},
		4: {value: "45413", typ: date.typ, style: date.style, customFmt: "dd.mm.yyyy"},
		5: {value: "45413.5", typ: date.typ, style: before[2][5].style, customFmt: "yyyy-mm-dd hh:mm"},
		7: {value: "45414", typ: date.typ, numFmt: 14, fill: "FFFF00"},
		9: {value: "red", typ: excelize.CellTypeSharedString},
	} {
		got := after[newRow][col]
		if want.style == 0 {
			got.style = 0
		}
		if got != want {
			t.Errorf("new row, column %d: %v, want %v", col, got, want)
		}
	}
	if h := after[1][9]; h.value != "colour" || !h.bold {
		t.Errorf("the new column's header: %v, want bold like the others", h)
	}
	if got := cellsOf(t, path, "other", 2, 4); fmt.Sprint(got) != fmt.Sprint(otherBefore) {
		t.Errorf("the other sheet:\n%v\nwas\n%v", got, otherBefore)
	}

	// It reads back as written.
	recs, _, _ := readEvery(t, c, connector.Query{Entity: "items", Filter: "id eq 3 or id eq 6"})
	if len(recs) != 2 || recs[0]["since"] != "2024-03-15" || !recs[0]["stamp"].(time.Time).Equal(time.Date(2024, 3, 15, 9, 30, 0, 0, time.UTC)) ||
		recs[1]["due"] != "2024-05-02" || recs[1]["price"] != json.Number("6.75") {
		t.Errorf("read back %v", recs)
	}
}

// TestWorkbookCellValues: what the cells of a workbook hold for what a
// write puts in them.
func TestWorkbookCellValues(t *testing.T) {
	for _, tt := range []struct {
		in string
		x  float64
		ok bool
	}{
		{"12.5", 12.5, true}, {"-3", -3, true}, {"123456789012345", 123456789012345, true},
		{"1234567890123456", 0, false}, {"0.1234567890123456", 0, false}, {"1e5", 1e5, true}, {"abc", 0, false},
	} {
		if x, ok := numberCell(tt.in); ok != tt.ok || x != tt.x {
			t.Errorf("numberCell(%q) = %v, %v", tt.in, x, ok)
		}
	}
	w := &cellWriter{}
	for _, tt := range []struct {
		typ    meta.Type
		in     string
		serial float64
		ok     bool
	}{
		{meta.Date, "2024-01-31", 45322, true},
		{meta.Date, "1900-03-01", 61, true},
		{meta.Date, "1900-02-28", 0, false},
		{meta.DateTime, "2024-01-31T12:00:00Z", 45322.5, true},
		{meta.DateTime, "2024-01-31T12:00:00.5Z", 0, false},
		{meta.DateTime, "2024-01-31T13:00:00+01:00", 45322.5, true},
	} {
		if s, ok := w.serial(tt.typ, tt.in); ok != tt.ok || s != tt.serial {
			t.Errorf("serial(%s, %q) = %v, %v", tt.typ, tt.in, s, ok)
		}
	}

	// A new sheet, a big number and a fraction of a second stay text.
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeXLSX(t, path, map[string][][]string{"existing": {{"id"}, {"1"}}})
	c, err := Open(context.Background(), spec.Values{"path": path})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Write(context.Background(), "made", connector.Create, []meta.Record{
		{"amount": json.Number("12345678901234567.5"), "at": time.Date(2024, 1, 31, 12, 0, 0, 5e8, time.UTC), "name": "x"},
		{"amount": json.Number("2.5"), "at": time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC), "name": "y"},
	})
	if err != nil || res[0].Err != nil || res[1].Err != nil {
		t.Fatal(res, err)
	}
	got := cellsOf(t, path, "made", 3, 4)
	for cell, want := range map[[2]int]string{{1, 1}: "id", {1, 2}: "amount", {1, 3}: "at", {1, 4}: "name", {2, 1}: "1",
		{2, 2}: "12345678901234567.5", {2, 3}: "2024-01-31T12:00:00.5Z", {3, 2}: "2.5", {3, 3}: "45322.5"} {
		if v := got[cell[0]][cell[1]].value; v != want {
			t.Errorf("cell %v = %q, want %q", cell, v, want)
		}
	}
	if got[2][2].typ == got[3][2].typ || got[3][3].customFmt != datetimeFormat {
		t.Errorf("types %v / %v, date-time format %q", got[2][2], got[3][2], got[3][3].customFmt)
	}
}
