// Command switchyard is the Switchyard desktop app and its headless commands.
//
//	switchyard [--workspace FILE]                      the GUI
//	switchyard [--workspace FILE] integration import FILE
//	switchyard [--workspace FILE] integration export NAME [-o FILE]
//	switchyard [--workspace FILE] integration list [--json]
//	switchyard [--workspace FILE] integration test NAME [--json]
//	switchyard [--workspace FILE] integration delete NAME
//	switchyard [--workspace FILE] entities NAME [--json] [--refresh]
//	switchyard [--workspace FILE] import|export NAME [--entity E]... [--preview] [--report FILE.xlsx] [--json]
//	switchyard --run-sync NAME|all [--workspace FILE] [--report FILE.xlsx] [--json] [--full]
//	switchyard [--workspace FILE] schedule print NAME
//	switchyard --version
//
// Exit codes: 0 done; 2 some records failed; 1 the run failed; 3 configuration or usage error;
// 4 another run of the integration holds its lock.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"switchyard/core/admin"
	"switchyard/core/connector"
	"switchyard/core/store"

	_ "switchyard/connectors/all"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit codes of the headless contract (DESIGN.md).
const (
	exitOK      = 0
	exitFailed  = 1
	exitPartial = 2
	exitConfig  = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env carries what a command needs: its streams and the opened workspace.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	workspace      string
	svc            *admin.Service
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

const usage = `usage:
  switchyard [--workspace FILE]                              open the GUI
  switchyard [--workspace FILE] integration import FILE      create or replace an integration from a file (- for stdin)
  switchyard [--workspace FILE] integration export NAME [-o FILE]
  switchyard [--workspace FILE] integration list [--json]
  switchyard [--workspace FILE] integration test NAME [--json]
  switchyard [--workspace FILE] integration delete NAME
  switchyard [--workspace FILE] integration check NAME [--json] [--clean-up]
  switchyard [--workspace FILE] integration update-schema NAME [--json]
  switchyard [--workspace FILE] integration secret NAME KEY [--delete]   read the secret's value from standard input
  switchyard [--workspace FILE] entities NAME [--json] [--refresh]
  switchyard [--workspace FILE] mapping suggest NAME ENTITY [--json] [--map-all] [--threshold N]
  switchyard [--workspace FILE] mapping create NAME ENTITY [--local LOCAL]
  switchyard [--workspace FILE] mapping export NAME ENTITY [-o FILE]
  switchyard [--workspace FILE] mapping import NAME FILE
  switchyard [--workspace FILE] import NAME [--entity E]... [--preview [--limit N]] [--report FILE.xlsx] [--json]
  switchyard [--workspace FILE] export NAME [--entity E]... [--preview [--limit N]] [--report FILE.xlsx] [--json]
  switchyard --run-sync NAME|all [--workspace FILE] [--report FILE.xlsx] [--json] [--full]
  switchyard [--workspace FILE] schedule print NAME          crontab line, systemd service and timer, schtasks command
  switchyard [--workspace FILE] quarantine list|dismiss NAME [ID] [--json]
  switchyard --version

The workspace defaults to $SWITCHYARD_WORKSPACE, else $XDG_DATA_HOME/switchyard/workspace.db.
Secrets can be given as SWITCHYARD_<INTEGRATION>_<SETTING>, e.g. SWITCHYARD_CRM_PASSWORD.
Exit codes: 0 done, 2 some records failed (or check found problems), 1 the run failed, 3 configuration or usage error,
4 another run of that integration holds its lock.
`

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// Connectors log what the admin must see or act on (retries, a device-code sign-in) to stderr.
	ctx = connector.WithLogger(ctx, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	fs := flag.NewFlagSet("switchyard", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	workspace := fs.String("workspace", "", "the workspace file")
	showVersion := fs.Bool("version", false, "print the version")
	runSync := fs.String("run-sync", "", "synchronise the integration NAME, or all of them, and exit")
	reportPath := fs.String("report", "", "with --run-sync: write an Excel report of every record to this .xlsx file")
	asJSON := fs.Bool("json", false, "with --run-sync: print one JSON summary")
	full := fs.Bool("full", false, "with --run-sync: read and send everything again, not only the changes")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		fmt.Fprintf(stderr, "switchyard: %v\n%s", err, usage)
		return exitConfig
	}
	if *showVersion {
		fmt.Fprintf(stdout, "switchyard %s\n", version)
		return exitOK
	}
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, workspace: *workspace}
	if e.workspace == "" {
		var err error
		if e.workspace, err = defaultWorkspace(); err != nil {
			fmt.Fprintf(stderr, "switchyard: %v\n", err)
			return exitConfig
		}
	}
	rest := fs.Args()
	if *runSync != "" {
		if len(rest) > 0 {
			fmt.Fprintf(stderr, "switchyard --run-sync: unexpected arguments %q: give the flags before, e.g. --run-sync crm --json\n", rest)
			return exitConfig
		}
		return e.runSync(ctx, syncFlags{name: *runSync, report: *reportPath, json: *asJSON, full: *full})
	}
	if *reportPath != "" || *asJSON || *full {
		fmt.Fprintf(stderr, "switchyard: --report, --json and --full before the command go with --run-sync; give them after the command instead\n%s", usage)
		return exitConfig
	}
	if len(rest) == 0 {
		return e.exit("gui", e.openGUI(ctx))
	}
	cmd, ok := commands[rest[0]]
	if !ok {
		fmt.Fprintf(stderr, "switchyard: unknown command %q\n%s", rest[0], usage)
		return exitConfig
	}
	return e.exit(rest[0], cmd(ctx, e, rest[1:]))
}

// exit prints err as one line and maps it to an exit code.
func (e *env) exit(cmd string, err error) int {
	var ue usageError
	if code, ok := exitCodeOf(err); ok {
		return code // the summary is already printed
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, store.ErrLocked):
		fmt.Fprintf(e.stderr, "switchyard %s: %v\n", cmd, err)
		return exitLocked
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "switchyard %s: %v\n%s", cmd, err, usage)
		return exitConfig
	case admin.IsConfigError(err) || errors.Is(err, store.ErrNewerWorkspace) || errors.Is(err, store.ErrExists):
		fmt.Fprintf(e.stderr, "switchyard %s: %v\n", cmd, err)
		return exitConfig
	default:
		fmt.Fprintf(e.stderr, "switchyard %s: %v\n", cmd, err)
		return exitFailed
	}
}

// start parses a command's flags and its want positional arguments (named
// names in errors), then opens the workspace; the caller closes it.
func (e *env) start(ctx context.Context, fs *flag.FlagSet, args []string, want int, names string) ([]string, func(), error) {
	pos, err := parse(fs, args, want, names)
	if err != nil {
		return nil, nil, err
	}
	closeWS, err := e.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	return pos, closeWS, nil
}

// open opens the workspace and the service over it; the caller closes it.
func (e *env) open(ctx context.Context) (func(), error) {
	st, err := store.Open(ctx, e.workspace)
	if err != nil {
		return nil, err
	}
	e.svc = admin.New(st, connector.Default)
	return func() { st.Close() }, nil
}

// defaultWorkspace is $SWITCHYARD_WORKSPACE, else $XDG_DATA_HOME/switchyard/workspace.db.
func defaultWorkspace() (string, error) {
	if p := os.Getenv("SWITCHYARD_WORKSPACE"); p != "" {
		return p, nil
	}
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the default workspace: %w; give one with --workspace FILE", err)
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "switchyard", "workspace.db"), nil
}
