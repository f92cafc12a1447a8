package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"switchyard/core/admin"
	"switchyard/core/connector"
	"switchyard/core/engine"
)

// rootLong is the root command's help: what is not a flag or a command.
func rootLong() string {
	codes := make([]string, len(exitCodes))
	for i, c := range exitCodes {
		codes[i] = fmt.Sprintf("%d %s", c.Code, strings.ReplaceAll(c.Meaning, "`", ""))
	}
	return `Switchyard: data integrations between external systems and a local workspace.

Without a command it opens the GUI (creating the workspace if need be); the
commands below run headless. Only the GUI and "integration import" create the
workspace; every other command needs one that exists.

The workspace defaults to $SWITCHYARD_WORKSPACE, else
$XDG_DATA_HOME/switchyard/workspace.db (on Windows %APPDATA%\Switchyard\workspace.db).
A team shares one on PostgreSQL: give a URL that names its schema, e.g.
'postgres://ann@db.example.com/switchyard?options=-csearch_path%3Dteam', with the
team's key in $SWITCHYARD_KEY (or the OS keyring) and the password in $PGPASSWORD
or ~/.pgpass (docs/workspace.md, "PostgreSQL workspaces").
Secrets can be given as SWITCHYARD_<INTEGRATION>_<SETTING>, e.g. SWITCHYARD_CRM_PASSWORD.

Exit codes: ` + strings.Join(codes, ", ") + "."
}

// topFlags are the root command's own flags: --version and those of --run-sync.
type topFlags struct {
	version bool
	sync    syncFlags
}

// newRoot builds the command tree over e: every command is declared once,
// here and in the constructor it names, and help, completion and
// docs/cli.md (go generate ./cmd/switchyard) are made from it.
func newRoot(e *env) *cobra.Command {
	var top topFlags
	root := &cobra.Command{
		Use:   "switchyard",
		Short: "Data integrations: the desktop app and its headless commands",
		Long:  rootLong(),
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 { // arguments after --run-sync are refused by normaliseArgs
				return usagef("unknown command %q", args[0])
			}
			return nil
		},
		RunE:              func(cmd *cobra.Command, _ []string) error { return e.root(cmd.Context(), top) },
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return e.prepare(cmd) },
		SilenceErrors:     true,
		SilenceUsage:      true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&e.workspace, "workspace", "", "the workspace: a `FILE`, or a postgres:// URL (default: $SWITCHYARD_WORKSPACE, else workspace.db in the user's data folder)")
	pf.BoolVarP(&e.verbose, "verbose", "v", false, "log retries and every HTTP request to stderr")
	f := root.Flags()
	f.BoolVar(&top.version, "version", false, "print the version and exit")
	f.StringVar(&top.sync.name, "run-sync", "", "synchronise the integration `NAME`, or all of them, and exit")
	f.StringVar(&top.sync.report, "report", "", "with --run-sync: write an Excel report of every record to this .xlsx `FILE`")
	f.BoolVar(&top.sync.json, "json", false, "with --run-sync: print one JSON summary")
	f.BoolVar(&top.sync.full, "full", false, "with --run-sync: read and send everything again, not only the changes")
	root.MarkFlagFilename("report", "xlsx")
	root.AddCommand(
		group("integration", "Import, export, test, check and delete integrations",
			integrationImportCmd(e), integrationExportCmd(e), integrationListCmd(e), integrationTestCmd(e),
			integrationDeleteCmd(e), integrationCheckCmd(e), integrationUpdateSchemaCmd(e), integrationSecretCmd(e),
			integrationMapDefaultsCmd(e)),
		entitiesCmd(e),
		group("mapping", "Suggest, create, export and import entity mappings",
			mappingSuggestCmd(e), mappingCreateCmd(e), mappingExportCmd(e), mappingImportCmd(e)),
		runCmd(e, engine.Import), runCmd(e, engine.Export),
		group("schedule", "Print entries for the OS scheduler", schedulePrintCmd(e)),
		group("quarantine", "List and dismiss quarantined records", quarantineListCmd(e), quarantineDismissCmd(e)),
		group("workspace", "Copy a workspace between a file and PostgreSQL", workspaceCopyCmd(e)),
	)
	completeAll(root, e)
	// Before the completion commands are made: they take their output stream then.
	if e.stdout != nil {
		root.SetIn(e.stdin)
		root.SetOut(e.stdout)
		root.SetErr(e.stderr)
	}
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.SetUsageTemplate(usageTemplate)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return flagError(err) })
	return root
}

