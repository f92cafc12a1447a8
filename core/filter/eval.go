package filter

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"switchyard/core/meta"

	"switchyard/core/values"
)

// Now gives the instant now() stands for in ToSQL and Eval when a filter was
// not resolved first (see Resolve). Tests replace it.
var Now = time.Now

// Eval reports whether rec matches e, with the semantics of ToSQL on a
// workspace table: comparisons with an empty value (nil, or a field missing
// from rec) are false, except eq and ne, for which two empty values are equal
// and an empty value differs from any other; contains, startswith and
// endswith are false on an empty value and case-sensitive; tolower and
// toupper change the letters A–Z only, as SQLite does. A nil e matches every
// record. Values may be as connectors read them or as the workspace stores
// them: a date-time as time.Time or ISO 8601 text, a bool as bool or 0/1, a
// guid in any case, a decimal as json.Number. Eval fails only on a tree that
// Check would refuse, such as a comparison of a condition.
func Eval(e Expr, rec meta.Record) (bool, error) {
	if e == nil {
		return true, nil
	}
	return evalCond(e, rec)
}

func evalCond(e Expr, rec meta.Record) (bool, error) {
	switch x := e.(type) {
	case *Logical:
		for _, t := range x.Terms {
			ok, err := evalCond(t, rec)
			if err != nil {
				return false, err
			}
			if ok == (x.Op == Or) {
				return ok, nil
			}
		}
		return x.Op == And, nil
	case *Not:
		ok, err := evalCond(x.X, rec)
		return !ok, err
	case *Compare:
		l, err := evalValue(x.Left, rec)
		if err != nil {
			return false, err
		}
		r, err := evalValue(x.Right, rec)
		if err != nil {
			return false, err
		}
		return compare(x.Op, l, r), nil
	case *In:
		l, err := evalValue(x.X, rec)
		if err != nil {
			return false, err
		}
		for _, item := range x.List {
			r, err := evalValue(item, rec)
			if err != nil {
				return false, err
			}
			if compare(Eq, l, r) {
				return true, nil
			}
		}
		return false, nil
	case *Call:
		return evalTest(x, rec)
	case *Field, *Literal:
		v, err := evalValue(x, rec)
		if err != nil || v.v == nil {
			return false, err
		}
		b, ok := toBool(v.v)
		return ok && b, nil
	}
	return false, fmt.Errorf("evaluate filter: %s at column %d is not a condition", ToOData(e), e.Pos())
}

// evalTest evaluates contains, startswith and endswith.
func evalTest(c *Call, rec meta.Record) (bool, error) {
	if len(c.Args) != 2 {
		return false, fmt.Errorf("evaluate filter: %s at column %d is not a condition", ToOData(c), c.Pos())
	}
	a, err := evalValue(c.Args[0], rec)
	if err != nil {
		return false, err
	}
	b, err := evalValue(c.Args[1], rec)
	if err != nil {
		return false, err
	}
	if a.v == nil || b.v == nil {
		return false, nil
	}
	s, t := toText(a.v), toText(b.v)
	switch c.Name {
	case FuncContains:
		return strings.Contains(s, t), nil
	case FuncStartsWith:
		return strings.HasPrefix(s, t), nil
	case FuncEndsWith:
		return strings.HasSuffix(s, t), nil
	}
	return false, fmt.Errorf("evaluate filter: %s at column %d is not a condition", ToOData(c), c.Pos())
}

// operand is an evaluated value: nil, bool, int64, float64, string or
// time.Time, with the kind of the literal it came from when it did.
type operand struct {
	v      any
	hint   Kind
	hinted bool
}

func evalValue(e Expr, rec meta.Record) (operand, error) {
	switch x := e.(type) {
	case *Field:
		return operand{v: normalize(rec[x.Name])}, nil
	case *Literal:
		return literalOperand(x.Value), nil
	case *Call:
		switch x.Name {
		case FuncNow:
			return operand{v: Now().UTC().Truncate(time.Millisecond), hint: KindDateTime, hinted: true}, nil
		case FuncToLower, FuncToUpper:
			if len(x.Args) != 1 {
				break
			}
			a, err := evalValue(x.Args[0], rec)
			if err != nil || a.v == nil {
				return operand{}, err
			}
			s := toText(a.v)
			if x.Name == FuncToLower {
				s = asciiLower(s)
			} else {
				s = asciiUpper(s)
			}
			return operand{v: s, hint: KindString, hinted: true}, nil
		}
	case *Shift:
		if t, ok := instant(x, Now().UTC()); ok {
			return operand{v: t, hint: KindDateTime, hinted: true}, nil
		}
	}
	return operand{}, fmt.Errorf("evaluate filter: %s at column %d is not a value: compare fields, values and functions", ToOData(e), e.Pos())
}

func literalOperand(v Value) operand {
	o := operand{hint: v.Kind, hinted: v.Kind != KindNull}
	switch v.Kind {
	case KindBool:
		o.v = v.Bool
	case KindInt:
		o.v = v.Int
	case KindDecimal, KindDouble:
		o.v = v.Float
	case KindDateTime:
		o.v = v.Time
	case KindNull:
	default:
		o.v = v.Text
	}
	return o
}

// normalize turns a record value into nil, bool, int64, float64, string or time.Time.
func normalize(v any) any {
	switch x := v.(type) {
	case nil, bool, int64, float64, string, time.Time:
		return x
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case float32:
		return float64(x)
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	case []byte:
		return string(x)
	case *time.Time:
		if x == nil {
			return nil
		}
		return *x
	}
	return fmt.Sprint(v)
}

