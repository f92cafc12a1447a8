package docgen

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// CLISection names the generated command reference in docs/cli.md.
const CLISection = "command reference"

// ExitCode is one exit code of the command line with its meaning.
type ExitCode struct {
	Code    int
	Meaning string
}

// CLI is the Markdown reference of the command tree under root: the root's
// long help, paragraph by paragraph, the exit codes, the global flags, then every command that is not hidden with its
// use line, help and flags.
func CLI(root *cobra.Command, exitCodes []ExitCode) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### `%s`\n\n", root.Name())
	for _, p := range strings.Split(root.Long, "\n\n") {
		if !strings.HasPrefix(p, "Exit codes:") { // the table below says them
			fmt.Fprintf(&b, "%s\n\n", prose(p))
		}
	}
	b.WriteString("### Exit codes\n\n| code | meaning |\n| --- | --- |\n")
	for _, e := range exitCodes {
		fmt.Fprintf(&b, "| %d | %s |\n", e.Code, cell(e.Meaning))
	}
	b.WriteString("\n### Global flags\n\nGiven before the command; `--workspace` and `-v` go with every command.\n\n")
	flagTable(&b, root.LocalFlags())
	writeCommand(&b, root)
	return b.String()
}

// writeCommand writes c's section, then its subcommands' in their order.
func writeCommand(b *strings.Builder, c *cobra.Command) {
	if c.HasParent() {
		fmt.Fprintf(b, "\n### `%s`\n\n%s\n", c.CommandPath(), description(c))
		if c.Runnable() && !c.HasAvailableSubCommands() {
			fmt.Fprintf(b, "\n```\n%s\n```\n", strings.TrimSuffix(c.UseLine(), " [flags]"))
		}
		if c.HasAvailableLocalFlags() {
			b.WriteString("\n")
			flagTable(b, c.LocalFlags())
		}
	}
	for _, s := range c.Commands() {
		if s.IsAvailableCommand() {
			writeCommand(b, s)
		}
	}
}

// prose is help text as one Markdown paragraph: its lines joined, and the
// angle brackets of placeholders (SWITCHYARD_<INTEGRATION>) escaped.
func prose(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(strings.Join(strings.Fields(s), " "))
}

// description is c's long help, else its short one, as a sentence. The
// completion commands get their short help: their long one, cobra's, is
// written for a terminal (docs/cli.md has its own words on installing them).
func description(c *cobra.Command) string {
	d := c.Long
	if d == "" || strings.HasPrefix(c.CommandPath(), c.Root().Name()+" completion") {
		d = c.Short
	}
	d = prose(d)
	if !strings.HasSuffix(d, ".") {
		d += "."
	}
	return d
}

// flagTable writes a table of the flags of fs that are not hidden, but --help.
func flagTable(b *strings.Builder, fs *pflag.FlagSet) {
	b.WriteString("| flag | default | meaning |\n| --- | --- | --- |\n")
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Name == "help" {
			return
		}
		name := "--" + f.Name
		if f.Shorthand != "" && f.Shorthand != f.Name {
			name = "-" + f.Shorthand + ", " + name
		} else if f.Shorthand == f.Name {
			name = "-" + f.Name
		}
		varName, usage := pflag.UnquoteUsage(f)
		if f.Value.Type() == "bool" {
			varName = ""
		} else if varName != "" {
			name += " " + varName
		}
		def := f.DefValue
		if f.Value.Type() == "bool" && def == "false" || def == "[]" {
			def = ""
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", code(name), code(def), cell(usage))
	})
}
