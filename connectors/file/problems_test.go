package file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"switchyard/core/connector"
	"switchyard/core/engine"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/core/store"
)

// readEvery reads every page of q with readPage, and returns the records,
// the problems and the number of pages.
func readEvery(t *testing.T, c *Client, q connector.Query) ([]meta.Record, []RecordProblem, int) {
	t.Helper()
	var recs []meta.Record
	var problems []RecordProblem
	token, pages := "", 0
	for {
		p, ps, err := c.readPage(q, token)
		if err != nil {
			t.Fatalf("read %s page %d: %v", q.Entity, pages+1, err)
		}
		pages++
		recs = append(recs, p.Records...)
		problems = append(problems, ps...)
		if p.Next == "" {
			return recs, problems, pages
		}
		token = p.Next
	}
}

// problemLines writes problems as "row key: error" lines, in order.
func problemLines(ps []RecordProblem) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%d %s: %v\n", p.Row, p.Key, p.Err)
	}
	return b.String()
}

func ids(recs []meta.Record) string {
	var out []string
	for _, r := range recs {
		out = append(out, fmt.Sprint(r["id"]))
	}
	return strings.Join(out, " ")
}

// TestRowsThatDoNotFit: a CSV row with more fields than the header, or
// fewer, is left out of the read and reported with its row number and both
// counts; the read goes on, page after page, the same whether the file is
// streamed or read whole (incremental reads); a delimiter at the end of a
// row loses nothing and is read. In a workbook, a value in a column without
// a header is reported the same way.
func TestRowsThatDoNotFit(t *testing.T) {
	csvText := "id,name,price,modifiedon\n" +
		"1,one,1.5,2024-01-01T00:00:00Z\n" +
		"2,two,2.5\n" + // row 3: fewer
		"3,three,3.5,2024-01-03T00:00:00Z\n" +
		"4,four,4.5,2024-01-04T00:00:00Z,extra\n" + // row 5: more
		"5,five,5.5,2024-01-05T00:00:00Z,\n" + // an empty field after the header's: read
		"6,\"six,\non two lines\",6.5,2024-01-06T00:00:00Z\n" +
		"7,seven\n" + // row 8: fewer
		"8,eight,8.5,2024-01-08T00:00:00Z\n"
	want := "3 2: row 3 has 3 fields, the header 4\n5 4: row 5 has 5 fields, the header 4\n8 7: row 8 has 2 fields, the header 4\n"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "items.csv"), []byte(csvText), 0o644); err != nil {
		t.Fatal(err)
	}
	book := filepath.Join(t.TempDir(), "book.xlsx")
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "items")
	rows := [][]any{{"id", "name", "price"}, {1, "one", 1.5}, {2, "two", 2.5, "stray"}, {3, "three", 3.5}, {4, "four", nil, nil, "far"}, {5, "five"}}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow("items", cell, &r)
	}
	if err := f.SaveAs(book); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name, path string
		q          connector.Query
		ids        string
		problems   string
		total      int64
	}{
		{"csv streamed", dir, connector.Query{Entity: "items", PageSize: 2, Count: true}, "1 3 5 6 8", want, 5},
		{"csv whole", dir, connector.Query{Entity: "items", PageSize: 2, Since: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)}, "1 3 5 6 8", want, -1},
		{"csv filtered", dir, connector.Query{Entity: "items", PageSize: 2, Filter: "price gt 3"}, "3 5 6 8", want, -1},
		{"csv by key", dir, connector.Query{Entity: "items", PageSize: 2, Filter: "id in (1, 4)"}, "1", "5 4: row 5 has 5 fields, the header 4\n", -1},
		{"xlsx", book, connector.Query{Entity: "items", PageSize: 2, Count: true}, "1 3 5",
			"3 2: row 3 has a value in column D, which has no header\n5 4: row 5 has a value in column E, which has no header\n", 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Open(context.Background(), spec.Values{"path": tt.path})
			if err != nil {
				t.Fatal(err)
			}
			recs, problems, pages := readEvery(t, c, tt.q)
			if got := ids(recs); got != tt.ids {
				t.Errorf("read %s, want %s", got, tt.ids)
			}
			if got := problemLines(problems); got != tt.problems {
				t.Errorf("problems:\n%s\nwant:\n%s", got, tt.problems)
			}
			for _, p := range problems {
				if !errors.Is(p.Err, ErrRowWidth) {
					t.Errorf("row %d: %v is not ErrRowWidth", p.Row, p.Err)
				}
			}
			if len(recs) > 2 && pages < 2 {
				t.Errorf("%d page(s)", pages)
			}
			first, _, _ := c.readPage(connector.Query{Entity: "items", PageSize: 2, Count: tt.q.Count, Filter: tt.q.Filter, Since: tt.q.Since}, "")
			if first.Total != tt.total {
				t.Errorf("total %d, want %d", first.Total, tt.total)
			}
		})
	}

	// ReadPage writes them to the connection log; a connection test counts them.
	c, _ := Open(context.Background(), spec.Values{"path": dir})
	var log bytes.Buffer
	ctx := connector.WithLogger(context.Background(), slog.New(slog.NewTextHandler(&log, nil)))
	if _, err := conntestReadAll(ctx, c, connector.Query{Entity: "items"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), `row=5 key=4 error="row 5 has 5 fields, the header 4"`) || strings.Count(log.String(), "left out") != 3 {
		t.Errorf("log:\n%s", log.String())
	}
	report, err := c.Test(context.Background())
	if err != nil || !strings.Contains(strings.Join(report.Details, "\n"), "3 rows left out, e.g. row 3 has 3 fields, the header 4") {
		t.Errorf("test report %+v, %v", report, err)
	}
}

