package filter

import (
	"strings"
	"testing"
)

// TestRenamed checks that Renamed renames the fields of a copy, in every
// kind of node, and leaves the tree it was given untouched.
func TestRenamed(t *testing.T) {
	upper := func(name string) string { return strings.ToUpper(name) }
	tests := []struct{ in, want string }{
		{"a eq 1 and not (b ne 'x') or c in ('p','q')", "(A eq 1 and not (B ne 'x')) or C in ('p','q')"},
		{"startswith(tolower(name),'ab')", "startswith(tolower(NAME),'ab')"},
		{"seen ge now() sub duration'P1D'", "SEEN ge now() sub duration'P1D'"},
		{"active", "ACTIVE"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e := MustParse(tt.in)
			before := ToOData(e)
			if got := ToOData(Renamed(e, upper)); got != tt.want {
				t.Errorf("Renamed(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if after := ToOData(e); after != before {
				t.Errorf("Renamed changed its input: %q, was %q", after, before)
			}
		})
	}
	if Renamed(nil, upper) != nil {
		t.Error("Renamed(nil) is not nil")
	}
}
