package file

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

// countingSource counts the loads of a source.
type countingSource struct {
	source
	loads int
}

func (s *countingSource) load(name string) (*table, error) {
	s.loads++
	return s.source.load(name)
}

// TestPagesReadTheFileOnce: the pages of a read come from one reading of the
// file while it stays as it was; a change shows on the next page, and a write
// through the connector is read back.
func TestPagesReadTheFileOnce(t *testing.T) {
	dir := t.TempDir()
	rows := [][]string{{"id", "name"}}
	for i := 1; i <= 10; i++ {
		rows = append(rows, []string{fmt.Sprint(i), fmt.Sprintf("item %d", i)})
	}
	writeCSV(t, filepath.Join(dir, "items.csv"), rows)
	c, err := Open(context.Background(), spec.Values{"path": dir})
	if err != nil {
		t.Fatal(err)
	}
	src := &countingSource{source: c.src}
	c.src = src
	ctx := context.Background()
	q := connector.Query{Entity: "items", PageSize: 3, Filter: "id gt 1"}
	readAll := func() []string {
		t.Helper()
		var names []string
		token := ""
		for {
			p, err := c.ReadPage(ctx, q, token)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range p.Records {
				names = append(names, r["name"].(string))
			}
			if p.Next == "" {
				return names
			}
			token = p.Next
		}
	}
	if got := readAll(); len(got) != 9 || got[0] != "item 2" || got[8] != "item 10" {
		t.Fatalf("read %v", got)
	}
	if src.loads != 1 {
		t.Errorf("three pages loaded the file %d times, want once", src.loads)
	}

	// The file changes between two pages: the next page reads it again.
	first, err := c.ReadPage(ctx, q, "")
	if err != nil {
		t.Fatal(err)
	}
	rows[5][1] = "changed"
	rows = append(rows, []string{"11", "item 11"})
	writeCSV(t, filepath.Join(dir, "items.csv"), rows)
	future := time.Now().Add(time.Minute) // a modification time that differs even on a coarse clock
	os.Chtimes(filepath.Join(dir, "items.csv"), future, future)
	second, err := c.ReadPage(ctx, q, first.Next)
	if err != nil || len(second.Records) != 3 || second.Records[0]["name"] != "changed" {
		t.Fatalf("page after a change = %+v, %v", second.Records, err)
	}

	// A write through the connector drops what was kept.
	if _, err := c.Write(ctx, "items", connector.Update, []meta.Record{{"id": int64(2), "name": "written"}}); err != nil {
		t.Fatal(err)
	}
	if p, err := c.ReadPage(ctx, q, ""); err != nil || p.Records[0]["name"] != "written" {
		t.Fatalf("first page after a write = %+v, %v", p.Records, err)
	}
}
