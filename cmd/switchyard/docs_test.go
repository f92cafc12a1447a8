package main

import (
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"

	"switchyard/core/connector"
	"switchyard/internal/docgen"
)

var updateDocs = flag.Bool("update-docs", false, "write the generated parts of the docs ("+docgen.Regenerate+")")

// TestGeneratedDocs fails when the command reference in docs/cli.md or the
// connector settings in docs/integration-file.md differ from what the
// command tree and the connector registry say; -update-docs writes them.
func TestGeneratedDocs(t *testing.T) {
	settings := map[string]string{}
	for _, info := range connector.Default.List() {
		settings[docgen.OptionsSection(info.Name)] = docgen.Options(info)
	}
	docs := map[string]map[string]string{
		"../../docs/cli.md":              {docgen.CLISection: docgen.CLI(newRoot(&env{}), exitCodes)},
		"../../docs/integration-file.md": settings,
	}
	for path, sections := range docs {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		doc := string(data)
		for name, body := range sections {
			if doc, err = docgen.Splice(doc, name, body); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
		switch {
		case doc == string(data):
		case *updateDocs:
			if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s", path)
		default:
			t.Errorf("%s differs from the code (first difference: %s): regenerate it with `%s` (or make docs)",
				path, firstDifference(string(data), doc), docgen.Regenerate)
		}
	}
}

// firstDifference quotes the first line where have and want differ.
func firstDifference(have, want string) string {
	h, w := strings.Split(have, "\n"), strings.Split(want, "\n")
	for i := range min(len(h), len(w)) {
		if h[i] != w[i] {
			return "line " + strconv.Itoa(i+1) + ": has " + strconv.Quote(h[i]) + ", generated " + strconv.Quote(w[i])
		}
	}
	return "the length"
}
