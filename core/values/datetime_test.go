package values

import (
	"testing"
	"time"
)

func TestParseDateTime(t *testing.T) {
	utc := func(h, m, s, ns int) time.Time { return time.Date(2024, 5, 1, h, m, s, ns, time.UTC) }
	tests := []struct {
		in         string
		want       time.Time
		needOffset bool // ParseDateTimeOffset takes it too
	}{
		{"2024-05-01T08:30:00Z", utc(8, 30, 0, 0), true},
		{"2024-05-01T10:30:00+02:00", utc(8, 30, 0, 0), true},
		{"2024-05-01T10:30:00+0200", utc(8, 30, 0, 0), true},
		{"2024-05-01T03:30-05:00", utc(8, 30, 0, 0), true},
		{"2024-05-01 08:30:00Z", utc(8, 30, 0, 0), true},
		{"2024-05-01T08:30:00.1Z", utc(8, 30, 0, 100_000_000), true},
		{"2024-05-01T08:30:00.123Z", utc(8, 30, 0, 123_000_000), true},
		{"2024-05-01T08:30:00.1234567Z", utc(8, 30, 0, 123_456_700), true},
		{"2024-05-01T01:30:00.1234567-07:00", utc(8, 30, 0, 123_456_700), true},
		{" 2024-05-01T08:30:00Z ", utc(8, 30, 0, 0), true},
		{"2024-05-01T08:30:00", utc(8, 30, 0, 0), false}, // no offset: UTC
		{"2024-05-01 08:30:00.250", utc(8, 30, 0, 250_000_000), false},
		{"2024-05-01T08:30", utc(8, 30, 0, 0), false},
		{"2024-05-01", utc(0, 0, 0, 0), false},
		{"2024-05-01T8:30:00Z", utc(8, 30, 0, 0), true}, // a one-digit hour, as time.Parse reads it
	}
	for _, tt := range tests {
		got, err := ParseDateTime(tt.in)
		if err != nil || !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("ParseDateTime(%q) = %v, %v; want %v in UTC", tt.in, got, err, tt.want)
		}
		got, err = ParseDateTimeOffset(tt.in)
		if tt.needOffset && (err != nil || !got.Equal(tt.want) || got.Location() != time.UTC) {
			t.Errorf("ParseDateTimeOffset(%q) = %v, %v; want %v in UTC", tt.in, got, err, tt.want)
		}
		if !tt.needOffset && err == nil {
			t.Errorf("ParseDateTimeOffset(%q) = %v, want an error: it gives no offset", tt.in, got)
		}
	}
	for _, in := range []string{"", "yesterday", "2024-02-30T10:00:00Z", "2024-05-01T25:00:00Z", "2024-05-01T08:30:00+2", "1714552200"} {
		if got, err := ParseDateTime(in); err == nil {
			t.Errorf("ParseDateTime(%q) = %v, want an error", in, got)
		}
	}
}

// TestFormatDateTime: the workspace keeps milliseconds as they always were
// and seven digits only when the value is finer; REST APIs get milliseconds,
// OData and files the fraction there is; all in UTC.
func TestFormatDateTime(t *testing.T) {
	plus2 := time.FixedZone("+02:00", 2*3600)
	tests := []struct {
		in                  time.Time
		stored, millis, rfc string
	}{
		{time.Date(2024, 5, 1, 10, 30, 0, 0, plus2), "2024-05-01T08:30:00.000Z", "2024-05-01T08:30:00.000Z", "2024-05-01T08:30:00Z"},
		{time.Date(2024, 5, 1, 8, 30, 0, 120_000_000, time.UTC), "2024-05-01T08:30:00.120Z", "2024-05-01T08:30:00.120Z", "2024-05-01T08:30:00.12Z"},
		{time.Date(2024, 5, 1, 8, 30, 0, 123_456_700, time.UTC), "2024-05-01T08:30:00.1234567Z", "2024-05-01T08:30:00.123Z", "2024-05-01T08:30:00.1234567Z"},
		{time.Date(2024, 5, 1, 8, 30, 0, 100, time.UTC), "2024-05-01T08:30:00.0000001Z", "2024-05-01T08:30:00.000Z", "2024-05-01T08:30:00.0000001Z"},
	}
	for _, tt := range tests {
		if got := FormatStored(tt.in); got != tt.stored {
			t.Errorf("FormatStored(%v) = %s, want %s", tt.in, got, tt.stored)
		}
		if got := FormatMillis(tt.in); got != tt.millis {
			t.Errorf("FormatMillis(%v) = %s, want %s", tt.in, got, tt.millis)
		}
		if got := FormatRFC3339(tt.in); got != tt.rfc {
			t.Errorf("FormatRFC3339(%v) = %s, want %s", tt.in, got, tt.rfc)
		}
	}
	late := time.Date(2024, 5, 1, 23, 30, 0, 0, time.FixedZone("-05:00", -5*3600))
	if got := FormatDate(late); got != "2024-05-01" {
		t.Errorf("FormatDate(%v) = %s, want the day as written", late, got)
	}
}

func TestDateOf(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"2024-02-29", "2024-02-29", true},
		{"2024-02-29T23:30:00-05:00", "2024-02-29", true},
		{"2023-02-29", "", false},
		{"2024-2-29", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got, ok := DateOf(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("DateOf(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDateTimeShape(t *testing.T) {
	tests := []struct {
		in   string
		zone Zone
		ok   bool
	}{
		{"2024-05-01T08:30", ZoneNone, true},
		{"2024-05-01 08:30:00.5", ZoneNone, true},
		{"2024-05-01T08:30:00Z", ZoneZ, true},
		{"2024-05-01T08:30:00+02:00", ZoneColon, true},
		{"2024-05-01T08:30:00-0200", ZoneCompact, true},
		{"2024-05-01T08:30:00+2", ZoneNone, false},
		{"2024-05-01T08:30:00.Z", ZoneNone, false},
		{"2024-05-01", ZoneNone, false},
	}
	for _, tt := range tests {
		if zone, ok := DateTimeShape(tt.in); zone != tt.zone || ok != tt.ok {
			t.Errorf("DateTimeShape(%q) = %v, %v; want %v, %v", tt.in, zone, ok, tt.zone, tt.ok)
		}
	}
}
