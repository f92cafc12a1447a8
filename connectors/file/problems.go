package file

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"switchyard/core/connector"
	"switchyard/core/meta"
)

// A read never drops a row silently: a row it cannot take whole is left out
// of the pages and reported as a RecordProblem, so that the run counts it as
// failed and goes on. connector.Page has no place for these yet (a
// Page.Problems of this same shape is proposed, so that
// connector.RecordProblem(p) converts one); until the engine takes them,
// ReadPage writes each to the connection log (connector.Logger) as a
// warning, and readPage returns them.

// Why a row is left out of a read (RecordProblem.Err wraps one of these).
var (
	// ErrRowWidth: a CSV row has fewer fields than the header, or more that
	// are not empty; a workbook row has a value in a column without a header.
	ErrRowWidth = errors.New("the row does not fit the header")
	// ErrRepeatedKey: an earlier row has the row's key; the first one is read.
	ErrRepeatedKey = errors.New("the key repeats an earlier row")
)

// RecordProblem is a row that a read leaves out of its pages, and why.
type RecordProblem struct {
	// Key is the row's key as the file has it, "" when it has none.
	Key string
	// Row is the row's number, the header being row 1; in a workbook the
	// sheet's row number.
	Row int
	// Err says what is wrong; it wraps ErrRowWidth or ErrRepeatedKey.
	Err error
}

// problemError is an error that reads as its message and wraps a reason.
type problemError struct {
	msg    string
	reason error
}

func (e *problemError) Error() string { return e.msg }
func (e *problemError) Unwrap() error { return e.reason }

// rowChecker finds the rows of a file that a read must leave out: rows that
// do not fit the header and rows whose key an earlier row has. To find the
// latter it keeps every key it has seen with its row: memory in proportion
// to the keys of one file (about 60 bytes a short key, so a few hundred
// megabytes for millions of rows), for the length of one pass.
type rowChecker struct {
	width  int // fields of the header
	keyCol int
	csv    bool // a CSV file (a workbook row ends at its last value)
	// seen holds the first row (its index) of each key; number gives the
	// row number people see of an index.
	seen   map[string]int
	number func(int) int
	// clone: copy the keys kept, which would else keep the text of their
	// rows (a pass that does not keep the rows).
	clone bool
}

func newRowChecker(width, keyCol int, csv bool, number func(int) int, rows int) *rowChecker {
	return &rowChecker{width: width, keyCol: keyCol, csv: csv, seen: make(map[string]int, rows), number: number}
}

// keyText is the key of a row as keys are compared: trimmed, GUIDs in lower case.
func keyText(cells []string, col int) string {
	if col < 0 || col >= len(cells) {
		return ""
	}
	k := strings.TrimSpace(cells[col])
	if meta.IsGUIDText(k) {
		k = strings.ToLower(k)
	}
	return k
}

// check returns the problem of the row of index i, nil when it is read.
func (c *rowChecker) check(cells []string, i int) *RecordProblem {
	key := keyText(cells, c.keyCol)
	row := c.number(i)
	if msg := c.widthProblem(cells, row); msg != "" {
		return &RecordProblem{Key: key, Row: row, Err: &problemError{msg, ErrRowWidth}}
	}
	if key == "" {
		return nil // a row without a key fails on its own
	}
	if first, ok := c.seen[key]; ok {
		return &RecordProblem{Key: key, Row: row, Err: &problemError{fmt.Sprintf("key %s repeats row %d", key, c.number(first)), ErrRepeatedKey}}
	}
	if c.clone {
		key = strings.Clone(key)
	}
	c.seen[key] = i
	return nil
}

// widthProblem says how the row does not fit the header, "" when it does.
// Fields after the header's that are empty (a delimiter at the end of each
// row) hold nothing to lose.
func (c *rowChecker) widthProblem(cells []string, row int) string {
	if c.csv && len(cells) < c.width {
		return fmt.Sprintf("row %d has %d fields, the header %d", row, len(cells), c.width)
	}
	for i := c.width; i < len(cells); i++ {
		if cells[i] == "" {
			continue
		}
		if c.csv {
			return fmt.Sprintf("row %d has %d fields, the header %d", row, len(cells), c.width)
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		return fmt.Sprintf("row %d has a value in column %s, which has no header", row, col)
	}
	return ""
}

// report writes the problems of a read of entity to the connection log.
func report(ctx context.Context, entity string, problems []RecordProblem) {
	for _, p := range problems {
		connector.Logger(ctx).Warn("a row is left out of the read", "entity", entity, "row", p.Row, "key", p.Key, "error", p.Err.Error())
	}
}

// summary describes problems in one line for a connection test.
func summary(problems int, first RecordProblem) string {
	if problems == 1 {
		return "1 row left out: " + first.Err.Error()
	}
	return fmt.Sprintf("%d rows left out, e.g. %s", problems, first.Err.Error())
}
