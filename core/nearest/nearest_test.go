package nearest

import "testing"

func TestName(t *testing.T) {
	known := []string{"name", "connector", "entities", "Accounts"}
	tests := []struct{ in, want string }{
		{"nmae", "name"},          // a swap is one edit
		{"conector", "connector"}, // a missing letter
		{"accounts", "Accounts"},  // case
		{"xyz", ""},               // nothing near
		{"entity", ""},            // too far for its length
	}
	for _, tt := range tests {
		if got := Name(tt.in, known); got != tt.want {
			t.Errorf("Name(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"abc", "acb", 1}, {"kitten", "sitting", 3}, {"Zoë", "Zoe", 1}}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
