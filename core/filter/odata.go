package filter

import (
	"strings"
	"time"
)

// ToOData writes e as canonical OData $filter text: operators, keywords and
// function names in lower case, single plain spaces, `not (...)` around a
// negated comparison, nested and/or in parentheses, strings quoted with
// doubled quotes inside, date-times with their offset. Parse(ToOData(e)) gives e back.
// now() and its shifts are written as they are: send ToOData(Resolve(e, t))
// to a server that does not know `sub duration`. A nil e gives "".
// The text is not URL-encoded: an HTTP client encodes it (spaces as %20).
func ToOData(e Expr) string {
	if e == nil {
		return ""
	}
	var b strings.Builder
	writeOData(&b, e)
	return b.String()
}

func writeOData(b *strings.Builder, e Expr) {
	switch x := e.(type) {
	case *Logical:
		for i, t := range x.Terms {
			if i > 0 {
				b.WriteString(" " + string(x.Op) + " ")
			}
			_, nested := t.(*Logical)
			writeWrapped(b, t, nested)
		}
	case *Not:
		b.WriteString("not ")
		switch x.X.(type) {
		case *Call, *Field, *Literal:
			writeOData(b, x.X)
		default:
			writeWrapped(b, x.X, true)
		}
	case *Compare:
		writeOperand(b, x.Left)
		b.WriteString(" " + string(x.Op) + " ")
		writeOperand(b, x.Right)
	case *In:
		writeOperand(b, x.X)
		b.WriteString(" in (")
		for i, v := range x.List {
			if i > 0 {
				b.WriteByte(',')
			}
			writeOperand(b, v)
		}
		b.WriteByte(')')
	case *Call:
		b.WriteString(x.Name + "(")
		for i, a := range x.Args {
			if i > 0 {
				b.WriteByte(',')
			}
			writeOperand(b, a)
		}
		b.WriteByte(')')
	case *Field:
		b.WriteString(x.Name)
	case *Literal:
		b.WriteString(x.Value.OData())
	case *Shift:
		writeOperand(b, x.X)
		if x.Sub {
			b.WriteString(" sub ")
		} else {
			b.WriteString(" add ")
		}
		b.WriteString(formatDuration(x.By))
	}
}

// writeOperand writes a value, in parentheses when it is a condition.
func writeOperand(b *strings.Builder, e Expr) {
	switch e.(type) {
	case *Logical, *Not, *Compare, *In:
		writeWrapped(b, e, true)
	default:
		writeOData(b, e)
	}
}

func writeWrapped(b *strings.Builder, e Expr, wrap bool) {
	if wrap {
		b.WriteByte('(')
	}
	writeOData(b, e)
	if wrap {
		b.WriteByte(')')
	}
}

// Resolve returns e with now() and its shifts replaced by the date-time
// literals they stand for at the instant now (in UTC, to the millisecond).
// A run resolves its filters once, at its start, so that every page and
// every side (server, workspace, Go) uses the same instant, and servers that
// know neither now() nor `sub duration` get plain date-times. e itself is
// not changed.
func Resolve(e Expr, now time.Time) Expr {
	switch x := e.(type) {
	case *Logical:
		out := &Logical{Op: x.Op, At: x.At, Terms: make([]Expr, len(x.Terms))}
		for i, t := range x.Terms {
			out.Terms[i] = Resolve(t, now)
		}
		return out
	case *Not:
		return &Not{X: Resolve(x.X, now), At: x.At}
	case *Compare:
		return &Compare{Op: x.Op, Left: Resolve(x.Left, now), Right: Resolve(x.Right, now), At: x.At}
	case *In:
		return &In{X: Resolve(x.X, now), List: x.List, At: x.At}
	case *Call:
		if x.Name == FuncNow {
			return &Literal{Value: DateTimeValue(now.UTC()), At: x.At}
		}
		out := &Call{Name: x.Name, At: x.At, Args: make([]Expr, len(x.Args))}
		for i, a := range x.Args {
			out.Args[i] = Resolve(a, now)
		}
		return out
	case *Shift:
		if t, ok := instant(x, now); ok {
			return &Literal{Value: DateTimeValue(t.UTC()), At: x.X.Pos()}
		}
	}
	return e
}

// instant returns the instant a now() expression stands for.
func instant(e Expr, now time.Time) (time.Time, bool) {
	switch x := e.(type) {
	case *Call:
		if x.Name == FuncNow {
			return now.Truncate(time.Millisecond), true
		}
	case *Literal:
		if x.Value.Kind == KindDateTime {
			return x.Value.Time, true
		}
	case *Shift:
		t, ok := instant(x.X, now)
		if !ok {
			return time.Time{}, false
		}
		if x.Sub {
			return t.Add(-x.By), true
		}
		return t.Add(x.By), true
	}
	return time.Time{}, false
}
