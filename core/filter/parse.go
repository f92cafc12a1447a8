package filter

import (
	"strings"
)

// maxDepth bounds how deeply a filter may nest parentheses, not and calls.
const maxDepth = 100

// parser reads one filter with one token of look-ahead.
type parser struct {
	lex   lexer
	tok   token
	depth int
}

// Parse reads a filter written in the OData $filter subset that
// docs/filters.md describes. A blank text is no condition: Parse returns nil
// and no error. A syntax error is an *Error with the column and what was
// expected there.
func Parse(text string) (Expr, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	p := &parser{lex: lexer{src: text, col: 1}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.expected("and, or or the end of the filter")
	}
	return e, nil
}

// MustParse is Parse for filters written in code; it panics on an error.
func MustParse(text string) Expr {
	e, err := Parse(text)
	if err != nil {
		panic("filter.MustParse(" + text + "): " + err.Error())
	}
	return e
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

// expected reports that what was expected is not what the current token is.
func (p *parser) expected(what string) *Error {
	return errAt(p.tok.col, "expected %s, found %s", what, p.tok.describe())
}

// isWord reports whether the current token is the keyword w, in any case.
func (p *parser) isWord(w string) bool {
	return p.tok.kind == tIdent && strings.EqualFold(p.tok.text, w)
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return errAt(p.tok.col, "the filter nests too deeply: use at most %d levels of parentheses, not and functions", maxDepth)
	}
	return nil
}

// or := and ("or" and)*
func (p *parser) or() (Expr, error) {
	return p.logical(Or, p.and)
}

// and := unary ("and" unary)*
func (p *parser) and() (Expr, error) {
	return p.logical(And, p.unary)
}

func (p *parser) logical(op LogicalOp, term func() (Expr, error)) (Expr, error) {
	first, err := term()
	if err != nil || !p.isWord(string(op)) {
		return first, err
	}
	l := &Logical{Op: op, At: first.Pos()}
	l.add(first)
	for p.isWord(string(op)) {
		if err := p.advance(); err != nil {
			return nil, err
		}
		t, err := term()
		if err != nil {
			return nil, err
		}
		l.add(t)
	}
	return l, nil
}

// add appends t to l's terms, flattening a join of the same operator.
func (l *Logical) add(t Expr) {
	if s, ok := t.(*Logical); ok && s.Op == l.Op {
		l.Terms = append(l.Terms, s.Terms...)
		return
	}
	l.Terms = append(l.Terms, t)
}

// unary := "not" unary | comparison
func (p *parser) unary() (Expr, error) {
	if !p.isWord("not") {
		return p.comparison()
	}
	at := p.tok.col
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	if err := p.advance(); err != nil {
		return nil, err
	}
	x, err := p.unary()
	if err != nil {
		return nil, err
	}
	return &Not{X: x, At: at}, nil
}

var compareOps = []CompareOp{Eq, Ne, Gt, Ge, Lt, Le}

// comparison := value [op value | "in" "(" literal ("," literal)* ")"]
func (p *parser) comparison() (Expr, error) {
	left, err := p.value()
	if err != nil {
		return nil, err
	}
	for _, op := range compareOps {
		if p.isWord(string(op)) {
			at := p.tok.col
			if err := p.advance(); err != nil {
				return nil, err
			}
			right, err := p.value()
			if err != nil {
				return nil, err
			}
			return &Compare{Op: op, Left: left, Right: right, At: at}, nil
		}
	}
	if p.isWord("in") {
		return p.in(left)
	}
	if !isCondition(left) || !p.atEndOfTerm() {
		return nil, p.expected("an operator (eq, ne, gt, ge, lt, le or in)")
	}
	return left, nil
}

// atEndOfTerm reports whether the current token may follow a condition.
func (p *parser) atEndOfTerm() bool {
	return p.tok.kind == tEOF || p.tok.kind == tRParen || p.isWord("and") || p.isWord("or")
}

// isCondition reports whether e may stand on its own as a condition: a
// boolean node, a field (Check makes sure it is a bool), true or false, or a
// string test function.
func isCondition(e Expr) bool {
	switch x := e.(type) {
	case *Literal:
		return x.Value.Kind == KindBool
	case *Call:
		return x.Name == FuncContains || x.Name == FuncStartsWith || x.Name == FuncEndsWith
	case *Shift:
		return false
	}
	return true
}

