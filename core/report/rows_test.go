package report

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"switchyard/core/engine"
)

// excelizeRows returns the rows after the header of a sheet that excelize's
// StreamWriter writes with rows, as the bytes of its XML.
func excelizeRows(t *testing.T, rows [][]any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{"header"}); err != nil {
		t.Fatal(err)
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if zf.Name != "xl/worksheets/sheet1.xml" {
			continue
		}
		r, _ := zf.Open()
		b, _ := io.ReadAll(r)
		s := string(b)
		return s[strings.Index(s, `<row r="2"`):strings.Index(s, "</sheetData>")]
	}
	t.Fatal("no sheet1.xml")
	return ""
}

// TestRowsAsExcelize holds the rows the report writes itself to the bytes
// excelize's StreamWriter writes for the same strings.
func TestRowsAsExcelize(t *testing.T) {
	texts := []string{
		"", "plain", " leading space", "trailing space ", "\ttab", "line\nbreak\r\nCRLF", "<b>&amp;\"quoted\" 'single'</b>",
		"Zoë → ✓ 𝄞", "bad \xff utf-8", "control \x01\x1f\x7f", "\uFFFE\uFFFF", "_x0041_ literal", "_x005F_x0041_", "_x005F_", "_xD800_ _xZZZZ_ _x12",
		"a_x0041_b_x0042_c", strings.Repeat("é", excelize.TotalCellChars+10), strings.Repeat("𝄞", excelize.TotalCellChars/2+3), strings.Repeat("x", excelize.TotalCellChars),
	}
	var want [][]any
	var got strings.Builder
	var enc rowEncoder
	for i, text := range texts {
		r := engine.RecordResult{Key: text, Action: engine.Update, Changes: []engine.Change{{Field: "f", Old: text, New: 1}}, Error: text}
		want = append(want, []any{r.Key, string(r.Action), "ok", changes(r.Changes), r.Error})
		got.Write(enc.encode(r, i+2))
	}
	if w := excelizeRows(t, want); got.String() != w {
		g := got.String()
		at := 0
		for at < len(g) && at < len(w) && g[at] == w[at] {
			at++
		}
		t.Fatalf("rows differ from excelize's at byte %d:\n got %.200q\nwant %.200q", at, g[at:], w[at:])
	}
}

// changes renders changed fields with fmt, as the report did before it wrote rows itself.
func changes(cs []engine.Change) string {
	lines := make([]string, len(cs))
	for i, c := range cs {
		if c.Old == nil {
			lines[i] = fmt.Sprintf("%s: %v", c.Field, c.New)
		} else {
			lines[i] = fmt.Sprintf("%s: %v → %v", c.Field, c.Old, c.New)
		}
	}
	return strings.Join(lines, "\n")
}

func TestChangesAsFmt(t *testing.T) {
	values := []any{nil, "", "text", int64(-42), 7, 0.1, 1.0, -0.0, 1e20, 1e21, 123456789.125, 1e-4, 1e-5, math.MaxFloat64, math.SmallestNonzeroFloat64,
		math.Inf(1), math.Inf(-1), math.NaN(), true, false, json.Number("12.50"), time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), []byte("ab"), int32(5), float32(0.1), map[string]any{"a": 1}}
	var cs []engine.Change
	for i, v := range values {
		cs = append(cs, engine.Change{Field: fmt.Sprintf("f%d", i), New: v})
		cs = append(cs, engine.Change{Field: fmt.Sprintf("g%d", i), Old: v, New: values[len(values)-1-i]})
	}
	if got, want := string(appendChanges(nil, cs)), changes(cs); got != want {
		t.Errorf("appendChanges =\n%s\nwant\n%s", got, want)
	}
}

func TestCRC32Combine(t *testing.T) {
	a, b := []byte("the head of a sheet"), bytes.Repeat([]byte("<row>…</row>"), 10_000)
	for _, n := range []int{0, 1, 7, len(b)} {
		want := crc32.ChecksumIEEE(append(append([]byte{}, a...), b[:n]...))
		if got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b[:n]), int64(n)); got != want {
			t.Errorf("combine with %d bytes = %08x, want %08x", n, got, want)
		}
	}
}

// TestRowOfAWarning: a record written with warnings says so in Status and
// gives its warning where a failure gives its error; a created record's
// fields are all new.
func TestRowOfAWarning(t *testing.T) {
	var e rowEncoder
	row := string(e.encode(engine.RecordResult{Key: "k1", Action: engine.Warn, Warning: "lookup accountid: no account has externalid = 9: written without it"}, 2))
	if !strings.Contains(row, ">warning<") || !strings.Contains(row, "written without it") {
		t.Errorf("warning row = %s", row)
	}
	row = string(e.encode(engine.RecordResult{Key: "k2", Action: engine.Create}, 3))
	if !strings.Contains(row, newRecord) {
		t.Errorf("created row = %s", row)
	}
}
