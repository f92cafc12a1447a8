package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"switchyard/core/connector"
	"switchyard/core/meta"
)

// command runs one headless command with its arguments.
type command func(ctx context.Context, e *env, args []string) error

// commands are the top-level headless commands; files that add one register it from init().
var commands = map[string]command{
	"integration": runIntegration,
	"entities":    runEntities,
}

// integrationCommands are the subcommands of `switchyard integration`; files
// that add one register it from init().
var integrationCommands = map[string]command{
	"import": integrationImport,
	"export": integrationExport,
	"list":   integrationList,
	"test":   integrationTest,
	"delete": integrationDelete,
}

func runIntegration(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, integrationCommands, args)
}

// dispatch runs the subcommand of group that args[0] names with the rest of args.
func dispatch(ctx context.Context, e *env, group map[string]command, args []string) error {
	names := make([]string, 0, len(group))
	for n := range group {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) == 0 {
		return usagef("name a subcommand: %s", strings.Join(names, ", "))
	}
	sub := group[args[0]]
	if sub == nil {
		return usagef("unknown subcommand %q: use %s", args[0], strings.Join(names, ", "))
	}
	return sub(ctx, e, args[1:])
}

// parse parses flags that may come before, between or after the positional
// arguments, and checks that there are exactly want positional ones.
func parse(fs *flag.FlagSet, args []string, want int, names string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != want {
		if want == 0 {
			return nil, usagef("takes no arguments, got %s", strings.Join(pos, " "))
		}
		return nil, usagef("want %s, got %d argument(s)", names, len(pos))
	}
	return pos, nil
}

func integrationImport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parse(fs, args, 1, "FILE")
	if err != nil {
		return err
	}
	r, closeInput, err := e.input(pos[0], "integration file")
	if err != nil {
		return err
	}
	defer closeInput()
	// The one command that may start a workspace; one that it started for an
	// import that then fails is removed again, folders and all.
	e.create = true
	undo := undoNewWorkspace(e.workspace)
	closeWS, err := e.open(ctx)
	if err != nil {
		undo()
		return err
	}
	res, err := e.svc.ImportFile(ctx, r)
	closeWS()
	for _, w := range res.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
	if err != nil {
		undo()
		return fmt.Errorf("import %s: %w", pos[0], err) // the file's problems follow on the same line (errorLine)
	}
	if *asJSON {
		return writeJSON(e.stdout, res)
	}
	fmt.Fprint(e.stdout, res.Summary())
	return nil
}

func integrationExport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	out := fs.String("o", "", "write to this file instead of stdout")
	pos, closeWS, err := e.start(ctx, fs, args, 1, "NAME")
	if err != nil {
		return err
	}
	defer closeWS()
	if *out == "" {
		return e.svc.ExportFile(ctx, pos[0], e.stdout)
	}
	err = writeWhole(*out, "export file", func(w io.Writer) error { return e.svc.ExportFile(ctx, pos[0], w) })
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "exported %q to %s\n", pos[0], *out)
	return nil
}

// integrationSummary is one line of `integration list --json`.
type integrationSummary struct {
	Name      string `json:"name"`
	Connector string `json:"connector"`
	URL       string `json:"url,omitempty"`
	Entities  int    `json:"entities"`
	Schedules int    `json:"schedules"`
}

func integrationList(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args, 0, ""); err != nil {
		return err
	}
	closeWS, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer closeWS()
	list, err := e.svc.Store.Integrations(ctx)
	if err != nil {
		return err
	}
	out := make([]integrationSummary, len(list))
	for i, in := range list {
		out[i] = integrationSummary{Name: in.Name, Connector: in.Connector, URL: in.Settings["url"], Entities: len(in.Entities), Schedules: len(in.Schedules)}
	}
	if *asJSON {
		return writeJSON(e.stdout, out)
	}
	if len(out) == 0 {
		fmt.Fprintln(e.stderr, "no integrations yet: add one with `switchyard integration import FILE` or in the app")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCONNECTOR\tENTITIES\tSCHEDULES\tURL")
	for _, s := range out {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", s.Name, s.Connector, s.Entities, s.Schedules, s.URL)
	}
	return tw.Flush()
}

