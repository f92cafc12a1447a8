package file

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

// TestCreatesAppend: creating rows in a CSV file appends them, and leaves the
// file and the results as writing the whole file again would.
func TestCreatesAppend(t *testing.T) {
	start := [][]string{{"id", "name", "price", "added"}, {"1", "one", "1.5", "2024-01-01"}, {"2", "two", "2.5", "2024-01-02"}}
	open := func(long bool) (*Client, string) {
		t.Helper()
		dir := t.TempDir()
		writeCSV(t, filepath.Join(dir, "items.csv"), start)
		c, err := Open(context.Background(), spec.Values{"path": dir})
		if err != nil {
			t.Fatal(err)
		}
		if long {
			c.src = &countingSource{source: c.src} // not a csvFolder: every write rewrites the file
		}
		return c, filepath.Join(dir, "items.csv")
	}
	short, shortPath := open(false)
	long, longPath := open(true)
	ctx := context.Background()
	batches := [][]meta.Record{
		{{"id": int64(3), "name": "three", "price": json.Number("3.5"), "added": time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC)}},
		{{"name": "no key"}, {"name": "no key either", "price": json.Number("9")}},
		{{"id": int64(2), "name": "taken"}, {"id": int64(10), "name": "ten, with \"quotes\"\nand a line"}},
		{{"name": "after ten"}},
		{{"id": int64(20), "name": "new column", "colour": "red"}},
		{{"name": "after the new column"}},
	}
	for i, b := range batches {
		got, err := short.Write(ctx, "items", connector.Create, b)
		want, wantErr := long.Write(ctx, "items", connector.Create, b)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("batch %d: results %v, %v; rewriting gives %v, %v", i+1, got, err, want, wantErr)
		}
		a, _ := os.ReadFile(shortPath)
		w, _ := os.ReadFile(longPath)
		if !bytes.Equal(a, w) {
			t.Fatalf("batch %d: the file is\n%s\nrewriting gives\n%s", i+1, a, w)
		}
	}
	// What was appended reads back, typed as before.
	p, err := short.ReadPage(ctx, connector.Query{Entity: "items", PageSize: 100}, "")
	var ids []string
	for _, r := range p.Records {
		ids = append(ids, fmt.Sprint(r["id"]))
	}
	if err != nil || fmt.Sprint(ids) != "[1 2 3 4 5 10 11 20 21]" || fmt.Sprint(p.Records[2]["price"]) != "3.5" || p.Records[8]["colour"] != nil {
		t.Fatalf("read back %v: %+v, %v", ids, p.Records, err)
	}
}

// TestAppendAfterAFileWithoutLineBreak: a file whose last row has no line
// break gets one before the rows appended.
func TestAppendAfterAFileWithoutLineBreak(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "items.csv"), []byte("id,name\n1,one"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Open(context.Background(), spec.Values{"path": dir})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Write(context.Background(), "items", connector.Create, []meta.Record{{"name": "two"}})
	if err != nil || res[0].Err != nil || res[0].Key != "2" {
		t.Fatalf("create = %+v, %v", res, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "items.csv")); string(b) != "id,name\n1,one\n2,two\n" {
		t.Errorf("file = %q", b)
	}
}
