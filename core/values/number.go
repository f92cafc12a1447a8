package values

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// LeadingDigits counts the ASCII digits s starts with.
func LeadingDigits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// digitsAt reports whether s[i:i+n] are n ASCII digits.
func digitsAt(s string, i, n int) bool {
	return i+n <= len(s) && LeadingDigits(s[i:i+n]) == n
}

// allDigits reports whether s holds ASCII digits only.
func allDigits(s string) bool { return LeadingDigits(s) == len(s) }

// TrimSign returns s without a leading + or -.
func TrimSign(s string) string {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		return s[1:]
	}
	return s
}

// IsIntText reports whether s has the shape of a whole number that fits an
// int64 with room to spare: [+-]?\d{1,18}.
func IsIntText(s string) bool {
	s = TrimSign(s)
	n := LeadingDigits(s)
	return n >= 1 && n <= 18 && n == len(s)
}

// IsNumberText reports whether s has the shape of a number literal:
// [+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?.
func IsNumberText(s string) bool {
	s = TrimSign(s)
	if n := LeadingDigits(s); n > 0 {
		s = s[n:]
		if s != "" && s[0] == '.' {
			s = s[1:]
			s = s[LeadingDigits(s):]
		}
	} else {
		if s == "" || s[0] != '.' {
			return false
		}
		m := LeadingDigits(s[1:])
		if m == 0 {
			return false
		}
		s = s[1+m:]
	}
	if s != "" && (s[0] == 'e' || s[0] == 'E') {
		s = TrimSign(s[1:])
		m := LeadingDigits(s)
		if m == 0 {
			return false
		}
		s = s[m:]
	}
	return s == ""
}

// ParseDecimalText returns the decimal text s, trimmed, as a json.Number
// that keeps its digits, or an error when s is no number.
func ParseDecimalText(s string) (json.Number, error) {
	s = strings.TrimSpace(s)
	if _, err := strconv.ParseFloat(s, 64); err != nil {
		return "", fmt.Errorf("%q is not a number", s)
	}
	return json.Number(s), nil
}

// JSONNumber returns v, a number of any Go kind or a number's text, as a
// JSON number: text becomes a json.Number that keeps its digits; infinities
// and NaN, which JSON cannot write, are refused.
func JSONNumber(v any) (any, error) {
	switch x := v.(type) {
	case json.Number, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32:
		return x, nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, fmt.Errorf("%v is not a finite number", x)
		}
		return x, nil
	case string:
		n, err := ParseDecimalText(x)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", x)
		}
		return n, nil
	}
	return nil, fmt.Errorf("%v (%T) is not a number", v, v)
}

// ParseBool reads true or false in any case, as text; errors name s.
func ParseBool(s string) (bool, error) {
	return strconv.ParseBool(strings.ToLower(strings.TrimSpace(s)))
}

// CanonicalDecimal rewrites the decimal literal s without exponent and
// without insignificant zeros (no leading zeros, no trailing zeros after the
// point), so that equal values compare equal as text.
func CanonicalDecimal(s string) (string, error) {
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

// plainDecimal is CanonicalDecimal for the usual literal, digits with an
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
