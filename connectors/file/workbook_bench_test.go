package file

import (
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// BenchmarkWorkbookLoad reads a sheet of 50,000 rows of six columns, once
// with numbers only and once with a column of dates, for which the connector
// looks at the cells' styles (and excelize parses the whole sheet).
func BenchmarkWorkbookLoad(b *testing.B) {
	for _, dated := range []bool{false, true} {
		name := "numbers"
		if dated {
			name = "dates"
		}
		b.Run(name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "big.xlsx")
			f := excelize.NewFile()
			sw, err := f.NewStreamWriter("Sheet1")
			if err != nil {
				b.Fatal(err)
			}
			date := 0
			if dated {
				date, _ = f.NewStyle(&excelize.Style{NumFmt: 14})
			}
			sw.SetRow("A1", []any{"id", "a", "b", "c", "d", "note"})
			for i := 2; i <= 50001; i++ {
				cell, _ := excelize.CoordinatesToCellName(1, i)
				day := any(45322.0 + float64(i%300))
				if dated {
					day = excelize.Cell{StyleID: date, Value: day}
				}
				sw.SetRow(cell, []any{i, 1.5 * float64(i), i * 3, day, 7.25, "text"})
			}
			if err := sw.Flush(); err != nil {
				b.Fatal(err)
			}
			if err := f.SaveAs(path); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				t, err := (workbook{path: path}).load("Sheet1")
				if err != nil {
					b.Fatal(err)
				}
				if want := "2024-01-31"; dated && t.cell(298, 3) != want {
					b.Fatalf("row 300's date = %q, want %q", t.cell(298, 3), want)
				}
			}
			b.ReportMetric(50000/(b.Elapsed().Seconds()/float64(b.N)), "rows/s")
		})
	}
}
