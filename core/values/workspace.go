package values

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"switchyard/core/meta"
)

// Stored converts v to the value the workspace stores for a field of type t
// (see docs/workspace.md): string TEXT, int int64, decimal the canonical
// decimal text, double float64, bool 0/1, date "YYYY-MM-DD", datetime ISO
// 8601 in UTC with milliseconds (seven fractional digits when the value is
// finer: FormatStored), time "HH:MM:SS", guid lower case, binary bytes,
// lookup the target row's id. It accepts nil, string, bool, the integer and
// float kinds, json.Number, time.Time and []byte, and says plainly when a
// value does not fit the type. A date taken from a time.Time or a date-time
// text keeps the calendar day it was written with: it never moves by a day
// with the time zone.
func Stored(t meta.Type, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	// A value already stored as it comes is returned as v itself: boxing it
	// again would allocate for every field of every record an import writes.
	switch t {
	case meta.String:
		if _, ok := v.(string); ok {
			return v, nil
		}
		return storedString(v), nil
	case meta.Int:
		if _, ok := v.(int64); ok {
			return v, nil
		}
		return storedInt(v)
	case meta.Decimal:
		return storedDecimal(v)
	case meta.Double:
		if _, ok := v.(float64); ok {
			return v, nil
		}
		return storedDouble(v)
	case meta.Bool:
		return storedBool(v)
	case meta.Date:
		if s, ok := v.(string); ok && IsDate(s) {
			return v, nil
		}
		return storedDate(v)
	case meta.DateTime:
		return storedDateTimeOf(v)
	case meta.Time:
		s, ok := v.(string)
		if !ok || !isTimeOfDay(s) {
			return nil, fmt.Errorf("%v is not a time of day: use HH:MM:SS", v)
		}
		return s, nil
	case meta.GUID:
		s, ok := v.(string)
		if !ok || !meta.IsGUIDText(s) {
			return nil, fmt.Errorf("%v is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", v)
		}
		if lower := strings.ToLower(s); lower != s {
			return lower, nil
		}
		return v, nil
	case meta.Binary:
		switch b := v.(type) {
		case []byte:
			return b, nil
		case string:
			out, err := base64.StdEncoding.DecodeString(b)
			if err != nil {
				return nil, fmt.Errorf("binary value is not base64: %w", err)
			}
			return out, nil
		}
	case meta.Lookup:
		if _, ok := v.(string); ok {
			return v, nil
		}
	}
	return nil, fmt.Errorf("a %T value cannot be stored in a %s field", v, t)
}

// isTimeOfDay reports whether s has the shape \d{2}:\d{2}(:\d{2}(\.\d+)?)?.
func isTimeOfDay(s string) bool {
	if len(s) < 5 || !digitsAt(s, 0, 2) || s[2] != ':' || !digitsAt(s, 3, 2) {
		return false
	}
	s = s[5:]
	if s == "" {
		return true
	}
	if s[0] != ':' || !digitsAt(s, 1, 2) {
		return false
	}
	s = s[3:]
	return s == "" || (s[0] == '.' && len(s) > 1 && allDigits(s[1:]))
}

func storedString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case time.Time:
		return FormatMillis(x)
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func storedInt(v any) (any, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), nil
		}
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, nil
		}
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			return n, nil
		}
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	}
	return nil, fmt.Errorf("%v is not a whole number", v)
}

// storedDecimal returns the canonical decimal text of v (CanonicalDecimal).
func storedDecimal(v any) (any, error) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int:
		return strconv.Itoa(x), nil
	default:
		return nil, fmt.Errorf("a %T value cannot be stored in a decimal field", v)
	}
	c, err := CanonicalDecimal(s)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func storedDouble(v any) (any, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case int:
		return float64(x), nil
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f, nil
		}
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
			return f, nil
		}
	}
	return nil, fmt.Errorf("%v is not a number", v)
}

func storedBool(v any) (any, error) {
	switch x := v.(type) {
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case int64:
		if x == 0 || x == 1 {
			return x, nil
		}
	case string:
		if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
			return storedBool(b)
		}
	}
	return nil, fmt.Errorf("%v is not true or false", v)
}

func storedDate(v any) (any, error) {
	switch x := v.(type) {
	case time.Time:
		return FormatDate(x), nil // the day as written, in its own zone
	case string:
		if d, ok := DateOf(strings.TrimSpace(x)); ok {
			return d, nil
		}
	}
	return nil, fmt.Errorf("%v is not a date: use YYYY-MM-DD", v)
}