// compare applies op to l and r with OData's null rules.
func compare(op CompareOp, l, r operand) bool {
	if l.v == nil || r.v == nil {
		both := l.v == nil && r.v == nil
		switch op {
		case Eq:
			return both
		case Ne:
			return !both
		}
		return false
	}
	c, ok := order(l, r)
	switch op {
	case Eq:
		return ok && c == 0
	case Ne:
		return !ok || c != 0
	case Gt:
		return ok && c > 0
	case Ge:
		return ok && c >= 0
	case Lt:
		return ok && c < 0
	case Le:
		return ok && c <= 0
	}
	return false
}

// order compares two non-nil operands as the kind of the literal among them
// asks, or as their Go types allow; ok is false when they cannot be compared.
func order(l, r operand) (c int, ok bool) {
	kind, hinted := l.hint, l.hinted
	if !hinted {
		kind, hinted = r.hint, r.hinted
	}
	if !hinted {
		kind, hinted = dynamicKind(l.v, r.v)
		if !hinted {
			return 0, false
		}
	}
	switch kind {
	case KindInt, KindDecimal, KindDouble:
		a, ok1 := toNumber(l.v)
		b, ok2 := toNumber(r.v)
		if !ok1 || !ok2 {
			return 0, false
		}
		return compareNumbers(a, b), true
	case KindBool:
		a, ok1 := toBool(l.v)
		b, ok2 := toBool(r.v)
		if !ok1 || !ok2 {
			return 0, false
		}
		return compareNumbers(boolInt(a), boolInt(b)), true
	case KindDateTime:
		a, ok1 := toTime(l.v)
		b, ok2 := toTime(r.v)
		if !ok1 || !ok2 {
			return 0, false
		}
		return a.Compare(b), true
	case KindDate:
		a, ok1 := toDate(l.v)
		b, ok2 := toDate(r.v)
		if !ok1 || !ok2 {
			return 0, false
		}
		return strings.Compare(a, b), true
	case KindGUID:
		return strings.Compare(strings.ToLower(toText(l.v)), strings.ToLower(toText(r.v))), true
	case KindTime:
		return strings.Compare(toClock(l.v), toClock(r.v)), true
	}
	return strings.Compare(toText(l.v), toText(r.v)), true
}

// dynamicKind picks how to compare two values that no literal types.
func dynamicKind(a, b any) (Kind, bool) {
	_, ta := a.(time.Time)
	_, tb := b.(time.Time)
	_, sa := a.(string)
	_, sb := b.(string)
	_, ba := a.(bool)
	_, bb := b.(bool)
	switch {
	case ta && (tb || sb), tb && sa:
		return KindDateTime, true
	case sa && sb:
		return KindString, true
	case ba && bb:
		return KindBool, true
	}
	if _, ok := toNumber(a); ok && !sa && !ta {
		if _, ok := toNumber(b); ok && !sb && !tb {
			return KindDouble, true
		}
	}
	return 0, false
}

func boolInt(b bool) any {
	if b {
		return int64(1)
	}
	return int64(0)
}

// toNumber returns v as int64 or float64.
func toNumber(v any) (any, bool) {
	switch x := v.(type) {
	case int64, float64:
		return x, true
	case bool:
		return boolInt(x), true
	case string:
		s := strings.TrimSpace(x)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f, true
		}
	}
	return nil, false
}

func compareNumbers(a, b any) int {
	if x, ok := a.(int64); ok {
		if y, ok := b.(int64); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	x, y := asFloat(a), asFloat(b)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func asFloat(v any) float64 {
	if n, ok := v.(int64); ok {
		return float64(n)
	}
	return v.(float64)
}

func toBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case int64:
		return x != 0, x == 0 || x == 1
	case float64:
		return x != 0, x == 0 || x == 1
	case string:
		b, err := strconv.ParseBool(x)
		return b, err == nil
	}
	return false, false
}

func toTime(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, true
	case string:
		// The codec reads date-time text as SQLite's date functions do: ISO
		// 8601 with or without seconds, fraction and offset (UTC when none),
		// T or a space between date and time, or a date alone.
		t, err := values.ParseDateTime(x)
		return t, err == nil
	}
	return time.Time{}, false
}

// toDate returns v as YYYY-MM-DD: the calendar day it was written with.
func toDate(v any) (string, bool) {
	switch x := v.(type) {
	case time.Time:
		return values.FormatDate(x), true
	case string:
		if len(x) >= 10 {
			if values.IsDate(x[:10]) && (len(x) == 10 || x[10] == 'T') {
				return x[:10], true
			}
		}
	}
	return "", false
}

func toClock(v any) string {
	if t, ok := v.(time.Time); ok {
		return t.Format("15:04:05")
	}
	return toText(v)
}

// toText returns v as the workspace would store it in a text column.
func toText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case time.Time:
		return values.FormatMillis(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// asciiLower lower-cases the letters A–Z only, as SQLite's lower() does.
func asciiLower(s string) string {
	return asciiMap(s, 'A', 'Z', 'a'-'A')
}

// asciiUpper upper-cases the letters a–z only, as SQLite's upper() does.
func asciiUpper(s string) string {
	return asciiMap(s, 'a', 'z', 'A'-'a')
}

func asciiMap(s string, lo, hi byte, delta int) string {
	i := 0
	for i < len(s) && (s[i] < lo || s[i] > hi) {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if lo <= b[i] && b[i] <= hi {
			b[i] = byte(int(b[i]) + delta)
		}
	}
	return string(b)
}
