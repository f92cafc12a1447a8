package filter

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is the type of a literal value.
type Kind int

// The kinds of literal values.
const (
	KindNull     Kind = iota // null
	KindBool                 // true, false
	KindInt                  // 42, -7
	KindDecimal              // 1.50
	KindDouble               // 1.5e3
	KindString               // 'O''Brien'
	KindGUID                 // aea00b94-3481-5df7-b7e1-89ec3da7558f
	KindDate                 // 2024-01-31
	KindDateTime             // 2024-01-31T09:30:00Z, 2024-01-31T09:30:00.250+02:00
	KindTime                 // 09:30:00
)

var kindNames = [...]string{"null", "bool", "integer", "decimal", "double", "string", "guid", "date", "date-time", "time"}

// String names the kind as messages do.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Value is a literal value.
type Value struct {
	Kind Kind
	Bool bool
	// Int holds a KindInt value.
	Int int64
	// Float holds a KindDecimal or KindDouble value.
	Float float64
	// Text holds a string; a guid in lower case; a decimal or double as
	// written; a date as YYYY-MM-DD; a time as HH:MM:SS with any fraction.
	Text string
	// Time holds a date-time, with the offset it was written with, to the millisecond.
	Time time.Time
}

// Null is the null value.
func Null() Value { return Value{Kind: KindNull} }

// BoolValue returns a bool value.
func BoolValue(b bool) Value { return Value{Kind: KindBool, Bool: b} }

// IntValue returns an integer value.
func IntValue(n int64) Value { return Value{Kind: KindInt, Int: n} }

// StringValue returns a string value.
func StringValue(s string) Value { return Value{Kind: KindString, Text: s} }

// DateTimeValue returns a date-time value, cut to the millisecond as the workspace keeps them.
func DateTimeValue(t time.Time) Value {
	return Value{Kind: KindDateTime, Time: t.Truncate(time.Millisecond)}
}

// Equal reports whether v and w are the same literal.
func (v Value) Equal(w Value) bool {
	if v.Kind != w.Kind {
		return false
	}
	switch v.Kind {
	case KindNull:
		return true
	case KindBool:
		return v.Bool == w.Bool
	case KindInt:
		return v.Int == w.Int
	case KindDateTime:
		_, a := v.Time.Zone()
		_, b := w.Time.Zone()
		return v.Time.Equal(w.Time) && a == b
	}
	return v.Text == w.Text
}

// numeric reports whether v is a number.
func (v Value) numeric() bool {
	return v.Kind == KindInt || v.Kind == KindDecimal || v.Kind == KindDouble
}

// OData returns v as an OData literal.
func (v Value) OData() string {
	switch v.Kind {
	case KindNull:
		return "null"
	case KindBool:
		return strconv.FormatBool(v.Bool)
	case KindInt:
		return strconv.FormatInt(v.Int, 10)
	case KindString:
		return "'" + strings.ReplaceAll(v.Text, "'", "''") + "'"
	case KindDateTime:
		return formatDateTime(v.Time)
	}
	return v.Text
}

// The layouts of date-times.
const (
	// odataDateTime writes a date-time with its offset (Z for UTC) and only the milliseconds it has.
	odataDateTime = "2006-01-02T15:04:05.999Z07:00"
)

func formatDateTime(t time.Time) string { return t.Format(odataDateTime) }

