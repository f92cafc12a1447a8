package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"switchyard/core/admin"
	"switchyard/core/mapping"
)

// The mapping commands:
//
//	switchyard integration check NAME [--json] [--clean-up]     exit 2 when findings remain
//	switchyard integration update-schema NAME [--json]
//	switchyard mapping suggest NAME ENTITY [--json] [--map-all] [--threshold N]
//	switchyard mapping create NAME ENTITY [--local NAME]
//	switchyard mapping export NAME ENTITY [-o FILE]
//	switchyard mapping import NAME FILE [--json]
func init() {
	commands["mapping"] = runMapping
	integrationCommands["check"] = integrationCheck
	integrationCommands["update-schema"] = integrationUpdateSchema
}

// mappingCommands are the subcommands of `switchyard mapping`.
var mappingCommands = map[string]command{
	"suggest": mappingSuggest,
	"create":  mappingCreate,
	"export":  mappingExport,
	"import":  mappingImport,
}

func runMapping(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, mappingCommands, args)
}

func integrationCheck(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	cleanUp := fs.Bool("clean-up", false, "remove the mappings of external entities and fields that no longer exist")
	pos, closeWS, err := e.start(ctx, fs, args, 1, "NAME")
	if err != nil {
		return err
	}
	defer closeWS()
	var res admin.CheckResult
	if *cleanUp {
		res, err = e.svc.CleanUp(ctx, pos[0])
	} else {
		res, err = e.svc.Check(ctx, pos[0])
	}
	if err != nil {
		return fmt.Errorf("check integration %q: %w", pos[0], err)
	}
	if *asJSON {
		if err := writeJSON(e.stdout, res); err != nil {
			return err
		}
	} else {
		for _, f := range res.CleanedUp {
			fmt.Fprintf(e.stdout, "removed %s: %s\n", f.Path, cleanedText(f))
		}
		for _, f := range res.Findings {
			fmt.Fprintln(e.stdout, f.String())
		}
		if len(res.Findings) == 0 {
			fmt.Fprintf(e.stdout, "the mapping of %q fits both schemas\n", res.Integration)
		}
	}
	if len(res.Findings) == 0 {
		return nil
	}
	hint := ""
	for _, f := range res.Findings {
		if f.CleanUp {
			hint = fmt.Sprintf("; `switchyard integration check %s --clean-up` removes the stale mappings", pos[0])
			break
		}
	}
	fmt.Fprintf(e.stderr, "switchyard integration check: %d finding(s) in %q%s\n", len(res.Findings), res.Integration, hint)
	return partialError{summary: fmt.Sprintf("%d finding(s)", len(res.Findings))}
}

// cleanedText says what a clean-up removed.
func cleanedText(f mapping.Finding) string {
	if f.Kind == mapping.MissingExternalEntity {
		return fmt.Sprintf("the mapping of external entity %q, which no longer exists", f.Entity)
	}
	return fmt.Sprintf("the mapping of field %q of %q, which no longer exists", f.Field, f.Entity)
}

func integrationUpdateSchema(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("update-schema", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the difference as JSON")
	pos, closeWS, err := e.start(ctx, fs, args, 1, "NAME")
	if err != nil {
		return err
	}
	defer closeWS()
	diff, err := e.svc.UpdateSchema(ctx, pos[0])
	if err != nil {
		return fmt.Errorf("update the schema of %q: %w", pos[0], err)
	}
	if *asJSON {
		return writeJSON(e.stdout, diff)
	}
	fmt.Fprint(e.stdout, diff.String())
	return nil
}

func mappingSuggest(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("suggest", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the suggestions as JSON")
	mapAll := fs.Bool("map-all", false, "map every unmapped field to its best candidate scoring at least --threshold")
	threshold := fs.Int("threshold", mapping.SuggestThreshold, "the lowest score --map-all takes (1-100)")
	pos, err := parse(fs, args, 2, "NAME ENTITY")
	if err != nil {
		return err
	}
	if *threshold < 1 || *threshold > 100 {
		return usagef("--threshold %d: give a score from 1 to 100", *threshold)
	}
	closeWS, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer closeWS()
	if *mapAll {
		added, err := e.svc.MapAllSuggested(ctx, pos[0], pos[1], *threshold)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(e.stdout, added)
		}
		for _, f := range added {
			fmt.Fprintf(e.stdout, "mapped %s → %s%s\n", f.External, f.Local, lookupText(f.Lookup))
		}
		fmt.Fprintf(e.stdout, "%d field(s) mapped\n", len(added))
		return nil
	}
	res, err := e.svc.Suggest(ctx, pos[0], pos[1])
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, res)
	}
	return printSuggestions(e.stdout, res)
}

func lookupText(target string) string {
	if target == "" {
		return ""
	}
	return " (lookup → " + target + ")"
}

// printSuggestions prints one line per candidate, best first, and the fields without any.
func printSuggestions(w io.Writer, res admin.SuggestResult) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "EXTERNAL (%s)\tTYPE\tLOCAL (%s)\tSCORE\tREASON\n", res.External, res.Local)
	var none []string
	for _, s := range res.Suggestions {
		if len(s.Candidates) == 0 {
			none = append(none, s.External)
			continue
		}
		for i, c := range s.Candidates {
			name, typ := s.External, string(s.Type)
			if i > 0 {
				name, typ = "", ""
			}
			fmt.Fprintf(tw, "%s\t%s\t%s%s\t%d\t%s\n", name, typ, c.Local, lookupText(c.Lookup), c.Score, c.Reason)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(none) > 0 {
		fmt.Fprintf(w, "no candidate: %s\n", strings.Join(none, ", "))
	}
	return nil
}

func mappingCreate(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("create", flag.ContinueOnError)
	local := fs.String("local", "", "the new local entity's name (default: made from the external one)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, closeWS, err := e.start(ctx, fs, args, 2, "NAME ENTITY")
	if err != nil {
		return err
	}
	defer closeWS()
	res, err := e.svc.CreateLocalEntity(ctx, pos[0], pos[1], *local)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, res)
	}
	fmt.Fprint(e.stdout, res.Summary())
	return nil
}

func mappingExport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	out := fs.String("o", "", "write to this file instead of stdout")
	pos, closeWS, err := e.start(ctx, fs, args, 2, "NAME ENTITY")
	if err != nil {
		return err
	}
	defer closeWS()
	if *out == "" {
		return e.svc.ExportEntity(ctx, pos[0], pos[1], e.stdout)
	}
	err = writeWhole(*out, "entity mapping file", func(w io.Writer) error { return e.svc.ExportEntity(ctx, pos[0], pos[1], w) })
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "exported the mapping of %q of %q to %s\n", pos[1], pos[0], *out)
	return nil
}

func mappingImport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parse(fs, args, 2, "NAME FILE")
	if err != nil {
		return err
	}
	r, closeInput, err := e.input(pos[1], "entity mapping file")
	if err != nil {
		return err
	}
	defer closeInput()
	closeWS, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer closeWS()
	res, err := e.svc.ImportEntity(ctx, pos[0], r)
	if err != nil {
		return fmt.Errorf("import %s:\n%w", pos[1], err)
	}
	if *asJSON {
		return writeJSON(e.stdout, res)
	}
	fmt.Fprint(e.stdout, res.Summary())
	return nil
}
