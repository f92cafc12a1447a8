package file

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"switchyard/core/connector"
	"switchyard/core/spec"
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

// BenchmarkReadPages reads a CSV file of 20,000 rows in pages of 1,000.
func BenchmarkReadPages(b *testing.B) {
	dir := b.TempDir()
	f, err := os.Create(filepath.Join(dir, "items.csv"))
	if err != nil {
		b.Fatal(err)
	}
	fmt.Fprintln(f, "id,name,price,modifiedon")
	for i := 1; i <= 20000; i++ {
		fmt.Fprintf(f, "%d,item %d,%d.25,2024-01-01T10:00:00Z\n", i, i, i%1000)
	}
	f.Close()
	c, err := Open(context.Background(), spec.Values{"path": dir})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		n, token := 0, ""
		for {
			p, err := c.ReadPage(context.Background(), connector.Query{Entity: "items", PageSize: 1000}, token)
			if err != nil {
				b.Fatal(err)
			}
			n += len(p.Records)
			if token = p.Next; token == "" {
				break
			}
		}
		if n != 20000 {
			b.Fatalf("read %d records", n)
		}
	}
	b.ReportMetric(20000/(b.Elapsed().Seconds()/float64(b.N)), "records/s")
}
