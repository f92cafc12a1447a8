package connector

import (
	"testing"

	"switchyard/core/filter"
)

// TestQueryCondition: a query carries its filter parsed (SetWhere) or as text
// alone, and Condition gives the same expression either way.
func TestQueryCondition(t *testing.T) {
	parsed := filter.MustParse("name eq 'A' and qty gt 2")
	tests := []struct {
		name     string
		q        Query
		want     filter.Expr // nil for none
		wantText string
		wantErr  bool
	}{
		{"none", Query{}, nil, "", false},
		{"set parsed", func() Query { var q Query; q.SetWhere(parsed); return q }(), parsed, "name eq 'A' and qty gt 2", false},
		{"text alone", Query{Filter: "name eq 'A' and qty gt 2"}, parsed, "name eq 'A' and qty gt 2", false},
		{"blank text", Query{Filter: "  "}, nil, "  ", false},
		{"bad text", Query{Filter: "name eq"}, nil, "name eq", true},
		{"cleared", func() Query { q := Query{Filter: "x eq 1"}; q.SetWhere(nil); return q }(), nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.q.Condition()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Condition() error = %v, want error %v", err, tt.wantErr)
			}
			if (got == nil) != (tt.want == nil) || (got != nil && !filter.Equal(got, tt.want)) {
				t.Errorf("Condition() = %v, want %v", got, tt.want)
			}
			if tt.q.Filter != tt.wantText {
				t.Errorf("Filter = %q, want %q", tt.q.Filter, tt.wantText)
			}
		})
	}
}
