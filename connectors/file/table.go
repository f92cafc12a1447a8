package file

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/transform"

	"switchyard/core/meta"
)

// table is one entity's data as text: a header row and the data rows.
type table struct {
	name   string
	header []string
	rows   [][]string

	// A workbook's sheet: the sheet row of each of rows (0 for a row a write
	// adds; nil for a CSV file), the last sheet row with a value, and the
	// header's width as loaded.
	lines []int
	last  int
	width int

	// problems are the rows a read leaves out, by index in rows, and index
	// the rows by key (describe).
	problems map[int]RecordProblem
	index    map[string]int
	// What a write changed: per row of rows, the columns it set (nil: none),
	// and the sheet rows it deleted (a workbook writes only those).
	changed []map[int]bool
	deleted []int
}

// column returns the index of the column called name, -1 when there is none.
func (t *table) column(name string) int {
	for i, h := range t.header {
		if h == name {
			return i
		}
	}
	return -1
}

// cell returns row r's value of column i, "" past the end of a short row.
func (t *table) cell(r, i int) string {
	if i < 0 || i >= len(t.rows[r]) {
		return ""
	}
	return t.rows[r][i]
}

// rowNumber is the number people see for row r: its sheet row in a
// workbook, else r+2 (the header is row 1).
func (t *table) rowNumber(r int) int {
	if t.lines != nil && r < len(t.lines) && t.lines[r] > 0 {
		return t.lines[r]
	}
	return r + 2
}

// widthProblem returns the first row that does not fit the header, if any.
func (t *table) widthProblem() (RecordProblem, bool) {
	first, found := RecordProblem{}, false
	for _, p := range t.problems {
		if errors.Is(p.Err, ErrRowWidth) && (!found || p.Row < first.Row) {
			first, found = p, true
		}
	}
	return first, found
}

// set writes s into row r's column i and notes the change.
func (t *table) set(r, i int, s string) {
	row := t.rows[r]
	for len(row) <= i {
		row = append(row, "")
	}
	row[i] = s
	t.rows[r] = row
	for len(t.changed) <= r {
		t.changed = append(t.changed, nil)
	}
	if t.changed[r] == nil {
		t.changed[r] = map[int]bool{}
	}
	t.changed[r][i] = true
}

// addRow appends an empty row (width columns) and returns its index.
func (t *table) addRow() int {
	t.rows = append(t.rows, make([]string, len(t.header)))
	if t.lines != nil {
		t.lines = append(t.lines, 0)
	}
	return len(t.rows) - 1
}

// drop removes the rows whose indexes deleted holds, noting their sheet rows.
func (t *table) drop(deleted map[int]bool) {
	if len(deleted) == 0 {
		return
	}
	var changed []map[int]bool
	kept := 0
	for r := range t.rows {
		if deleted[r] {
			if t.lines != nil && t.lines[r] > 0 {
				t.deleted = append(t.deleted, t.lines[r])
			}
			continue
		}
		t.rows[kept] = t.rows[r]
		if t.lines != nil {
			t.lines[kept] = t.lines[r]
		}
		if r < len(t.changed) && t.changed[r] != nil {
			for len(changed) < kept {
				changed = append(changed, nil)
			}
			changed = append(changed, t.changed[r])
		}
		kept++
	}
	t.rows = t.rows[:kept]
	if t.lines != nil {
		t.lines = t.lines[:kept]
	}
	t.changed = changed
}

// source reads and writes the tables of a CSV folder or an Excel workbook.
type source interface {
	names() ([]string, error)
	load(name string) (*table, error)
	// save writes what a write changed in t (a CSV file is written whole);
	// types are the types of t's columns after the write ("" for a column
	// without values), asked only by a workbook, which writes typed cells.
	save(t *table, types func() []meta.Type) error
	// file is the path of the file that holds the table called name.
	file(name string) string
}

// fileStamp tells whether a file changed: its size and modification time.
type fileStamp struct {
	size int64
	mod  time.Time
}

// stampOf returns the stamp of the file at path.
func stampOf(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{size: fi.Size(), mod: fi.ModTime()}, nil
}

// csvFolder is a folder of CSV files, one per entity, named ENTITY.csv.
type csvFolder struct {
	dir   string
	comma rune
	enc   textEncoding // "" is UTF-8
}

