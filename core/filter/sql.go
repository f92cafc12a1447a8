package filter

import (
	"strings"
	"unicode/utf8"

	"switchyard/core/values"
)

// ToSQL translates e into an SQLite condition on a workspace table, for a
// WHERE clause, with every literal bound as an argument: quoteIdent quotes a
// field name as a column. Values are bound as the workspace stores them
// (docs/workspace.md): bool 0/1, date YYYY-MM-DD, date-time ISO 8601 in UTC
// with milliseconds, guid in lower case. The condition agrees with Eval:
// eq and ne are IS and IS NOT, not keeps SQL's unknown from turning into
// true, and contains, startswith and endswith use instr and substr, which
// are case-sensitive (LIKE is not). now() is bound as Now() unless e was
// resolved first. A nil e gives "" and no arguments.
// The workspace (core/store) is its one caller: it alone writes SQL.
func ToSQL(e Expr, quoteIdent func(string) string) (string, []any) {
	return toSQL(e, quoteIdent, false)
}

// ToPostgreSQL is ToSQL for a PostgreSQL workspace (docs/workspace.md,
// "PostgreSQL workspaces"): eq and ne are IS NOT DISTINCT FROM and IS
// DISTINCT FROM, conditions are booleans, contains and startswith use
// strpos, endswith right, and a date-time field is compared as a
// timestamptz. Arguments are bound as for ToSQL (the workspace's
// connection takes 0/1 for a boolean).
func ToPostgreSQL(e Expr, quoteIdent func(string) string) (string, []any) {
	return toSQL(e, quoteIdent, true)
}

func toSQL(e Expr, quoteIdent func(string) string, pg bool) (string, []any) {
	if e == nil {
		return "", nil
	}
	w := &sqlWriter{quote: quoteIdent, pg: pg}
	w.cond(e)
	return w.b.String(), w.args
}

type sqlWriter struct {
	b     strings.Builder
	args  []any
	quote func(string) string
	pg    bool // PostgreSQL's SQL (ToPostgreSQL)
}

// pick returns sqlite's text or, for PostgreSQL, pg's.
func (w *sqlWriter) pick(sqlite, pg string) string {
	if w.pg {
		return pg
	}
	return sqlite
}

func (w *sqlWriter) write(s ...string) {
	for _, x := range s {
		w.b.WriteString(x)
	}
}

func (w *sqlWriter) bind(v any) {
	w.b.WriteByte('?')
	w.args = append(w.args, v)
}

// cond writes a condition whose SQL value is 1 exactly when Eval is true.
func (w *sqlWriter) cond(e Expr) {
	switch x := e.(type) {
	case *Logical:
		sep := " AND "
		if x.Op == Or {
			sep = " OR "
		}
		for i, t := range x.Terms {
			if i > 0 {
				w.write(sep)
			}
			if _, nested := t.(*Logical); nested {
				w.write("(")
				w.cond(t)
				w.write(")")
			} else {
				w.cond(t)
			}
		}
	case *Not:
		// SQL's NOT of unknown (a comparison with NULL) is unknown; OData's is true.
		w.write("NOT coalesce(")
		w.cond(x.X)
		w.write(w.pick(", 0)", ", false)"))
	case *Compare:
		op := sqlOps[x.Op]
		if w.pg {
			op = pgOps[x.Op]
		}
		w.operand(x.Left, x.Right)
		w.write(" ", op, " ")
		w.operand(x.Right, x.Left)
	case *In:
		w.in(x)
	case *Call:
		w.test(x)
	case *Literal:
		if x.Value.Kind == KindBool && x.Value.Bool {
			w.write(w.pick("1", "true"))
		} else {
			w.write(w.pick("0", "false"))
		}
	default:
		w.value(e)
		w.write(w.pick(" = 1", " = true"))
	}
}

var sqlOps = map[CompareOp]string{Eq: "IS", Ne: "IS NOT", Gt: ">", Ge: ">=", Lt: "<", Le: "<="}

// pgOps are sqlOps in PostgreSQL, whose IS compares with NULL, true and false only.
var pgOps = map[CompareOp]string{Eq: "IS NOT DISTINCT FROM", Ne: "IS DISTINCT FROM", Gt: ">", Ge: ">=", Lt: "<", Le: "<="}

