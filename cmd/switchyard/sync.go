package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"

	"switchyard/core/admin"
	"switchyard/core/engine"
	"switchyard/core/report"
	"switchyard/core/store"
)

// exitLocked: another run of the integration holds its lock.
const exitLocked = 4

func init() {
	commands["quarantine"] = runQuarantine
}

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
	Error       string       `json:"error,omitempty"`
	ExitCode    int          `json:"exitCode"`
}

// allJSON is the --json summary of --run-sync all.
type allJSON struct {
	Status       string     `json:"status"`
	Integrations []syncJSON `json:"integrations"`
}

// runSync is `switchyard --run-sync NAME|all`: logs on stderr, the summary on stdout.
func (e *env) runSync(ctx context.Context, f syncFlags) int {
	closeWS, err := e.open(ctx)
	if err != nil {
		if f.json { // scripts get their object, on failure too
			code := exitCode(err)
			writeJSON(e.stdout, syncJSON{Integration: f.name, Status: string(engine.Failed), Entities: []entityJSON{}, Error: errorLine(err), ExitCode: code})
		}
		return e.exit("--run-sync", err)
	}
	defer closeWS()
	names := []string{f.name}
	if f.name == "all" {
		ins, err := e.svc.Store.Integrations(ctx)
		if err != nil {
			return e.exit("--run-sync", err)
		}
		names = names[:0]
		for _, in := range ins {
			names = append(names, in.Name)
		}
		if len(names) == 0 {
			fmt.Fprintln(e.stderr, "switchyard --run-sync all: the workspace has no integrations: import one with `switchyard integration import FILE`")
			return exitConfig
		}
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
			fmt.Fprintf(e.stderr, "switchyard --run-sync: %v\n", err)
			return exitFailed
		}
	}
	return worst
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
	case err != nil: // the one mapping of errors to exit codes (exitCode)
		out.Status, out.ExitCode = string(engine.Failed), exitCode(err)
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
		out.Error = errorLine(err)
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

// worse returns the exit code that matters more: 3, then 1, then 4, then 2, then 0.
func worse(a, b int) int {
	rank := map[int]int{exitOK: 0, exitPartial: 1, exitLocked: 2, exitFailed: 3, exitConfig: 4}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

func statusOfCode(code int) string {
	switch code {
	case exitOK:
		return string(engine.Succeeded)
	case exitPartial:
		return string(engine.Partial)
	case exitLocked:
		return "locked"
	}
	return string(engine.Failed)
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

// runQuarantine is `switchyard quarantine list NAME [--all] [--json]` and `quarantine dismiss NAME ID`.
func runQuarantine(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "dismiss") {
		return usagef("name a subcommand: list or dismiss")
	}
	fs := flag.NewFlagSet("quarantine", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	showAll := fs.Bool("all", false, "list dismissed records too")
	want, names := 1, "NAME"
	if args[0] == "dismiss" {
		want, names = 2, "NAME ID"
	}
	pos, closeWS, err := e.start(ctx, fs, args[1:], want, names)
	if err != nil {
		return err
	}
	defer closeWS()
	if args[0] == "dismiss" {
		id, err := strconv.ParseInt(pos[1], 10, 64)
		if err != nil {
			return usagef("ID %q: give the number `quarantine list` shows", pos[1])
		}
		return e.svc.DismissQuarantine(ctx, pos[0], id)
	}
	qs, err := e.svc.Quarantine(ctx, pos[0], *showAll)
	if err != nil {
		return err
	}
	if *asJSON {
		if qs == nil {
			qs = []store.Quarantined{}
		}
		return writeJSON(e.stdout, qs)
	}
	if len(qs) == 0 {
		fmt.Fprintln(e.stdout, "no quarantined records")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
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
