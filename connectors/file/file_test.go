package file

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"switchyard/connectors/conntest"
	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

// productRows are 30 products: every third out of stock; updated one hour
// apart per 10 rows, so that 10 share each stamp.
func productRows() [][]string {
	rows := [][]string{{"id", "name", "price", "instock", "added", "updated", "code"}}
	for i := 1; i <= 30; i++ {
		rows = append(rows, []string{strconv.Itoa(i), fmt.Sprintf("Product %d", i), fmt.Sprintf("%d.%02d", i*3, i),
			strconv.FormatBool(i%3 != 0), fmt.Sprintf("2024-02-%02d", i%28+1),
			time.Date(2024, 3, 1, (i-1)/10, 0, 0, 0, time.UTC).Format(time.RFC3339), fmt.Sprintf("%03d", i)})
	}
	rows = append(rows, []string{"31", "No price", "", "false", "", "2024-03-01T05:00:00Z", "031"})
	return rows
}

func writeCSV(t *testing.T, path string, rows [][]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.WriteAll(rows)
	f.Close()
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// writeXLSX writes sheets of rows, numbers as numbers, the way people make them.
func writeXLSX(t *testing.T, path string, sheets map[string][][]string) {
	t.Helper()
	f := excelize.NewFile()
	for name, rows := range sheets {
		f.NewSheet(name)
		for i, r := range rows {
			vals := make([]any, len(r))
			for j, c := range r {
				vals[j] = c
				if x, err := strconv.ParseFloat(c, 64); err == nil && i > 0 && c[0] != '0' {
					vals[j] = x
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			f.SetSheetRow(name, cell, &vals)
		}
	}
	f.DeleteSheet("Sheet1")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// fixtures makes the same products as a CSV folder and as a workbook.
func fixtures(t *testing.T) map[string]string {
	dir := t.TempDir()
	csvDir := filepath.Join(dir, "csv")
	os.Mkdir(csvDir, 0o755)
	writeCSV(t, filepath.Join(csvDir, "products.csv"), productRows())
	book := filepath.Join(dir, "book.xlsx")
	writeXLSX(t, book, map[string][][]string{"products": productRows()})
	return map[string]string{"csv": csvDir, "xlsx": book}
}

func TestConformance(t *testing.T) {
	for format, path := range fixtures(t) {
		t.Run(format, func(t *testing.T) {
			conntest.Run(t, conntest.Suite{
				Open: func(t *testing.T) connector.Connector {
					c, err := Open(context.Background(), spec.Values{"path": path})
					if err != nil {
						t.Fatal(err)
					}
					return c
				},
				Paged: "products", PagedTotal: 31, PageSize: 7,
				Filter: "instock eq false and price gt 20", FilterMatches: 8,
				Match:       func(r meta.Record) bool { return r["instock"] == false },
				CursorField: "updated", Since: time.Date(2024, 3, 1, 1, 0, 0, 0, time.UTC), SinceMatches: 21,
				Entity: "products",
				NewRecord: func(i int) meta.Record {
					return meta.Record{"name": fmt.Sprintf("New %d", i), "price": json.Number("9.99"), "instock": true, "added": "2024-02-29",
						"updated": time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), "code": "X"}
				},
				Change:    func(meta.Record) meta.Record { return meta.Record{"name": "Changed", "price": json.Number("1.5")} },
				Invalid:   meta.Record{"id": int64(3), "name": "a key that is taken"},
				KeyFilter: func(key string) string { return "id eq " + key },
			})
		})
	}
}

func TestCatalogTypes(t *testing.T) {
	for format, path := range fixtures(t) {
		t.Run(format, func(t *testing.T) {
			c, err := Open(context.Background(), spec.Values{"path": path})
			if err != nil {
				t.Fatal(err)
			}
			cat, err := c.Catalog(t.Context())
			if err != nil || len(cat) != 1 {
				t.Fatalf("catalog %v, %v", cat, err)
			}
			want := map[string]meta.Field{"id": {Type: meta.Int}, "name": {Type: meta.String}, "price": {Type: meta.Decimal, Nullable: true},
				"instock": {Type: meta.Bool}, "added": {Type: meta.Date, Nullable: true}, "updated": {Type: meta.DateTime}, "code": {Type: meta.String}}
			for _, f := range cat[0].Fields {
				w := want[f.Name]
				if f.Type != w.Type || f.Nullable != w.Nullable {
					t.Errorf("%s: %s nullable %v, want %s nullable %v", f.Name, f.Type, f.Nullable, w.Type, w.Nullable)
				}
			}
			if len(cat[0].Fields) != len(want) || cat[0].Key[0] != "id" {
				t.Errorf("fields %v key %v", cat[0].FieldNames(), cat[0].Key)
			}
		})
	}
}

func TestOpenProblems(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "old.xls"), []byte("x"), 0o600)
	tests := []spec.Values{
		{"path": filepath.Join(dir, "missing")},
		{"path": filepath.Join(dir, "old.xls")},
		{"path": dir, "format": "xlsx"},
		{"path": dir, "delimiter": ";;"},
	}
	for _, v := range tests {
		if _, err := Open(context.Background(), v); err == nil {
			t.Errorf("Open(%v) succeeded", v)
		}
	}
}
