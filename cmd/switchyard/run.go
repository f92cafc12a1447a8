package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"switchyard/core/admin"
	"switchyard/core/engine"
	"switchyard/core/report"
)

func init() {
	commands["import"] = func(ctx context.Context, e *env, args []string) error { return runData(ctx, e, engine.Import, args) }
	commands["export"] = func(ctx context.Context, e *env, args []string) error { return runData(ctx, e, engine.Export, args) }
}

// partialError is a run whose records partly failed: exit 2.
type partialError struct{ summary string }

func (p partialError) Error() string { return p.summary }

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

// runData is `switchyard import|export NAME [--entity E]... [--preview] [--limit N] [--report FILE.xlsx] [--json]`.
func runData(ctx context.Context, e *env, dir engine.Direction, args []string) error {
	fs := flag.NewFlagSet(string(dir), flag.ContinueOnError)
	var entities listFlag
	fs.Var(&entities, "entity", "run only this external entity (repeatable)")
	preview := fs.Bool("preview", false, "show what would happen; change nothing on either side")
	limit := fs.Int("limit", engine.DefaultPreviewLimit, "records per entity in a preview")
	reportPath := fs.String("report", "", "write an Excel report of every record to this .xlsx file")
	asJSON := fs.Bool("json", false, "print one JSON summary")
	pos, closeWS, err := e.start(ctx, fs, args, 1, "NAME")
	if err != nil {
		if *asJSON && len(pos) > 0 { // scripts get their object, on failure too
			writeJSON(e.stdout, runJSON{Integration: pos[0], Status: string(engine.Failed), Preview: *preview, Entities: []entityJSON{}, Error: errorLine(err)})
		}
		return err
	}
	defer closeWS()

	var rep *report.Writer
	if *reportPath != "" && !*preview {
		if rep, err = report.New(*reportPath); err != nil {
			return &admin.ConfigError{Err: err}
		}
	}
	opts := admin.RunOptions{Direction: dir, Entities: entities, Preview: *preview, PreviewLimit: *limit}
	if rep != nil {
		opts.OnRecord = rep.Record
	}
	progress := newProgressLine(e.stderr)
	opts.Progress = progress.update
	res, runErr := e.svc.Run(ctx, pos[0], opts)
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
	if *asJSON {
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

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

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

// exitCodeOf maps a partial run to exit 2; see env.exit for the others.
func exitCodeOf(err error) (int, bool) {
	var p partialError
	if errors.As(err, &p) {
		return exitPartial, true
	}
	return 0, false
}
