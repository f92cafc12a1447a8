package file

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

// kindOf is the narrowest type that holds the text s. Numbers with leading
// zeros ("007", a code rather than a number) are text. Inferring a file's
// types asks this of every value, so the shapes are checked by hand, not by
// regular expressions (TestKindOfShapes holds them to the expressions).
func kindOf(s string) meta.Type {
	switch {
	case isIntText(s):
		if len(strings.TrimLeft(s, "+-")) > 1 && strings.TrimLeft(s, "+-")[0] == '0' {
			return meta.String
		}
		return meta.Int
	case isNumberText(s):
		return meta.Decimal
	case strings.EqualFold(s, "true") || strings.EqualFold(s, "false"):
		return meta.Bool
	case isDateText(s):
		if _, err := time.Parse(time.DateOnly, s); err == nil {
			return meta.Date
		}
	case isDateTimeText(s):
		if _, err := parseDateTime(s); err == nil {
			return meta.DateTime
		}
	case meta.IsGUIDText(s):
		return meta.GUID
	}
	return meta.String
}

// leadingDigits counts the ASCII digits s starts with.
func leadingDigits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// digitsAt reports whether s[i:i+n] are n ASCII digits.
func digitsAt(s string, i, n int) bool {
	return i+n <= len(s) && leadingDigits(s[i:i+n]) == n
}

// withoutSign is s without a leading + or -.
func withoutSign(s string) string {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		return s[1:]
	}
	return s
}

// isIntText: [+-]?\d{1,18}
func isIntText(s string) bool {
	s = withoutSign(s)
	n := leadingDigits(s)
	return n >= 1 && n <= 18 && n == len(s)
}

// isNumberText: [+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?
func isNumberText(s string) bool {
	s = withoutSign(s)
	if n := leadingDigits(s); n > 0 {
		s = s[n:]
		if s != "" && s[0] == '.' {
			s = s[1:]
			s = s[leadingDigits(s):]
		}
	} else {
		if s == "" || s[0] != '.' {
			return false
		}
		m := leadingDigits(s[1:])
		if m == 0 {
			return false
		}
		s = s[1+m:]
	}
	if s != "" && (s[0] == 'e' || s[0] == 'E') {
		s = withoutSign(s[1:])
		m := leadingDigits(s)
		if m == 0 {
			return false
		}
		s = s[m:]
	}
	return s == ""
}

// isDateText: \d{4}-\d{2}-\d{2}
func isDateText(s string) bool {
	return len(s) == 10 && digitsAt(s, 0, 4) && s[4] == '-' && digitsAt(s, 5, 2) && s[7] == '-' && digitsAt(s, 8, 2)
}

// isDateTimeText: \d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?
func isDateTimeText(s string) bool {
	if len(s) < 16 || !isDateText(s[:10]) || (s[10] != 'T' && s[10] != ' ') || !digitsAt(s, 11, 2) || s[13] != ':' || !digitsAt(s, 14, 2) {
		return false
	}
	s = s[16:]
	if s != "" && s[0] == ':' {
		if !digitsAt(s, 1, 2) {
			return false
		}
		s = s[3:]
		if s != "" && s[0] == '.' {
			m := leadingDigits(s[1:])
			if m == 0 {
				return false
			}
			s = s[1+m:]
		}
	}
	return s == "" || s == "Z" || (len(s) == 6 && (s[0] == '+' || s[0] == '-') && digitsAt(s, 1, 2) && s[3] == ':' && digitsAt(s, 4, 2))
}

// parseDateTime reads an ISO 8601 date-time; one without an offset is UTC.
func parseDateTime(s string) (time.Time, error) {
	s = strings.Replace(strings.TrimSpace(s), " ", "T", 1)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 date-time", s)
}

// decodeCell converts a cell's text into the connector type of t; "" is empty.
func decodeCell(t meta.Type, s string) (any, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	switch t {
	case meta.Int:
		return strconv.ParseInt(s, 10, 64)
	case meta.Decimal:
		return json.Number(s), nil
	case meta.Double:
		return strconv.ParseFloat(s, 64)
	case meta.Bool:
		return strconv.ParseBool(strings.ToLower(s))
	case meta.DateTime:
		return parseDateTime(s)
	case meta.GUID:
		return strings.ToLower(s), nil
	}
	return s, nil
}

// encodeCell writes a record value as cell text.
func encodeCell(f meta.Field, v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		if f.Type == meta.DateTime {
			t, err := parseDateTime(x)
			if err != nil {
				return "", fmt.Errorf("field %s: %w", f.Name, err)
			}
			return t.Format(time.RFC3339Nano), nil
		}
		return x, nil
	case time.Time:
		if f.Type == meta.Date {
			return x.Format(time.DateOnly), nil
		}
		return x.UTC().Format(time.RFC3339Nano), nil
	case bool:
		return strconv.FormatBool(x), nil
	case json.Number:
		return x.String(), nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return "", fmt.Errorf("field %s: %v is not a finite number", f.Name, x)
		}
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32), nil
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprint(x), nil
	case []byte:
		return base64.StdEncoding.EncodeToString(x), nil
	}
	return fmt.Sprint(v), nil
}
