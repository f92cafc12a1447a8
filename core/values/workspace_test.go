package values

import (
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"switchyard/core/meta"
)

// TestPlainDecimalMatchesBigRat checks the fast path of canonicalDecimal against big.Rat.
func TestPlainDecimalMatchesBigRat(t *testing.T) {
	for _, s := range []string{"0", "-0", "00", "-0.000", "7", "007", "-007.500", "1.0", "12.50", "12.25", "0.5", ".5", "5.",
		"-12", "+3", "1e3", "1.5E-2", "123456789012345678901234567890.123456789", "0.000001", "1_000", "", "-", "1.2.3", " 1"} {
		got, gotOK := plainDecimal(s)
		r, ok := new(big.Rat).SetString(s)
		if !gotOK {
			continue // the slow path decides
		}
		if !ok {
			t.Errorf("plainDecimal(%q) took a literal big.Rat refuses", s)
			continue
		}
		want := r.Num().String()
		if !r.IsInt() {
			want = strings.TrimSuffix(strings.TrimRight(r.FloatString(len(s)+20), "0"), ".")
		}
		if got != want {
			t.Errorf("plainDecimal(%q) = %q, big.Rat gives %q", s, got, want)
		}
	}
}

// TestStoredDateTime: a date-time that arrives as the workspace stores it (or
// without milliseconds) is taken as it is, and gives what parsing and
// formatting it would; anything else takes the long way, errors included.
func TestStoredDateTime(t *testing.T) {
	inputs := []string{
		"2024-01-01T00:00:00.000Z", "2024-02-29T23:59:59.999Z", "1999-12-31T12:30:45Z", "0001-01-01T00:00:00Z",
		"2023-02-29T10:00:00.000Z", "2024-04-31T10:00:00Z", "2024-13-01T10:00:00Z", "2024-00-10T10:00:00Z",
		"2024-01-00T10:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T10:60:00Z", "2024-01-01T10:00:60.000Z",
		"2024-01-01T10:00:00.12Z", "2024-01-01T10:00:00.1234Z", "2024-01-01 10:00:00Z", "2024-01-01T10:00:00+01:00",
		"2024-01-01T10:00:00.000z", "2024-1-01T10:00:00Z", "2024-01-01T1a:00:00Z", "2024-01-01T10:00:00.00aZ",
		"2024-03-01T10:00:00.1234567Z", "2024-03-01T10:00:00.1230000Z", "2024-03-01T10:00:00.123456789Z", "2024-03-01T10:00:00.12345678Z",
		"2024-03-01T10:00:00.0000001Z", "2024-02-30T10:00:00.1234567Z",
	}
	for _, in := range inputs {
		want, wantErr := storedDateTimeOf(" " + in) // the long way: a space is never the stored form
		got, err := storedDateTimeOf(in)
		if (err != nil) != (wantErr != nil) || got != want {
			t.Errorf("storedDateTimeOf(%q) = %v, %v; want %v, %v", in, got, err, want, wantErr)
		}
		if stored, ok := storedDateTime(in); ok && stored != want {
			t.Errorf("storedDateTime(%q) = %q, want %v", in, stored, want)
		}
	}
	if s, ok := storedDateTime("2024-05-01T08:30:00.250Z"); !ok || s != "2024-05-01T08:30:00.250Z" {
		t.Errorf("storedDateTime of a stored time = %q, %v", s, ok)
	}
	if s, ok := storedDateTime("2024-05-01T08:30:00Z"); !ok || s != "2024-05-01T08:30:00.000Z" {
		t.Errorf("storedDateTime without milliseconds = %q, %v", s, ok)
	}
}

// TestFromStored checks the workspace-to-record rule on what SQLite hands
// back for each column type, and that it refuses what does not fit.
func TestFromStored(t *testing.T) {
	tests := []struct {
		name    string
		typ     meta.Type
		in      any
		want    any
		wantErr bool
	}{
		{"null", meta.Int, nil, nil, false},
		{"int", meta.Int, int64(42), int64(42), false},
		{"int from real", meta.Int, float64(7), int64(7), false},
		{"int from text", meta.Int, "-3", int64(-3), false},
		{"int from bad text", meta.Int, "x", nil, true},
		{"decimal from integer", meta.Decimal, int64(12), json.Number("12"), false},
		{"decimal from real", meta.Decimal, 12.5, json.Number("12.5"), false},
		{"decimal text, canonical", meta.Decimal, "0012.50", json.Number("12.5"), false},
		{"decimal text, digits kept", meta.Decimal, []byte("123456789012345678901.25"), json.Number("123456789012345678901.25"), false},
		{"double from integer", meta.Double, int64(2), float64(2), false},
		{"bool 1", meta.Bool, int64(1), true, false},
		{"bool 0", meta.Bool, int64(0), false, false},
		{"bool text", meta.Bool, "TRUE", true, false},
		{"bool real", meta.Bool, 1.0, nil, true},
		{"datetime stored", meta.DateTime, "2024-05-01T08:30:00.123Z", time.Date(2024, 5, 1, 8, 30, 0, 123e6, time.UTC), false},
		{"datetime seven digits", meta.DateTime, "2024-05-01T08:30:00.1234567Z", time.Date(2024, 5, 1, 8, 30, 0, 123456700, time.UTC), false},
		{"datetime offset", meta.DateTime, "2024-05-01T10:30:00+02:00", time.Date(2024, 5, 1, 8, 30, 0, 0, time.UTC), false},
		{"datetime by plain SQL", meta.DateTime, "2024-05-01 08:30:00", time.Date(2024, 5, 1, 8, 30, 0, 0, time.UTC), false},
		{"datetime bad", meta.DateTime, "yesterday", nil, true},
		{"datetime number", meta.DateTime, int64(5), nil, true},
		{"binary", meta.Binary, []byte{1, 2, 255}, "AQL/", false},
		{"date", meta.Date, "2024-02-29", "2024-02-29", false},
		{"string from bytes", meta.String, []byte("abc"), "abc", false},
		{"guid", meta.GUID, "6f1d1c2e-0000-4000-8000-000000000001", "6f1d1c2e-0000-4000-8000-000000000001", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromStored(tt.typ, tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("FromStored(%s, %#v) error %v, want error %v", tt.typ, tt.in, err, tt.wantErr)
			}
			if tm, ok := got.(time.Time); ok {
				want := tt.want.(time.Time)
				if !tm.Equal(want) || tm.Location() != time.UTC {
					t.Errorf("FromStored(%s, %#v) = %v, want %v in UTC", tt.typ, tt.in, tm, want)
				}
				return
			}
			if !tt.wantErr && got != tt.want {
				t.Errorf("FromStored(%s, %#v) = %#v, want %#v", tt.typ, tt.in, got, tt.want)
			}
		})
	}
}
