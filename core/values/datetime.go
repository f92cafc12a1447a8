package values

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Date-time layouts of the codec.
const (
	// StoredLayout is how the workspace stores a date-time: UTC with
	// milliseconds, as JavaScript's toISOString writes it.
	StoredLayout = "2006-01-02T15:04:05.000Z"
	// FineLayout is how the workspace stores a date-time whose fraction of a
	// second is finer than milliseconds: seven digits, Edm.DateTimeOffset's
	// finest precision (Dataverse and SQL Server's datetime2 use all seven).
	FineLayout = "2006-01-02T15:04:05.0000000Z"
)

// The layouts of ISO 8601 date-times, by how they give their offset, and
// all of them for text of no shape that DateTimeShape knows.
var (
	layoutsZ       = []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"}
	layoutsCompact = []string{"2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04Z0700"}
	layoutsLocal   = []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04"}
	layoutsOffset  = slices.Concat(layoutsZ, layoutsCompact)
	layoutsAny     = slices.Concat(layoutsOffset, layoutsLocal, []string{time.DateOnly})
)

// ParseDateTime reads an ISO 8601 date-time: a date, "T" or a space, hours
// and minutes, optional seconds with any fraction, and an offset (Z, +01:00
// or +0100). A date-time without an offset, or a date alone, is UTC. The
// result is in UTC.
func ParseDateTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil { // the usual form, without copying s
		return t.UTC(), nil
	}
	if t, ok := parseISO(s, false); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 date-time", strings.TrimSpace(s))
}

// ParseDateTimeOffset is ParseDateTime for a date-time that must say its
// offset, as JSON APIs write one (a text without an offset is no instant).
func ParseDateTimeOffset(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, ok := parseISO(s, true); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 date-time with an offset", strings.TrimSpace(s))
}

// parseISO reads s, trimmed, by the layouts its shape calls for (see
// DateTimeShape), in UTC: one without an offset only when needOffset is
// false. Text of another shape (a one-digit hour) tries every layout.
func parseISO(s string, needOffset bool) (time.Time, bool) {
	s = strings.Replace(strings.TrimSpace(s), " ", "T", 1)
	zone, ok := DateTimeShape(s)
	var layouts []string
	switch {
	case ok && zone == ZoneNone && needOffset:
		return time.Time{}, false
	case ok && zone == ZoneNone:
		layouts = layoutsLocal
	case ok && zone == ZoneCompact:
		layouts = layoutsCompact
	case ok:
		layouts = layoutsZ
	case needOffset:
		layouts = layoutsOffset
	default:
		layouts = layoutsAny
	}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// FormatStored writes t as the workspace stores date-times: in UTC, with
// three fractional digits when t is a whole millisecond (as every date-time
// stored before was), else with seven, so that a value read from a system
// that keeps ten-millionths of a second goes back to it unchanged.
func FormatStored(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()%int(time.Millisecond) == 0 {
		return t.Format(StoredLayout)
	}
	return t.Format(FineLayout)
}

// FormatMillis writes t in UTC with milliseconds, as JavaScript's
// toISOString does and the JSON APIs that use it store date-times.
func FormatMillis(t time.Time) string { return t.UTC().Format(StoredLayout) }

// FormatRFC3339 writes t in UTC as RFC 3339 with the fraction it has (none
// for a whole second): the Edm.DateTimeOffset literal, and a file's text.
func FormatRFC3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// FormatDate writes the calendar date of t as written, in t's own zone:
// a date never moves by a day with the time zone.
func FormatDate(t time.Time) string { return t.Format(time.DateOnly) }

// IsDate reports whether s is a valid date as YYYY-MM-DD.
func IsDate(s string) bool {
	if !IsDateText(s) {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// DateOf returns the date that s begins with (a date, or the date of a
// date-time text) as YYYY-MM-DD, the day as written: ok is false when s
// begins with no valid date.
func DateOf(s string) (string, bool) {
	if len(s) < 10 || !IsDate(s[:10]) {
		return "", false
	}
	return s[:10], true
}

// Zone says how a date-time text gives its offset from UTC.
type Zone int

// The ways a date-time text gives its offset.
const (
	ZoneNone    Zone = iota // no offset: local, or UTC by the codec's rule
	ZoneZ                   // Z
	ZoneColon               // +01:00
	ZoneCompact             // +0100
)

// DateTimeShape reports whether s has the shape of an ISO 8601 date-time,
// \d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?,
// and how it gives its offset. It checks the shape by hand, not by a
// regular expression: type inference asks it of every value.
func DateTimeShape(s string) (Zone, bool) {
	if len(s) < 16 || !IsDateText(s[:10]) || (s[10] != 'T' && s[10] != ' ') || !digitsAt(s, 11, 2) || s[13] != ':' || !digitsAt(s, 14, 2) {
		return ZoneNone, false
	}
	s = s[16:]
	if s != "" && s[0] == ':' {
		if !digitsAt(s, 1, 2) {
			return ZoneNone, false
		}
		s = s[3:]
		if s != "" && s[0] == '.' {
			m := LeadingDigits(s[1:])
			if m == 0 {
				return ZoneNone, false
			}
			s = s[1+m:]
		}
	}
	switch {
	case s == "":
		return ZoneNone, true
	case s == "Z":
		return ZoneZ, true
	case len(s) == 6 && (s[0] == '+' || s[0] == '-') && digitsAt(s, 1, 2) && s[3] == ':' && digitsAt(s, 4, 2):
		return ZoneColon, true
	case len(s) == 5 && (s[0] == '+' || s[0] == '-') && digitsAt(s, 1, 4):
		return ZoneCompact, true
	}
	return ZoneNone, false
}

// IsDateText reports whether s has the shape \d{4}-\d{2}-\d{2}.
func IsDateText(s string) bool {
	return len(s) == 10 && digitsAt(s, 0, 4) && s[4] == '-' && digitsAt(s, 5, 2) && s[7] == '-' && digitsAt(s, 8, 2)
}

// storedDateTime returns s as the workspace stores it when s is a UTC time
// written that way already, or without its milliseconds (as SAP CAP and
// Dataverse send them), without parsing and formatting it: a large import
// meets millions of these.
func storedDateTime(s string) (string, bool) {
	switch {
	case len(s) == len(StoredLayout) && s[19] == '.' && s[23] == 'Z' && allDigits(s[20:23]) && isClock(s[:19]):
		return s, true
	case len(s) == len(FineLayout) && s[19] == '.' && s[27] == 'Z' && allDigits(s[20:27]) && s[23:27] != "0000" && isClock(s[:19]):
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
