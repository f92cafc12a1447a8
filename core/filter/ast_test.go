package filter_test

import (
	"testing"

	"switchyard/core/filter"
)

// TestAllOf: joining terms with "and" gives the tree Parse gives the joined text.
func TestAllOf(t *testing.T) {
	p := filter.MustParse
	tests := []struct {
		name  string
		terms []filter.Expr
		want  string // "" for nil
	}{
		{"none", nil, ""},
		{"only nils", []filter.Expr{nil, nil}, ""},
		{"one", []filter.Expr{nil, p("a eq 1")}, "a eq 1"},
		{"two", []filter.Expr{p("a eq 1"), p("b eq 2")}, "a eq 1 and b eq 2"},
		{"joins flattened", []filter.Expr{p("a eq 1 and b eq 2"), p("c in (1,2)")}, "(a eq 1 and b eq 2) and (c in (1,2))"},
		{"or kept whole", []filter.Expr{p("a eq 1 or b eq 2"), p("c eq 3")}, "(a eq 1 or b eq 2) and c eq 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := filter.AllOf(tt.terms...)
			if tt.want == "" {
				if got != nil {
					t.Errorf("AllOf() = %s, want nil", filter.ToOData(got))
				}
				return
			}
			if want := p(tt.want); got == nil || !filter.Equal(got, want) {
				t.Errorf("AllOf() = %v, want the tree of %q", got, tt.want)
			}
		})
	}
}