// root runs the root command: --version, --run-sync or the GUI.
func (e *env) root(ctx context.Context, top topFlags) error {
	switch {
	case top.version:
		fmt.Fprintf(e.stdout, "switchyard %s\n", version)
		return nil
	case top.sync.name != "":
		e.name = "--run-sync"
		return e.runSync(ctx, top.sync)
	case top.sync.report != "" || top.sync.json || top.sync.full:
		return errTopFlags
	}
	e.name = "gui"
	e.create = true // the GUI opens, or starts, the default workspace
	return e.openGUI(ctx)
}

var errTopFlags = usageError{"--report, --json and --full before the command go with --run-sync; give them after the command instead"}

// prepare sets up what every command needs: the logger.
func (e *env) prepare(cmd *cobra.Command) error {
	// Connectors log to stderr what the admin must act on (warnings, such as a
	// device-code sign-in); with -v also retries (info) and each request (debug).
	level := slog.LevelWarn
	if e.verbose {
		level = slog.LevelDebug
	}
	cmd.SetContext(connector.WithLogger(cmd.Context(), slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))))
	return nil
}

// locate sets the workspace path to the default one when --workspace was not given.
func (e *env) locate() error {
	if e.workspace != "" {
		return nil
	}
	var err error
	if e.workspace, err = defaultWorkspace(); err != nil {
		return &admin.ConfigError{Err: err}
	}
	return nil
}

// completeArgs completes the positional arguments that use names
// ("export NAME": one, an integration's name): NAME from the integrations of
// the workspace, FILE from the files, the others not at all.
func (e *env) completeArgs(names []string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		switch {
		case len(args) >= len(names):
			return nil, cobra.ShellCompDirectiveNoFileComp
		case names[len(args)] == "FILE":
			return nil, cobra.ShellCompDirectiveDefault
		case names[len(args)] != "NAME":
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		var list []string
		err := e.withWorkspace(ctx, func() error {
			ins, err := e.svc.Store.Integrations(ctx)
			for _, in := range ins {
				list = append(list, in.Name)
			}
			return err
		})
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		return list, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeAll gives every command of the tree under c that takes arguments their completion.
func completeAll(c *cobra.Command, e *env) {
	if names := argNames(c.Use); len(names) > 0 && c.ValidArgsFunction == nil && !c.HasSubCommands() {
		c.ValidArgsFunction = e.completeArgs(names)
	}
	for _, s := range c.Commands() {
		completeAll(s, e)
	}
}

// argNames are the positional arguments that a use line names in capitals: "export NAME" → NAME.
func argNames(use string) []string {
	var names []string
	for _, w := range strings.Fields(use)[1:] {
		if w == strings.ToUpper(w) && !strings.HasPrefix(w, "[") {
			names = append(names, w)
		}
	}
	return names
}

// group declares a command that only holds subcommands.
func group(name, short string, subs ...*cobra.Command) *cobra.Command {
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.Name()
	}
	slices.Sort(names)
	g := &cobra.Command{
		Use:   name + " COMMAND",
		Short: short,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown subcommand %q: use %s", args[0], strings.Join(names, ", "))
			}
			return nil
		},
		RunE: func(*cobra.Command, []string) error {
			return usagef("name a subcommand: %s", strings.Join(names, ", "))
		},
	}
	g.AddCommand(subs...)
	return g
}

// leaf declares a command that takes exactly the positional arguments that
// use names in capitals ("export NAME": one, NAME) and runs run with them.
func leaf(use, short string, run func(ctx context.Context, args []string) error) *cobra.Command {
	names := argNames(use)
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args: func(_ *cobra.Command, args []string) error {
			switch {
			case len(args) == len(names):
				return nil
			case len(names) == 0:
				return usagef("takes no arguments, got %s", strings.Join(args, " "))
			}
			return usagef("want %s, got %d argument(s)", strings.Join(names, " "), len(args))
		},
		RunE: func(cmd *cobra.Command, args []string) error { return run(cmd.Context(), args) },
	}
}

