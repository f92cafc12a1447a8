package rest

import (
	"net/url"
	"regexp"
	"strconv"

	"switchyard/core/filter"
	"switchyard/core/meta"
)

// pushDown adds to q the conditions of x that the filter style can send to
// the server, and reports whether the server then applies x exactly. Only
// the terms of a top-level "and" (nested ones included) are sent, each on
// its own; what is not sent (or sent wider, as gt becomes _gte) is still
// applied in Go, so the server only ever narrows what it returns to a
// superset of the matching records.
func pushDown(style string, e meta.Entity, x filter.Expr, q url.Values) bool {
	if style != FiltersJSONServer {
		return false
	}
	exact := true
	for _, t := range andTerms(x) {
		if !jsonServerTerm(e, t, q) {
			exact = false
		}
	}
	return exact
}

// andTerms returns the terms of x's top-level "and", nested ones flattened
// ("(a and b) and c" has the terms a, b and c); x itself when it is no "and".
func andTerms(x filter.Expr) []filter.Expr {
	if x == nil {
		return nil
	}
	l, ok := x.(*filter.Logical)
	if !ok || l.Op != filter.And {
		return []filter.Expr{x}
	}
	var out []filter.Expr
	for _, t := range l.Terms {
		out = append(out, andTerms(t)...)
	}
	return out
}

// jsonServerTerm sends one condition in json-server's terms and reports whether it is exact.
func jsonServerTerm(e meta.Entity, t filter.Expr, q url.Values) bool {
	switch x := t.(type) {
	case *filter.Compare:
		name, lit, op, ok := fieldAndLiteral(x)
		if !ok {
			return false
		}
		f, known := e.Field(name)
		v, ok := literalText(lit)
		if !known || !ok {
			return false
		}
		switch op {
		case filter.Eq:
			if !exactEquality(f.Type) {
				return false
			}
			q.Add(name, v)
			return true
		case filter.Ne:
			if !exactEquality(f.Type) {
				return false
			}
			q.Add(name+"_ne", v)
			return true
		case filter.Ge, filter.Gt:
			if !ordered(f.Type, lit) {
				return false
			}
			q.Add(name+"_gte", v)
			return op == filter.Ge
		case filter.Le, filter.Lt:
			if !ordered(f.Type, lit) {
				return false
			}
			q.Add(name+"_lte", v)
			return op == filter.Le
		}
	case *filter.In:
		fl, ok := x.X.(*filter.Field)
		if !ok {
			return false
		}
		f, known := e.Field(fl.Name)
		if !known || !exactEquality(f.Type) {
			return false
		}
		vals := make([]string, 0, len(x.List))
		for _, item := range x.List {
			lit, ok := item.(*filter.Literal)
			if !ok {
				return false
			}
			v, ok := literalText(lit.Value)
			if !ok {
				return false
			}
			vals = append(vals, v)
		}
		q[fl.Name] = append(q[fl.Name], vals...)
		return true
	case *filter.Call:
		if x.Name != filter.FuncContains || len(x.Args) != 2 {
			return false
		}
		fl, ok1 := x.Args[0].(*filter.Field)
		lit, ok2 := x.Args[1].(*filter.Literal)
		if !ok1 || !ok2 || lit.Value.Kind != filter.KindString {
			return false
		}
		if f, known := e.Field(fl.Name); !known || f.Type != meta.String {
			return false
		}
		// _like is a case-insensitive regular expression: wider than contains, which Go then applies.
		q.Add(fl.Name+"_like", regexp.QuoteMeta(lit.Value.Text))
		return false
	}
	return false
}

// fieldAndLiteral reads "field op literal" or "literal op field" (the operator turned round).
func fieldAndLiteral(x *filter.Compare) (string, filter.Value, filter.CompareOp, bool) {
	if f, ok := x.Left.(*filter.Field); ok {
		if l, ok := x.Right.(*filter.Literal); ok {
			return f.Name, l.Value, x.Op, true
		}
	}
	if f, ok := x.Right.(*filter.Field); ok {
		if l, ok := x.Left.(*filter.Literal); ok {
			flip := map[filter.CompareOp]filter.CompareOp{filter.Gt: filter.Lt, filter.Ge: filter.Le, filter.Lt: filter.Gt, filter.Le: filter.Ge}
			op := x.Op
			if o, ok := flip[op]; ok {
				op = o
			}
			return f.Name, l.Value, op, true
		}
	}
	return "", filter.Value{}, "", false
}

// exactEquality reports whether json-server's text equality matches the
// filter's equality for values of type t.
func exactEquality(t meta.Type) bool {
	switch t {
	case meta.String, meta.Int, meta.Bool, meta.Lookup:
		return true
	}
	return false
}

// ordered reports whether json-server's comparison (JavaScript's: numbers as
// numbers, text as text) orders values of type t as the filter does.
func ordered(t meta.Type, lit filter.Value) bool {
	switch t {
	case meta.Int, meta.Decimal, meta.Double:
		return lit.Kind == filter.KindInt || lit.Kind == filter.KindDecimal || lit.Kind == filter.KindDouble
	case meta.DateTime:
		return lit.Kind == filter.KindDateTime
	case meta.Date:
		return lit.Kind == filter.KindDate
	}
	return false
}

// literalText writes a literal as json-server compares it, as text.
func literalText(v filter.Value) (string, bool) {
	switch v.Kind {
	case filter.KindNull:
		return "", false
	case filter.KindBool:
		return strconv.FormatBool(v.Bool), true
	case filter.KindInt:
		return strconv.FormatInt(v.Int, 10), true
	case filter.KindDateTime:
		return formatDateTime(v.Time), true
	}
	return v.Text, true
}
