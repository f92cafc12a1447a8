package meta

import (
	"strings"
	"testing"
)

func TestNewGUID(t *testing.T) {
	a, b := NewGUID(), NewGUID()
	if a == b {
		t.Errorf("two new GUIDs are the same: %s", a)
	}
	for _, g := range []string{a, b} {
		if !IsGUIDText(g) || g != strings.ToLower(g) || g[14] != '4' || !strings.ContainsRune("89ab", rune(g[19])) {
			t.Errorf("NewGUID() = %q, want a lower-case version 4 UUID", g)
		}
	}
}

func TestIsGUIDText(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0001", true},
		{"0A7F9A9E-58E5-4F5B-9C6E-2B9C4C1D0001", true},
		{"0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d000g", false},
		{"0a7f9a9e58e54f5b9c6e2b9c4c1d0001", false},              // no hyphens
		{"{0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0001}", false},        // braces
		{"urn:uuid:0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0001", false}, // a URN
		{"0a7f9a9e+58e5-4f5b-9c6e-2b9c4c1d0001", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsGUIDText(tt.in); got != tt.want {
			t.Errorf("IsGUIDText(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
