// Package report writes the results of a run: an Excel workbook with a
// Summary sheet and one sheet per entity listing every record, and a CSV of
// the failed records.
//
// The report is written as the run goes, in memory that does not grow with
// the run: each record becomes its sheet row at once, compressed into a
// temporary file per entity, and its failure a line of a temporary CSV. At
// Close excelize writes the workbook (the Summary first, then each entity's
// sheet with its header) straight to the file, and the compressed rows are
// copied into their sheets (splice.go): Close takes about the time of copying
// the rows, whatever the number of records.
//
// Why not an excelize StreamWriter per entity sheet, open while the run goes:
// several can be open at once, but each keeps up to 16 MB of XML in memory
// (excelize.StreamChunkSize) before it spills to a temporary file; File.Write
// builds the whole package in memory before writing it; sheets stay in the
// order they were made (MoveSheet leaves the sheets' defined names behind);
// and its SetRow costs about 4 µs a row of this report, more than the rest of
// a record's report together. The rows are written here as excelize's
// StreamWriter writes them (rows.go, held to the same bytes by a test).
package report

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/xuri/excelize/v2"

	"switchyard/core/engine"
)

// Writer writes the report of one run: Record for each record as the run
// goes, then Close. Record is safe to call from the engine's OnRecord.
type Writer struct {
	path string
	dir  string

	mu        sync.Mutex
	spools    map[string]*spool
	order     []string // entities in the order their first record came
	rows      rowEncoder
	deflaters []*deflater
	tick      uint64
	closed    bool
	err       error
}

// New starts a report to be written to path (an .xlsx file); the failed
// records go to the same path with the extension .failed.csv.
func New(path string) (*Writer, error) {
	if !strings.EqualFold(filepath.Ext(path), ".xlsx") {
		return nil, fmt.Errorf("report %s: name an .xlsx file", path)
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("report %s: the folder %s does not exist: create it or name another", path, filepath.Dir(path))
	}
	dir, err := os.MkdirTemp("", "switchyard-report-")
	if err != nil {
		return nil, fmt.Errorf("start report %s: %w", path, err)
	}
	return &Writer{path: path, dir: dir, spools: map[string]*spool{}}, nil
}

// Path returns the workbook's path.
func (w *Writer) Path() string { return w.path }

// FailedPath returns the path of the CSV of failed records.
func (w *Writer) FailedPath() string {
	return strings.TrimSuffix(w.path, filepath.Ext(w.path)) + ".failed.csv"
}

// Record adds one record's result to the report. Records of several
// entities may interleave in any way; each entity's sheet lists its records
// in the order they came.
func (w *Writer) Record(r engine.RecordResult) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil || w.closed {
		return
	}
	if err := w.record(r); err != nil {
		w.err = fmt.Errorf("spool the records of %s: %w", r.Entity, err)
	}
}

// record writes r's row to its entity's current sheet, and its failure to the CSV.
func (w *Writer) record(r engine.RecordResult) error {
	s, ok := w.spools[r.Entity]
	if !ok {
		s = &spool{entity: r.Entity}
		w.spools[r.Entity] = s
		w.order = append(w.order, r.Entity)
	}
	var p *part
	if len(s.parts) > 0 {
		p = s.parts[len(s.parts)-1]
	}
	if p == nil || p.rows == maxRows { // the entity's first record, or its sheet is full
		if p != nil && p.z != nil {
			if err := p.z.release(); err != nil {
				return err
			}
		}
		f, err := os.CreateTemp(w.dir, "rows-*.deflate")
		if err != nil {
			return err
		}
		p = &part{f: f}
		s.parts = append(s.parts, p)
	}
	if err := w.write(p, w.rows.encode(r, p.rows+2)); err != nil { // row 1 is the header
		return err
	}
	if r.Action == engine.Fail {
		return s.fail(w.dir, r.Key, r.Error)
	}
	return nil
}

// Close writes the workbook and the CSV of failed records for res and
// removes the temporary files. With a nil res (the run did not start) it
// writes nothing.
func (w *Writer) Close(res *engine.Result) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errors.New("report: closed twice")
	}
	w.closed = true
	defer w.removeTemp()
	if w.err != nil {
		return w.err
	}
	if res == nil {
		return nil
	}
	for _, d := range w.deflaters {
		if err := d.release(); err != nil {
			return fmt.Errorf("spool records: %w", err)
		}
	}
	for _, s := range w.spools {
		if err := s.finish(); err != nil {
			return fmt.Errorf("spool records: %w", err)
		}
	}
	if err := w.workbook(res); err != nil {
		return fmt.Errorf("write report %s: %w", w.path, err)
	}
	if err := w.failedCSV(); err != nil {
		return fmt.Errorf("write %s: %w", w.FailedPath(), err)
	}
	return nil
}

// removeTemp closes and removes the temporary files.
func (w *Writer) removeTemp() {
	for _, s := range w.spools {
		s.close()
	}
	os.RemoveAll(w.dir)
}

// failedCSV writes the failed records: entity, key, error; entity by entity
// in the order their first records came.
func (w *Writer) failedCSV() error {
	tmp := w.FailedPath() + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	cw.Write([]string{"Entity", "Key", "Error"})
	cw.Flush()
	err = cw.Error()
	for _, entity := range w.order {
		if s := w.spools[entity]; err == nil && s.failed != nil {
			_, err = io.Copy(f, io.NewSectionReader(s.failed, 0, 1<<62))
		}
	}
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, w.FailedPath())
}

// workbook writes the Summary sheet and one sheet per entity: the entities
// of res in its order, then any other that had records.
func (w *Writer) workbook(res *engine.Result) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := summarySheet(f, res); err != nil {
		return err
	}
	var entities []string
	listed := map[string]bool{}
	for _, e := range res.Entities {
		if !listed[e.Entity] {
			listed[e.Entity] = true
			entities = append(entities, e.Entity)
		}
	}
	for _, e := range w.order {
		if !listed[e] {
			entities = append(entities, e)
		}
	}
	used := map[string]bool{"summary": true}
	parts := map[string]*part{}
	for _, e := range entities {
		s := w.spools[e]
		if s == nil { // no record: the sheet has its header only
			if _, err := entitySheet(f, sheetName(e, used), 0); err != nil {
				return err
			}
			continue
		}
		for _, p := range s.parts {
			path, err := entitySheet(f, sheetName(e, used), p.rows)
			if err != nil {
				return err
			}
			parts[path] = p
		}
	}
	f.SetActiveSheet(0)

	tmp := w.path + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	buf := bufio.NewWriterSize(out, 256<<10)
	z := &spliceZip{zw: zip.NewWriter(buf), parts: parts}
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return z })
	err = f.Write(io.Discard) // all of it goes through z to out
	if err == nil {
		err = buf.Flush()
	}
	if err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, w.path)
}

// printLayout prints a sheet landscape, one page wide, with the header row repeated on every page.
func printLayout(f *excelize.File, sheet string) error {
	landscape, one, zero, fit := "landscape", 1, 0, true
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &one, FitToHeight: &zero}); err != nil {
		return err
	}
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + sheet + "'!$1:$1", Scope: sheet})
}

// sheetName makes a valid sheet name from an entity name, unique among
// used (lower case: Excel's sheet names ignore case).
func sheetName(entity string, used map[string]bool) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, entity)
	if len([]rune(name)) > 28 {
		name = string([]rune(name)[:28])
	}
	base := name
	for i := 2; used[strings.ToLower(name)] || name == ""; i++ {
		name = fmt.Sprintf("%s %d", base, i)
	}
	used[strings.ToLower(name)] = true
	return name
}
