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
	"switchyard/core/values"
)

// kindOf is the narrowest type that holds the text s: the codec's
// values.KindOfText.
func kindOf(s string) meta.Type { return values.KindOfText(s) }

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
		return values.ParseBool(s)
	case meta.DateTime:
		return values.ParseDateTime(s)
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
			t, err := values.ParseDateTime(x)
			if err != nil {
				return "", fmt.Errorf("field %s: %w", f.Name, err)
			}
			return values.FormatRFC3339(t), nil
		}
		return x, nil
	case time.Time:
		if f.Type == meta.Date {
			return values.FormatDate(x), nil
		}
		return values.FormatRFC3339(x), nil
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
