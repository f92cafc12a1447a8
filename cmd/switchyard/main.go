// Command switchyard is the Switchyard desktop app and its headless commands.
//
//	switchyard [--workspace FILE]                      the GUI (creates the workspace if need be)
//	switchyard [--workspace FILE] integration import FILE  (creates the workspace if need be)
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
// -v (--verbose) before the command logs retries and every HTTP request to
// stderr. Every other command needs an existing workspace.
//
// Exit codes: 0 done; 2 some records failed; 1 the run failed; 3 configuration or usage error
// (a missing workspace too); 4 another run of the integration holds its lock.
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
	"strings"
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
	// create lets open create the workspace when there is none (the GUI,
	// integration import); every other command needs one that exists.
	create bool
	svc    *admin.Service
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

const usage = `usage:
  switchyard [-v] [--workspace FILE] COMMAND ...             -v (--verbose): log retries and HTTP requests to stderr
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

The workspace defaults to $SWITCHYARD_WORKSPACE, else $XDG_DATA_HOME/switchyard/workspace.db
(on Windows %APPDATA%\Switchyard\workspace.db).
Only the GUI and integration import create it; the other commands need an existing workspace.
Secrets can be given as SWITCHYARD_<INTEGRATION>_<SETTING>, e.g. SWITCHYARD_CRM_PASSWORD.
Exit codes: 0 done, 2 some records failed (or check found problems), 1 the run failed, 3 configuration or usage error,
4 another run of that integration holds its lock.
`

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("switchyard", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var verbose bool
	fs.BoolVar(&verbose, "v", false, "log retries and every HTTP request to stderr")
	fs.BoolVar(&verbose, "verbose", false, "log retries and every HTTP request to stderr")
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
	// Connectors log to stderr what the admin must act on (warnings, such as a
	// device-code sign-in); with -v also retries (info) and each request (debug).
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelDebug
	}
	ctx = connector.WithLogger(ctx, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})))
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
		e.create = true // the GUI opens, or starts, the default workspace
		return e.exit("gui", e.openGUI(ctx))
	}
	cmd, ok := commands[rest[0]]
	if !ok {
		fmt.Fprintf(stderr, "switchyard: unknown command %q\n%s", rest[0], usage)
		return exitConfig
	}
	return e.exit(rest[0], cmd(ctx, e, rest[1:]))
}

// exit prints err as one line (a usage error with the usage) and maps it to an exit code.
func (e *env) exit(cmd string, err error) int {
	if _, ok := exitCodeOf(err); ok || err == nil {
		return exitCode(err) // a partial run's summary is already printed
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "switchyard %s: %s\n%s", cmd, errorLine(err), usage)
	} else {
		fmt.Fprintf(e.stderr, "switchyard %s: %s\n", cmd, errorLine(err))
	}
	return exitCode(err)
}

// exitCode maps err to the exit code of the headless contract.
func exitCode(err error) int {
	if code, ok := exitCodeOf(err); ok {
		return code
	}
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, store.ErrLocked):
		return exitLocked
	case errors.As(err, &ue), admin.IsConfigError(err), errors.Is(err, store.ErrNewerWorkspace), errors.Is(err, store.ErrExists),
		errors.Is(err, store.ErrNoWorkspace), errors.Is(err, store.ErrNotWorkspace):
		return exitConfig
	}
	return exitFailed
}

// errorLine is err's message on one line: its lines joined with "; ", and a
// segment ("read Accounts") said once where the message repeats it at once
// ("read Accounts: read Accounts: ...", when two layers wrap the same words).
func errorLine(err error) string {
	var b strings.Builder
	for _, l := range strings.Split(err.Error(), "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if b.Len() > 0 {
			if strings.HasSuffix(b.String(), ":") {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(l)
	}
	return dedupeSegments(b.String())
}

// dedupeSegments drops a ": "-separated segment that repeats the one before
// it, when it is short enough to be a wrapping prefix ("verb object").
func dedupeSegments(s string) string {
	parts := strings.Split(s, ": ")
	out := parts[:1]
	for _, p := range parts[1:] {
		prev := out[len(out)-1]
		if p == prev && len(p) <= 80 && len(strings.Fields(p)) <= 6 && !strings.ContainsAny(p, ";\n") {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(out, ": ")
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
		return pos, nil, err // the arguments, for a --json object about the failure
	}
	return pos, closeWS, nil
}

// open opens the workspace and the service over it; the caller closes it.
// Unless e.create is set, the workspace must exist: a missing one is not
// created (nor its folders), and a file that is not a workspace is refused.
func (e *env) open(ctx context.Context) (func(), error) {
	var st *store.Store
	var err error
	if e.create {
		st, err = store.Open(ctx, e.workspace)
	} else {
		st, err = store.OpenExisting(ctx, e.workspace)
	}
	switch {
	case errors.Is(err, store.ErrNoWorkspace):
		return nil, &admin.ConfigError{Err: fmt.Errorf(`%w: create one with "switchyard --workspace %s integration import FILE" (or open it in the app), or check --workspace / SWITCHYARD_WORKSPACE`,
			err, shellQuote(e.workspace))}
	case errors.Is(err, store.ErrNotWorkspace):
		return nil, &admin.ConfigError{Err: fmt.Errorf(`%w: check --workspace / SWITCHYARD_WORKSPACE, or create a new workspace at another path with "switchyard --workspace NEW.db integration import FILE"`, err)}
	case err != nil:
		return nil, err
	}
	e.svc = admin.New(st, connector.Default)
	return func() { st.Close() }, nil
}

// undoNewWorkspace returns a function that removes the workspace at path
// (with its -wal, -shm and key files) and the folders that opening it is about
// to create, for a command that creates a workspace and then fails; it returns
// a function that does nothing when something is at path already.
func undoNewWorkspace(path string) func() {
	abs, err := filepath.Abs(path)
	if err != nil || path == ":memory:" {
		return func() {}
	}
	if _, err := os.Lstat(abs); !errors.Is(err, os.ErrNotExist) {
		return func() {}
	}
	var dirs []string // missing folders, deepest first
	for d := filepath.Dir(abs); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); !errors.Is(err, os.ErrNotExist) || d == filepath.Dir(d) {
			break
		}
		dirs = append(dirs, d)
	}
	return func() {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			os.Remove(abs + suffix)
		}
		os.Remove(store.KeyFile(abs))
		for _, d := range dirs {
			if os.Remove(d) != nil {
				break // not empty: something else is there now
			}
		}
	}
}

// shellQuote quotes s for a POSIX shell when it holds characters the shell would take apart
// (on Windows, for cmd.exe and PowerShell: in double quotes, backslashes kept).
func shellQuote(s string) string {
	if windowsQuoting {
		if s == "" || strings.ContainsAny(s, " \t&|<>()^;,'") {
			return `"` + s + `"`
		}
		return s
	}
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`;&|<>()*?[]{}#~!") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// defaultWorkspace is $SWITCHYARD_WORKSPACE, else $XDG_DATA_HOME/switchyard/workspace.db
// (on Windows %APPDATA%\Switchyard\workspace.db: see platformWorkspace).
func defaultWorkspace() (string, error) {
	if p := os.Getenv("SWITCHYARD_WORKSPACE"); p != "" {
		return p, nil
	}
	return platformWorkspace()
}
