package filter

import (
	"fmt"
	"strings"

	"switchyard/core/meta"
	"switchyard/core/nearest"

	"switchyard/core/values"
)

// Errors is every problem Check found, in the order of the text.
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// class is the type of a value as Check sees it.
type class string

const (
	clsString   class = "string"
	clsNumber   class = "number"
	clsBool     class = "bool"
	clsDate     class = "date"
	clsDateTime class = "date-time"
	clsTime     class = "time"
	clsGUID     class = "guid"
	clsBinary   class = "binary"
	clsNull     class = "null"
	clsCond     class = "condition"
	clsUnknown  class = "" // an unknown field, already reported
)

// fieldClass is the class of a field's values; a lookup holds the target's id, a guid.
var fieldClass = map[meta.Type]class{
	meta.String: clsString, meta.Int: clsNumber, meta.Decimal: clsNumber, meta.Double: clsNumber,
	meta.Bool: clsBool, meta.Date: clsDate, meta.DateTime: clsDateTime, meta.Time: clsTime,
	meta.GUID: clsGUID, meta.Lookup: clsGUID, meta.Binary: clsBinary,
}

var literalClass = map[Kind]class{
	KindNull: clsNull, KindBool: clsBool, KindInt: clsNumber, KindDecimal: clsNumber, KindDouble: clsNumber,
	KindString: clsString, KindGUID: clsGUID, KindDate: clsDate, KindDateTime: clsDateTime, KindTime: clsTime,
}

// ordered are the classes gt, ge, lt and le apply to.
var ordered = map[class]bool{clsString: true, clsNumber: true, clsDate: true, clsDateTime: true, clsTime: true}

// checker collects the problems of one filter.
type checker struct {
	ent  meta.Entity
	errs Errors
}

// Check validates e against the fields of ent: every field exists (else the
// nearest name is suggested), every literal has the type of what it is
// compared with, and every operator and function applies to the types it is
// given. It returns nil, or Errors with the column of each problem. A nil e
// is valid.
func Check(e Expr, ent meta.Entity) error {
	if e == nil {
		return nil
	}
	c := &checker{ent: ent}
	c.cond(e)
	if len(c.errs) == 0 {
		return nil
	}
	return c.errs
}

func (c *checker) add(col int, format string, args ...any) {
	c.errs = append(c.errs, errAt(col, format, args...))
}

// cond checks a condition.
func (c *checker) cond(e Expr) {
	switch x := e.(type) {
	case *Logical:
		for _, t := range x.Terms {
			c.cond(t)
		}
	case *Not:
		c.cond(x.X)
	case *Compare:
		c.compare(x)
	case *In:
		c.in(x)
	case *Call:
		if x.Name == FuncContains || x.Name == FuncStartsWith || x.Name == FuncEndsWith {
			c.value(x)
			return
		}
		c.add(x.At, "%s(...) is a value, not a condition: compare it, e.g. %s eq 'x'", x.Name, ToOData(x))
	case *Field:
		switch cls, f := c.value(x); cls {
		case clsBool, clsUnknown:
		default:
			c.add(x.At, "%s is %s field, not a bool: compare it, e.g. %s", x.Name, withArticle(string(f.Type)), example(x.Name, cls))
		}
	case *Literal:
		if x.Value.Kind != KindBool {
			c.add(x.At, "%s is a value, not a condition: compare it with a field", x.Value.OData())
		}
	default:
		c.add(e.Pos(), "%s is a value, not a condition: compare it with a field", ToOData(e))
	}
}

// example is a comparison that fits a field of class cls.
func example(name string, cls class) string {
	switch cls {
	case clsNumber:
		return name + " gt 0"
	case clsDate:
		return name + " ge 2024-01-31"
	case clsDateTime:
		return name + " ge now() sub duration'P30D'"
	case clsTime:
		return name + " ge 09:00:00"
	case clsGUID, clsBinary:
		return name + " ne null"
	}
	return name + " eq 'x'"
}

// value checks a value and returns its class, with the field when it is one.
func (c *checker) value(e Expr) (class, meta.Field) {
	switch x := e.(type) {
	case *Field:
		f, ok := c.ent.Field(x.Name)
		if !ok {
			c.unknownField(x)
			return clsUnknown, f
		}
		return fieldClass[f.Type], f
	case *Literal:
		return literalClass[x.Value.Kind], meta.Field{}
	case *Shift:
		return clsDateTime, meta.Field{}
	case *Call:
		switch x.Name {
		case FuncNow:
			return clsDateTime, meta.Field{}
		case FuncToLower, FuncToUpper:
			c.stringArgs(x)
			return clsString, meta.Field{}
		default:
			c.stringArgs(x)
			return clsCond, meta.Field{}
		}
	}
	c.add(e.Pos(), "a condition cannot be compared: join conditions with and, or and not")
	return clsCond, meta.Field{}
}

// stringArgs checks that every argument of a string function is a string.
func (c *checker) stringArgs(x *Call) {
	for _, a := range x.Args {
		cls, f := c.value(a)
		switch cls {
		case clsString, clsUnknown:
		case clsNull:
			c.add(a.Pos(), "%s needs text, not null: test for null with eq null", x.Name)
		default:
			what := describeOperand(a, f, cls)
			c.add(a.Pos(), "%s works on text, and %s is not: compare it with eq, ne, gt, ge, lt or le", x.Name, what)
		}
	}
}

