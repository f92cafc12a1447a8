package store

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"switchyard/core/meta"
)

func TestEncodeValue(t *testing.T) {
	kiritimati := time.FixedZone("LINT", 14*3600)
	adak := time.FixedZone("HST", -10*3600)
	tests := []struct {
		typ     meta.Type
		in      any
		want    any
		wantErr string
	}{
		{meta.String, "Zoë \"quoted\"\nline", "Zoë \"quoted\"\nline", ""},
		{meta.String, int64(42), "42", ""},
		{meta.Int, json.Number("12"), int64(12), ""},
		{meta.Int, float64(3), int64(3), ""},
		{meta.Int, "x", nil, "not a whole number"},
		{meta.Int, json.Number("1.5"), nil, "not a whole number"},
		{meta.Decimal, json.Number("1234567.890"), "1234567.89", ""},
		{meta.Decimal, json.Number("1E+3"), "1000", ""},
		{meta.Decimal, json.Number("-0.050"), "-0.05", ""},
		{meta.Decimal, "abc", nil, "not a decimal"},
		{meta.Double, json.Number("2.5"), 2.5, ""},
		{meta.Bool, true, int64(1), ""},
		{meta.Bool, "false", int64(0), ""},
		{meta.Bool, "maybe", nil, "not true or false"},
		{meta.Date, "2024-02-29", "2024-02-29", ""},
		{meta.Date, time.Date(2024, 1, 1, 0, 30, 0, 0, kiritimati), "2024-01-01", ""},
		{meta.Date, time.Date(2024, 1, 1, 23, 30, 0, 0, adak), "2024-01-01", ""},
		{meta.Date, "2024-13-01", nil, "not a date"},
		{meta.Date, "2024-02-29T10:00:00Z", "2024-02-29", ""},
		{meta.Date, " 2024-02-29 ", "2024-02-29", ""},
		{meta.Date, "2024/02/29", nil, "not a date"},
		{meta.Date, "24-02-29", nil, "not a date"},
		{meta.Date, "2024-2-29x", nil, "not a date"},
		{meta.DateTime, time.Date(2024, 1, 1, 0, 30, 0, 0, kiritimati), "2023-12-31T10:30:00.000Z", ""},
		{meta.DateTime, "2024-05-01T08:30:00+02:00", "2024-05-01T06:30:00.000Z", ""},
		{meta.DateTime, "yesterday", nil, "not a date-time"},
		// Finer than a millisecond: seven digits, exactly as Dataverse and SQL Server keep them.
		{meta.DateTime, "2024-03-01T10:00:00.1234567Z", "2024-03-01T10:00:00.1234567Z", ""},
		{meta.DateTime, "2024-03-01T11:00:00.1234567+01:00", "2024-03-01T10:00:00.1234567Z", ""},
		{meta.DateTime, "2024-03-01T10:00:00.1230000Z", "2024-03-01T10:00:00.123Z", ""},
		{meta.DateTime, time.Date(2024, 3, 1, 10, 0, 0, 123456700, time.UTC), "2024-03-01T10:00:00.1234567Z", ""},
		{meta.GUID, "5F0A1B2C-3D4E-4F60-8A9B-0C1D2E3F4A5B", "5f0a1b2c-3d4e-4f60-8a9b-0c1d2e3f4a5b", ""},
		{meta.GUID, "nope", nil, "not a GUID"},
		{meta.GUID, "5f0a1b2c-3d4e-4f60-8a9b-0c1d2e3f4a5", nil, "not a GUID"},
		{meta.GUID, "5f0a1b2c-3d4e-4f60-8a9b-0c1d2e3f4a5bb", nil, "not a GUID"},
		{meta.GUID, "5f0a1b2c+3d4e-4f60-8a9b-0c1d2e3f4a5b", nil, "not a GUID"},
		{meta.GUID, "5f0a1b2c-3d4e-4f60-8a9g-0c1d2e3f4a5b", nil, "not a GUID"},
		{meta.GUID, "{5f0a1b2c-3d4e-4f60-8a9b-0c1d2e3f4a5}", nil, "not a GUID"},
		{meta.Time, "08:30:00", "08:30:00", ""},
		{meta.Binary, "aGk=", []byte("hi"), ""},
		{meta.Lookup, true, nil, "cannot be stored in a lookup field"},
		{meta.Int, nil, nil, ""},
	}
	for _, tt := range tests {
		got, err := EncodeValue(tt.typ, tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("EncodeValue(%s, %#v) error = %v, want %q", tt.typ, tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !SameStored(tt.typ, got, tt.want) || (tt.typ != meta.Binary && got != tt.want) {
			t.Errorf("EncodeValue(%s, %#v) = %#v, %v; want %#v", tt.typ, tt.in, got, err, tt.want)
		}
	}
}

func TestSameStored(t *testing.T) {
	tests := []struct {
		typ  meta.Type
		a, b any
		want bool
	}{
		{meta.Decimal, "12.5", float64(12.5), true},
		{meta.Decimal, "12", int64(12), true},
		{meta.Decimal, "12.51", float64(12.5), false},
		{meta.Int, int64(3), int64(3), true},
		{meta.Bool, int64(1), int64(0), false},
		{meta.String, "a", "a", true},
		{meta.String, nil, "", false},
		{meta.String, nil, nil, true},
		{meta.DateTime, "2024-03-01T10:00:00.1234567Z", "2024-03-01T10:00:00.1234567Z", true},
		{meta.DateTime, "2024-03-01T10:00:00.1234567Z", "2024-03-01T10:00:00.123Z", false},
		{meta.DateTime, "2024-03-01T10:00:00.000Z", "2024-03-01 10:00:00", true}, // written with plain SQL
		{meta.DateTime, "2024-03-01T10:00:00.000Z", "2024-03-01T11:00:00+01:00", true},
	}
	for _, tt := range tests {
		if got := SameStored(tt.typ, tt.a, tt.b); got != tt.want {
			t.Errorf("SameStored(%s, %#v, %#v) = %v, want %v", tt.typ, tt.a, tt.b, got, tt.want)
		}
	}
}
