// Package report writes the results of a run: an Excel workbook with a
// Summary sheet and one sheet per entity listing every record, and a CSV of
// the failed records. Records are spooled to temporary files as they come,
// so a run of any size is reported in bounded memory.
package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
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

// Writer collects the records of one run and writes the report at Close.
// Record is safe to call from the engine's OnRecord.
type Writer struct {
	path string
	dir  string

	mu     sync.Mutex
	spools map[string]*spool
	order  []string
	err    error
}

// spool is the temporary file of one entity's records, one JSON line each.
type spool struct {
	f *os.File
	w *bufio.Writer
	n int
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

// Record adds one record's result to the report.
func (w *Writer) Record(r engine.RecordResult) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return
	}
	s, ok := w.spools[r.Entity]
	if !ok {
		f, err := os.CreateTemp(w.dir, "entity-*.jsonl")
		if err != nil {
			w.err = fmt.Errorf("spool the records of %s: %w", r.Entity, err)
			return
		}
		s = &spool{f: f, w: bufio.NewWriter(f)}
		w.spools[r.Entity] = s
		w.order = append(w.order, r.Entity)
	}
	b, err := json.Marshal(r)
	if err == nil {
		_, err = s.w.Write(append(b, '\n'))
	}
	if err != nil {
		w.err = fmt.Errorf("spool the records of %s: %w", r.Entity, err)
		return
	}
	s.n++
}

// Close writes the workbook and the CSV of failed records for res and removes the temporary files.
func (w *Writer) Close(res *engine.Result) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	defer os.RemoveAll(w.dir)
	if w.err != nil {
		return w.err
	}
	for _, s := range w.spools {
		if err := s.w.Flush(); err != nil {
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

// each reads back the records spooled for entity.
func (w *Writer) each(entity string, fn func(engine.RecordResult) error) error {
	s, ok := w.spools[entity]
	if !ok {
		return nil
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	dec := json.NewDecoder(bufio.NewReader(s.f))
	for {
		var r engine.RecordResult
		err := dec.Decode(&r)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
}

// failedCSV writes the failed records: entity, key, error.
func (w *Writer) failedCSV() error {
	tmp := w.FailedPath() + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	cw.Write([]string{"Entity", "Key", "Error"})
	for _, entity := range w.order {
		err := w.each(entity, func(r engine.RecordResult) error {
			if r.Action != engine.Fail {
				return nil
			}
			return cw.Write([]string{r.Entity, r.Key, r.Error})
		})
		if err != nil {
			f.Close()
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, w.FailedPath())
}

// workbook writes the Summary sheet and one sheet per entity.
func (w *Writer) workbook(res *engine.Result) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := summarySheet(f, res); err != nil {
		return err
	}
	used := map[string]bool{"Summary": true}
	for _, e := range res.Entities {
		name := sheetName(e.Entity, used)
		if err := w.entitySheet(f, name, e.Entity); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	tmp := w.path + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := f.Write(out); err != nil {
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

// sheetName makes a valid, unique sheet name from an entity name.
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
	for i := 2; used[name] || name == ""; i++ {
		name = fmt.Sprintf("%s %d", base, i)
	}
	used[name] = true
	return name
}
