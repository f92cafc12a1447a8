// Command switchyard is the Switchyard desktop app and its headless commands.
//
// Without a command it opens the GUI; the commands, their flags and the exit
// codes are declared once, in the command tree (newRoot in cli.go), and
// documented in docs/cli.md, which is generated from it (go generate
// ./cmd/switchyard). `switchyard COMMAND --help` prints the same.
package main

//go:generate go test -count=1 -run ^TestGeneratedDocs$ . -update-docs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"switchyard/core/admin"
	"switchyard/core/connector"
	"switchyard/core/store"

	_ "switchyard/connectors/all"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	// Started from Explorer or the Start menu, switchyard.exe opens the GUI:
	// cobra's "this is a command line tool" notice must not stop it.
	cobra.MousetrapHelpText = ""
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env carries what a command needs: its streams, the global flags and the opened workspace.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	workspace      string
	verbose        bool
	// name is what error lines start with after "switchyard": the command
	// ("integration"), or "--run-sync" or "gui" for the root command.
	name string
	// create lets open create the workspace when there is none (the GUI,
	// integration import); every other command needs one that exists.
	create bool
	svc    *admin.Service
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRoot(e)
	args, err := normaliseArgs(args, flagTokens(root))
	if err != nil {
		return e.exit(root, err)
	}
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	return e.exit(cmd, err)
}

// exit prints err as one line (a usage error with the command's usage) and
// maps it to an exit code; an outcome already printed is not repeated.
func (e *env) exit(cmd *cobra.Command, err error) int {
	if err == nil || reported(err) {
		return exitCode(err)
	}
	prefix := "switchyard"
	if path := strings.Fields(cmd.CommandPath()); len(path) > 1 {
		prefix += " " + path[1]
	} else if e.name != "" {
		prefix += " " + e.name
	}
	fmt.Fprintf(e.stderr, "%s: %s\n", prefix, errorLine(err))
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "usage: %s\nRun \"%s --help\" for more.\n", cmd.UseLine(), cmd.CommandPath())
	}
	return exitCode(err)
}

// writeJSON writes v as indented JSON, as every --json output is.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// nonNil returns s, or an empty slice for nil, so that --json prints [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// result writes a command's result: v as JSON with --json, else the text that text writes.
func (e *env) result(asJSON bool, v any, text func(w io.Writer) error) error {
	if asJSON {
		return writeJSON(e.stdout, v)
	}
	return text(e.stdout)
}

// open opens the workspace and the service over it; the caller closes it.
// Unless e.create is set, the workspace must exist: a missing one is not
// created (nor its folders), and a file that is not a workspace is refused.
func (e *env) open(ctx context.Context) (func(), error) {
	if err := e.locate(); err != nil {
		return nil, err
	}
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
// a function that does nothing when something is at path already, and for
// a PostgreSQL workspace (which discardNew empties).
func undoNewWorkspace(path string) func() {
	abs, err := filepath.Abs(path)
	if err != nil || path == ":memory:" || store.IsPostgres(path) {
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

// discardTimeout bounds discardNew, which goes on after Ctrl-C.
const discardTimeout = 30 * time.Second

// discardNew removes what opening the workspace made, for a command that
// created it (e.svc.Store.Created) and then failed: on PostgreSQL every
// object of the workspace in its schema (store.DiscardNew), which is left
// empty; a new workspace file is removed once closed, by undoNewWorkspace.
// It goes on when ctx is cancelled (Ctrl-C), for discardTimeout at most. A
// discard refused (another Switchyard has the workspace open) or failed is
// a warning: the command's own error follows.
func (e *env) discardNew(ctx context.Context) { discardNew(ctx, e.svc.Store, e.stderr) }

// discardNew is env.discardNew for the workspace st, warning on stderr when
// what it made cannot go.
func discardNew(ctx context.Context, st *store.Store, stderr io.Writer) {
	if !st.Created() {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), discardTimeout)
	defer cancel()
	if err := st.DiscardNew(ctx); err != nil {
		fmt.Fprintf(stderr, "warning: %s\n", errorLine(err))
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
