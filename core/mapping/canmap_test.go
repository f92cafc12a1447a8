package mapping

import (
	"strings"
	"testing"

	"switchyard/core/meta"
)

func TestCanMap(t *testing.T) {
	tests := []struct {
		name   string
		f      FieldMapping
		xf, lf meta.Field
		want   string
	}{
		{"same type", FieldMapping{}, meta.Field{Type: meta.Int}, meta.Field{Name: "n", Type: meta.Int}, ""},
		{"widening", FieldMapping{}, meta.Field{Type: meta.Int}, meta.Field{Name: "n", Type: meta.Decimal}, ""},
		{"narrowing refused", FieldMapping{}, meta.Field{Type: meta.Decimal}, meta.Field{Name: "n", Type: meta.Int}, `local field "n" is int and cannot hold decimal values: map another field`},
		{"text to number refused", FieldMapping{}, meta.Field{Type: meta.String}, meta.Field{Name: "n", Type: meta.Int}, `cannot hold string values`},
		{"anything to text", FieldMapping{}, meta.Field{Type: meta.DateTime}, meta.Field{Name: "s", Type: meta.String}, ""},
		{"lookup fits", FieldMapping{Lookup: "account"}, meta.Field{Type: meta.GUID}, meta.Field{Name: "a", Type: meta.Lookup, Target: "account"}, ""},
		{"lookup to another entity", FieldMapping{Lookup: "account"}, meta.Field{Type: meta.GUID}, meta.Field{Name: "a", Type: meta.Lookup, Target: "contact"}, `is a lookup to "contact", but the mapping makes it a lookup to "account"`},
		{"lookup mapping into text", FieldMapping{Lookup: "account"}, meta.Field{Type: meta.GUID}, meta.Field{Name: "a", Type: meta.String}, `is string, but the mapping makes it a lookup`},
		{"key into a lookup without lookup", FieldMapping{}, meta.Field{Type: meta.GUID}, meta.Field{Name: "a", Type: meta.Lookup, Target: "account"}, `set the mapping's lookup to "account"`},
		{"value map fits", FieldMapping{Values: []ValueMap{{External: "1", Local: "x"}}}, meta.Field{Type: meta.Int}, meta.Field{Name: "s", Type: meta.Bool}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CanMap(tt.f, tt.xf, tt.lf)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("CanMap() = %v, want %q", err, tt.want)
			}
		})
	}
}
