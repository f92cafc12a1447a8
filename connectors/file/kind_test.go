package file

import "testing"

func BenchmarkKindOf(b *testing.B) {
	vals := []string{"12345", "item number 12345", "425.25", "17", "2024-05-15", "2024-01-01T10:00:00Z", "0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0001", "true"}
	for b.Loop() {
		for _, v := range vals {
			kindOf(v)
		}
	}
}
