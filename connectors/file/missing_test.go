package file

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"switchyard/core/connector"
	"switchyard/core/engine"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/core/store"
)

// TestWritesCreateWhatIsMissing: a create into a CSV file that does not
// exist makes it, and into a workbook without the sheet adds the sheet, each
// with a header of the key column and the records' fields; a read of keys
// there finds none, any other read is an error that names the file and the
// entities there are.
func TestWritesCreateWhatIsMissing(t *testing.T) {
	dir := t.TempDir()
	writeCSV(t, filepath.Join(dir, "customers.csv"), [][]string{{"id", "name"}, {"1", "Ann"}})
	book := filepath.Join(t.TempDir(), "book.xlsx")
	writeXLSX(t, book, map[string][][]string{"customers": {{"id", "name"}, {"1", "Ann"}}})
	recs := []meta.Record{
		{"amount": json.Number("12.5"), "customer": int64(1), "placed": "2024-01-31"},
		{"amount": json.Number("7"), "customer": int64(1), "note": "with a note"},
	}
	for _, tt := range []struct {
		name, path string
		noEntity   []string
	}{
		{"csv", dir, []string{filepath.Join(dir, "gone.csv") + " does not exist; the folder's entities are customers, orders"}},
		{"xlsx", book, []string{`workbook ` + book + ` has no sheet "gone"; its sheets are customers, orders`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Open(context.Background(), spec.Values{"path": tt.path})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			res, err := c.Write(ctx, "orders", connector.Create, recs)
			if err != nil || res[0].Err != nil || res[1].Err != nil || res[0].Key != "1" || res[1].Key != "2" {
				t.Fatalf("create %v, %v", res, err)
			}
			var rows [][]string
			if tt.name == "csv" {
				rows = readCSV(t, filepath.Join(dir, "orders.csv"))
			} else {
				f, _ := excelize.OpenFile(book)
				rows, _ = f.GetRows("orders")
				f.Close()
			}
			if got := fmt.Sprint(rows[0]); got != "[id amount customer note placed]" || len(rows) != 3 {
				t.Errorf("header %s, %d rows", got, len(rows))
			}
			got, _, _ := readEvery(t, c, connector.Query{Entity: "orders"})
			if len(got) != 2 || got[0]["amount"] != json.Number("12.5") || got[1]["note"] != "with a note" || got[0]["placed"] != "2024-01-31" {
				t.Errorf("read back %v", got)
			}

			byKey, problems, err := c.readPage(connector.Query{Entity: "gone", Filter: "id in (1, 2)"}, "")
			if err != nil || len(byKey.Records) != 0 || len(problems) != 0 || byKey.Next != "" {
				t.Errorf("a read of keys of a missing entity: %+v, %v", byKey, err)
			}
			for _, q := range []connector.Query{{Entity: "gone"}, {Entity: "gone", Filter: "id eq 1"}} {
				_, err = c.ReadPage(ctx, q, "")
				for _, want := range tt.noEntity {
					if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "read gone: ") {
						t.Errorf("read %q of a missing entity: %v, want %q", q.Filter, err, want)
					}
				}
			}
			if res, err := c.Write(ctx, "gone", connector.Update, recs[:1]); err == nil {
				t.Errorf("an update of a missing entity: %v", res)
			}
		})
	}
	empty := t.TempDir()
	c, err := Open(context.Background(), spec.Values{"path": empty})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReadPage(context.Background(), connector.Query{Entity: "orders"}, ""); err == nil ||
		!strings.Contains(err.Error(), filepath.Join(empty, "orders.csv")+" does not exist, and the folder "+empty+" has no CSV files") {
		t.Errorf("read in an empty folder: %v", err)
	}
}

// TestExportIntoAHeaderOnlyFile: a column with no values has no type yet
// (string, ExternalType "untyped", nullable); an export fills a CSV file that
// has only its header, settles, and makes the file again when it is gone.
func TestExportIntoAHeaderOnlyFile(t *testing.T) {
	ctx := t.Context()
	full := fixtures(t)["csv"]
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng := &engine.Engine{Workspace: store.Ports[engine.Tx](st)}
	open := func(text string) (mapping.Integration, connector.Connector, []meta.Entity) {
		t.Helper()
		in, err := mapping.Decode(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		conn, err := connector.Default.Open(ctx, Name, in.Values())
		if err != nil {
			t.Fatal(err)
		}
		cat, err := conn.Catalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SaveIntegration(ctx, in); err != nil {
			t.Fatal(err)
		}
		return in, conn, cat
	}
	// The local products, typed from a file with values.
	in, conn, cat := open(strings.ReplaceAll(productsFile, "@PATH@", full))
	plan, ps := mapping.CheckSchemas(in, cat, nil)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	for _, e := range plan.Entities {
		if err := st.CreateEntity(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := eng.Run(ctx, conn, engine.Options{Integration: in, Direction: engine.Import, Catalog: cat}); err != nil || res.Entities[0].Counts.Imported != 31 {
		t.Fatal(res, err)
	}

	// An upload into a file with a header only.
	out := t.TempDir()
	path := filepath.Join(out, "products.csv")
	if err := os.WriteFile(path, []byte("id,name,price,instock,added,code\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(strings.ReplaceAll(productsFile, "@PATH@", out), `"direction": "bidirectional"`, `"direction": "upload"`)
	up, upConn, upCat := open(strings.Replace(text, `"name": "files"`, `"name": "upload"`, 1))
	for _, f := range upCat[0].Fields {
		if f.Type != meta.String || f.ExternalType != "untyped" || f.Nullable != (f.Name != "id") {
			t.Errorf("header-only column %+v", f)
		}
	}
	export := func() engine.Counts {
		t.Helper()
		res, err := eng.Run(ctx, upConn, engine.Options{Integration: up, Direction: engine.Export, Catalog: upCat, PageSize: 10})
		if err != nil {
			t.Fatal(err)
		}
		return res.Entities[0].Counts
	}
	if c := export(); c.Exported != 31 || c.Failed != 0 {
		t.Fatalf("export into the header-only file: %+v", c)
	}
	rows := readCSV(t, path)
	if len(rows) != 32 || fmt.Sprint(rows[0]) != "[id name price instock added code]" || fmt.Sprint(rows[4]) != "[4 Product 4 12.04 true 2024-02-05 004]" {
		t.Errorf("file: %d rows, %v, %v", len(rows), rows[0], rows[4])
	}
	if c := export(); c.Unchanged != 31 {
		t.Errorf("export again: %+v", c)
	}
	// The file is taken away (as another program picks it up): the next export makes it again.
	os.Remove(path)
	if c := export(); c.Exported != 31 || c.Failed != 0 {
		t.Fatalf("export after the file was removed: %+v", c)
	}
	if rows := readCSV(t, path); len(rows) != 32 || fmt.Sprint(rows[0]) != "[id added code instock name price]" {
		t.Errorf("file made again: %d rows, header %v", len(rows), rows[0])
	}
}
