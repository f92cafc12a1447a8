package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"switchyard/core/admin"
	"switchyard/core/engine"
	"switchyard/core/report"
)

// entityJSON is one entity of the --json summary of an import or export.
type entityJSON struct {
	Entity     string           `json:"entity"`
	Direction  engine.Direction `json:"direction"`
	All        int              `json:"all"`
	Imported   int              `json:"imported"`
	Exported   int              `json:"exported"`
	Updated    int              `json:"updated"`
	Unchanged  int              `json:"unchanged"`
	Failed     int              `json:"failed"`
	Warnings   int              `json:"warnings"`
	DurationMs int64            `json:"durationMs"`
	Queries    []string         `json:"queries,omitempty"`
	// CountCheck is the read reconciled with the external system's count, when it gave one.
	CountCheck *engine.CountCheck    `json:"countCheck,omitempty"`
	Preview    []engine.RecordResult `json:"preview,omitempty"`
}

// runJSON is the --json summary of an import or export.
type runJSON struct {
	Integration string       `json:"integration"`
	Status      string       `json:"status"`
	Preview     bool         `json:"preview,omitempty"`
	Entities    []entityJSON `json:"entities"`
	Report      string       `json:"report,omitempty"`
	Error       string       `json:"error,omitempty"`
}

// runFlags are the flags of import and export.
type runFlags struct {
	entities []string
	preview  bool
	limit    int
	report   string
	json     bool
}

// runCmd declares `switchyard import|export NAME`.
func runCmd(e *env, dir engine.Direction) *cobra.Command {
	var f runFlags
	short := map[engine.Direction]string{
		engine.Import: "Import the records of an integration's entities into the workspace",
		engine.Export: "Export the workspace's records to an integration's external system",
	}[dir]
	c := leaf(string(dir)+" NAME", short, func(ctx context.Context, args []string) error {
		return e.runData(ctx, dir, args[0], f)
	})
	fs := c.Flags()
	fs.StringArrayVar(&f.entities, "entity", nil, "run only this external `ENTITY` (repeatable)")
	fs.BoolVar(&f.preview, "preview", false, "show what would happen; change nothing on either side")
	fs.IntVar(&f.limit, "limit", engine.DefaultPreviewLimit, "`N` records per entity in a preview")
	fs.StringVar(&f.report, "report", "", "write an Excel report of every record to this .xlsx `FILE`")
	fs.BoolVar(&f.json, "json", false, "print one JSON summary")
	c.MarkFlagFilename("report", "xlsx")
	return c
}

// runData is `switchyard import|export NAME`.
func (e *env) runData(ctx context.Context, dir engine.Direction, name string, f runFlags) error {
	closeWS, err := e.open(ctx)
	if err != nil {
		if f.json { // scripts get their object, on failure too
			writeJSON(e.stdout, runJSON{Integration: name, Status: string(engine.Failed), Preview: f.preview, Entities: []entityJSON{}, Error: errorLine(err)})
		}
		return err
	}
	defer closeWS()

	var rep *report.Writer
	if f.report != "" && !f.preview {
		if rep, err = report.New(f.report); err != nil {
			return &admin.ConfigError{Err: err}
		}
	}
	opts := admin.RunOptions{Direction: dir, Entities: f.entities, Preview: f.preview, PreviewLimit: f.limit}
	if rep != nil {
		opts.OnRecord = rep.Record
	}
	progress := newProgressLine(e.stderr)
	opts.Progress = progress.update
	res, runErr := e.svc.Run(ctx, name, opts)
	progress.done()
	if res == nil {
		return runErr
	}
	out := runJSON{Integration: res.Integration, Status: string(res.Status), Preview: res.Preview, Entities: []entityJSON{}}
	if rep != nil {
		if err := rep.Close(res); err != nil {
			fmt.Fprintf(e.stderr, "warning: %v\n", err)
		} else {
			out.Report = rep.Path()
		}
	}
	for _, er := range res.Entities {
		c := er.Counts
		out.Entities = append(out.Entities, entityJSON{Entity: er.Entity, Direction: er.Direction, All: c.All, Imported: c.Imported,
			Exported: c.Exported, Updated: c.Updated, Unchanged: c.Unchanged, Failed: c.Failed, Warnings: c.Warnings, DurationMs: er.Duration.Milliseconds(),
			Queries: er.Queries, Preview: er.Preview, CountCheck: er.Check})
	}
	if runErr != nil {
		out.Error = errorLine(runErr)
	}
	if f.json {
		if err := writeJSON(e.stdout, out); err != nil {
			return err
		}
	} else if runErr == nil || res.Totals().All > 0 {
		printRun(e.stdout, res, out.Report)
	}
	switch {
	case errors.Is(runErr, context.Canceled):
		return fmt.Errorf("%s cancelled: it stopped after the page being written; the %d records done are kept (run %d in the log)", dir, res.Totals().All, res.LogID)
	case runErr != nil:
		return runErr
	case res.Status == engine.Partial:
		return partialError{res.Summary()}
	}
	return nil
}