// formatDuration writes d as an OData duration literal: duration'P1DT2H30M'.
func formatDuration(d time.Duration) string {
	var b strings.Builder
	b.WriteString("duration'")
	u := uint64(d)
	if d < 0 {
		b.WriteByte('-')
		u = uint64(-d) // -MinInt64 wraps to itself, whose uint64 is right
	}
	b.WriteByte('P')
	day := uint64(24 * time.Hour)
	if days := u / day; days > 0 {
		b.WriteString(strconv.FormatUint(days, 10) + "D")
		u %= day
	}
	if u > 0 || d == 0 {
		b.WriteByte('T')
	}
	if h := u / uint64(time.Hour); h > 0 {
		b.WriteString(strconv.FormatUint(h, 10) + "H")
		u %= uint64(time.Hour)
	}
	if m := u / uint64(time.Minute); m > 0 {
		b.WriteString(strconv.FormatUint(m, 10) + "M")
		u %= uint64(time.Minute)
	}
	if u > 0 || d == 0 {
		s := strconv.FormatUint(u/uint64(time.Second), 10)
		if frac := u % uint64(time.Second); frac > 0 {
			s += "." + strings.TrimRight(fmt.Sprintf("%09d", frac), "0")
		}
		b.WriteString(s + "S")
	}
	b.WriteByte('\'')
	return b.String()
}

// maxDuration is the longest duration a filter may use.
const maxDuration = 36500 * 24 * time.Hour

// parseDuration reads the ISO 8601 day-time duration inside duration'...':
// [-]P[nD][T[nH][nM][n[.f]S]]. Years and months are not durations in OData.
func parseDuration(s string) (time.Duration, error) {
	const hint = "write a duration such as P30D, PT2H or P1DT12H30M (days, hours, minutes, seconds)"
	neg := strings.HasPrefix(s, "-")
	rest := strings.TrimPrefix(s, "-")
	if !strings.HasPrefix(rest, "P") || len(rest) == 1 {
		return 0, fmt.Errorf("%q is not a duration: %s", s, hint)
	}
	rest = rest[1:]
	var total float64
	var exact int64
	inTime, seen := false, false
	units := "D"
	for rest != "" {
		if rest[0] == 'T' && !inTime {
			inTime, units, rest = true, "HMS", rest[1:]
			if rest == "" {
				return 0, fmt.Errorf("%q is not a duration: nothing follows T; %s", s, hint)
			}
			continue
		}
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, fmt.Errorf("%q is not a duration: %s", s, hint)
		}
		num, unit := rest[:i], rest[i]
		k := strings.IndexByte(units, unit)
		if k < 0 {
			if unit == 'Y' || unit == 'M' && !inTime || unit == 'W' {
				return 0, fmt.Errorf("%q is not a duration: years, months and weeks vary in length; %s", s, hint)
			}
			return 0, fmt.Errorf("%q is not a duration: unexpected %q; %s", s, unit, hint)
		}
		units = units[k+1:]
		if strings.Contains(num, ".") && unit != 'S' {
			return 0, fmt.Errorf("%q is not a duration: only seconds may have a fraction; %s", s, hint)
		}
		n, err := strconv.ParseFloat(num, 64)
		if err != nil || strings.Count(num, ".") > 1 || strings.HasSuffix(num, ".") || strings.HasPrefix(num, ".") {
			return 0, fmt.Errorf("%q is not a duration: %s", s, hint)
		}
		unitDur := map[byte]time.Duration{'D': 24 * time.Hour, 'H': time.Hour, 'M': time.Minute, 'S': time.Second}[unit]
		total += n * float64(unitDur)
		if unit == 'S' && strings.Contains(num, ".") {
			whole, frac, _ := strings.Cut(num, ".")
			frac = (frac + "000000000")[:9]
			w, _ := strconv.ParseInt(whole, 10, 64)
			f, _ := strconv.ParseInt(frac, 10, 64)
			exact += w*int64(time.Second) + f
		} else {
			w, _ := strconv.ParseInt(num, 10, 64)
			exact += w * int64(unitDur)
		}
		seen = true
		rest = rest[i+1:]
	}
	if !seen {
		return 0, fmt.Errorf("%q is not a duration: %s", s, hint)
	}
	// total, in floating point, guards the exact sum against overflow.
	if total > float64(maxDuration) {
		return 0, fmt.Errorf("%q is too long a duration: stay within 36500 days (100 years)", s)
	}
	if neg {
		exact = -exact
	}
	return time.Duration(exact), nil
}
