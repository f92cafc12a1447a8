// Package archtest guards the direction of the project's dependencies
// (docs/architecture.md, "Layers"): cmd → ui and connectors → core, and
// never back. It reads the packages with `go list`, so that a new import
// anywhere in the tree is checked the day it is written.
package archtest

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// listed is what `go list -json` says of one package.
type listed struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// goList lists the packages matching patterns, with their dependencies.
func goList(t *testing.T, patterns ...string) []listed {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-json", "-e"}, patterns...)...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("go list %v: %v\n%s", patterns, err, exit.Stderr)
		}
		t.Fatalf("go list %v: %v", patterns, err)
	}
	var pkgs []listed
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list %v: decoding its output: %v", patterns, err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatalf("go list %v found no packages", patterns)
	}
	return pkgs
}

// forbidden says which rule, if any, importing path breaks; prefixes name
// packages (a trailing "/" a whole tree, else the package and its subtree).
func forbidden(path string, prefixes []string) (string, bool) {
	for _, p := range prefixes {
		if path == strings.TrimSuffix(p, "/") || strings.HasPrefix(path, strings.TrimSuffix(p, "/")+"/") {
			return p, true
		}
	}
	return "", false
}

// TestDependencyDirection fails when a package depends, directly or through
// another package, on what its layer must not know: core on the GUI toolkit,
// the HTTP client library, net/http or the outer layers; connectors on the
// GUI; no one but cmd on cmd.
func TestDependencyDirection(t *testing.T) {
	rules := []struct {
		layer  string
		mustNo []string
		why    string
	}{
		{"./core/...", []string{"fyne.io", "github.com/go-resty", "net/http", "switchyard/connectors", "switchyard/ui", "switchyard/cmd"},
			"core is the domain: no GUI, no HTTP, no connector (they plug in through core/connector's registry)"},
		{"./connectors/...", []string{"fyne.io", "switchyard/ui", "switchyard/cmd"},
			"connectors talk to systems and know nothing of the GUI"},
		{"./ui/...", []string{"github.com/go-resty", "switchyard/cmd"},
			"the GUI drives core/admin; HTTP belongs to the connectors"},
	}
	for _, rule := range rules {
		for _, p := range goList(t, rule.layer) {
			told := map[string]bool{} // one line per package and rule
			for _, dep := range p.Deps {
				if bad, ok := forbidden(dep, rule.mustNo); ok && !told[bad] {
					told[bad] = true
					t.Errorf("%s depends on %s (rule %q): %s", p.ImportPath, dep, bad, rule.why)
				}
			}
		}
	}
}

// TestUIGoesThroughAdmin fails when a ui package imports the workspace
// store directly: the GUI reads and writes the workspace through
// admin.Service, which owns the workspace's use. (Tests may set up a
// workspace with the store.)
func TestUIGoesThroughAdmin(t *testing.T) {
	mustNot := []string{"switchyard/core/store"}
	for _, p := range goList(t, "./ui/...") {
		for _, imp := range p.Imports {
			if bad, ok := forbidden(imp, mustNot); ok {
				t.Errorf("%s imports %s: the GUI goes through core/admin (admin.Service), never the store", p.ImportPath, bad)
			}
		}
	}
}

// TestOnlyTheStoreSpeaksSQL fails when a package other than core/store
// imports database/sql or a database driver: the workspace's SQL, its
// drivers and its dialects live in the store alone (tests' own helpers under
// internal/ aside, which set up databases for tests).
func TestOnlyTheStoreSpeaksSQL(t *testing.T) {
	drivers := []string{"database/sql", "github.com/mattn/go-sqlite3", "github.com/jackc/pgx"}
	for _, p := range goList(t, "./...") {
		if p.ImportPath == "switchyard/core/store" || strings.HasPrefix(p.ImportPath, "switchyard/internal/") {
			continue
		}
		for _, imp := range p.Imports {
			if bad, ok := forbidden(imp, drivers); ok {
				t.Errorf("%s imports %s: only core/store talks to the workspace's database", p.ImportPath, bad)
			}
		}
	}
}

// TestForbidden checks the prefix rule itself, so that the guards above
// cannot pass by matching nothing.
func TestForbidden(t *testing.T) {
	cases := []struct {
		path string
		want bool
	}{
		{"net/http", true},
		{"net/http/httptest", true},
		{"net/netip", false},
		{"fyne.io/fyne/v2/widget", true},
		{"github.com/go-resty/resty/v2", true},
		{"switchyard/core/store", false},
		{"switchyard/uistuff", false},
		{"switchyard/ui/form", true},
	}
	prefixes := []string{"net/http", "fyne.io", "github.com/go-resty", "switchyard/ui"}
	for _, c := range cases {
		if _, got := forbidden(c.path, prefixes); got != c.want {
			t.Errorf("forbidden(%q) = %v, want %v", c.path, got, c.want)
		}
	}
}