// printRun prints the per-entity counts, a preview's planned records and the results line.
func printRun(w io.Writer, res *engine.Result, reportPath string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, er := range res.Entities {
		c := er.Counts
		created, n := "imported", c.Imported
		if er.Direction == engine.Export {
			created, n = "exported", c.Exported
		}
		if res.Preview {
			created = "would be " + created
		}
		fmt.Fprintf(tw, "%s\t→ %s\tall %d%s\t%s %d\tupdated %d\tunchanged %d\tfailed %d\twarnings %d\t%.1fs\n", er.Entity, er.LocalEntity, c.All, ofCounted(er),
			created, n, c.Updated, c.Unchanged, c.Failed, c.Warnings, er.Duration.Seconds())
	}
	tw.Flush()
	if res.Preview {
		fmt.Fprintln(w, "\nPREVIEW: nothing was changed on either side; what would happen to the records looked at:")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ENTITY\tKEY\tWOULD\tCHANGES / ERROR / WARNING")
		for _, er := range res.Entities {
			for _, r := range er.Preview {
				detail := r.Error
				if r.Warning != "" {
					detail = "warning: " + r.Warning
				}
				if detail == "" {
					detail = changeList(r.Changes)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Entity, orDash(r.Key), r.Action, detail)
			}
		}
		tw.Flush()
	}
	fmt.Fprintln(w, res.Summary())
	if reportPath != "" {
		fmt.Fprintf(w, "report: %s\n", reportPath)
	}
}

// ofCounted says how many records the system counted for the entity's read,
// when that is more than were read (a preview's sample, a run that stopped): " of 1200".
func ofCounted(er engine.EntityResult) string {
	if er.Check == nil || er.Check.Read >= er.Check.Counted {
		return ""
	}
	return fmt.Sprintf(" of %d", er.Check.Counted)
}

func changeList(cs []engine.Change) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		if c.Old == nil {
			parts[i] = fmt.Sprintf("%s=%s", c.Field, oneLine(c.New))
		} else {
			parts[i] = fmt.Sprintf("%s: %s → %s", c.Field, oneLine(c.Old), oneLine(c.New))
		}
	}
	return strings.Join(parts, "; ")
}

func oneLine(v any) string {
	s := fmt.Sprint(v)
	s = strings.ReplaceAll(s, "\n", `\n`)
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// progressLine shows a run's progress on one terminal line; it stays silent when stderr is not a terminal.
type progressLine struct {
	w    io.Writer
	on   bool
	last time.Time
}

func newProgressLine(w io.Writer) *progressLine {
	f, ok := w.(*os.File)
	on := false
	if ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			on = true
		}
	}
	return &progressLine{w: w, on: on}
}

func (p *progressLine) update(pr engine.Progress) {
	if !p.on || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	total := "?"
	if pr.Total >= 0 {
		total = fmt.Sprint(pr.Total)
	}
	fmt.Fprintf(p.w, "\r%s: %d/%s records, %d failed\x1b[K", pr.Entity, pr.Done, total, pr.Counts.Failed)
}

func (p *progressLine) done() {
	if p.on {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
