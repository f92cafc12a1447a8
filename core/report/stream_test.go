package report

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"switchyard/core/engine"
)

// TestInterleavedEntities writes records of more entities than there are
// compressors, alternating record by record as a sync or the deferred
// lookups may: each sheet lists its entity's records in the order they came.
func TestInterleavedEntities(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sync.xlsx")
	w, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	entities := []string{"A", "B", "C", "D", "E", "F"}
	const each = 3000
	res := &engine.Result{Integration: "crm", Direction: engine.Sync, Status: engine.Partial, Started: time.Now()}
	for _, e := range entities[1:] { // A, which had records, is not in the result
		res.Entities = append(res.Entities, engine.EntityResult{Entity: e, Direction: engine.Sync, Counts: engine.Counts{All: each}})
	}
	for i := range each {
		for j, e := range entities {
			if i > 2000 && j%2 == 1 { // then only some of them
				continue
			}
			r := engine.RecordResult{Entity: e, Key: fmt.Sprintf("%s-%d", e, i), Action: engine.Update, Changes: []engine.Change{{Field: "n", Old: i, New: i + 1}}}
			if i%1000 == 7 {
				r.Action, r.Changes, r.Error = engine.Fail, nil, "failed "+r.Key
			}
			w.Record(r)
		}
	}
	if err := w.Close(res); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "Summary,B,C,D,E,F,A" {
		t.Fatalf("sheets = %s", got)
	}
	for j, e := range entities {
		rows, err := f.GetRows(e)
		if err != nil {
			t.Fatal(err)
		}
		want := each
		if j%2 == 1 {
			want = 2001
		}
		if len(rows) != want+1 {
			t.Fatalf("%s: %d rows, want %d", e, len(rows)-1, want)
		}
		for i, row := range rows[1:] {
			if row[0] != fmt.Sprintf("%s-%d", e, i) {
				t.Fatalf("%s row %d = %q", e, i+2, row)
			}
			if i%1000 == 7 {
				if row[2] != "failed" || row[4] != "failed "+row[0] {
					t.Fatalf("%s row %d = %q", e, i+2, row)
				}
			} else if row[3] != fmt.Sprintf("n: %d → %d", i, i+1) {
				t.Fatalf("%s row %d = %q", e, i+2, row)
			}
		}
	}
	file, err := os.Open(w.FailedPath())
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	failed, err := csv.NewReader(file).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range failed[1:] {
		keys = append(keys, r[1])
	}
	// By entity in the order their first records came, then in their order.
	if got := strings.Join(keys, " "); got != "A-7 A-1007 A-2007 B-7 B-1007 C-7 C-1007 C-2007 D-7 D-1007 E-7 E-1007 E-2007 F-7 F-1007" {
		t.Errorf("failed keys = %s", got)
	}
	if _, err := os.Stat(w.dir); !os.IsNotExist(err) {
		t.Errorf("the temporary folder is left: %v", err)
	}
}

// TestFullSheetContinues puts the records of an entity with more than a sheet
// holds on the sheets after it.
func TestFullSheetContinues(t *testing.T) {
	defer func(n int) { maxRows = n }(maxRows)
	maxRows = 3
	path := filepath.Join(t.TempDir(), "big.xlsx")
	w, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		w.Record(engine.RecordResult{Entity: "Items", Key: fmt.Sprint(i), Action: engine.Create})
	}
	w.Record(engine.RecordResult{Entity: "Other", Key: "o", Action: engine.Create})
	res := &engine.Result{Integration: "crm", Direction: engine.Import, Entities: []engine.EntityResult{{Entity: "Items"}, {Entity: "Other"}}}
	if err := w.Close(res); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "Summary,Items,Items 2,Items 3,Other" {
		t.Fatalf("sheets = %s", got)
	}
	var keys []string
	for _, sheet := range []string{"Items", "Items 2", "Items 3"} {
		rows, _ := f.GetRows(sheet)
		if rows[0][0] != "Key" {
			t.Errorf("%s header = %q", sheet, rows[0])
		}
		for _, row := range rows[1:] {
			keys = append(keys, row[0])
		}
	}
	if got := strings.Join(keys, ","); got != "0,1,2,3,4,5,6,7" {
		t.Errorf("keys = %s", got)
	}
}

func TestCloseWithoutResult(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.xlsx")
	w, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	w.Record(engine.RecordResult{Entity: "Items", Key: "1", Action: engine.Create})
	if err := w.Close(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a report without a result was written: %v", err)
	}
	if _, err := os.Stat(w.dir); !os.IsNotExist(err) {
		t.Errorf("the temporary folder is left: %v", err)
	}
	if err := w.Close(nil); err == nil {
		t.Error("a second Close did not fail")
	}
}

// TestSheetNamesIgnoreCase gives entities whose names differ only in case
// sheets of their own, as Excel's sheet names ignore case.
func TestSheetNamesIgnoreCase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "case.xlsx")
	w, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []string{"Items", "ITEMS", "summary"} {
		w.Record(engine.RecordResult{Entity: e, Key: e, Action: engine.Create})
	}
	if err := w.Close(&engine.Result{Entities: []engine.EntityResult{{Entity: "Items"}, {Entity: "ITEMS"}, {Entity: "summary"}}}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "Summary,Items,ITEMS 2,summary 2" {
		t.Fatalf("sheets = %s", got)
	}
	for sheet, key := range map[string]string{"Items": "Items", "ITEMS 2": "ITEMS", "summary 2": "summary"} {
		if rows, _ := f.GetRows(sheet); len(rows) != 2 || rows[1][0] != key {
			t.Errorf("%s rows = %q", sheet, rows)
		}
	}
}