// describeOperand says what e is: "employees (an int field)", "now() (a date-time)".
func describeOperand(e Expr, f meta.Field, cls class) string {
	return ToOData(e) + " (" + kindOf(e, f, cls) + ")"
}

// kindOf names the type of e: "an int field", "a date-time".
func kindOf(e Expr, f meta.Field, cls class) string {
	if _, ok := e.(*Field); ok {
		return withArticle(string(f.Type)) + " field"
	}
	return withArticle(string(cls))
}

func withArticle(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}

func (c *checker) unknownField(x *Field) {
	names := c.ent.FieldNames()
	msg := fmt.Sprintf("unknown field %s", x.Name)
	if c.ent.Name != "" {
		msg += " in entity " + c.ent.Name
	}
	if near := nearest.Name(x.Name, names); near != "" {
		msg += fmt.Sprintf("; did you mean %s?", near)
	} else if len(names) > 12 {
		msg += "; its fields include " + strings.Join(names[:12], ", ") + fmt.Sprintf(" and %d more", len(names)-12)
	} else if len(names) > 0 {
		msg += "; its fields are " + strings.Join(names, ", ")
	}
	c.add(x.At, "%s", msg)
}

func (c *checker) compare(x *Compare) {
	lc, lf := c.value(x.Left)
	rc, rf := c.value(x.Right)
	if lc == clsUnknown || rc == clsUnknown || lc == clsCond || rc == clsCond {
		return
	}
	if lc == clsNull || rc == clsNull {
		if x.Op != Eq && x.Op != Ne {
			c.add(x.At, "%s with null is always false: test for null with eq null or ne null", x.Op)
		}
		return
	}
	if !c.match(x.Left, lc, lf, x.Right, rc, rf) {
		return
	}
	cls, field := lc, lf
	if _, ok := x.Left.(*Field); !ok {
		cls, field = rc, rf
	}
	switch {
	case cls == clsBinary:
		c.add(x.At, "a binary field can only be tested for null: write %s", example(nameOf(x.Left, x.Right), cls))
	case x.Op != Eq && x.Op != Ne && !ordered[cls]:
		what := string(cls) + " values"
		if field.Name != "" {
			what = fmt.Sprintf("%s (%s field)", field.Name, withArticle(string(field.Type)))
		}
		c.add(x.At, "%s does not apply to %s: use eq or ne", x.Op, what)
	}
}

func nameOf(es ...Expr) string {
	for _, e := range es {
		if f, ok := e.(*Field); ok {
			return f.Name
		}
	}
	return "field"
}

// match reports whether two operands have the same class, adding a problem
// at the literal (or the right operand) when they do not.
func (c *checker) match(l Expr, lc class, lf meta.Field, r Expr, rc class, rf meta.Field) bool {
	if lc == rc {
		return true
	}
	// Report at the literal, naming the field it meets.
	if _, ok := l.(*Literal); ok {
		l, r, lc, rc, lf, rf = r, l, rc, lc, rf, lf
	}
	lit, isLit := r.(*Literal)
	if !isLit {
		c.add(r.Pos(), "%s cannot be compared with %s", describeOperand(r, rf, rc), describeOperand(l, lf, lc))
		return false
	}
	c.add(lit.At, "%s is %s, but %s is %s: %s", lit.Value.OData(), withArticle(string(rc)), ToOData(l), kindOf(l, lf, lc), hint(lc, lit.Value))
	return false
}

// hint says how to write a literal of class cls, using v where it helps.
func hint(cls class, v Value) string {
	switch cls {
	case clsString:
		return "quote it: '" + strings.ReplaceAll(strings.Trim(v.OData(), "'"), "'", "''") + "'"
	case clsNumber:
		return "write a number without quotes, such as 42 or 9.95"
	case clsBool:
		return "write true or false"
	case clsDate:
		if v.Kind == KindDateTime {
			return "write a date such as " + values.FormatDate(v.Time)
		}
		return "write a date such as 2024-01-31, without quotes"
	case clsDateTime:
		if v.Kind == KindDate {
			return "write a date-time such as " + v.Text + "T00:00:00Z"
		}
		return "write a date-time such as 2024-01-31T09:30:00Z or now() sub duration'P30D', without quotes"
	case clsTime:
		return "write a time such as 09:30:00, without quotes"
	case clsGUID:
		if v.Kind == KindString && guidLen(v.Text) == 36 {
			return "write the guid without quotes: " + strings.ToLower(v.Text)
		}
		return "write a guid such as aea00b94-3481-5df7-b7e1-89ec3da7558f, without quotes"
	}
	return "test it with eq null or ne null"
}

func (c *checker) in(x *In) {
	cls, f := c.value(x.X)
	if cls == clsUnknown || cls == clsCond {
		return
	}
	if cls == clsBinary {
		c.add(x.At, "in does not apply to a binary field: test it with eq null or ne null")
		return
	}
	for _, item := range x.List {
		ic, _ := c.value(item)
		if ic != clsNull {
			c.match(x.X, cls, f, item, ic, meta.Field{})
		}
	}
}
