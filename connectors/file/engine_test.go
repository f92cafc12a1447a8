package file

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"switchyard/core/connector"
	"switchyard/core/engine"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/store"
)

const productsFile = `{"format": "switchyard.integration/v1", "name": "files", "connector": "file",
 "settings": {"path": "@PATH@"},
 "entities": [{"external": "products", "local": "product", "primaryKey": "externalid", "direction": "bidirectional",
   "downloadFilter": "", "uploadFilter": "",
   "fields": [{"external": "id", "local": "externalid"}, {"external": "name", "local": "name"}, {"external": "price", "local": "price"},
              {"external": "instock", "local": "instock"}, {"external": "added", "local": "added"}, {"external": "code", "local": "code"}]}],
 "schedules": []}`

// fileRows reads the products back from the file, by id, as text.
func fileRows(t *testing.T, format, path string) map[string]map[string]string {
	t.Helper()
	var rows [][]string
	if format == "csv" {
		rows = readCSV(t, filepath.Join(path, "products.csv"))
	} else {
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ = f.GetRows("products", excelize.Options{RawCellValue: true})
		// Date cells as the dates they show (TestWorkbookUpdateKeepsCells
		// checks their types and formats).
		for r := 1; r < len(rows); r++ {
			for c, v := range rows[r] {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if style, _ := f.GetCellStyle("products", cell); style != 0 && v != "" {
					if st, _ := f.GetStyle(style); st != nil && st.NumFmt == 14 {
						n, _ := strconv.ParseFloat(v, 64)
						day, _ := excelize.ExcelDateToTime(n, false)
						rows[r][c] = day.Format(time.DateOnly)
					}
				}
			}
		}
		f.Close()
	}
	out := map[string]map[string]string{}
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			if i < len(r) {
				m[h] = r[i]
			}
		}
		out[m["id"]] = m
	}
	return out
}

// productsWorkspace opens a new workspace with the products integration of
// productsFile over the file or folder at path, its local entities created as
// integration import creates them, and the connector and its catalog.
func productsWorkspace(t *testing.T, path string) (*store.Store, mapping.Integration, connector.Connector, []meta.Entity) {
	t.Helper()
	ctx := t.Context()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	in, err := mapping.Decode(strings.NewReader(strings.ReplaceAll(productsFile, "@PATH@", path)))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := connector.Default.Open(ctx, Name, in.Values())
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := conn.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	plan, ps := mapping.CheckSchemas(in, catalog, nil)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	for _, e := range plan.Entities {
		if err := st.CreateEntity(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SaveIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	return st, in, conn, catalog
}

// TestFileRoundTrip imports the products of a CSV folder and of a workbook,
// checks them row by row, exports local changes and a new row back into the
// file, checks the file row by row, and finds nothing left to import.
func TestFileRoundTrip(t *testing.T) {
	for format, path := range fixtures(t) {
		t.Run(format, func(t *testing.T) {
			ctx := t.Context()
			st, in, conn, catalog := productsWorkspace(t, path)
			eng := &engine.Engine{Workspace: store.Ports[engine.Tx](st)}
			run := func(d engine.Direction) engine.Counts {
				t.Helper()
				res, err := eng.Run(ctx, conn, engine.Options{Integration: in, Direction: d, Catalog: catalog, PageSize: 8})
				if err != nil {
					t.Fatalf("%s: %v", d, err)
				}
				return res.Entities[0].Counts
			}
			local := func() map[string]map[string]string {
				out := map[string]map[string]string{}
				st.View(ctx, func(tx *store.Tx) error {
					rows, err := tx.Scan("product", []string{"externalid", "name", "price", "instock", "added", "code"}, nil, "", 1000)
					for _, r := range rows {
						m := map[string]string{"id": r.ID}
						for k, v := range r.Values {
							if v != nil {
								m[k] = fmt.Sprint(v)
							}
						}
						out[m["externalid"]] = m
					}
					return err
				})
				return out
			}
			same := func(a, b string) bool {
				x, e1 := strconv.ParseFloat(a, 64)
				y, e2 := strconv.ParseFloat(b, 64)
				return a == b || (e1 == nil && e2 == nil && x == y)
			}
			stock := map[string]string{"true": "1", "false": "0"}

			if c := run(engine.Import); c.Imported != 31 || c.Failed != 0 {
				t.Fatalf("import: %+v", c)
			}
			ours := local()
			for id, f := range fileRows(t, format, path) {
				l := ours[id]
				if l == nil || l["name"] != f["name"] || !same(l["price"], f["price"]) || l["instock"] != stock[f["instock"]] ||
					l["added"] != f["added"] || l["code"] != f["code"] {
					t.Errorf("row %s: file %v, local %v", id, f, l)
				}
			}

			err := st.Update(ctx, func(tx *store.Tx) error {
				if err := tx.UpdateRow("product", ours["4"]["id"], map[string]any{"name": "Renamed", "price": 99.5, "instock": 0}); err != nil {
					return err
				}
				_, err := tx.Insert("product", map[string]any{"name": "Made here", "price": 12, "instock": 1, "added": "2024-02-29", "code": "007"})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if c := run(engine.Export); c.Exported != 1 || c.Updated != 1 || c.Unchanged != 30 || c.Failed != 0 {
				t.Fatalf("export: %+v", c)
			}
			back := fileRows(t, format, path)
			if r := back["4"]; r["name"] != "Renamed" || !same(r["price"], "99.5") || r["instock"] != "false" || r["code"] != "004" {
				t.Errorf("row 4 in the file: %v", r)
			}
			if r := back["32"]; r["name"] != "Made here" || !same(r["price"], "12") || r["added"] != "2024-02-29" || r["code"] != "007" {
				t.Errorf("the new row in the file: %v", r)
			}
			if len(back) != 32 || local()["32"]["name"] != "Made here" {
				t.Errorf("%d rows in the file; the new local row has externalid %v", len(back), local())
			}
			if c := run(engine.Import); c.Unchanged != 32 {
				t.Errorf("import after export: %+v, want 32 unchanged", c)
			}
		})
	}
}
