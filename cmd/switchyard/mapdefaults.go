package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"switchyard/core/admin"
	"switchyard/core/meta"
)

func integrationMapDefaultsCmd(e *env) *cobra.Command {
	var apply, asJSON, refresh bool
	c := leaf("map-defaults NAME", "Propose (or add) the default entity mappings of the integration's preset", func(ctx context.Context, args []string) error {
		return e.withWorkspace(ctx, func() error {
			var res admin.DefaultsResult
			var err error
			if apply {
				res, err = e.svc.ApplyDefaults(ctx, args[0], refresh)
			} else {
				res, err = e.svc.ProposeDefaults(ctx, args[0], refresh)
			}
			if err != nil {
				return fmt.Errorf("map the defaults of %q: %w", args[0], err)
			}
			return e.result(asJSON, res, func(w io.Writer) error { printDefaults(w, res); return nil })
		})
	})
	c.Long = "Print the default entity mappings of the integration's preset (businesscentral, dynamics) that the integration\n" +
		"lacks; --apply adds them, creates their local entities and fields, and saves the integration. Exit 3 when the\n" +
		"preset has no defaults or the system none of their entities."
	c.Flags().BoolVar(&apply, "apply", false, "add the proposed mappings, create their local entities and fields, and save the integration")
	c.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON (its entities in the integration file's form)")
	c.Flags().BoolVar(&refresh, "refresh", false, "read the catalog from the external system instead of the cached schema")
	return c
}

// printDefaults writes res as a table per entity mapping, then what applying
// creates (or created) and the notes.
func printDefaults(w io.Writer, res admin.DefaultsResult) {
	n := len(res.Entities)
	switch {
	case n == 0:
		fmt.Fprintf(w, "%s defaults (preset %s): nothing to add to %q, it maps %s already\n", res.System, res.Preset, res.Integration, strings.Join(res.Kept, ", "))
	case res.Applied:
		fmt.Fprintf(w, "%s defaults (preset %s): added %d entity mapping(s) to %q\n", res.System, res.Preset, n, res.Integration)
	default:
		fmt.Fprintf(w, "%s defaults (preset %s): %d entity mapping(s) to add to %q\n", res.System, res.Preset, n, res.Integration)
	}
	for _, em := range res.Entities {
		fmt.Fprintf(w, "\n%s → %s (match key %s, %s)\n", em.External, em.Local, em.PrimaryKey, em.Direction)
		var table strings.Builder
		tw := tabwriter.NewWriter(&table, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  EXTERNAL\tTYPE\tLOCAL\tTYPE\t")
		for _, f := range em.Fields {
			xf, _ := res.ExternalField(em.External, f.External)
			lf, _ := res.LocalField(em.Local, f.Local)
			note := ""
			switch {
			case f.Local == em.PrimaryKey:
				note = "External Primary Key (matches records)"
			case f.Lookup != "":
				note = fmt.Sprintf("lookup by key: resolved through %s.%s", f.Lookup, res.MatchKey(f.Lookup))
			case xf.ReadOnly:
				note = "read-only"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", f.External, typeText(xf), f.Local, typeText(lf), note)
		}
		tw.Flush()
		for _, line := range strings.Split(strings.TrimSuffix(table.String(), "\n"), "\n") {
			fmt.Fprintln(w, strings.TrimRight(line, " ")) // the notes column pads rows without a note
		}
	}
	verb, verbFields := "would create", "would add"
	if res.Applied {
		verb, verbFields = "created", "added"
	}
	if n > 0 {
		fmt.Fprintln(w)
	}
	for _, name := range res.CreatedEntities {
		fmt.Fprintf(w, "%s local entity %s\n", verb, name)
	}
	for _, f := range res.AddedFields {
		fmt.Fprintf(w, "%s local field %s\n", verbFields, f)
	}
	for _, note := range res.Notes {
		fmt.Fprintf(w, "note: %s\n", note)
	}
	if n > 0 && !res.Applied {
		fmt.Fprintf(w, "add them with `switchyard integration map-defaults %s --apply`\n", res.Integration)
	}
}

// typeText is a field's type for a person: string(100), decimal(19,2), lookup → account.
func typeText(f meta.Field) string {
	switch {
	case f.Type == "":
		return "?"
	case f.Type == meta.Lookup && f.Target != "":
		return "lookup → " + f.Target
	case f.Type == meta.String && f.MaxLength > 0:
		return fmt.Sprintf("string(%d)", f.MaxLength)
	case f.Type == meta.Decimal && f.Precision > 0:
		return fmt.Sprintf("decimal(%d,%d)", f.Precision, f.Scale)
	}
	return string(f.Type)
}
