package file

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"switchyard/core/meta"
	"switchyard/core/values"
)

// How the numbers and dates of a CSV file are written: the decimal and
// dateformat settings. The zero locale is the default: a decimal point, no
// thousands separators, ISO 8601 dates. Workbooks hold typed cells and use
// the zero locale.
type locale struct {
	// comma: the decimal separator is ","; "." and spaces then separate
	// thousands on read (none are written).
	comma bool
	// dateRead and dateWrite are the Go layouts of a date ("" for ISO 8601):
	// dateRead accepts days and months of one or two digits.
	dateRead, dateWrite string
}

// The values of the decimal setting.
const (
	DecimalPoint = "."
	DecimalComma = ","
)

// DateISO is the default of the dateformat setting.
const DateISO = "YYYY-MM-DD"

// namedDates are the dateformat setting's names: their read and write layouts.
var namedDates = map[string][2]string{
	DateISO:      {"", ""},
	"ISO":        {"", ""},
	"DD.MM.YYYY": {"2.1.2006", "02.01.2006"},
	"DD/MM/YYYY": {"2/1/2006", "02/01/2006"},
	"MM/DD/YYYY": {"1/2/2006", "01/02/2006"},
	"DD-MM-YYYY": {"2-1-2006", "02-01-2006"},
}

// newLocale checks the decimal and dateformat settings.
func newLocale(decimal, dateformat string) (locale, error) {
	var l locale
	switch strings.TrimSpace(decimal) {
	case "", DecimalPoint:
	case DecimalComma:
		l.comma = true
	default:
		return l, fmt.Errorf(`decimal must be "." or ",", not %q`, decimal)
	}
	df := strings.TrimSpace(dateformat)
	if df == "" {
		return l, nil
	}
	if named, ok := namedDates[strings.ToUpper(df)]; ok {
		l.dateRead, l.dateWrite = named[0], named[1]
		return l, nil
	}
	// A Go reference layout: it must write a date and read it back, and hold
	// no clock.
	sample := time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
	back, err := time.Parse(df, sample.Format(df))
	if err != nil || !back.Equal(sample) || strings.ContainsAny(df, ":") || strings.Contains(df, "15") {
		return l, fmt.Errorf("dateformat must be %s, DD.MM.YYYY, DD/MM/YYYY, MM/DD/YYYY, DD-MM-YYYY or a Go date layout such as 02.01.2006, not %q", DateISO, dateformat)
	}
	if df != time.DateOnly {
		l.dateRead, l.dateWrite = df, df
	}
	return l, nil
}

// plain reports whether l is the default locale.
func (l locale) plain() bool { return !l.comma && l.dateRead == "" }

// isThousands reports whether r separates thousands in a number with a decimal comma.
func isThousands(r rune) bool { return r == '.' || r == ' ' || r == '\u00a0' || r == '\u202f' }

// number returns the number text s as Go writes it (a decimal point, no
// thousands separators), when s is a number as l writes it: with a decimal
// comma, 1.234,56 and 1 234,56 are 1234.56 (thousands in groups of three
// after a first group of one to three digits, one separator throughout).
func (l locale) number(s string) (string, bool) {
	if !l.comma {
		return s, values.IsNumberText(s)
	}
	sign := ""
	if s != "" && (s[0] == '+' || s[0] == '-') {
		sign, s = s[:1], s[1:]
	}
	mant, exp := s, ""
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant, exp = s[:i], s[i:]
	}
	whole, frac, hasFrac := strings.Cut(mant, ",")
	digits := whole
	if n := values.LeadingDigits(whole); n != len(whole) {
		// Grouped: 1-3 digits, then (separator, 3 digits) repeated.
		if n < 1 || n > 3 {
			return "", false
		}
		var sep rune
		var b strings.Builder
		b.WriteString(whole[:n])
		rest := whole[n:]
		for rest != "" {
			r, size := rune(rest[0]), 1
			if r >= 0x80 {
				r, size = utf8.DecodeRuneInString(rest)
			}
			if !isThousands(r) || (sep != 0 && r != sep) {
				return "", false
			}
			sep = r
			rest = rest[size:]
			if values.LeadingDigits(rest) < 3 || (len(rest) > 3 && rest[3] >= '0' && rest[3] <= '9') {
				return "", false
			}
			b.WriteString(rest[:3])
			rest = rest[3:]
		}
		digits = b.String()
	}
	canon := sign + digits
	if hasFrac {
		canon += "." + frac
	}
	canon += exp
	return canon, values.IsNumberText(canon)
}

// date returns the ISO 8601 text of the date s as l writes it (or as ISO 8601).
func (l locale) date(s string) (string, bool) {
	if values.IsDateText(s) {
		if !values.IsDate(s) {
			return "", false
		}
		return s, true
	}
	if l.dateRead == "" || s == "" || len(s) > 32 {
		return "", false
	}
	t, err := time.Parse(l.dateRead, s)
	if err != nil {
		return "", false
	}
	return values.FormatDate(t), true
}

// dateTime reads a date-time as l writes it (the date, a space and
// 15:04[:05[.fraction]], taken as UTC) or in ISO 8601.
func (l locale) dateTime(s string) (time.Time, error) {
	t, err := values.ParseDateTime(s)
	if err == nil || l.dateRead == "" {
		return t, err
	}
	s = strings.TrimSpace(s)
	for _, layout := range []string{l.dateRead + " 15:04:05", l.dateRead + " 15:04", l.dateRead} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date-time as %s or ISO 8601", s, l.dateWrite+" 15:04:05")
}

