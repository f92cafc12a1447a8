package main

import (
	"errors"
	"fmt"
	"strings"

	"switchyard/core/admin"
	"switchyard/core/engine"
	"switchyard/core/store"
	"switchyard/internal/docgen"
)

// Exit codes of the headless contract (docs/cli.md).
const (
	exitOK      = 0 // done
	exitFailed  = 1 // the run failed
	exitPartial = 2 // some records failed (or check found problems)
	exitConfig  = 3 // configuration or usage error, a missing workspace too, a read-only role that runs or edits
	exitLocked  = 4 // another run of the integration holds its lock
)

// exitCodes are the exit codes with their meaning, for --help and docs/cli.md.
var exitCodes = []docgen.ExitCode{
	{Code: exitOK, Meaning: "done"},
	{Code: exitFailed, Meaning: "the run failed"},
	{Code: exitPartial, Meaning: "some records failed (or `integration check` found problems)"},
	{Code: exitConfig, Meaning: "configuration or usage error (a missing workspace too, and a run or edit by a read-only role)"},
	{Code: exitLocked, Meaning: "another run of that integration holds its lock"},
}

// usageError is a mistake in the command line: it is printed with the command's usage.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// partialError is a run whose records partly failed (or a check that found
// problems): exit 2, its summary already printed.
type partialError struct{ summary string }

func (p partialError) Error() string { return p.summary }

// reportedError ends a command whose outcome is already printed with the exit code it holds.
type reportedError struct{ code int }

func (r reportedError) Error() string { return fmt.Sprintf("exit %d", r.code) }

// exitWith returns nil for exitOK, else the reportedError of code.
func exitWith(code int) error {
	if code == exitOK {
		return nil
	}
	return reportedError{code}
}

// exitCode maps err to the exit code of the headless contract: the one such mapping.
func exitCode(err error) int {
	var (
		ue usageError
		pe partialError
		re reportedError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &re):
		return re.code
	case errors.As(err, &pe):
		return exitPartial
	case errors.Is(err, store.ErrLocked):
		return exitLocked
	case errors.As(err, &ue), admin.IsConfigError(err), errors.Is(err, store.ErrNewerWorkspace), errors.Is(err, store.ErrExists),
		errors.Is(err, store.ErrNoWorkspace), errors.Is(err, store.ErrNotWorkspace):
		return exitConfig
	}
	return exitFailed
}

// reported tells whether err's outcome is printed already (a partial run's
// summary, a --run-sync's lines), so that nothing more is said about it.
func reported(err error) bool {
	var (
		pe partialError
		re reportedError
	)
	return errors.As(err, &pe) || errors.As(err, &re)
}

// outcome is the end of a --json object that reports failures too: the error on one line and the exit code.
type outcome struct {
	Error    string `json:"error,omitempty"`
	ExitCode int    `json:"exitCode"`
}

// outcomeOf is the outcome of err (nil: exit 0 and no error).
func outcomeOf(err error) outcome {
	o := outcome{ExitCode: exitCode(err)}
	if err != nil {
		o.Error = errorLine(err)
	}
	return o
}

// worse returns the exit code that matters more: 3, then 1, then 4, then 2, then 0.
func worse(a, b int) int {
	rank := map[int]int{exitOK: 0, exitPartial: 1, exitLocked: 2, exitFailed: 3, exitConfig: 4}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// statusOfCode is the status word of a --run-sync summary that ended with code.
func statusOfCode(code int) string {
	switch code {
	case exitOK:
		return string(engine.Succeeded)
	case exitPartial:
		return string(engine.Partial)
	case exitLocked:
		return "locked"
	}
	return string(engine.Failed)
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
