package ui

import "switchyard/core/filter"

// condition is one simple condition read from a filter text.
type condition struct{ field, op, value string }

// simpleConditions returns e as conditions joined by one operator, when it is so made.
func simpleConditions(e filter.Expr) ([]condition, filter.LogicalOp, bool) {
	if e == nil {
		return nil, filter.And, true
	}
	terms, op := []filter.Expr{e}, filter.And
	if l, ok := e.(*filter.Logical); ok {
		terms, op = l.Terms, l.Op
	}
	var out []condition
	for _, t := range terms {
		c, ok := simpleCondition(t)
		if !ok {
			return nil, op, false
		}
		out = append(out, c)
	}
	return out, op, true
}

// simpleCondition reads "field op literal" or "func(field,'text')".
func simpleCondition(e filter.Expr) (condition, bool) {
	switch x := e.(type) {
	case *filter.Compare:
		f, okF := x.Left.(*filter.Field)
		lit, okL := x.Right.(*filter.Literal)
		if !okF || !okL {
			return condition{}, false
		}
		if lit.Value.Kind == filter.KindNull {
			for _, o := range opsPresent {
				if o.op == string(x.Op) {
					return condition{f.Name, o.label, ""}, true
				}
			}
			return condition{}, false
		}
		for _, o := range append(append([]operator{}, opsEqual...), opsOrder...) {
			if o.op == string(x.Op) {
				return condition{f.Name, o.label, literalText(lit.Value)}, true
			}
		}
	case *filter.Call:
		if len(x.Args) != 2 {
			return condition{}, false
		}
		f, okF := x.Args[0].(*filter.Field)
		lit, okL := x.Args[1].(*filter.Literal)
		if !okF || !okL {
			return condition{}, false
		}
		for _, o := range opsText {
			if o.op == x.Name {
				return condition{f.Name, o.label, literalText(lit.Value)}, true
			}
		}
	}
	return condition{}, false
}

// literalText is a literal as a value box shows it: strings without quotes.
func literalText(v filter.Value) string {
	if v.Kind == filter.KindString {
		return v.Text
	}
	return v.OData()
}
