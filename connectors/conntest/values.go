package conntest

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"switchyard/core/meta"
	"switchyard/core/values"
)

// The date-times the write part gives every date-time field that NewRecord
// sets (see probeValues): the first record's a time.Time with an offset and milliseconds, the
// second's RFC 3339 text with another offset and seven fractional digits.
// Both must come back as the same instants, in UTC: the milliseconds
// exactly, the finer digits unless the system keeps fewer.
var (
	probeMillis = time.Date(2024, 5, 1, 10, 30, 45, 123_000_000, time.FixedZone("+02:00", 2*3600))
	probeFine   = "2024-05-01T10:30:45.1234567-05:00"
)

// probeValues gives the date-time fields recs[0] and recs[1] set the probe
// values, and empties the first other nullable field that recs[1] sets (a
// null must come back as nil), in place. It returns the names of the
// fields probed, for the test log.
func probeValues(e meta.Entity, recs []meta.Record) (dateTimes []string, null string) {
	for _, f := range e.Fields {
		switch {
		case f.ReadOnly || slices.Contains(e.Key, f.Name):
		case f.Type == meta.DateTime:
			if recs[0][f.Name] != nil && recs[1][f.Name] != nil {
				recs[0][f.Name], recs[1][f.Name] = probeMillis, probeFine
				dateTimes = append(dateTimes, f.Name)
			}
		case f.Nullable && f.Type != meta.Lookup && null == "" && recs[1][f.Name] != nil:
			recs[1][f.Name], null = nil, f.Name
		}
	}
	return dateTimes, null
}

// checkValues holds every value of recs that e has a field for to the
// types connector.Query documents: nil for an empty value; DateTime a
// time.Time in UTC; Int int64; Decimal json.Number; Double float64; Bool
// bool; Date "YYYY-MM-DD"; GUID lower-case text; any other type text. A
// value its field's type cannot hold (a type inferred from a sample that
// held other kinds) may come as its text, as it came: the codec refuses it.
func checkValues(t *testing.T, e meta.Entity, recs []meta.Record) {
	t.Helper()
	for i, rec := range recs {
		for _, f := range e.Fields {
			if v := rec[f.Name]; v != nil && !fitsType(f.Type, v) {
				t.Errorf("record %d of %s: %s field %s holds %#v (%T), not what the value contract says", i, e.Name, f.Type, f.Name, v, v)
				return
			}
		}
	}
}

// fitsType reports whether v, not nil, is a value of type t as records carry it.
func fitsType(t meta.Type, v any) bool {
	var ok bool
	switch t {
	case meta.DateTime:
		var tm time.Time
		tm, ok = v.(time.Time)
		ok = ok && tm.Location() == time.UTC
	case meta.Int:
		_, ok = v.(int64)
	case meta.Decimal:
		_, ok = v.(json.Number)
	case meta.Double:
		_, ok = v.(float64)
	case meta.Bool:
		_, ok = v.(bool)
	case meta.Date:
		s, isText := v.(string)
		ok = isText && values.IsDate(s)
	case meta.GUID:
		s, isText := v.(string)
		ok = isText && s == strings.ToLower(s)
	default:
		_, ok = v.(string)
	}
	if s, isText := v.(string); !ok && isText {
		_, err := values.Stored(t, s)
		ok = err != nil
	}
	return ok
}

// checkRoundTrip holds a created record, as read back (got), to what was
// written: every value of a field that e has and the system does not
// compute is the same value as the workspace would store it; a date-time is
// the same instant, milliseconds kept exactly, finer digits kept unless the
// system keeps fewer (and then truncated, never rounded or moved): all seven
// where the field's Precision says seven, unless digits (Suite.DateTimeDigits)
// says the system keeps fewer.
func checkRoundTrip(t *testing.T, e meta.Entity, written, got meta.Record, digits int) {
	t.Helper()
	for name, v := range written {
		f, ok := e.Field(name)
		if !ok || f.ReadOnly || f.Type == meta.Lookup {
			continue
		}
		if f.Type == meta.DateTime && v != nil {
			checkInstant(t, f, v, got[name], digits)
			continue
		}
		a, err1 := values.Stored(f.Type, v)
		b, err2 := values.Stored(f.Type, got[name])
		if err1 != nil || err2 != nil || !values.SameStored(f.Type, a, b) {
			t.Errorf("%s written as %#v reads back as %#v", name, v, got[name])
		}
	}
}

// checkInstant checks one date-time read back (got) against what was
// written (v), the system keeping digits fractional digits when above 0.
func checkInstant(t *testing.T, f meta.Field, v, got any, digits int) {
	t.Helper()
	want, ok := v.(time.Time)
	if !ok {
		var err error
		if want, err = values.ParseDateTime(v.(string)); err != nil {
			t.Fatalf("%s: the probe %q: %v", f.Name, v, err)
		}
	}
	tm, ok := got.(time.Time)
	switch {
	case !ok || tm.Location() != time.UTC:
		t.Errorf("%s written as %v reads back as %#v, want a time.Time in UTC", f.Name, v, got)
	case tm.Equal(want):
	case want.Nanosecond()%int(time.Millisecond) == 0 || (f.Precision >= 7 && (digits == 0 || digits >= 7)):
		t.Errorf("%s written as %v reads back as %s, want %s exactly", f.Name, v, values.FormatStored(tm), values.FormatStored(want))
	case tm.After(want) || !tm.Truncate(time.Millisecond).Equal(want.Truncate(time.Millisecond)):
		t.Errorf("%s written as %v reads back as %s, want %s or its milliseconds", f.Name, v, values.FormatStored(tm), values.FormatStored(want))
	}
}
