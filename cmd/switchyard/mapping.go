package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"switchyard/core/admin"
	"switchyard/core/mapping"
)

func integrationCheckCmd(e *env) *cobra.Command {
	var asJSON, cleanUp bool
	c := leaf("check NAME", "Check the mapping against both schemas (exit 2 when findings remain)", func(ctx context.Context, args []string) error {
		return e.withWorkspace(ctx, func() error { return e.integrationCheck(ctx, args[0], asJSON, cleanUp) })
	})
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	c.Flags().BoolVar(&cleanUp, "clean-up", false, "remove the mappings of external entities and fields that no longer exist")
	return c
}

func (e *env) integrationCheck(ctx context.Context, name string, asJSON, cleanUp bool) error {
	var res admin.CheckResult
	var err error
	if cleanUp {
		res, err = e.svc.CleanUp(ctx, name)
	} else {
		res, err = e.svc.Check(ctx, name)
	}
	if err != nil {
		return fmt.Errorf("check integration %q: %w", name, err)
	}
	err = e.result(asJSON, res, func(w io.Writer) error {
		for _, f := range res.CleanedUp {
			fmt.Fprintf(w, "removed %s: %s\n", f.Path, cleanedText(f))
		}
		for _, f := range res.Findings {
			fmt.Fprintln(w, f.String())
		}
		if len(res.Findings) == 0 {
			fmt.Fprintf(w, "the mapping of %q fits both schemas\n", res.Integration)
		}
		return nil
	})
	if err != nil || len(res.Findings) == 0 {
		return err
	}
	hint := ""
	for _, f := range res.Findings {
		if f.CleanUp {
			hint = fmt.Sprintf("; `switchyard integration check %s --clean-up` removes the stale mappings", name)
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

func integrationUpdateSchemaCmd(e *env) *cobra.Command {
	var asJSON bool
	c := leaf("update-schema NAME", "Re-read the external schema and print what changed", func(ctx context.Context, args []string) error {
		return e.withWorkspace(ctx, func() error {
			diff, err := e.svc.UpdateSchema(ctx, args[0])
			if err != nil {
				return fmt.Errorf("update the schema of %q: %w", args[0], err)
			}
			return e.result(asJSON, diff, func(w io.Writer) error { _, err := fmt.Fprint(w, diff.String()); return err })
		})
	})
	c.Flags().BoolVar(&asJSON, "json", false, "print the difference as JSON")
	return c
}

func mappingSuggestCmd(e *env) *cobra.Command {
	var asJSON, mapAll bool
	var threshold int
	c := leaf("suggest NAME ENTITY", "Rank local fields as candidates for each field of an external entity", func(ctx context.Context, args []string) error {
		if threshold < 1 || threshold > 100 {
			return usagef("--threshold %d: give a score from 1 to 100", threshold)
		}
		return e.withWorkspace(ctx, func() error {
			if mapAll {
				return e.mapAllSuggested(ctx, args[0], args[1], threshold, asJSON)
			}
			res, err := e.svc.Suggest(ctx, args[0], args[1])
			if err != nil {
				return err
			}
			return e.result(asJSON, res, func(w io.Writer) error { return printSuggestions(w, res) })
		})
	})
	c.Flags().BoolVar(&asJSON, "json", false, "print the suggestions as JSON")
	c.Flags().BoolVar(&mapAll, "map-all", false, "map every unmapped field to its best candidate scoring at least --threshold")
	c.Flags().IntVar(&threshold, "threshold", mapping.SuggestThreshold, "the lowest score `N` that --map-all takes (1-100)")
	return c
}

// mapAllSuggested is `mapping suggest --map-all`.
func (e *env) mapAllSuggested(ctx context.Context, name, entity string, threshold int, asJSON bool) error {
	added, err := e.svc.MapAllSuggested(ctx, name, entity, threshold)
	if err != nil {
		return err
	}
	return e.result(asJSON, added, func(w io.Writer) error {
		for _, f := range added {
			fmt.Fprintf(w, "mapped %s → %s%s\n", f.External, f.Local, lookupText(f.Lookup))
		}
		_, err := fmt.Fprintf(w, "%d field(s) mapped\n", len(added))
		return err
	})
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

func mappingCreateCmd(e *env) *cobra.Command {
	var local string
	var asJSON bool
	c := leaf("create NAME ENTITY", "Create a local entity for an external one, and its mapping", func(ctx context.Context, args []string) error {
		return e.withWorkspace(ctx, func() error {
			res, err := e.svc.CreateLocalEntity(ctx, args[0], args[1], local)
			if err != nil {
				return err
			}
			return e.result(asJSON, res, func(w io.Writer) error { _, err := fmt.Fprint(w, res.Summary()); return err })
		})
	})
	c.Flags().StringVar(&local, "local", "", "the new local entity's `NAME` (default: made from the external one)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}

func mappingExportCmd(e *env) *cobra.Command {
	var out string
	c := leaf("export NAME ENTITY", "Write the mapping of one external entity as a file", func(ctx context.Context, args []string) error {
		return e.withWorkspace(ctx, func() error {
			if out == "" {
				return e.svc.ExportEntity(ctx, args[0], args[1], e.stdout)
			}
			err := writeWhole(out, "entity mapping file", func(w io.Writer) error { return e.svc.ExportEntity(ctx, args[0], args[1], w) })
			if err == nil {
				fmt.Fprintf(e.stderr, "exported the mapping of %q of %q to %s\n", args[1], args[0], out)
			}
			return err
		})
	})
	outputFlag(c, &out)
	return c
}

func mappingImportCmd(e *env) *cobra.Command {
	var asJSON bool
	c := leaf("import NAME FILE", "Add an entity mapping file to an integration, or replace the mapping of its entity", func(ctx context.Context, args []string) error {
		r, closeInput, err := e.input(args[1], "entity mapping file")
		if err != nil {
			return err
		}
		defer closeInput()
		return e.withWorkspace(ctx, func() error {
			res, err := e.svc.ImportEntity(ctx, args[0], r)
			if err != nil {
				return fmt.Errorf("import %s:\n%w", args[1], err)
			}
			return e.result(asJSON, res, func(w io.Writer) error { _, err := fmt.Fprint(w, res.Summary()); return err })
		})
	})
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}
