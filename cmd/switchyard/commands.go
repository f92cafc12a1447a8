package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"switchyard/core/connector"
	"switchyard/core/meta"
)

func integrationImportCmd(e *env) *cobra.Command {
	var asJSON bool
	c := leaf("import FILE", "Create or replace an integration from its file (- for standard input)", func(ctx context.Context, args []string) error {
		return e.integrationImport(ctx, args[0], asJSON)
	})
	c.Long = "Create or replace an integration from its file (- reads standard input). The one command, besides the GUI,\n" +
		"that creates the workspace when there is none; a workspace it created for an import that fails is removed again\n" +
		"(a file with its new folders; on PostgreSQL everything it made in the schema, which is left empty).\n" +
		"An integration of the same name is replaced whatever its version, and the version grows by one: an admin\n" +
		"editing it in the app is then told what the import changed when saving, instead of overwriting it."
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return c
}

func (e *env) integrationImport(ctx context.Context, path string, asJSON bool) error {
	r, closeInput, err := e.input(path, "integration file")
	if err != nil {
		return err
	}
	defer closeInput()
	// The one command that may start a workspace; one that it started for an
	// import that then fails is removed again, folders and all.
	e.create = true
	if err := e.locate(); err != nil {
		return err
	}
	undo := undoNewWorkspace(e.workspace)
	closeWS, err := e.open(ctx)
	if err != nil {
		undo()
		return err
	}
	res, err := e.svc.ImportFile(ctx, r)
	for _, w := range res.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
	// A workspace this import created goes again: a new PostgreSQL
	// workspace's objects before it is closed, a new file and its folders after.
	if err != nil {
		e.discardNew(ctx)
	}
	closeWS()
	if err != nil {
		undo()
		return fmt.Errorf("import %s: %w", path, err) // the file's problems follow on the same line (errorLine)
	}
	return e.result(asJSON, res, func(w io.Writer) error { _, err := fmt.Fprint(w, res.Summary()); return err })
}

func integrationExportCmd(e *env) *cobra.Command {
	var out string
	c := leaf("export NAME", "Write an integration's file (secrets left out)", func(ctx context.Context, args []string) error {
		return e.withWorkspace(ctx, func() error {
			if out == "" {
				return e.svc.ExportFile(ctx, args[0], e.stdout)
			}
			err := writeWhole(out, "export file", func(w io.Writer) error { return e.svc.ExportFile(ctx, args[0], w) })
			if err == nil {
				fmt.Fprintf(e.stderr, "exported %q to %s\n", args[0], out)
			}
			return err
		})
	})
	outputFlag(c, &out)
	return c
}

// integrationSummary is one line of `integration list --json`.
type integrationSummary struct {
	Name      string `json:"name"`
	Connector string `json:"connector"`
	URL       string `json:"url,omitempty"`
	Entities  int    `json:"entities"`
	Schedules int    `json:"schedules"`
	// Version grows by one with every save of the integration.
	Version int64 `json:"version"`
}

func integrationListCmd(e *env) *cobra.Command {
	var asJSON bool
	c := leaf("list", "List the integrations of the workspace", func(ctx context.Context, _ []string) error {
		return e.withWorkspace(ctx, func() error { return e.integrationList(ctx, asJSON) })
	})
	c.Long = "List the integrations of the workspace. With --json each carries its version, which grows by one\n" +
		"with every save of the integration (the app, an import, a secret, a rename)."
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func (e *env) integrationList(ctx context.Context, asJSON bool) error {
	list, versions, err := e.svc.Store.VersionedIntegrations(ctx)
	if err != nil {
		return err
	}
	out := make([]integrationSummary, len(list))
	for i, in := range list {
		out[i] = integrationSummary{Name: in.Name, Connector: in.Connector, URL: in.Settings["url"], Entities: len(in.Entities), Schedules: len(in.Schedules),
			Version: versions[in.Name].Number}
	}
	return e.result(asJSON, out, func(w io.Writer) error {
		if len(out) == 0 {
			fmt.Fprintln(e.stderr, "no integrations yet: add one with `switchyard integration import FILE` or in the app")
			return nil
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tCONNECTOR\tENTITIES\tSCHEDULES\tURL")
		for _, s := range out {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", s.Name, s.Connector, s.Entities, s.Schedules, s.URL)
		}
		return tw.Flush()
	})
}

// testJSON is the --json result of `integration test`, printed on failure too.
type testJSON struct {
	Integration string `json:"integration"`
	OK          bool   `json:"ok"`
	connector.Report
	outcome
}

func integrationTestCmd(e *env) *cobra.Command {
	var asJSON bool
	c := leaf("test NAME", "Test the connection of an integration", func(ctx context.Context, args []string) error {
		rep, err := e.testConnection(ctx, args[0])
		if asJSON {
			if werr := writeJSON(e.stdout, testJSON{Integration: args[0], OK: err == nil, Report: rep, outcome: outcomeOf(err)}); werr != nil && err == nil {
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
	})
	c.Long = "Test the connection of an integration: sign in, read the catalog. With --json the result object is printed on failure too."
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

// testConnection runs `integration test NAME`: what the test found, and why it failed.
func (e *env) testConnection(ctx context.Context, name string) (connector.Report, error) {
	closeWS, err := e.open(ctx)
	if err != nil {
		return connector.Report{}, err
	}
	defer closeWS()
	in, err := e.svc.Store.Integration(ctx, name)
	if err != nil {
		return connector.Report{}, err
	}
	rep, err := e.svc.Test(ctx, in)
	if err != nil {
		return rep, fmt.Errorf("test connection of %q: %w", in.Name, err)
	}
	return rep, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown system"
	}
	return s
}

func integrationDeleteCmd(e *env) *cobra.Command {
	return leaf("delete NAME", "Delete an integration (its local entities and their data are kept)", func(ctx context.Context, args []string) error {
		return e.withWorkspace(ctx, func() error {
			if err := e.svc.Store.DeleteIntegration(ctx, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "integration %q deleted (local entities and their data are kept)\n", args[0])
			return nil
		})
	})
}

func entitiesCmd(e *env) *cobra.Command {
	var asJSON, refresh bool
	c := leaf("entities NAME", "List the external entities of an integration with their fields", func(ctx context.Context, args []string) error {
		return e.withWorkspace(ctx, func() error {
			cat, err := e.svc.Catalog(ctx, args[0], refresh)
			if err != nil {
				return err
			}
			return e.result(asJSON, nonNil(cat), func(w io.Writer) error { return printCatalog(w, cat) })
		})
	})
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.Flags().BoolVar(&refresh, "refresh", false, "read the catalog from the external system instead of the cached schema")
	return c
}

// printCatalog prints each entity with its key and its fields.
func printCatalog(w io.Writer, cat []meta.Entity) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
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

// withWorkspace opens the workspace, runs do and closes it again.
func (e *env) withWorkspace(ctx context.Context, do func() error) error {
	closeWS, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer closeWS()
	return do()
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