func (w *sqlWriter) in(x *In) {
	var items []Expr
	hasNull := false
	for _, it := range x.List {
		if lit, ok := it.(*Literal); ok && lit.Value.Kind == KindNull {
			hasNull = true
			continue
		}
		items = append(items, it)
	}
	if len(items) > 0 && hasNull {
		w.write("(")
	}
	if len(items) > 0 {
		w.operand(x.X, items[0])
		w.write(" IN (")
		for i, it := range items {
			if i > 0 {
				w.write(", ")
			}
			w.value(it)
		}
		w.write(")")
	}
	if hasNull {
		if len(items) > 0 {
			w.write(" OR ")
		}
		w.value(x.X)
		w.write(" IS NULL")
		if len(items) > 0 {
			w.write(")")
		}
	}
}

// test writes contains, startswith or endswith.
func (w *sqlWriter) test(c *Call) {
	if len(c.Args) != 2 {
		w.write(w.pick("0", "false"))
		return
	}
	a, b := c.Args[0], c.Args[1]
	switch c.Name {
	case FuncContains:
		w.write(w.pick("instr(", "strpos("))
		w.value(a)
		w.write(", ")
		w.value(b)
		w.write(") > 0")
	case FuncStartsWith:
		w.write(w.pick("instr(", "strpos("))
		w.value(a)
		w.write(", ")
		w.value(b)
		w.write(") = 1")
	case FuncEndsWith:
		if lit, ok := b.(*Literal); ok && lit.Value.Kind == KindString {
			if lit.Value.Text == "" {
				w.value(a)
				w.write(" IS NOT NULL")
				return
			}
			w.write(w.pick("substr(", "right("))
			w.value(a)
			w.write(w.pick(", -", ", "))
			w.bind(int64(utf8.RuneCountInString(lit.Value.Text)))
			w.write(") = ")
			w.value(b)
			return
		}
		w.write("(length(")
		w.value(a)
		w.write(") >= length(")
		w.value(b)
		w.write(") AND substr(")
		w.value(a)
		w.write(", length(")
		w.value(a)
		w.write(") - length(")
		w.value(b)
		w.write(") + 1) = ")
		w.value(b)
		w.write(")")
	default:
		w.write(w.pick("0", "false"))
	}
}

// operand writes e, compared with other. A field compared with a date-time
// literal is read through strftime, so that date-times written by other
// programs in another ISO 8601 form (no milliseconds, a space for T, an
// offset) compare as the instants they are, as in Eval.
func (w *sqlWriter) operand(e, other Expr) {
	if _, ok := e.(*Field); ok && isDateTime(other) && w.pg {
		w.value(e)
		w.write("::timestamptz")
		return
	}
	if _, ok := e.(*Field); ok && isDateTime(other) {
		w.write("strftime('%Y-%m-%dT%H:%M:%fZ', ")
		w.value(e)
		w.write(")")
		return
	}
	w.value(e)
}

// isDateTime reports whether e is a date-time literal, now() or a shift of it.
func isDateTime(e Expr) bool {
	if lit, ok := e.(*Literal); ok {
		return lit.Value.Kind == KindDateTime
	}
	return isNow(e)
}

// value writes a value.
func (w *sqlWriter) value(e Expr) {
	switch x := e.(type) {
	case *Field:
		w.write(w.quote(x.Name))
	case *Literal:
		if x.Value.Kind == KindNull {
			w.write("NULL")
			return
		}
		w.bind(sqlArg(x.Value))
	case *Call:
		switch x.Name {
		case FuncNow:
			w.bind(values.FormatMillis(Now()))
		case FuncToLower, FuncToUpper:
			fn := "lower("
			if x.Name == FuncToUpper {
				fn = "upper("
			}
			w.write(fn)
			for _, a := range x.Args {
				w.value(a)
			}
			w.write(")")
		default:
			w.write("(")
			w.cond(x)
			w.write(")")
		}
	case *Shift:
		t, _ := instant(x, Now().UTC())
		w.bind(values.FormatMillis(t))
	default:
		w.write("(")
		w.cond(e)
		w.write(")")
	}
}

// sqlArg is a literal as the workspace stores it.
func sqlArg(v Value) any {
	switch v.Kind {
	case KindBool:
		if v.Bool {
			return int64(1)
		}
		return int64(0)
	case KindInt:
		return v.Int
	case KindDecimal, KindDouble:
		return v.Float
	case KindDateTime:
		return values.FormatMillis(v.Time)
	}
	return v.Text
}
