// Package docgen writes the reference parts of the docs from the code that
// defines them: the command line (docs/cli.md) from the command tree, and
// the connector settings (docs/integration-file.md) from the connector
// registry. Generated text sits between markers in a hand-written file:
//
//	<!-- BEGIN GENERATED: NAME (go generate ./cmd/switchyard) -->
//	...
//	<!-- END GENERATED: NAME -->
//
// cmd/switchyard's TestGeneratedDocs fails when the committed docs differ
// from the generated ones; `go generate ./cmd/switchyard` (make docs)
// writes them.
package docgen

import (
	"fmt"
	"strings"
)

// Regenerate is the command that writes the generated docs, as the markers and the failing test name it.
const Regenerate = "go generate ./cmd/switchyard"

// Begin and End are the markers around the generated section name.
func Begin(name string) string { return "<!-- BEGIN GENERATED: " + name + " (" + Regenerate + ") -->" }

// End is the marker that closes the generated section name.
func End(name string) string { return "<!-- END GENERATED: " + name + " -->" }

// Splice returns doc with the text between the markers of section name
// replaced by body; the markers must be there, once each, in order.
func Splice(doc, name, body string) (string, error) {
	begin, end := Begin(name), End(name)
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	switch {
	case i < 0 || j < 0:
		return "", fmt.Errorf("generated section %q: the markers %q and %q are missing", name, begin, end)
	case strings.Count(doc, begin) > 1 || strings.Count(doc, end) > 1:
		return "", fmt.Errorf("generated section %q: its markers are there more than once", name)
	case j < i:
		return "", fmt.Errorf("generated section %q: the END marker comes before the BEGIN marker", name)
	}
	body = strings.TrimSuffix(body, "\n")
	return doc[:i+len(begin)] + "\n" + body + "\n" + doc[j:], nil
}

// cell makes s fit in a cell of a Markdown table: one line, pipes escaped.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// code is s in backticks, or "" for "".
func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}

// codes is each of ss in backticks, joined with sep.
func codes(ss []string, sep string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = code(s)
	}
	return strings.Join(out, sep)
}
