package file

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// table is one entity's data as text: a header row and the data rows.
type table struct {
	name   string
	header []string
	rows   [][]string
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

// source reads and writes the tables of a CSV folder or an Excel workbook.
type source interface {
	names() ([]string, error)
	load(name string) (*table, error)
	// save writes t; numeric tells which columns hold numbers (asked only by
	// a workbook, which writes those as numbers).
	save(t *table, numeric func() []bool) error
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

func (s csvFolder) load(name string) (*table, error) {
	f, err := os.Open(s.path(name))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", s.path(name), err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = s.comma
	r.FieldsPerRecord = -1
	all, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w: check that it is CSV with the delimiter %q", s.path(name), err, string(s.comma))
	}
	t := &table{name: name}
	if len(all) > 0 {
		t.header = all[0]
		if len(t.header) > 0 {
			t.header[0] = strings.TrimPrefix(t.header[0], "\ufeff") // a byte-order mark from Excel
		}
		t.rows = all[1:]
	}
	return t, nil
}

func (s csvFolder) save(t *table, _ func() []bool) error {
	tmp, err := os.CreateTemp(s.dir, "."+t.name+"-*.csv")
	if err != nil {
		return fmt.Errorf("write %s: %w", s.path(t.name), err)
	}
	defer os.Remove(tmp.Name())
	w := csv.NewWriter(tmp)
	w.Comma = s.comma
	w.Write(t.header)
	w.WriteAll(t.rows)
	if err := errors.Join(w.Error(), tmp.Close()); err != nil {
		return fmt.Errorf("write %s: %w", s.path(t.name), err)
	}
	if err := os.Rename(tmp.Name(), s.path(t.name)); err != nil {
		return fmt.Errorf("write %s: %w", s.path(t.name), err)
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
	t := &table{name: name}
	if len(all) > 0 {
		t.header = all[0]
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
		}
	}
	return t, nil
}

// save writes the sheet again: numbers as numbers (numeric columns), the rest as text.
func (s workbook) save(t *table, numericColumns func() []bool) error {
	numeric := numericColumns()
	f, err := s.open()
	if err != nil {
		return err
	}
	defer f.Close()
	old, err := f.GetRows(t.name)
	if err != nil {
		return fmt.Errorf("write sheet %s of %s: %w", t.name, s.path, err)
	}
	write := func(n int, cells []string) error {
		vals := make([]any, len(cells))
		for i, c := range cells {
			vals[i] = c
			if n > 1 && i < len(numeric) && numeric[i] && c != "" {
				if x, err := strconv.ParseFloat(c, 64); err == nil {
					vals[i] = x
				}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		return f.SetSheetRow(t.name, cell, &vals)
	}
	if err := write(1, t.header); err != nil {
		return fmt.Errorf("write sheet %s: %w", t.name, err)
	}
	width := len(t.header)
	for i, r := range t.rows {
		padded := append(append([]string(nil), r...), make([]string, max(0, width-len(r)))...)
		if err := write(i+2, padded); err != nil {
			return fmt.Errorf("write sheet %s: %w", t.name, err)
		}
	}
	for n := len(old); n > len(t.rows)+1; n-- {
		if err := f.RemoveRow(t.name, n); err != nil {
			return fmt.Errorf("write sheet %s: %w", t.name, err)
		}
	}
	tmp := filepath.Join(filepath.Dir(s.path), "."+filepath.Base(s.path)+".tmp.xlsx")
	if err := f.SaveAs(tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write workbook %s: %w", s.path, err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return fmt.Errorf("write workbook %s: %w", s.path, err)
	}
	return nil
}
