package values

import (
	"encoding/json"
	"math"
	"testing"
)

func TestJSONNumber(t *testing.T) {
	tests := []struct {
		in      any
		want    any
		wantErr string
	}{
		{int64(7), int64(7), ""},
		{1.5, 1.5, ""},
		{json.Number("12.50"), json.Number("12.50"), ""},
		{" 12.50 ", json.Number("12.50"), ""},
		{"12345678901234567890.123", json.Number("12345678901234567890.123"), ""},
		{"abc", nil, `"abc" is not a number`},
		{math.Inf(1), nil, "+Inf is not a finite number"},
		{math.NaN(), nil, "NaN is not a finite number"},
		{true, nil, "true (bool) is not a number"},
	}
	for _, tt := range tests {
		got, err := JSONNumber(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("JSONNumber(%#v) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("JSONNumber(%#v) = %#v, %v; want %#v", tt.in, got, err, tt.want)
		}
	}
}

func TestCanonicalDecimal(t *testing.T) {
	tests := []struct{ in, want string }{
		{"12.50", "12.5"}, {"-007.500", "-7.5"}, {"0.000", "0"}, {"1e3", "1000"}, {"1.5E-2", "0.015"},
		{"123456789012345678901234567890.123456789", "123456789012345678901234567890.123456789"},
	}
	for _, tt := range tests {
		if got, err := CanonicalDecimal(tt.in); err != nil || got != tt.want {
			t.Errorf("CanonicalDecimal(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "x", "1/2", "1.2.3"} {
		if got, err := CanonicalDecimal(in); err == nil {
			t.Errorf("CanonicalDecimal(%q) = %q, want an error", in, got)
		}
	}
}

func TestParseBool(t *testing.T) {
	for in, want := range map[string]bool{"true": true, "TRUE": true, " False ": false, "1": true, "0": false} {
		if got, err := ParseBool(in); err != nil || got != want {
			t.Errorf("ParseBool(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseBool("maybe"); err == nil {
		t.Error("ParseBool(maybe) took it")
	}
}
