package filter_test

import (
	"testing"

	"switchyard/core/filter"
)

// FuzzParse checks that Parse never panics and that every text it accepts
// comes back as the same tree from its canonical OData form, and that ToSQL
// and Eval do not panic on it either.
func FuzzParse(f *testing.F) {
	for _, tc := range itemCases {
		f.Add(tc.filter)
	}
	for _, s := range []string{
		"", "a eq 1 or (b eq 2 or c eq 3)", "not not a", "a eq 2024-01-31T09:30+02:00",
		"a ge now() sub duration'-P1DT2H3M4.5S' add duration'PT0S'", "a in (1,null,'x''y',-2.5e-3)",
		"(a eq 1) eq true", "contains((a eq 1),'x')", "a eq 99999999999999999999", "x eq 12:30:15.123",
		"ID eq aea00b94-3481-5df7-b7e1-89ec3da7558f", "true and false or not true",
	} {
		f.Add(s)
	}
	rec := map[string]any{"a": int64(1), "b": "x", "c": nil}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := filter.Parse(s)
		if err != nil {
			return
		}
		text := filter.ToOData(e)
		back, err := filter.Parse(text)
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", s, text, err)
		}
		if !filter.Equal(back, e) {
			t.Fatalf("Parse(%q) = %q, which parses to another tree: %q", s, text, filter.ToOData(back))
		}
		filter.ToSQL(e, quoteIdent)
		_, _ = filter.Eval(e, rec)
	})
}
