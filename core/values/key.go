package values

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// KeyText is the text a match key is compared by, the same for a value the
// engine converted from a record and for the value the workspace gives back
// for it: strings as they are; integers in decimal; decimals (json.Number,
// and the float64 SQLite gives back for a decimal column) in canonical form,
// without an exponent or trailing zeros (1234567890123.45, 10.5); booleans 1
// and 0, as stored. Anything else is fmt.Sprint's text.
func KeyText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		if c, err := CanonicalDecimal(x.String()); err == nil {
			return c
		}
		return x.String()
	case bool:
		if x {
			return "1"
		}
		return "0"
	}
	return fmt.Sprint(v)
}