// testJSON is the --json result of `integration test`, printed on failure too.
type testJSON struct {
	Integration string `json:"integration"`
	OK          bool   `json:"ok"`
	connector.Report
	Error    string `json:"error,omitempty"`
	ExitCode int    `json:"exitCode"`
}

func integrationTest(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	name, rep, err := testConnection(ctx, e, fs, args)
	if *asJSON {
		out := testJSON{Integration: name, OK: err == nil, Report: rep, ExitCode: exitCode(err)}
		if err != nil {
			out.Error = errorLine(err)
		}
		if werr := writeJSON(e.stdout, out); werr != nil && err == nil {
			return werr
		}
		return err // also one line on stderr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "connection ok: %s, %d entities\n", orUnknown(rep.System), rep.Entities)
	for _, d := range rep.Details {
		fmt.Fprintf(e.stdout, "  %s\n", d)
	}
	return nil
}

// testConnection runs `integration test NAME`: the integration's name (as
// given, when it cannot be read), what the test found, and why it failed.
func testConnection(ctx context.Context, e *env, fs *flag.FlagSet, args []string) (string, connector.Report, error) {
	pos, err := parse(fs, args, 1, "NAME")
	name := ""
	if len(pos) > 0 {
		name = pos[0]
	}
	if err != nil {
		return name, connector.Report{}, err
	}
	closeWS, err := e.open(ctx)
	if err != nil {
		return name, connector.Report{}, err
	}
	defer closeWS()
	in, err := e.svc.Store.Integration(ctx, name)
	if err != nil {
		return name, connector.Report{}, err
	}
	rep, err := e.svc.Test(ctx, in)
	if err != nil {
		return name, rep, fmt.Errorf("test connection of %q: %w", in.Name, err)
	}
	return name, rep, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown system"
	}
	return s
}

func integrationDelete(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("delete", flag.ContinueOnError)
	pos, closeWS, err := e.start(ctx, fs, args, 1, "NAME")
	if err != nil {
		return err
	}
	defer closeWS()
	if err := e.svc.Store.DeleteIntegration(ctx, pos[0]); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "integration %q deleted (local entities and their data are kept)\n", pos[0])
	return nil
}

func runEntities(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("entities", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	refresh := fs.Bool("refresh", false, "read the catalog from the external system instead of the cached schema")
	pos, closeWS, err := e.start(ctx, fs, args, 1, "NAME")
	if err != nil {
		return err
	}
	defer closeWS()
	cat, err := e.svc.Catalog(ctx, pos[0], *refresh)
	if err != nil {
		return err
	}
	if *asJSON {
		if cat == nil {
			cat = []meta.Entity{}
		}
		return writeJSON(e.stdout, cat)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, ent := range cat {
		fmt.Fprintf(tw, "%s\tkey: %s\t%d fields\n", ent.Name, strings.Join(ent.Key, ", "), len(ent.Fields))
		for _, f := range ent.Fields {
			typ := string(f.Type)
			if f.Type == meta.Lookup {
				typ = "lookup → " + f.Target
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", f.Name, typ, f.ExternalType)
		}
	}
	return tw.Flush()
}

// writeWhole writes path whole or not at all: write fills a temporary file
// beside it, which then replaces path. what names the file in errors.
func writeWhole(path, what string, write func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return usagef("create %s: %v", what, err)
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", what, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", what, err)
	}
	return nil
}

// input opens the file at path, or standard input for "-"; what names the file in errors.
func (e *env) input(path, what string) (io.Reader, func(), error) {
	if path == "-" {
		return e.stdin, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, usagef("open %s: %v", what, err)
	}
	return f, func() { f.Close() }, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
