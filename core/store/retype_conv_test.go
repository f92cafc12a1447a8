package store

import (
	"context"
	"fmt"
	"testing"

	"switchyard/core/meta"
)

// TestChangeFieldConversions: on both backends, each change of type that
// keeps values gives the same value, read back through the store.
func TestChangeFieldConversions(t *testing.T) { eachBackend(t, testChangeFieldConversions) }

func testChangeFieldConversions(t *testing.T, s *Store, _ *clock) {
	ctx := context.Background()
	tests := []struct {
		from, to meta.Type
		value    any
		want     string // fmt.Sprint of the value read back
	}{
		{meta.Bool, meta.Int, true, "1"},
		{meta.Int, meta.Double, int64(42), "42"},
		{meta.Int, meta.String, int64(42), "42"},
		{meta.Decimal, meta.Double, "12.5", "12.5"},
		{meta.Double, meta.Decimal, 2.25, "2.25"},
		{meta.Date, meta.String, "2001-02-03", "2001-02-03"},
		{meta.DateTime, meta.String, "2026-01-31T08:15:00.123Z", "2026-01-31T08:15:00.123Z"},
		{meta.DateTime, meta.String, "2026-01-31T08:15:00.1234567Z", "2026-01-31T08:15:00.1234567Z"},
		{meta.Time, meta.String, "08:15", "08:15"},
	}
	fields := []meta.Field{{Name: "code", Type: meta.String}}
	row := map[string]any{"code": "A"}
	for i, tt := range tests {
		name := fmt.Sprintf("f%d", i)
		fields = append(fields, meta.Field{Name: name, Type: tt.from})
		row[name] = tt.value
	}
	if err := s.CreateEntity(ctx, entity("thing", fields...)); err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(ctx, func(tx *Tx) error { _, err := tx.Insert("thing", row); return err }); err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		name := fmt.Sprintf("f%d", i)
		if err := s.ChangeField(ctx, "thing", meta.Field{Name: name, Type: tt.to}); err != nil {
			t.Fatalf("%s to %s: %v", tt.from, tt.to, err)
		}
		err := s.View(ctx, func(tx *Tx) error {
			found, err := tx.FindBy("thing", "code", []any{"A"}, []string{name})
			if got := fmt.Sprint(found["A"].Values[name]); err == nil && got != tt.want {
				t.Errorf("%s %v to %s: %s, want %s", tt.from, tt.value, tt.to, got, tt.want)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
