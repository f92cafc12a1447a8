package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestNormaliseArgs: the single-dash long flags that Go's flag package took
// are rewritten to the double-dash form; shorthands, flag values and
// everything after "--" are left as they are.
func TestNormaliseArgs(t *testing.T) {
	tokens := flagTokens(newRoot(&env{}))
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"double dash kept", []string{"--workspace", "w.db", "integration", "list", "--json"}, []string{"--workspace", "w.db", "integration", "list", "--json"}},
		{"single-dash long flags", []string{"-workspace", "w.db", "integration", "list", "-json"}, []string{"--workspace", "w.db", "integration", "list", "--json"}},
		{"with =", []string{"-workspace=w.db", "import", "crm", "-limit=5", "-preview"}, []string{"--workspace=w.db", "import", "crm", "--limit=5", "--preview"}},
		{"run-sync", []string{"-run-sync", "crm", "-json", "-full"}, []string{"--run-sync", "crm", "--json", "--full"}},
		{"shorthands kept", []string{"-v", "integration", "export", "crm", "-o", "f.json", "-h"}, []string{"-v", "integration", "export", "crm", "-o", "f.json", "-h"}},
		{"single-dash help and version", []string{"-help"}, []string{"--help"}},
		{"a value that looks like a flag", []string{"-workspace", "-json", "integration", "list"}, []string{"--workspace", "-json", "integration", "list"}},
		{"unknown flags left to the parser", []string{"-wrokspace", "w.db"}, []string{"-wrokspace", "w.db"}},
		{"after --", []string{"integration", "import", "--", "-json"}, []string{"integration", "import", "--", "-json"}},
		{"positional arguments kept", []string{"mapping", "suggest", "crm", "-threshold", "-5"}, []string{"mapping", "suggest", "crm", "--threshold", "-5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := normaliseArgs(tt.in, tokens)
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("normaliseArgs(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
	for _, in := range [][]string{{"--json", "integration", "list"}, {"-report", "r.xlsx", "import", "crm"}, {"--run-sync", "crm", "integration", "list"}} {
		if _, err := normaliseArgs(in, tokens); exitCode(err) != exitConfig {
			t.Errorf("normaliseArgs(%q): %v, want a usage error", in, err)
		}
	}
}

// TestSingleDashFlagsRun: a script's single-dash flags give what the double-dash ones give.
func TestSingleDashFlagsRun(t *testing.T) {
	ws := testWorkspace(t, t.TempDir())
	for _, args := range [][]string{
		{"--workspace", ws, "integration", "list", "--json"},
		{"-workspace", ws, "integration", "list", "-json"},
		{"-workspace=" + ws, "integration", "list", "-json=true"},
	} {
		code, out, errOut := switchyard(t, "", args...)
		if code != exitConfig || out != "" || !strings.Contains(errOut, "no workspace at "+ws) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 3 and no workspace", args, code, out, errOut)
		}
	}
}

// TestHelpEverywhere: -h, --help and -help on every command print its help on stdout and exit 0.
func TestHelpEverywhere(t *testing.T) {
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		paths = append(paths, path)
		for _, s := range c.Commands() {
			if !s.Hidden {
				walk(s, append(slices.Clone(path), s.Name()))
			}
		}
	}
	walk(newRoot(&env{}), nil)
	if len(paths) < 20 {
		t.Fatalf("only %d commands in the tree", len(paths))
	}
	for _, path := range paths {
		for _, h := range []string{"-h", "--help", "-help"} {
			args := append(slices.Clone(path), h)
			code, out, errOut := switchyard(t, "", args...)
			if code != exitOK || !strings.Contains(out, "usage:") || errOut != "" {
				t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, errOut)
			}
		}
	}
}

// TestCompletion: the completion scripts for bash, zsh, fish and PowerShell, and
// the completion of command and flag names.
func TestCompletion(t *testing.T) {
	for shell, want := range map[string]string{"bash": "__start_switchyard", "zsh": "#compdef switchyard", "fish": "complete -c switchyard", "powershell": "Register-ArgumentCompleter"} {
		code, out, errOut := switchyard(t, "", "completion", shell)
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("completion %s: exit %d, stderr %q, script lacks %q", shell, code, errOut, want)
		}
	}
	code, out, _ := switchyard(t, "", "__complete", "integration", "")
	for _, want := range []string{"import", "export", "map-defaults", "update-schema"} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("__complete integration: exit %d, %q lacks %q", code, out, want)
		}
	}
	if _, out, _ = switchyard(t, "", "__complete", "import", "crm", "--pre"); !strings.Contains(out, "--preview") {
		t.Errorf("__complete import crm --pre: %q", out)
	}
}

// TestCompleteIntegrationNames: an integration NAME completes from the workspace's integrations.
func TestCompleteIntegrationNames(t *testing.T) {
	ws := testWorkspace(t, t.TempDir())
	// An integration of the workspace connector over the workspace itself: no server needed.
	file := `{"format": "switchyard.integration/v1", "name": "mirror", "connector": "workspace", "settings": {"path": "` + filepath.ToSlash(ws) + `"}, "entities": []}`
	mustRun(t, file, "--workspace", ws, "integration", "import", "-")
	for _, args := range [][]string{
		{"__complete", "--workspace", ws, "integration", "test", ""},
		{"__complete", "--workspace", ws, "import", "mi"},
		{"__complete", "-workspace", ws, "quarantine", "list", ""},
	} {
		code, out, errOut := switchyard(t, "", args...)
		if code != exitOK || !strings.HasPrefix(out, "mirror\n") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want mirror", args, code, out, errOut)
		}
	}
	// A second argument that is not a file completes to nothing; a FILE to the files.
	if _, out, _ := switchyard(t, "", "__complete", "--workspace", ws, "mapping", "suggest", "mirror", ""); !strings.HasSuffix(out, ":4\n") {
		t.Errorf("ENTITY completion: %q, want no file completion (:4)", out)
	}
	if _, out, _ := switchyard(t, "", "__complete", "--workspace", ws, "mapping", "import", "mirror", ""); !strings.HasSuffix(out, ":0\n") {
		t.Errorf("FILE completion: %q, want the default (:0)", out)
	}
}
