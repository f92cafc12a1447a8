package store

import (
	"context"
	"fmt"
	"testing"

	"switchyard/core/meta"
)

func TestRebind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT a FROM t WHERE b = ? AND c IN (?, ?)", "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"},
		{"WHERE ?1 = '' OR integration = ?1 LIMIT ?2", "WHERE $1 = '' OR integration = $1 LIMIT $2"},
		{"SELECT '?', \"a?b\", ? -- what?\n, ? /* ? */", "SELECT '?', \"a?b\", $1 -- what?\n, $2 /* ? */"},
		{"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"},
		{"DO $$ SELECT '?' $$; SELECT $tag$ ? $tag$, ?", "DO $$ SELECT '?' $$; SELECT $tag$ ? $tag$, $1"},
		{"SELECT $1, ?", "SELECT $1, $1"},
		{"SELECT 'unterminated ?", "SELECT 'unterminated ?"},
	}
	for _, tt := range tests {
		if got := rebind(tt.in); got != tt.want {
			t.Errorf("rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestValuesRoundTrip: every field type written through a Tx reads back, on
// both backends, as SQLite returns it; PostgreSQL keeps decimals and
// date-times exactly, every digit.
func TestValuesRoundTrip(t *testing.T) { eachBackend(t, testValuesRoundTrip) }

func testValuesRoundTrip(t *testing.T, s *Store, _ *clock) {
	ctx := context.Background()
	fields := []meta.Field{
		{Name: "s", Type: meta.String}, {Name: "i", Type: meta.Int}, {Name: "d", Type: meta.Decimal},
		{Name: "f", Type: meta.Double}, {Name: "b", Type: meta.Bool}, {Name: "day", Type: meta.Date},
		{Name: "at", Type: meta.DateTime}, {Name: "fine", Type: meta.DateTime}, {Name: "clock", Type: meta.Time},
		{Name: "g", Type: meta.GUID}, {Name: "bin", Type: meta.Binary},
	}
	if err := s.CreateEntity(ctx, meta.Entity{Name: "thing", Fields: fields}); err != nil {
		t.Fatal(err)
	}
	in := map[string]any{
		"s": "Zoë", "i": int64(-42), "d": "12345678901234567890.123456789", "f": 2.5, "b": true,
		"day": "2024-02-29", "at": "2024-02-29T23:59:59.120Z", "fine": "2024-02-29T23:59:59.1234567Z", "clock": "08:15",
		"g": "0f8fad5b-d9cb-469f-a165-70867728950e", "bin": []byte{0, 1, 2},
	}
	stored := map[string]any{}
	types := map[string]meta.Type{}
	names := make([]string, 0, len(fields))
	for _, f := range fields {
		v, err := EncodeValue(f.Type, in[f.Name])
		if err != nil {
			t.Fatal(err)
		}
		stored[f.Name], types[f.Name] = v, f.Type
		names = append(names, f.Name)
	}
	var id string
	err := s.Apply(ctx, func(tx *Tx) (err error) {
		id, err = tx.Insert("thing", stored)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// What SQLite returns, on both; a decimal as SQLite's number or PostgreSQL's exact text.
	want := map[string]string{
		"s": "Zoë", "i": "-42", "f": "2.5", "b": "1", "day": "2024-02-29", "at": "2024-02-29T23:59:59.120Z",
		"fine": "2024-02-29T23:59:59.1234567Z", "clock": "08:15", "g": "0f8fad5b-d9cb-469f-a165-70867728950e", "bin": "[0 1 2]",
	}
	if s.d.postgres() {
		want["d"] = "12345678901234567890.123456789"
	}
	err = s.View(ctx, func(tx *Tx) error {
		rows, err := tx.Scan("thing", names, nil, "", 10)
		if err != nil || len(rows) != 1 || rows[0].ID != id {
			return fmt.Errorf("Scan() = %v, %v", rows, err)
		}
		for _, name := range names {
			got := rows[0].Values[name]
			if !SameStored(types[name], stored[name], got) {
				t.Errorf("%s: wrote %#v, read %#v", name, stored[name], got)
			}
			if w, ok := want[name]; ok && fmt.Sprint(got) != w {
				t.Errorf("%s: read %#v, want %s", name, got, w)
			}
		}
		// Read by a date-time key, in the workspace's form.
		found, err := tx.FindBy("thing", "fine", []any{"2024-02-29T23:59:59.1234567Z"}, []string{"at"})
		if err == nil && found["2024-02-29T23:59:59.1234567Z"].ID != id {
			t.Errorf("FindBy(fine) = %v", found)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