// kind is kindOf for text as l writes it.
func (l locale) kind(s string) meta.Type {
	if l.plain() {
		return kindOf(s)
	}
	if canon, ok := l.number(s); ok {
		return kindOf(canon)
	}
	if l.comma && values.IsNumberText(s) {
		return meta.String // 1.5 with a decimal comma is no number
	}
	if l.dateRead != "" && s != "" && s[0] >= '0' && s[0] <= '9' && !values.IsDateText(s) && !values.IsDateTimeText(s) {
		if _, ok := l.date(s); ok {
			return meta.Date
		}
		if strings.IndexByte(s, ':') > 0 {
			if _, err := l.dateTime(s); err == nil {
				return meta.DateTime
			}
		}
	}
	return kindOf(s)
}

// decode converts a cell's text into the connector type of t; "" is empty.
func (l locale) decode(t meta.Type, s string) (any, error) {
	if l.plain() {
		return decodeCell(t, s)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	switch t {
	case meta.Int, meta.Decimal, meta.Double:
		canon, ok := l.number(s)
		if !ok {
			return nil, fmt.Errorf("%q is not a number with the decimal separator %q", s, l.separator())
		}
		return decodeCell(t, canon)
	case meta.Date:
		iso, ok := l.date(s)
		if !ok {
			return nil, fmt.Errorf("%q is not a date as %s", s, l.dateName())
		}
		return iso, nil
	case meta.DateTime:
		return l.dateTime(s)
	}
	return decodeCell(t, s)
}

func (l locale) separator() string {
	if l.comma {
		return DecimalComma
	}
	return DecimalPoint
}

func (l locale) dateName() string {
	if l.dateWrite == "" {
		return DateISO
	}
	return l.dateWrite
}

// encode writes a record value as cell text for the field f: numbers with
// l's decimal separator, dates and date-times in its date format (date-times
// in UTC, seconds and any fraction written), the rest as encodeCell does.
// untyped tells that f's column holds no values yet: an ISO 8601 date
// given as text is then written as a date.
func (l locale) encode(f meta.Field, v any, untyped bool) (string, error) {
	if l.plain() {
		return encodeCell(f, v)
	}
	switch x := v.(type) {
	case json.Number, float64, float32:
		s, err := encodeCell(f, v)
		return l.decimalText(s), err
	case time.Time:
		if f.Type == meta.Date {
			return l.dateText(values.FormatDate(x)), nil
		}
		return l.dateTimeText(x), nil
	case string:
		switch {
		case (f.Type == meta.Decimal || f.Type == meta.Double) && values.IsNumberText(x):
			return l.decimalText(x), nil
		case f.Type == meta.Date || (untyped && values.IsDateText(x)):
			if iso, ok := (locale{}).date(x); ok {
				return l.dateText(iso), nil
			}
		case f.Type == meta.DateTime:
			t, err := values.ParseDateTime(x)
			if err != nil {
				return "", fmt.Errorf("field %s: %w", f.Name, err)
			}
			return l.dateTimeText(t), nil
		}
	}
	return encodeCell(f, v)
}

// decimalText writes the Go number text s with l's decimal separator.
func (l locale) decimalText(s string) string {
	if !l.comma {
		return s
	}
	return strings.Replace(s, ".", ",", 1)
}

// dateText writes the ISO 8601 date iso in l's date format.
func (l locale) dateText(iso string) string {
	if l.dateWrite == "" {
		return iso
	}
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return t.Format(l.dateWrite)
}

// dateTimeText writes t (in UTC) in l's date format with the time of day.
func (l locale) dateTimeText(t time.Time) string {
	t = t.UTC()
	if l.dateWrite == "" {
		return values.FormatRFC3339(t)
	}
	return t.Format(l.dateWrite + " 15:04:05.999999999")
}

// sameText reports whether the cell texts a and b of a column of type t
// hold the same value as l reads them ("1.50" and "1.5", "01.02.2024" and
// "1.2.2024"), so that a write keeps a cell that it would not change.
func (l locale) sameText(t meta.Type, a, b string) bool {
	if a == b {
		return true
	}
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if a == b {
		return true
	}
	if a == "" || b == "" {
		return false
	}
	switch t {
	case meta.Int, meta.Decimal, meta.Double:
		x, okx := l.number(a)
		y, oky := l.number(b)
		if !okx || !oky {
			return false
		}
		return sameNumber(x, y)
	case meta.Date, meta.DateTime, meta.Bool, meta.GUID:
		x, errx := l.decode(t, a)
		y, erry := l.decode(t, b)
		if errx != nil || erry != nil {
			return false
		}
		if tx, ok := x.(time.Time); ok {
			ty, ok := y.(time.Time)
			return ok && tx.Equal(ty)
		}
		return x == y
	}
	return false
}

// sameNumber reports whether the Go number texts x and y are the same number.
func sameNumber(x, y string) bool {
	if x == y {
		return true
	}
	a, errA := strconv.ParseFloat(x, 64)
	b, errB := strconv.ParseFloat(y, 64)
	if errA != nil || errB != nil || a != b {
		return false
	}
	// Equal as floats: equal as decimals too unless they have more digits
	// than a float holds.
	return significant(x) <= 15 && significant(y) <= 15
}

// significant counts the significant digits of a Go number text.
func significant(s string) int {
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimLeft(values.TrimSign(s), "0.")
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.Replace(s, ".", "", 1), "0")
	} else {
		s = strings.TrimRight(s, "0")
	}
	return len(s)
}