// storedDateTimeOf is Stored for a date-time.
func storedDateTimeOf(v any) (any, error) {
	switch x := v.(type) {
	case time.Time:
		return FormatStored(x), nil
	case string:
		if stored, ok := storedDateTime(x); ok {
			return stored, nil
		}
		if t, err := ParseDateTime(x); err == nil {
			return FormatStored(t), nil
		}
	}
	return nil, fmt.Errorf("%v is not a date-time: use ISO 8601 such as 2024-05-01T08:30:00Z", v)
}

// SameStored reports whether the stored value a (from Stored) equals b as
// read back from a column of type t: SQLite hands decimals back as
// numbers, and the comparison must not see a change where there is none.
func SameStored(t meta.Type, a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	switch t {
	case meta.Decimal:
		// SQLite's NUMERIC keeps 15 significant digits (docs/workspace.md).
		fa, err1 := storedDouble(decimalText(a))
		fb, err2 := storedDouble(decimalText(readNumber(b)))
		return err1 == nil && err2 == nil &&
			strconv.FormatFloat(fa.(float64), 'g', 15, 64) == strconv.FormatFloat(fb.(float64), 'g', 15, 64)
	case meta.Double:
		fa, err1 := storedDouble(a)
		fb, err2 := storedDouble(b)
		return err1 == nil && err2 == nil && fa == fb
	case meta.Int, meta.Bool:
		ia, err1 := storedInt(a)
		ib, err2 := storedInt(b)
		return err1 == nil && err2 == nil && ia == ib
	case meta.Binary:
		ba, ok1 := a.([]byte)
		bb, ok2 := b.([]byte)
		return ok1 && ok2 && string(ba) == string(bb)
	case meta.DateTime:
		// A row written with plain SQL may hold another form of the same instant.
		sa, sb := fmt.Sprint(a), fmt.Sprint(b)
		if sa == sb {
			return true
		}
		ca, err1 := storedDateTimeOf(sa)
		cb, err2 := storedDateTimeOf(sb)
		return err1 == nil && err2 == nil && ca == cb
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// decimalText returns a decimal value as text, for storedDouble.
func decimalText(v any) any {
	if s, err := storedDecimal(v); err == nil {
		return s
	}
	return v
}

// readNumber turns what SQLite returns for a NUMERIC column into a value storedDecimal reads.
func readNumber(v any) any {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v
}

// FromStored converts v, as SQLite returns it from a workspace column of type
// t, into the Go value records carry (see meta.Record): int int64, decimal
// json.Number (canonical: CanonicalDecimal), double float64, bool bool (0/1, or true/false text), datetime
// time.Time in UTC (read by ParseDateTime), binary base64 text, and text for
// the rest (string, date, time, guid, lookup). It is Stored's inverse, and
// says plainly when a value does not fit the type.
func FromStored(t meta.Type, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if b, ok := v.([]byte); ok && t != meta.Binary {
		v = string(b)
	}
	switch t {
	case meta.Int:
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			return int64(x), nil
		case string:
			return strconv.ParseInt(x, 10, 64)
		}
	case meta.Decimal:
		switch x := v.(type) {
		case int64:
			return json.Number(strconv.FormatInt(x, 10)), nil
		case float64:
			return json.Number(strconv.FormatFloat(x, 'f', -1, 64)), nil
		case string:
			if c, err := CanonicalDecimal(x); err == nil {
				return json.Number(c), nil
			}
			return json.Number(x), nil
		}
	case meta.Double:
		switch x := v.(type) {
		case int64:
			return float64(x), nil
		case float64:
			return x, nil
		case string:
			return strconv.ParseFloat(x, 64)
		}
	case meta.Bool:
		switch x := v.(type) {
		case int64:
			return x != 0, nil
		case string:
			return x == "1" || strings.EqualFold(x, "true"), nil
		}
	case meta.DateTime:
		if s, ok := v.(string); ok {
			tm, err := ParseDateTime(s)
			if err != nil {
				return nil, fmt.Errorf("stored date-time: %w", err)
			}
			return tm, nil
		}
	case meta.Binary:
		if b, ok := v.([]byte); ok {
			return base64.StdEncoding.EncodeToString(b), nil
		}
		return fmt.Sprint(v), nil
	default: // string, date, time, guid, lookup
		return fmt.Sprint(v), nil
	}
	return nil, fmt.Errorf("a stored %T cannot be read as a %s", v, t)
}