func (p *parser) in(left Expr) (Expr, error) {
	in := &In{X: left, At: p.tok.col}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind != tLParen {
		return nil, p.expected("( to open the list of values after in")
	}
	for {
		if err := p.advance(); err != nil {
			return nil, err
		}
		lit, ok, err := p.literal()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, p.expected("a value such as 'x', 42 or null in the in list")
		}
		in.List = append(in.List, lit)
		switch p.tok.kind {
		case tComma:
			continue
		case tRParen:
			return in, p.advance()
		}
		return nil, p.expected(", or ) in the in list")
	}
}

// literal reads a literal if the current token is one.
func (p *parser) literal() (*Literal, bool, error) {
	var v Value
	switch {
	case p.tok.kind == tLiteral:
		v = p.tok.val
	case p.isWord("null"):
		v = Null()
	case p.isWord("true"):
		v = BoolValue(true)
	case p.isWord("false"):
		v = BoolValue(false)
	default:
		return nil, false, nil
	}
	lit := &Literal{Value: v, At: p.tok.col}
	return lit, true, p.advance()
}

// value := primary (("add" | "sub") duration)*
func (p *parser) value() (Expr, error) {
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	for p.isWord("add") || p.isWord("sub") {
		at, sub := p.tok.col, p.isWord("sub")
		if !isNow(x) {
			return nil, errAt(at, "%s works on now() only: write now() %s duration'P30D'", strings.ToLower(p.tok.text), strings.ToLower(p.tok.text))
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind != tDuration {
			return nil, p.expected("a duration such as duration'P30D' or duration'PT2H'")
		}
		x = &Shift{X: x, Sub: sub, By: p.tok.dur, At: at}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// isNow reports whether e is now(), possibly shifted.
func isNow(e Expr) bool {
	switch x := e.(type) {
	case *Call:
		return x.Name == FuncNow
	case *Shift:
		return isNow(x.X)
	}
	return false
}

// primary := "(" or ")" | literal | function "(" args ")" | field
func (p *parser) primary() (Expr, error) {
	switch p.tok.kind {
	case tLParen:
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		if err := p.advance(); err != nil {
			return nil, err
		}
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			return nil, p.expected(") to close the parenthesis")
		}
		return e, p.advance()
	case tDuration:
		return nil, errAt(p.tok.col, "a duration is used after add or sub only: write now() sub %s", formatDuration(p.tok.dur))
	case tIdent:
		if p.isWord("not") || p.isWord("and") || p.isWord("or") {
			return nil, p.expected("a field, a value or (")
		}
		lit, ok, err := p.literal()
		if ok || err != nil {
			return lit, err
		}
		return p.nameOrCall()
	case tLiteral:
		lit, _, err := p.literal()
		return lit, err
	}
	return nil, p.expected("a field, a value or (")
}

// nameOrCall reads a field name or a function call.
func (p *parser) nameOrCall() (Expr, error) {
	name := p.tok
	if err := p.advance(); err != nil {
		return nil, err
	}
	fn := strings.ToLower(name.text)
	arity, known := funcArity[fn]
	if p.tok.kind != tLParen || !known && p.tok.off != name.end {
		return &Field{Name: name.text, At: name.col}, nil
	}
	if !known {
		return nil, errAt(name.col, "unknown function %s: use contains, startswith, endswith, tolower, toupper or now", name.text)
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	call := &Call{Name: fn, At: name.col}
	if err := p.advance(); err != nil {
		return nil, err
	}
	for p.tok.kind != tRParen || len(call.Args) > 0 {
		if len(call.Args) > 0 {
			if p.tok.kind == tRParen {
				break
			}
			if p.tok.kind != tComma {
				return nil, p.expected(", or ) after an argument of " + fn)
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		arg, err := p.value()
		if err != nil {
			return nil, err
		}
		call.Args = append(call.Args, arg)
	}
	if len(call.Args) != arity {
		return nil, errAt(name.col, "%s takes %s, not %d", fn, plural(arity, "argument"), len(call.Args))
	}
	return call, p.advance()
}

func plural(n int, word string) string {
	switch n {
	case 0:
		return "no " + word + "s"
	case 1:
		return "1 " + word
	}
	return string(rune('0'+n)) + " " + word + "s"
}
