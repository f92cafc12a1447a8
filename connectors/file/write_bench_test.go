package file

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

// BenchmarkWorkbookUpdate updates 100 rows of a sheet of 20,000 rows (with a
// column of dates) in one batch.
func BenchmarkWorkbookUpdate(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.xlsx")
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	date, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	sw.SetRow("A1", []any{"id", "name", "price", "day"})
	for i := 2; i <= 20001; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		sw.SetRow(cell, []any{i - 1, fmt.Sprintf("item %d", i), 1.5 * float64(i), excelize.Cell{StyleID: date, Value: 45322.0 + float64(i%300)}})
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
	c, err := Open(context.Background(), spec.Values{"path": path})
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		n++
		recs := make([]meta.Record, 100)
		for i := range recs {
			recs[i] = meta.Record{"id": int64(i*150 + 1), "name": fmt.Sprintf("changed %d", n)}
		}
		res, err := c.Write(context.Background(), "Sheet1", connector.Update, recs)
		if err != nil || res[0].Err != nil {
			b.Fatal(err, res[0].Err)
		}
	}
}

// BenchmarkCSVWrite updates 500 rows of a CSV file of 20,000 rows in one
// batch (the file is written again), and creates 500 (appended).
func BenchmarkCSVWrite(b *testing.B) {
	for _, op := range []connector.Op{connector.Update, connector.Create} {
		b.Run(string(op), func(b *testing.B) {
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
			n := 0
			for b.Loop() {
				n++
				recs := make([]meta.Record, 500)
				for i := range recs {
					recs[i] = meta.Record{"name": fmt.Sprintf("changed %d", n), "price": json.Number("3.5")}
					if op == connector.Update {
						recs[i]["id"] = int64(i*40 + 1)
					}
				}
				res, err := c.Write(context.Background(), "items", op, recs)
				if err != nil || res[0].Err != nil {
					b.Fatal(err, res[0].Err)
				}
			}
		})
	}
}