// flagError words pflag's errors as Go's flag package did, which scripts and
// people have seen ("flag provided but not defined: -x").
func flagError(err error) error {
	var (
		notExist *pflag.NotExistError
		invalid  *pflag.InvalidValueError
		required *pflag.ValueRequiredError
	)
	switch {
	case errors.As(err, &notExist):
		name := notExist.GetSpecifiedName()
		if s := notExist.GetSpecifiedShortnames(); s != "" {
			name = s
		}
		return usagef("flag provided but not defined: -%s", name)
	case errors.As(err, &invalid):
		return usagef("invalid value %q for flag -%s: %v", invalid.GetValue(), invalid.GetFlag().Name, invalid.Unwrap())
	case errors.As(err, &required):
		return usagef("flag needs an argument: -%s", required.GetSpecifiedName())
	}
	return usageError{err.Error()}
}

// flagTokens maps every flag of the tree, as written ("--json", "-o"), to
// whether it takes a value.
func flagTokens(root *cobra.Command) map[string]bool {
	tokens := map[string]bool{"--help": false, "-h": false}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		add := func(f *pflag.Flag) {
			takes := f.NoOptDefVal == ""
			tokens["--"+f.Name] = tokens["--"+f.Name] || takes
			if f.Shorthand != "" {
				tokens["-"+f.Shorthand] = tokens["-"+f.Shorthand] || takes
			}
		}
		c.LocalFlags().VisitAll(add)
		c.PersistentFlags().VisitAll(add)
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	return tokens
}

// normaliseArgs rewrites the single-dash long flags that Go's flag package
// took, and scripts may use ("-json", "-workspace=w.db"), to the double-dash
// form ("--json"); values of flags, and everything after "--", are left as
// they are. It refuses the --run-sync flags given before a command, as the
// old parser did. tokens is flagTokens of the tree.
func normaliseArgs(args []string, tokens map[string]bool) ([]string, error) {
	out := make([]string, 0, len(args))
	command := -1 // the index in out of the first positional argument, the command
	var top []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		name, _, hasValue := strings.Cut(a, "=")
		if len(name) > 2 && name[0] == '-' && name[1] != '-' {
			if _, ok := tokens["-"+name]; ok {
				name, a = "-"+name, "-"+a
			}
		}
		out = append(out, a)
		if _, known := tokens[name]; !known || !strings.HasPrefix(a, "-") {
			if command < 0 && !strings.HasPrefix(a, "-") {
				command = len(out) - 1
			}
			continue
		}
		if command < 0 {
			top = append(top, name)
		}
		if tokens[name] && !hasValue && i+1 < len(args) {
			i++
			out = append(out, args[i]) // the flag's value, whatever it looks like
		}
	}
	if command >= 0 {
		switch {
		case slices.Contains(top, "--run-sync"):
			return nil, usagef("--run-sync: unexpected arguments %q: give the flags before, e.g. --run-sync crm --json", out[command:])
		case slices.Contains(top, "--report"), slices.Contains(top, "--json"), slices.Contains(top, "--full"):
			return nil, errTopFlags
		}
	}
	return out, nil
}

// usageTemplate is cobra's, with the headings in lower case as Switchyard's usage always had them.
const usageTemplate = `usage:{{if .Runnable}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} COMMAND{{end}}{{if .HasExample}}

examples:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

commands:{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

flags:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

global flags:
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableSubCommands}}

Use "{{.CommandPath}} COMMAND --help" for more about a command.{{end}}
`

// outputFlag adds -o/--output FILE, where a command writes instead of
// standard output, to c. --o, its name before the commands moved to cobra,
// still works and is not listed.
func outputFlag(c *cobra.Command, out *string) {
	c.Flags().StringVarP(out, "output", "o", "", "write to this `FILE` instead of standard output")
	c.Flags().StringVar(out, "o", "", "the same as --output")
	_ = c.Flags().MarkHidden("o")
}