// conntestReadAll reads every page of q through ReadPage.
func conntestReadAll(ctx context.Context, c *Client, q connector.Query) ([]meta.Record, error) {
	var out []meta.Record
	for token := ""; ; {
		p, err := c.ReadPage(ctx, q, token)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Records...)
		if token = p.Next; token == "" {
			return out, nil
		}
	}
}

// TestWritesAroundRowsThatDoNotFit: a write leaves such rows as they are,
// fails an update of one, and adds no column over them.
func TestWritesAroundRowsThatDoNotFit(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "items.csv")
	text := "id,name\n1,one\n2,two,stray\n3\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Open(context.Background(), spec.Values{"path": dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := c.Write(ctx, "items", connector.Update, []meta.Record{
		{"id": int64(1), "name": "ONE"},
		{"id": int64(2), "name": "TWO"},
		{"id": int64(1), "colour": "red"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[1].Err == nil || !strings.Contains(res[1].Err.Error(), "row 3 has 3 fields, the header 2: correct the file first") ||
		res[2].Err == nil || !strings.Contains(res[2].Err.Error(), "field colour needs a new column") {
		t.Errorf("results %v", res)
	}
	if b, _ := os.ReadFile(path); string(b) != "id,name\n1,ONE\n2,two,stray\n3\n" {
		t.Errorf("file %q", b)
	}
	res, err = c.Write(ctx, "items", connector.Create, []meta.Record{{"id": int64(3), "name": "again"}, {"name": "four"}})
	if err != nil || res[0].Err == nil || res[1].Err != nil || res[1].Key != "4" {
		t.Errorf("creates %v, %v: a key that a row that does not fit has is taken", res, err)
	}
}

