package values

import (
	"encoding/json"
	"strings"
	"time"

	"switchyard/core/meta"
)

// KindOfText is the narrowest type that holds the text s, as a file cell
// holds it: whole numbers, numbers, true or false (any case), dates,
// date-times with or without an offset (+01:00, not +0100), GUIDs, else
// string. Whole numbers with leading zeros ("007", a code rather than a
// number) are text. Inferring a file's types asks this of every value, so
// the shapes are checked by hand, not by regular expressions.
func KindOfText(s string) meta.Type {
	switch {
	case IsIntText(s):
		if digits := TrimSign(s); len(digits) > 1 && digits[0] == '0' {
			return meta.String
		}
		return meta.Int
	case IsNumberText(s):
		return meta.Decimal
	case strings.EqualFold(s, "true") || strings.EqualFold(s, "false"):
		return meta.Bool
	case IsDateText(s):
		if _, err := time.Parse(time.DateOnly, s); err == nil {
			return meta.Date
		}
	case IsDateTimeText(s):
		if _, err := ParseDateTime(s); err == nil {
			return meta.DateTime
		}
	case meta.IsGUIDText(s):
		return meta.GUID
	}
	return meta.String
}

// IsDateTimeText reports whether s has the shape of a date-time as text
// (a file's cell) writes one: an offset, when there is one, as +01:00.
func IsDateTimeText(s string) bool {
	zone, ok := DateTimeShape(s)
	return ok && zone != ZoneCompact
}

// KindOfJSON is the narrowest type that holds the JSON value v (decoded
// with UseNumber): booleans, whole numbers, other numbers, and among
// strings dates, date-times that give their offset (a JSON API's instant
// always does; one without is text), and GUIDs; anything else is string.
func KindOfJSON(v any) meta.Type {
	switch x := v.(type) {
	case bool:
		return meta.Bool
	case json.Number:
		if _, err := x.Int64(); err == nil && !strings.ContainsAny(x.String(), ".eE") {
			return meta.Int
		}
		return meta.Decimal
	case string:
		if zone, ok := DateTimeShape(x); ok {
			if _, err := ParseDateTimeOffset(x); zone != ZoneNone && err == nil {
				return meta.DateTime
			}
		} else if IsDate(x) {
			return meta.Date
		} else if meta.IsGUIDText(x) {
			return meta.GUID
		}
	}
	return meta.String
}