func (s csvFolder) names() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("list the CSV files of %s: %w", s.dir, err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".csv") {
			out = append(out, strings.TrimSuffix(e.Name(), filepath.Ext(e.Name())))
		}
	}
	sort.Strings(out)
	return out, nil
}

func (s csvFolder) path(name string) string { return filepath.Join(s.dir, name+".csv") }

func (s csvFolder) file(name string) string { return s.path(name) }

// encoding is the folder's encoding setting.
func (s csvFolder) encoding() textEncoding {
	if s.enc == "" {
		return EncodingUTF8
	}
	return s.enc
}

func (s csvFolder) load(name string) (*table, error) {
	cur, err := s.openCSV(name, 0)
	if err != nil {
		return nil, err
	}
	defer cur.close()
	t := &table{name: name, header: cur.header, width: len(cur.header)}
	for {
		row, _, err := cur.next()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		t.rows = append(t.rows, row)
	}
}

// save writes t to a new file, in the encoding, byte-order mark and line
// breaks of the file it replaces (or, for a new file, of the encoding
// setting), and renames it over that file with its permissions.
func (s csvFolder) save(t *table, _ func() []meta.Type) error {
	path := s.path(t.name)
	layout, err := s.encoding().layoutOf(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	for _, h := range t.header {
		if err := s.encoding().checkWritable(h, h); err != nil {
			return fmt.Errorf("write %s: the column name %w", path, err)
		}
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(s.dir, "."+t.name+"-*.csv")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	buf := bufio.NewWriterSize(tmp, 64<<10)
	buf.Write(layout.bom)
	var out io.Writer = buf
	var enc io.WriteCloser
	if e := layout.encoder(); e != nil {
		enc = transform.NewWriter(buf, e)
		out = enc
	}
	rows := make([][]string, 0, len(t.rows)+1)
	rows = append(rows, t.header)
	for _, row := range t.rows {
		if len(row) == t.width && t.width < len(t.header) {
			// A row of the header's width gets the columns a write added.
			row = append(row, make([]string, len(t.header)-t.width)...)
		}
		rows = append(rows, row)
	}
	err = writeRows(out, s.comma, layout.crlf, rows)
	if enc != nil {
		err = errors.Join(err, enc.Close())
	}
	err = errors.Join(err, buf.Flush(), tmp.Chmod(mode), tmp.Close())
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeRows writes rows as CSV, lines ending in CRLF or LF; a line break in
// a field is a line feed either way (as Excel writes them, and as the
// reader gives them).
func writeRows(out io.Writer, comma rune, crlf bool, rows [][]string) error {
	if !crlf {
		w := csv.NewWriter(out)
		w.Comma = comma
		w.WriteAll(rows)
		return w.Error()
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = comma
	for _, r := range rows {
		w.Write(r)
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
		line := b.Bytes()
		line = append(line[:len(line)-1], '\r', '\n')
		if _, err := out.Write(line); err != nil {
			return err
		}
		b.Reset()
	}
	return nil
}

// workbook is an Excel workbook, one sheet per entity, headers in row 1.
type workbook struct{ path string }

func (s workbook) file(string) string { return s.path }

func (s workbook) open() (*excelize.File, error) {
	f, err := excelize.OpenFile(s.path)
	if err != nil {
		return nil, fmt.Errorf("open workbook %s: %w", s.path, err)
	}
	return f, nil
}

func (s workbook) names() ([]string, error) {
	f, err := s.open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.GetSheetList(), nil
}

func (s workbook) load(name string) (*table, error) {
	f, err := s.open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if idx, _ := f.GetSheetIndex(name); idx < 0 {
		return nil, fmt.Errorf("read workbook %s: it has no sheet %q", s.path, name)
	}
	all, err := f.GetRows(name, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fmt.Errorf("read sheet %s of %s: %w", name, s.path, err)
	}
	t := &table{name: name, lines: []int{}, last: len(all)}
	if len(all) > 0 {
		t.header, t.width = all[0], len(all[0])
		dates := newExcelDates(f)
		for i, r := range all[1:] {
			if len(strings.Join(r, "")) == 0 {
				continue // a row left empty
			}
			for j, c := range r {
				if c != "" {
					if iso, ok := dates.text(name, j+1, i+2, c); ok {
						r[j] = iso
					}
				}
			}
			t.rows = append(t.rows, r)
			t.lines = append(t.lines, i+2)
		}
	}
	return t, nil
}