// TestRepeatedKeys: the second and later rows with a key already seen are
// left out and reported ("key 5 repeats row 2"), so an import settles; a
// write changes the first. GUID keys repeat whatever their case.
func TestRepeatedKeys(t *testing.T) {
	guid := "0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0001"
	for _, tt := range []struct {
		name, key string
		rows      [][]string
		ids       string
		problems  string
	}{
		{"whole numbers", "id", [][]string{{"id", "name"}, {"5", "first"}, {"6", "six"}, {"5", "second"}, {"7", "seven"}, {"5", "third"}, {"", "no key"}, {"", "no key either"}},
			"5 6 7 <nil> <nil>", "4 5: key 5 repeats row 2\n6 5: key 5 repeats row 2\n"},
		{"guids", "ref", [][]string{{"ref", "id"}, {guid, "1"}, {strings.ToUpper(guid), "2"}, {" " + guid + " ", "3"}},
			"1", "3 " + guid + ": key " + guid + " repeats row 2\n4 " + guid + ": key " + guid + " repeats row 2\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeCSV(t, filepath.Join(dir, "items.csv"), tt.rows)
			book := filepath.Join(t.TempDir(), "book.xlsx")
			writeXLSX(t, book, map[string][][]string{"items": tt.rows})
			for _, path := range []string{dir, book} {
				c, err := Open(context.Background(), spec.Values{"path": path, "key": tt.key})
				if err != nil {
					t.Fatal(err)
				}
				for _, q := range []connector.Query{{Entity: "items", PageSize: 2}, {Entity: "items", PageSize: 2, Filter: "name ne 'x'"}} {
					recs, problems, _ := readEvery(t, c, q)
					if got := ids(recs); got != tt.ids {
						t.Errorf("%s %q: read %s, want %s", filepath.Base(path), q.Filter, got, tt.ids)
					}
					if got := problemLines(problems); got != tt.problems {
						t.Errorf("%s %q: problems\n%s\nwant\n%s", filepath.Base(path), q.Filter, got, tt.problems)
					}
				}
			}
		})
	}

	// A write changes the first row with the key.
	dir := t.TempDir()
	writeCSV(t, filepath.Join(dir, "items.csv"), [][]string{{"id", "name"}, {"5", "first"}, {"5", "second"}})
	c, _ := Open(context.Background(), spec.Values{"path": dir})
	if res, err := c.Write(context.Background(), "items", connector.Update, []meta.Record{{"id": int64(5), "name": "changed"}}); err != nil || res[0].Err != nil {
		t.Fatal(res, err)
	}
	if got := readCSV(t, filepath.Join(dir, "items.csv")); fmt.Sprint(got) != "[[id name] [5 changed] [5 second]]" {
		t.Errorf("file %v", got)
	}
	// A filter the repeated row does not match reports nothing.
	_, problems, _ := readEvery(t, c, connector.Query{Entity: "items", Filter: "name eq 'changed'"})
	if len(problems) != 0 {
		t.Errorf("problems %v", problems)
	}
}

// TestImportSettles: an import of a file with repeated keys and rows that do
// not fit, run twice, finds nothing to update the second time (before, the
// rows sharing a key updated each other on every run); the rows left out
// count as failed records, with their row numbers, in the run and its log.
func TestImportSettles(t *testing.T) {
	for format, path := range fixtures(t) {
		t.Run(format, func(t *testing.T) {
			rows := productRows()
			rows = append(rows, slices.Clone(rows[4]), slices.Clone(rows[9]))
			rows[len(rows)-2][1], rows[len(rows)-1][1] = "a second product 4", "a second product 9"
			if format == "csv" {
				rows = append(rows, []string{"40", "short"})
				writeCSV(t, filepath.Join(path, "products.csv"), rows)
			} else {
				writeXLSX(t, path, map[string][][]string{"products": rows})
			}
			ctx := t.Context()
			st, in, conn, catalog := productsWorkspace(t, path)
			// The rows left out (2 repeated keys, and in the CSV file a short row) fail, with their reasons, every run.
			left := 2
			if format == "csv" {
				left = 3
			}
			eng := &engine.Engine{Workspace: store.Ports[engine.Tx](st)}
			for run, want := range []engine.Counts{{All: 31 + left, Imported: 31, Failed: left}, {All: 31 + left, Unchanged: 31, Failed: left}} {
				res, err := eng.Run(ctx, conn, engine.Options{Integration: in, Direction: engine.Import, Catalog: catalog, PageSize: 8})
				if err != nil {
					t.Fatal(err)
				}
				if got := res.Entities[0].Counts; got != want {
					t.Errorf("run %d: %+v, want %+v", run+1, got, want)
				}
				if fails, _ := st.LogFailures(ctx, res.LogID, 0); len(fails) != left || !strings.Contains(fails[0].Error, "row ") {
					t.Errorf("run %d: failures logged %+v", run+1, fails)
				}
			}
		})
	}
}
