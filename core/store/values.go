package store

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"switchyard/core/meta"
)

// dateLayout is how the workspace stores dates.
const dateLayout = "2006-01-02"

var (
	timeRE = regexp.MustCompile(`^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$`)
)

// EncodeValue converts v to the value the workspace stores for a field of
// type t (see docs/workspace.md): string TEXT, int int64, decimal the
// canonical decimal text, double float64, bool 0/1, date "YYYY-MM-DD",
// datetime ISO 8601 in UTC with milliseconds (seven fractional digits when
// the value is finer), time "HH:MM:SS", guid lower
// case, binary bytes, lookup the target row's id. It accepts nil, string,
// bool, the integer and float kinds, json.Number, time.Time and []byte, and
// says plainly when a value does not fit the type. A date taken from a
// time.Time or a date-time text keeps the calendar day it was written with:
// it never moves by a day with the time zone.
func EncodeValue(t meta.Type, v any) (any, error) {
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
		return encodeString(v), nil
	case meta.Int:
		if _, ok := v.(int64); ok {
			return v, nil
		}
		return encodeInt(v)
	case meta.Decimal:
		return encodeDecimal(v)
	case meta.Double:
		if _, ok := v.(float64); ok {
			return v, nil
		}
		return encodeDouble(v)
	case meta.Bool:
		return encodeBool(v)
	case meta.Date:
		if s, ok := v.(string); ok && len(s) == len(dateLayout) && startsWithDate(s) {
			if _, err := time.Parse(dateLayout, s); err == nil {
				return v, nil
			}
		}
		return encodeDate(v)
	case meta.DateTime:
		return encodeDateTime(v)
	case meta.Time:
		s, ok := v.(string)
		if !ok || !timeRE.MatchString(s) {
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

func encodeString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case time.Time:
		return x.UTC().Format(timeLayout)
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func encodeInt(v any) (any, error) {
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

// encodeDecimal returns the canonical decimal text of v: no exponent, no
// leading zeros, no trailing zeros after the point, so equal values compare equal.
func encodeDecimal(v any) (any, error) {
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
	c, err := canonicalDecimal(s)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// plainDecimal is canonicalDecimal for the usual literal, digits with an
// optional sign and fraction ("-12.50"), without going through big.Rat; ok
// is false for anything else.
func plainDecimal(s string) (c string, ok bool) {
	digits := s
	neg := strings.HasPrefix(digits, "-")
	if neg {
		digits = digits[1:]
	}
	whole, frac, dot := strings.Cut(digits, ".")
	if whole == "" || (dot && frac == "") || !allDigits(whole) || !allDigits(frac) {
		return "", false
	}
	w := strings.TrimLeft(whole, "0")
	if w == "" {
		w = "0"
	}
	f := strings.TrimRight(frac, "0")
	switch {
	case w == "0" && f == "":
		return "0", true
	case w == whole && f == frac && (f != "" || !dot):
		return s, true // canonical already: no copy
	}
	c = w
	if f != "" {
		c += "." + f
	}
	if neg {
		c = "-" + c
	}
	return c, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// canonicalDecimal rewrites the decimal literal s without exponent and without insignificant zeros.
func canonicalDecimal(s string) (string, error) {
	if c, ok := plainDecimal(s); ok {
		return c, nil
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || strings.ContainsAny(s, "/") {
		return "", fmt.Errorf("%q is not a decimal number", s)
	}
	if r.IsInt() {
		return r.Num().String(), nil
	}
	// The exact digits: a terminating decimal has at most as many as the literal had.
	out := r.FloatString(len(s) + 20)
	out = strings.TrimRight(out, "0")
	return strings.TrimSuffix(out, "."), nil
}

func encodeDouble(v any) (any, error) {
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

func encodeBool(v any) (any, error) {
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
			return encodeBool(b)
		}
	}
	return nil, fmt.Errorf("%v is not true or false", v)
}

func encodeDate(v any) (any, error) {
	switch x := v.(type) {
	case time.Time:
		return x.Format(dateLayout), nil // the day as written, in its own zone
	case string:
		s := strings.TrimSpace(x)
		if startsWithDate(s) {
			if _, err := time.Parse(dateLayout, s[:10]); err == nil {
				return s[:10], nil
			}
		}
	}
	return nil, fmt.Errorf("%v is not a date: use YYYY-MM-DD", v)
}

// fineTimeLayout is how the workspace stores a date-time whose fraction of a
// second is finer than milliseconds: seven digits, Edm.DateTimeOffset's
// finest precision (Dataverse and SQL Server's datetime2 use all seven).
const fineTimeLayout = "2006-01-02T15:04:05.0000000Z"

// formatDateTime renders t as the workspace stores date-times: in UTC, with
// three fractional digits when t is a whole millisecond (as every date-time
// stored before was), else with seven, so that a value read from a system
// that keeps ten-millionths of a second goes back to it unchanged.
func formatDateTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()%int(time.Millisecond) == 0 {
		return t.Format(timeLayout)
	}
	return t.Format(fineTimeLayout)
}

func encodeDateTime(v any) (any, error) {
	switch x := v.(type) {
	case time.Time:
		return formatDateTime(x), nil
	case string:
		if stored, ok := storedDateTime(x); ok {
			return stored, nil
		}
		s := strings.TrimSpace(x)
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04", dateLayout} {
			if t, err := time.Parse(layout, s); err == nil {
				return formatDateTime(t), nil
			}
		}
	}
	return nil, fmt.Errorf("%v is not a date-time: use ISO 8601 such as 2024-05-01T08:30:00Z", v)
}

// storedDateTime returns s as the workspace stores it when s is a UTC time
// written that way already, or without its milliseconds (as SAP CAP and
// Dataverse send them), without parsing and formatting it: a large import
// meets millions of these.
func storedDateTime(s string) (string, bool) {
	switch {
	case len(s) == len(timeLayout) && s[19] == '.' && s[23] == 'Z' && allDigits(s[20:23]) && isClock(s[:19]):
		return s, true
	case len(s) == len(fineTimeLayout) && s[19] == '.' && s[27] == 'Z' && allDigits(s[20:27]) && s[23:27] != "0000" && isClock(s[:19]):
		return s, true
	case len(s) == 20 && s[19] == 'Z' && isClock(s[:19]):
		return s[:19] + ".000Z", true
	}
	return "", false
}

// isClock reports whether s is a valid "2006-01-02T15:04:05".
func isClock(s string) bool {
	if len(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
		!allDigits(s[0:4]) || !allDigits(s[5:7]) || !allDigits(s[8:10]) || !allDigits(s[11:13]) || !allDigits(s[14:16]) || !allDigits(s[17:19]) {
		return false
	}
	num := func(d string) int {
		n := 0
		for i := range len(d) {
			n = n*10 + int(d[i]-'0')
		}
		return n
	}
	year, month, day := num(s[0:4]), num(s[5:7]), num(s[8:10])
	if month < 1 || month > 12 || day < 1 || num(s[11:13]) > 23 || num(s[14:16]) > 59 || num(s[17:19]) > 59 {
		return false
	}
	return day <= time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() // the month's last day
}

// SameStored reports whether the encoded value a (from EncodeValue) equals b
// as read back from a column of type t: SQLite hands decimals back as
// numbers, and the comparison must not see a change where there is none.
func SameStored(t meta.Type, a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	switch t {
	case meta.Decimal:
		// SQLite's NUMERIC keeps 15 significant digits (docs/workspace.md).
		fa, err1 := encodeDouble(decimalText(a))
		fb, err2 := encodeDouble(decimalText(storedNumber(b)))
		return err1 == nil && err2 == nil &&
			strconv.FormatFloat(fa.(float64), 'g', 15, 64) == strconv.FormatFloat(fb.(float64), 'g', 15, 64)
	case meta.Double:
		fa, err1 := encodeDouble(a)
		fb, err2 := encodeDouble(b)
		return err1 == nil && err2 == nil && fa == fb
	case meta.Int, meta.Bool:
		ia, err1 := encodeInt(a)
		ib, err2 := encodeInt(b)
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
		ca, err1 := encodeDateTime(sa)
		cb, err2 := encodeDateTime(sb)
		return err1 == nil && err2 == nil && ca == cb
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// decimalText returns a decimal value as text, for encodeDouble.
func decimalText(v any) any {
	if s, err := encodeDecimal(v); err == nil {
		return s
	}
	return v
}

// storedNumber turns what SQLite returns for a NUMERIC column into a value encodeDecimal reads.
func storedNumber(v any) any {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v
}

// startsWithDate reports whether s begins with dddd-dd-dd.
func startsWithDate(s string) bool {
	if len(s) < 10 {
		return false
	}
	for i := 0; i < 10; i++ {
		c := s[i]
		if i == 4 || i == 7 {
			if c != '-' {
				return false
			}
		} else if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
