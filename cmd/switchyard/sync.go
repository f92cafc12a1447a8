package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"switchyard/core/admin"
	"switchyard/core/engine"
	"switchyard/core/report"
	"switchyard/core/store"
)

// syncFlags are the global flags of `switchyard --run-sync`.
type syncFlags struct {
	name, report string
	json, full   bool
}

// syncJSON is the --json summary of --run-sync NAME; with all, one per integration inside allJSON.
type syncJSON struct {
	Integration string       `json:"integration"`
	Status      string       `json:"status"`
	Entities    []entityJSON `json:"entities"`
	Deleted     int          `json:"deleted"`
	Report      string       `json:"report,omitempty"`
	outcome
}

// allJSON is the --json summary of --run-sync all.
type allJSON struct {
	Status       string     `json:"status"`
	Integrations []syncJSON `json:"integrations"`
}

// runSync is `switchyard --run-sync NAME|all`: logs on stderr, the summary on stdout.
func (e *env) runSync(ctx context.Context, f syncFlags) error {
	closeWS, err := e.open(ctx)
	if err != nil {
		if f.json { // scripts get their object, on failure too
			writeJSON(e.stdout, syncJSON{Integration: f.name, Status: string(engine.Failed), Entities: []entityJSON{}, outcome: outcomeOf(err)})
		}
		return err
	}
	defer closeWS()
	names, err := e.syncNames(ctx, f.name)
	if err != nil {
		return err
	}
	var all allJSON
	worst := exitOK
	for _, name := range names {
		reportPath := f.report
		if reportPath != "" && len(names) > 1 {
			reportPath = suffixed(reportPath, name)
		}
		out := e.syncOne(ctx, name, reportPath, f)
		all.Integrations = append(all.Integrations, out)
		worst = worse(worst, out.ExitCode)
	}
	all.Status = statusOfCode(worst)
	if f.json {
		var v any = all
		if f.name != "all" {
			v = all.Integrations[0]
		}
		if err := writeJSON(e.stdout, v); err != nil {
			return err
		}
	}
	return exitWith(worst)
}

// syncNames are the integrations that --run-sync name runs: name, or all of
// them for "all" (an error, reported, when there are none).
func (e *env) syncNames(ctx context.Context, name string) ([]string, error) {
	if name != "all" {
		return []string{name}, nil
	}
	ins, err := e.svc.Store.Integrations(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ins))
	for i, in := range ins {
		names[i] = in.Name
	}
	if len(names) == 0 {
		fmt.Fprintln(e.stderr, "switchyard --run-sync all: the workspace has no integrations: import one with `switchyard integration import FILE`")
		return nil, reportedError{exitConfig}
	}
	return names, nil
}

// syncOne syncs one integration and returns its summary with its exit code.
func (e *env) syncOne(ctx context.Context, name, reportPath string, f syncFlags) syncJSON {
	out := syncJSON{Integration: name, Entities: []entityJSON{}}
	var rep *report.Writer
	if reportPath != "" {
		var err error
		if rep, err = report.New(reportPath); err != nil {
			out.Status, out.Error, out.ExitCode = string(engine.Failed), err.Error(), exitConfig
			fmt.Fprintf(e.stderr, "switchyard --run-sync %s: %v\n", name, err)
			return out
		}
	}
	opts := admin.SyncOptions{Full: f.full}
	if rep != nil {
		opts.OnRecord = rep.Record
	}
	progress := newProgressLine(e.stderr)
	opts.Progress = progress.update
	fmt.Fprintf(e.stderr, "sync %s: started\n", name)
	res, err := e.svc.Sync(ctx, name, opts)
	progress.done()
	switch {
	case err != nil:
		out.Status, out.outcome = string(engine.Failed), outcomeOf(err)
		if out.ExitCode == exitLocked {
			out.Status = "locked"
		} else if res != nil && res.Status == engine.Cancelled {
			out.Status = string(engine.Cancelled)
		}
	case res.Status == engine.Partial:
		out.Status, out.ExitCode = string(res.Status), exitPartial
	default:
		out.Status, out.ExitCode = string(res.Status), exitOK
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "switchyard --run-sync %s: %s\n", name, out.Error)
	}
	if res == nil {
		if rep != nil {
			os.Remove(rep.Path())
		}
		return out
	}
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
			Queries: er.Queries, CountCheck: er.Check})
		out.Deleted += c.Deleted
	}
	if !f.json {
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		for _, er := range res.Entities {
			c := er.Counts
			fmt.Fprintf(tw, "%s\t%s\t%s\tall %d%s\timported %d\texported %d\tupdated %d\tunchanged %d\tdeleted %d\tfailed %d\twarnings %d\t%.1fs\n",
				name, er.Entity, er.Direction, c.All, ofCounted(er), c.Imported, c.Exported, c.Updated, c.Unchanged, c.Deleted, c.Failed, c.Warnings, er.Duration.Seconds())
		}
		tw.Flush()
		fmt.Fprintf(e.stdout, "%s: %s\n", name, res.Summary())
		if out.Report != "" {
			fmt.Fprintf(e.stdout, "report: %s\n", out.Report)
		}
	}
	fmt.Fprintf(e.stderr, "sync %s: %s\n", name, res.Status)
	return out
}

// suffixed inserts -name before the extension of path: run.xlsx → run-crm.xlsx.
func suffixed(path, name string) string {
	for i := len(path) - 1; i >= 0 && path[i] != '/'; i-- {
		if path[i] == '.' {
			return path[:i] + "-" + name + path[i:]
		}
	}
	return path + "-" + name
}

func quarantineListCmd(e *env) *cobra.Command {
	var asJSON, showAll bool
	c := leaf("list NAME", "List the quarantined records of an integration", func(ctx context.Context, args []string) error {
		return e.withWorkspace(ctx, func() error { return e.quarantineList(ctx, args[0], showAll, asJSON) })
	})
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.Flags().BoolVar(&showAll, "all", false, "list dismissed records too")
	return c
}

// quarantineList is `switchyard quarantine list NAME`.
func (e *env) quarantineList(ctx context.Context, name string, showAll, asJSON bool) error {
	qs, err := e.svc.Quarantine(ctx, name, showAll)
	if err != nil {
		return err
	}
	return e.result(asJSON, nonNil(qs), func(w io.Writer) error { return printQuarantine(w, qs) })
}

func quarantineDismissCmd(e *env) *cobra.Command {
	c := leaf("dismiss NAME ID", "Dismiss a quarantined record: its next change is tried again", func(ctx context.Context, args []string) error {
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return usagef("ID %q: give the number `quarantine list` shows", args[1])
		}
		return e.withWorkspace(ctx, func() error { return e.svc.DismissQuarantine(ctx, args[0], id) })
	})
	// The quarantine commands shared one flag set, so that scripts may give
	// dismiss these flags too: they are taken, hidden, and change nothing.
	for _, name := range []string{"json", "all"} {
		c.Flags().Bool(name, false, "")
		c.Flags().MarkHidden(name)
	}
	return c
}

// printQuarantine prints one line per quarantined record.
func printQuarantine(w io.Writer, qs []store.Quarantined) error {
	if len(qs) == 0 {
		_, err := fmt.Fprintln(w, "no quarantined records")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tENTITY\tDIRECTION\tRECORD\tATTEMPTS\tREASON")
	for _, q := range qs {
		rec := q.Key
		if rec == "" {
			rec = "local " + q.RecordID
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\n", q.ID, q.Entity, q.Direction, rec, q.Attempts, oneLine(q.Reason))
	}
	return tw.Flush()
}
