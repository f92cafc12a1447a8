package file

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// TestPagesReadTheFileOnce: the pages of an incremental read (which sorts
// what it matched) come from one reading of the file while it stays as it
// was; a change shows on the next page, and a write through the connector is
// read back.
func TestPagesReadTheFileOnce(t *testing.T) {
	dir := t.TempDir()
	rows := [][]string{{"id", "name", "modifiedon"}}
	for i := 1; i <= 10; i++ {
		rows = append(rows, []string{fmt.Sprint(i), fmt.Sprintf("item %d", i), fmt.Sprintf("2024-01-01T10:%02d:00Z", i)})
	}
	writeCSV(t, filepath.Join(dir, "items.csv"), rows)
	c, err := Open(context.Background(), spec.Values{"path": dir})
	if err != nil {
		t.Fatal(err)
	}
	src := &countingSource{source: c.src}
	c.src = src
	ctx := context.Background()
	q := connector.Query{Entity: "items", PageSize: 3, Filter: "id gt 1", Since: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
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
	rows = append(rows, []string{"11", "item 11", "2024-01-01T10:11:00Z"})
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

// TestCSVStreamsPages: a CSV file is read page by page from where the page
// before ended, rows spanning lines included; a file that changes during the
// read is an error, not a page from the middle of a row.
func TestCSVStreamsPages(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "items.csv")
	content := "\ufeffid,name,price\n"
	for i := 1; i <= 10; i++ {
		name := fmt.Sprintf("item %d", i)
		if i == 4 {
			name = "\"two\nlines, and a comma\""
		}
		content += fmt.Sprintf("%d,%s,%d.5\n", i, name, i)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Open(context.Background(), spec.Values{"path": dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tt := range []struct {
		filter string
		ids    []int64
		total  int64
	}{
		{"", []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10},
		{"price gt 3", []int64{3, 4, 5, 6, 7, 8, 9, 10}, -1},
	} {
		var ids []int64
		token, pages := "", 0
		for {
			p, err := c.ReadPage(ctx, connector.Query{Entity: "items", PageSize: 3, Filter: tt.filter, Count: true}, token)
			if err != nil {
				t.Fatal(err)
			}
			if pages == 0 && p.Total != tt.total {
				t.Errorf("filter %q: total %d, want %d", tt.filter, p.Total, tt.total)
			}
			pages++
			for _, r := range p.Records {
				ids = append(ids, r["id"].(int64))
				if r["id"] == int64(4) && r["name"] != "two\nlines, and a comma" {
					t.Errorf("row 4's name = %q", r["name"])
				}
			}
			if p.Next == "" {
				break
			}
			if p.Next[0] != '@' {
				t.Fatalf("token %q is no offset", p.Next)
			}
			token = p.Next
		}
		if fmt.Sprint(ids) != fmt.Sprint(tt.ids) || pages > (len(tt.ids)+2)/3 {
			t.Errorf("filter %q: read %v in %d pages, want %v in %d", tt.filter, ids, pages, tt.ids, (len(tt.ids)+2)/3)
		}
	}

	first, err := c.ReadPage(ctx, connector.Query{Entity: "items", PageSize: 3}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content+"11,item 11,11.5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReadPage(ctx, connector.Query{Entity: "items", PageSize: 3}, first.Next); err == nil || !strings.Contains(err.Error(), "changed during the read") {
		t.Errorf("a page after the file changed: %v", err)
	}
}

// TestReadByKeys: a read that asks for some keys (as an export's read of the
// records it may update) finds exactly those, whatever the key's type.
func TestReadByKeys(t *testing.T) {
	dir := t.TempDir()
	content := "id,code,ref,name\n"
	for i := 1; i <= 20; i++ {
		content += fmt.Sprintf("%d,C-%02d,0A7F9A9E-58E5-4F5B-9C6E-2B9C4C1D%04d,item %d\n", i, i, i, i)
	}
	content += "  21 ,C-21,,spaced\n"
	if err := os.WriteFile(filepath.Join(dir, "items.csv"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tt := range []struct {
		key, filter string
		want        []int64
	}{
		{"id", "id in (3, 17, 99, 21)", []int64{3, 17, 21}},
		{"id", "id eq 5", []int64{5}},
		{"id", "id in (3, 5) and name eq 'item 5'", []int64{5}},
		{"id", "id in (2.0, 4)", []int64{2, 4}},
		{"code", "code in ('C-02', 'c-03', 'C-20')", []int64{2, 20}},
		{"ref", "ref in (0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0007, 0A7F9A9E-58E5-4F5B-9C6E-2B9C4C1D0008)", []int64{7, 8}},
		{"ref", "ref eq '0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0009'", []int64{9}},
	} {
		c, err := Open(ctx, spec.Values{"path": dir, "key": tt.key})
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for token := ""; ; {
			p, err := c.ReadPage(ctx, connector.Query{Entity: "items", Filter: tt.filter, PageSize: 2}, token)
			if err != nil {
				t.Fatalf("%s: %v", tt.filter, err)
			}
			for _, r := range p.Records {
				got = append(got, r["id"].(int64))
			}
			if token = p.Next; token == "" {
				break
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("key %s, %s: read %v, want %v", tt.key, tt.filter, got, tt.want)
		}
		// What decoding and evaluating every row finds (the way workbooks are read).
		all, err := c.matching(connector.Query{Entity: "items", Filter: tt.filter})
		if err != nil {
			t.Fatal(err)
		}
		var every []int64
		for _, r := range all.records {
			every = append(every, r["id"].(int64))
		}
		if fmt.Sprint(got) != fmt.Sprint(every) {
			t.Errorf("key %s, %s: read %v, every row evaluated gives %v", tt.key, tt.filter, got, every)
		}
	}
}
