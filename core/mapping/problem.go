package mapping

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with an integration, at a path in its file
// such as `entities[2].fields[0].local`.
type Problem struct {
	Path string
	Msg  string
}

func (p Problem) Error() string {
	if p.Path == "" {
		return p.Msg
	}
	return p.Path + ": " + p.Msg
}

// Problems is every problem found; as an error it prints one per line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Err returns ps as an error, or nil when there are none.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

func (ps *Problems) add(path, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func entityPath(i int) string   { return fmt.Sprintf("entities[%d]", i) }
func fieldPath(i, j int) string { return fmt.Sprintf("entities[%d].fields[%d]", i, j) }
func schedulePath(k int) string { return fmt.Sprintf("schedules[%d]", k) }
