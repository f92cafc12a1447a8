// Package filter holds the download and upload conditions of entity mappings.
//
// A condition is written in the subset of the OData $filter language that
// admins already know (see docs/filters.md). Parse turns the text into a tree
// of Expr nodes; Check validates it against an entity's fields; ToOData writes
// the canonical text sent to an OData server, ToSQL the WHERE clause (with
// bound arguments) run on a workspace table, and Eval decides in Go whether a
// record matches. The three agree: comparisons follow OData's null rules (a
// comparison with an empty value is false, except eq and ne, for which two
// empty values are equal and an empty value differs from any other), and
// every condition is simply true or false.
package filter

import "time"

// Expr is a node of a condition tree: a boolean condition (Logical, Not,
// Compare, In, a Call of contains/startswith/endswith, or a bool Field or
// Literal on its own) or a value (Field, Literal, Call, Shift).
type Expr interface {
	// Pos is the 1-based column of the node in the text it was parsed from (0 when built in code).
	Pos() int
	node()
}

// LogicalOp is and or or.
type LogicalOp string

// The logical operators.
const (
	And LogicalOp = "and"
	Or  LogicalOp = "or"
)

// Logical is two or more conditions joined by one operator. The parser
// flattens nested joins of the same operator, so `a or (b or c)` has three terms.
type Logical struct {
	Op    LogicalOp
	Terms []Expr
	At    int
}

// Not negates a condition.
type Not struct {
	X  Expr
	At int
}

// CompareOp is one of the comparison operators.
type CompareOp string

// The comparison operators.
const (
	Eq CompareOp = "eq"
	Ne CompareOp = "ne"
	Gt CompareOp = "gt"
	Ge CompareOp = "ge"
	Lt CompareOp = "lt"
	Le CompareOp = "le"
)

// Compare compares two values. At is the column of the operator.
type Compare struct {
	Op          CompareOp
	Left, Right Expr
	At          int
}

// In is true when X equals one of List (literals). At is the column of `in`.
type In struct {
	X    Expr
	List []Expr
	At   int
}

// The functions a condition may call.
const (
	FuncContains   = "contains"
	FuncStartsWith = "startswith"
	FuncEndsWith   = "endswith"
	FuncToLower    = "tolower"
	FuncToUpper    = "toupper"
	FuncNow        = "now"
)

// funcArity is the number of arguments of each function.
var funcArity = map[string]int{
	FuncContains: 2, FuncStartsWith: 2, FuncEndsWith: 2,
	FuncToLower: 1, FuncToUpper: 1, FuncNow: 0,
}

// Call is a function call; Name is one of the Func constants, in lower case.
type Call struct {
	Name string
	Args []Expr
	At   int
}

// Field names a field of the entity.
type Field struct {
	Name string
	At   int
}

// Literal is a constant value.
type Literal struct {
	Value Value
	At    int
}

// Shift is a date-time moved by a duration: `now() sub duration'P30D'`.
// The parser accepts it on now() only (possibly already shifted).
type Shift struct {
	X Expr
	// Sub is true for sub, false for add.
	Sub bool
	By  time.Duration
	At  int
}

// Pos returns the column of the first term.
func (e *Logical) Pos() int { return e.At }

// Pos returns the column of `not`.
func (e *Not) Pos() int { return e.At }

// Pos returns the column of the operator.
func (e *Compare) Pos() int { return e.At }

// Pos returns the column of `in`.
func (e *In) Pos() int { return e.At }

// Pos returns the column of the function name.
func (e *Call) Pos() int { return e.At }

// Pos returns the column of the name.
func (e *Field) Pos() int { return e.At }

// Pos returns the column of the literal.
func (e *Literal) Pos() int { return e.At }

// Pos returns the column of add or sub.
func (e *Shift) Pos() int { return e.At }

func (*Logical) node() {}
func (*Not) node()     {}
func (*Compare) node() {}
func (*In) node()      {}
func (*Call) node()    {}
func (*Field) node()   {}
func (*Literal) node() {}
func (*Shift) node()   {}

// Equal reports whether a and b are the same tree, ignoring positions.
// Date-times are equal when they are the same instant with the same offset.
func Equal(a, b Expr) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case *Logical:
		y, ok := b.(*Logical)
		return ok && x.Op == y.Op && equalList(x.Terms, y.Terms)
	case *Not:
		y, ok := b.(*Not)
		return ok && Equal(x.X, y.X)
	case *Compare:
		y, ok := b.(*Compare)
		return ok && x.Op == y.Op && Equal(x.Left, y.Left) && Equal(x.Right, y.Right)
	case *In:
		y, ok := b.(*In)
		return ok && Equal(x.X, y.X) && equalList(x.List, y.List)
	case *Call:
		y, ok := b.(*Call)
		return ok && x.Name == y.Name && equalList(x.Args, y.Args)
	case *Field:
		y, ok := b.(*Field)
		return ok && x.Name == y.Name
	case *Literal:
		y, ok := b.(*Literal)
		return ok && x.Value.Equal(y.Value)
	case *Shift:
		y, ok := b.(*Shift)
		return ok && x.Sub == y.Sub && x.By == y.By && Equal(x.X, y.X)
	}
	return false
}

func equalList(a, b []Expr) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// AllOf joins terms with "and", as Parse reads them joined: joins of "and"
// among them are flattened and nil terms left out. It returns nil when no
// term is left and the term itself when one is.
func AllOf(terms ...Expr) Expr {
	l := &Logical{Op: And}
	for _, t := range terms {
		if t != nil {
			l.add(t)
		}
	}
	switch len(l.Terms) {
	case 0:
		return nil
	case 1:
		return l.Terms[0]
	}
	return l
}

// Fields returns the names of the fields e refers to, each once, in order of appearance.
func Fields(e Expr) []string {
	var out []string
	seen := map[string]bool{}
	walk(e, func(x Expr) {
		if f, ok := x.(*Field); ok && !seen[f.Name] {
			seen[f.Name] = true
			out = append(out, f.Name)
		}
	})
	return out
}

// RenameFields changes, in place, the name of every field e refers to into
// rename(name). Parse a filter afresh before renaming, as trees may be shared.
func RenameFields(e Expr, rename func(string) string) {
	walk(e, func(x Expr) {
		if f, ok := x.(*Field); ok {
			f.Name = rename(f.Name)
		}
	})
}

// walk calls fn on e and every node below it, parents first.
func walk(e Expr, fn func(Expr)) {
	if e == nil {
		return
	}
	fn(e)
	switch x := e.(type) {
	case *Logical:
		for _, t := range x.Terms {
			walk(t, fn)
		}
	case *Not:
		walk(x.X, fn)
	case *Compare:
		walk(x.Left, fn)
		walk(x.Right, fn)
	case *In:
		walk(x.X, fn)
		for _, t := range x.List {
			walk(t, fn)
		}
	case *Call:
		for _, a := range x.Args {
			walk(a, fn)
		}
	case *Shift:
		walk(x.X, fn)
	}
}
