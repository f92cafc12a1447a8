package odata

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"switchyard/core/meta"
	"switchyard/core/values"
)

// decodeValue converts a JSON value (decoded with UseNumber) of a field of
// type t into the Go type connector.Query documents, by the value codec's
// rules and OData's (Int64 and Decimal as text with IEEE754Compatible, INF
// and NaN for doubles). Values that stay as they are return v itself: boxing
// them again would allocate for every field of every record. A value it
// refuses gives nil, whatever the parser left.
func decodeValue(t meta.Type, v any) (any, error) {
	x, err := decodeRaw(t, v)
	if err != nil {
		return nil, err
	}
	return x, nil
}

func decodeRaw(t meta.Type, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t {
	case meta.Int:
		switch x := v.(type) {
		case json.Number:
			return x.Int64()
		case string: // IEEE754Compatible=true sends Int64 as text
			return strconv.ParseInt(x, 10, 64)
		}
	case meta.Decimal:
		switch x := v.(type) {
		case json.Number:
			return v, nil
		case string:
			n, err := values.ParseDecimalText(x)
			if err != nil {
				return nil, fmt.Errorf("decimal %q is not a number", x)
			}
			return n, nil
		}
	case meta.Double:
		switch x := v.(type) {
		case json.Number:
			return x.Float64()
		case string: // "INF", "-INF", "NaN"
			switch x {
			case "INF":
				return math.Inf(1), nil
			case "-INF":
				return math.Inf(-1), nil
			case "NaN":
				return math.NaN(), nil
			}
			return strconv.ParseFloat(x, 64)
		}
	case meta.Bool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case meta.DateTime:
		if s, ok := v.(string); ok {
			tm, err := values.ParseDateTimeOffset(s)
			if err != nil {
				return nil, fmt.Errorf("datetime %q is not RFC 3339", s)
			}
			return tm, nil
		}
	case meta.Date:
		if s, ok := v.(string); ok {
			if !values.IsDate(s) {
				return nil, fmt.Errorf("date %q is not YYYY-MM-DD", s)
			}
			return v, nil
		}
	case meta.GUID:
		if s, ok := v.(string); ok {
			if lower := strings.ToLower(s); lower != s {
				return lower, nil
			}
			return v, nil
		}
	case meta.String, meta.Time, meta.Binary, meta.Lookup:
		switch x := v.(type) {
		case string:
			return v, nil
		case json.Number: // enum values sent as numbers, numeric keys of lookups
			return x.String(), nil
		}
	default:
		return v, nil
	}
	return nil, fmt.Errorf("a %s field cannot hold the JSON value %v (%T)", t, v, v)
}

// encodeValue converts a record value of a field of type t into what the
// service expects in a JSON body.
func encodeValue(t meta.Type, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t {
	case meta.DateTime:
		switch x := v.(type) {
		case time.Time:
			return values.FormatRFC3339(x), nil
		case string:
			tm, err := values.ParseDateTimeOffset(x)
			if err != nil {
				return nil, fmt.Errorf("datetime %q is not RFC 3339", x)
			}
			return values.FormatRFC3339(tm), nil
		}
	case meta.Date:
		switch x := v.(type) {
		case time.Time:
			return values.FormatDate(x), nil // the calendar date as given, never shifted to UTC
		case string:
			if !values.IsDate(x) {
				return nil, fmt.Errorf("date %q is not YYYY-MM-DD", x)
			}
			return x, nil
		}
	case meta.Int, meta.Decimal, meta.Double:
		return values.JSONNumber(v)
	case meta.Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			return values.ParseBool(x)
		}
	case meta.GUID:
		if s, ok := v.(string); ok {
			return strings.ToLower(s), nil
		}
	default:
		switch x := v.(type) {
		case string, bool, json.Number:
			return x, nil
		case fmt.Stringer:
			return x.String(), nil
		}
		return fmt.Sprint(v), nil
	}
	return nil, fmt.Errorf("a %s field cannot take %v (%T)", t, v, v)
}

// keyLiteral formats one key value for a URL path: strings quoted with ”
// doubled, GUIDs and numbers bare, path-escaped.
func keyLiteral(t meta.Type, v any) (string, error) {
	if v == nil {
		return "", fmt.Errorf("the key is empty")
	}
	var lit string
	switch t {
	case meta.String, meta.Date, meta.Time:
		if tm, ok := v.(time.Time); ok && t == meta.Date {
			return values.FormatDate(tm), nil
		}
		s := fmt.Sprint(v)
		if t == meta.String {
			s = "'" + strings.ReplaceAll(s, "'", "''") + "'"
		}
		lit = s
	case meta.DateTime:
		switch x := v.(type) {
		case time.Time:
			lit = values.FormatRFC3339(x)
		default:
			lit = fmt.Sprint(v)
		}
	case meta.GUID:
		lit = strings.ToLower(fmt.Sprint(v))
	default:
		lit = fmt.Sprint(v)
	}
	// Quotes stay readable: OData servers take them as they are.
	return strings.ReplaceAll(url.PathEscape(lit), "%27", "'"), nil
}

// filterLiteral formats a value for $filter text.
func filterLiteral(t meta.Type, tm time.Time) string {
	if t == meta.Date {
		return values.FormatDate(tm.UTC())
	}
	return values.FormatRFC3339(tm)
}
