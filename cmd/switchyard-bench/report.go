package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"text/tabwriter"
	"time"

	"switchyard/core/engine"
	"switchyard/core/report"
)

// Part 7, reports: the full import of part 1, each in a child process, once
// without and once with an Excel report of every record (core/report, as
// `switchyard import NAME --report FILE.xlsx` writes it), one after the
// other: the time of each (the report's Close included), the ratio, the CPU
// time of each (on a shared machine a steadier figure than the time) and the
// peak RSS of each. The workbook is then checked to hold a row for every
// record.

// reportTimes are the figures of part 7.
type reportTimes struct {
	plain, withReport   time.Duration
	plainCPU, reportCPU time.Duration
	plainRSS, reportRSS int64 // KB
	size                int64 // bytes of the workbook
}

// measureReport runs part 7 (run false: skipped, with the error saying so).
func measureReport(records, pageSize int, run bool) (reportTimes, error) {
	var t reportTimes
	if !run {
		return t, fmt.Errorf("-report=false")
	}
	dir, err := os.MkdirTemp("", "switchyard-bench-report-")
	if err != nil {
		return t, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "import.xlsx")
	if t.plain, t.plainRSS, t.plainCPU, err = childImport(records, pageSize, "", ""); err != nil {
		return t, err
	}
	if t.withReport, t.reportRSS, t.reportCPU, err = childReport(records, pageSize, path); err != nil {
		return t, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return t, err
	}
	t.size = st.Size()
	rows, err := sheetRows(path, "xl/worksheets/sheet2.xml")
	if err != nil {
		return t, fmt.Errorf("read the report back: %w", err)
	}
	if rows != records+1 {
		return t, fmt.Errorf("the report's Items sheet has %d rows, want %d and the header", rows-1, records)
	}
	return t, nil
}

// childReport runs the full import with a report to path in a child process
// and returns its time, its peak RSS in KB and the CPU time it used.
func childReport(records, pageSize int, path string) (d time.Duration, rss int64, cpu time.Duration, err error) {
	return runChild("import with a report in a child process", "-child-report", path, "-records", strconv.Itoa(records), "-pagesize", strconv.Itoa(pageSize))
}

// reportImport returns part 1's measureImport with an Excel report of every
// record written to path: each record's result streamed to the report, and
// the report closed, within the time measured.
func reportImport(path string) func(ctx context.Context, url string, records, pageSize int) (time.Duration, error) {
	return func(ctx context.Context, url string, records, pageSize int) (time.Duration, error) {
		rep, err := report.New(path)
		if err != nil {
			return 0, err
		}
		closeReport := func(res *engine.Result, runErr error) error {
			if runErr != nil {
				return rep.Close(nil)
			}
			return rep.Close(res)
		}
		return timedImport(ctx, url, "Items", records, pageSize, rep.Record, closeReport)
	}
}

// sheetRows counts the rows of the sheet at name in the workbook at path.
func sheetRows(path, name string) (int, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return 0, err
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		r, err := f.Open()
		if err != nil {
			return 0, err
		}
		defer r.Close()
		return countEnds(r, []byte("</row>"))
	}
	return 0, fmt.Errorf("no %s", name)
}

// countEnds counts the occurrences of sep in r (which checks the entry's CRC at its end).
func countEnds(r io.Reader, sep []byte) (int, error) {
	buf := make([]byte, 1<<20)
	n, carry := 0, 0
	for {
		m, err := r.Read(buf[carry:])
		data := buf[:carry+m]
		n += bytes.Count(data, sep)
		carry = min(len(sep)-1, len(data)) // a separator cut in two is counted with the next read
		copy(buf, data[len(data)-carry:])
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// printReport prints part 7's rows.
func printReport(tw *tabwriter.Writer, t reportTimes, err error, records int) {
	if err != nil {
		fmt.Fprintf(tw, "7  full import with an Excel report of every record\tskipped: %v\t\t≤ 1.5 × without\n", err)
		return
	}
	rate := func(d time.Duration) string { return fmt.Sprintf("%.0f records/s", float64(records)/d.Seconds()) }
	fmt.Fprintf(tw, "7  full import of part 1 again, without a report\t%s\t%s\t\n", t.plain.Round(time.Millisecond), rate(t.plain))
	fmt.Fprintf(tw, "7  full import with an Excel report of every record (%.1f MB)\t%s\t%s\t\n", float64(t.size)/(1<<20), t.withReport.Round(time.Millisecond), rate(t.withReport))
	fmt.Fprintf(tw, "7  ratio with report / without\t%.2f\t\t≤ 1.5\n", t.withReport.Seconds()/t.plain.Seconds())
	fmt.Fprintf(tw, "7  CPU time without / with the report (user + system)\t%s / %s\t%+.1f µs/record\t\n", t.plainCPU.Round(10*time.Millisecond), t.reportCPU.Round(10*time.Millisecond),
		float64((t.reportCPU-t.plainCPU).Microseconds())/float64(records))
	fmt.Fprintf(tw, "7  ratio of CPU time with report / without\t%.2f\t\t\n", t.reportCPU.Seconds()/t.plainCPU.Seconds())
	fmt.Fprintf(tw, "7  peak RSS without the report\t%d MB\t\t\n", t.plainRSS/1024)
	fmt.Fprintf(tw, "7  peak RSS with the report\t%d MB\t\t≤ 150 MB\n", t.reportRSS/1024)
}
