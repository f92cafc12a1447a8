package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"switchyard/core/admin"
	"switchyard/core/store"
)

// workspaceCopy is `switchyard workspace copy FROM TO`.
func (e *env) workspaceCopy(ctx context.Context, from, to string, asJSON bool) error {
	if from == to {
		return usagef("FROM and TO are the same workspace: copy into a new one")
	}
	src, err := store.OpenExisting(ctx, from)
	if err != nil {
		return err
	}
	defer src.Close()
	undo := undoNewWorkspace(to)
	dst, err := store.Open(ctx, to)
	if err != nil {
		undo()
		return err
	}
	rep, err := store.Copy(ctx, src, dst, store.CopyOptions{})
	if err != nil && rep.Tables == nil {
		// Nothing was copied: a target this copy created goes again (a new
		// PostgreSQL workspace's objects, a new file and its folders), so
		// that the copy can simply be run again.
		discardNew(ctx, dst, e.stderr)
		dst.Close()
		undo()
	} else {
		dst.Close()
	}
	if errors.Is(err, store.ErrNotEmpty) {
		return &admin.ConfigError{Err: err}
	}
	if rep.Tables == nil {
		if err != nil {
			return err
		}
		rep.Tables = []store.TableCount{}
	}
	if perr := e.result(asJSON, rep, func(w io.Writer) error { return printCopy(w, rep) }); perr != nil {
		return perr
	}
	return err // a count that differs, printed above
}

// workspaceCopyCmd is `switchyard workspace copy FROM TO`, so that a team
// can move its workspace from a file to PostgreSQL, or back.
func workspaceCopyCmd(e *env) *cobra.Command {
	var asJSON bool
	c := leaf("copy FROM TO", "Copy a workspace into a new one: a file or a postgres:// URL, either way", func(ctx context.Context, args []string) error {
		return e.workspaceCopy(ctx, args[0], args[1], asJSON)
	})
	c.Long = `Copy the workspace FROM into TO, a new, empty workspace: each is a file or a
postgres:// URL (the schema in options=-csearch_path=NAME). Everything is
copied: entities with their rows and system columns, integrations, schedules,
run logs, anchors, the upload queue, quarantine and conflicts. Secrets are
sealed again with TO's key (a file's key file; on PostgreSQL $SWITCHYARD_KEY or
the OS keyring). Every table is counted on both sides; the counts are printed,
and a difference fails the copy. A TO that holds anything is refused (exit 3).
A copy that fails before its rows are written (a secret FROM's key cannot
open, say) removes the TO it created: a new file, or a new PostgreSQL
workspace's tables; run it again once the cause is fixed.`
	c.Flags().BoolVar(&asJSON, "json", false, "print the counts as JSON")
	return c
}

// printCopy prints the counts of a copy, one table a line.
func printCopy(w io.Writer, rep store.CopyReport) error {
	if _, err := fmt.Fprintf(w, "%-32s %10s %10s\n", "TABLE", "FROM", "TO"); err != nil {
		return err
	}
	_, err := io.WriteString(w, rep.String())
	return err
}
