package values

import (
	"encoding/json"
	"testing"
)

func TestKeyText(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{"ACC-1", "ACC-1"},
		{int64(42), "42"},
		{1234567890123.45, "1234567890123.45"}, // fmt.Sprint says 1.23456789012345e+12
		{10.5, "10.5"},
		{float64(1e21), "1000000000000000000000"},
		{json.Number("10.50"), "10.5"},
		{json.Number("1234567890123.45"), "1234567890123.45"},
		{json.Number("-0.0"), "0"},
		{true, "1"},
		{false, "0"},
		{nil, "<nil>"},
	} {
		if got := KeyText(tc.v); got != tc.want {
			t.Errorf("KeyText(%#v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
