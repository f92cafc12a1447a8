package filter_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"switchyard/core/filter"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		text   string
		column int
		want   string
	}{
		{"name eq", 8, "expected a field, a value or (, found the end of the filter"},
		{"name eq 'x' and", 16, "expected a field, a value or ("},
		{"name eq 'abc", 9, "the string is not closed"},
		{"name 'x'", 6, "expected an operator (eq, ne, gt, ge, lt, le or in), found 'x'"},
		{"x eq 1 eq 2", 8, "expected and, or or the end of the filter, found `eq`"},
		{"(a eq 1", 8, "expected ) to close the parenthesis"},
		{"a eq 1)", 7, "expected and, or or the end of the filter, found )"},
		{"foo(1)", 1, "unknown function foo: use contains"},
		{"contains(name)", 1, "contains takes 2 arguments, not 1"},
		{"now(1) eq 1", 1, "now takes no arguments, not 1"},
		{"contains(name 'x')", 15, "expected , or ) after an argument of contains"},
		{"a in 1", 6, "expected ( to open the list of values after in"},
		{"a in (b)", 7, "expected a value such as 'x', 42 or null in the in list"},
		{"a in ('x' 'y')", 11, "expected , or ) in the in list"},
		{"a eq 2024-02-30", 6, "2024-02-30 is not a valid date"},
		{"a eq 2024-01-31T09:30", 6, "has no time zone: add Z for UTC"},
		{"a eq 2024-01-31T25:30Z", 6, "not a valid date-time"},
		{"a eq 25:00", 6, "not a valid time of day"},
		{"a eq 1e999", 6, "out of range"},
		{"a ge now() sub duration'P1M'", 16, "years, months and weeks vary in length"},
		{"a ge now() sub duration'P'", 16, "is not a duration"},
		{"a ge now() sub duration'PT'", 16, "nothing follows T"},
		{"a ge now() sub duration'P99999D'", 16, "too long a duration"},
		{"a ge now() sub 1", 16, "expected a duration such as duration'P30D'"},
		{"a ge b sub duration'P1D'", 8, "sub works on now() only"},
		{"a eq duration'P1D'", 6, "a duration is used after add or sub only"},
		{"a eq 1 & b eq 2", 8, "unexpected character '&'"},
		{"Łódź eq 1", 1, "unexpected character 'Ł'"},
		{"'Łódź' eq 1 and", 16, "found the end of the filter"},
		{"not", 4, "expected a field, a value or ("},
		{"a eq 1 and or b", 12, "expected a field, a value or (, found `or`"},
		{"tolower(name)", 14, "expected an operator"},
		{strings.Repeat("(", 101) + "a" + strings.Repeat(")", 101), 101, "nests too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			_, err := filter.Parse(tt.text)
			var fe *filter.Error
			if !errors.As(err, &fe) {
				t.Fatalf("Parse(%q) error = %v, want a *filter.Error", tt.text, err)
			}
			if fe.Column != tt.column || !strings.Contains(fe.Msg, tt.want) {
				t.Fatalf("Parse(%q) = %v, want column %d and %q", tt.text, err, tt.column, tt.want)
			}
		})
	}
}

func TestParseCanonical(t *testing.T) {
	tests := []struct{ text, want string }{
		{"", ""},
		{"  \t ", ""},
		{"a Eq 1", "a eq 1"},
		{"a eq 1 or (b eq 2 or c eq 3)", "a eq 1 or b eq 2 or c eq 3"},
		{"(a eq 1 and b eq 2) and c eq 3", "a eq 1 and b eq 2 and c eq 3"},
		{"a eq 1 or b eq 2 and c eq 3", "a eq 1 or (b eq 2 and c eq 3)"},
		{"(a eq 1 or b eq 2) and c eq 3", "(a eq 1 or b eq 2) and c eq 3"},
		{"not not a", "not (not a)"},
		{"not(contains(a,'x'))", "not contains(a,'x')"},
		{"CONTAINS( a , 'x' )", "contains(a,'x')"},
		{"a eq 'it''s'", "a eq 'it''s'"},
		{"a eq -0.50", "a eq -0.50"},
		{"a eq 007", "a eq 7"},
		{"a eq 1.5E+3", "a eq 1.5E+3"},
		{"a eq 99999999999999999999", "a eq 99999999999999999999"},
		{"a eq 2024-01-31T09:30+02:00", "a eq 2024-01-31T09:30:00+02:00"},
		{"a eq 2024-01-31T09:30:00.1234567Z", "a eq 2024-01-31T09:30:00.123Z"},
		{"a eq 2024-01-31T09:30:00+00:00", "a eq 2024-01-31T09:30:00Z"},
		{"a ge now() sub duration'PT48H'", "a ge now() sub duration'P2D'"},
		{"a ge now() add duration'-PT1.5S'", "a ge now() add duration'-PT1.5S'"},
		{"a ge now() add duration'PT0S'", "a ge now() add duration'PT0S'"},
		{"a in ( 1 , null , 'x' )", "a in (1,null,'x')"},
		{"(a eq 1) eq true", "(a eq 1) eq true"},
		{"a eq null\n and\tb", "a eq null and b"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			e, err := filter.Parse(tt.text)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.text, err)
			}
			if got := filter.ToOData(e); got != tt.want {
				t.Fatalf("ToOData(Parse(%q)) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	now := time.Date(2024, 7, 10, 12, 0, 0, 500e6, time.FixedZone("", 2*3600))
	e := filter.MustParse("a ge now() sub duration'P1DT2H' and b lt now() and c eq 2024-01-01T00:00:00+01:00")
	got := filter.ToOData(filter.Resolve(e, now))
	want := "a ge 2024-07-09T08:00:00.5Z and b lt 2024-07-10T10:00:00.5Z and c eq 2024-01-01T00:00:00+01:00"
	if got != want {
		t.Fatalf("Resolve = %q, want %q", got, want)
	}
	if filter.ToOData(e) != "a ge now() sub duration'P1DT2H' and b lt now() and c eq 2024-01-01T00:00:00+01:00" {
		t.Fatalf("Resolve changed its argument: %s", filter.ToOData(e))
	}
}

func TestToSQL(t *testing.T) {
	setNow(t, time.Date(2024, 7, 10, 0, 0, 0, 0, time.UTC))
	tests := []struct {
		text, sql string
		args      []any
	}{
		{"", "", nil},
		{"name eq 'x'", `"name" IS ?`, []any{"x"}},
		{"name ne null", `"name" IS NOT NULL`, nil},
		{"qty gt 1 and not (qty eq 3)", `"qty" > ? AND NOT coalesce("qty" IS ?, 0)`, []any{int64(1), int64(3)}},
		{"active eq true or a in (1.5,null)", `"active" IS ? OR ("a" IN (?) OR "a" IS NULL)`, []any{int64(1), 1.5}},
		{"contains(name,'50%_x')", `instr("name", ?) > 0`, []any{"50%_x"}},
		{"startswith(tolower(name),'a')", `instr(lower("name"), ?) = 1`, []any{"a"}},
		{"endswith(name,'źx')", `substr("name", -?) = ?`, []any{int64(2), "źx"}},
		{"endswith(name,code)", `(length("name") >= length("code") AND substr("name", length("name") - length("code") + 1) = "code")`, nil},
		{"seen ge now() sub duration'P1D'", `strftime('%Y-%m-%dT%H:%M:%fZ', "seen") >= ?`, []any{"2024-07-09T00:00:00.000Z"}},
		{"ref eq AEA00B94-3481-5DF7-B7E1-89EC3DA7558F", `"ref" IS ?`, []any{guid1}},
		{"born lt 2000-01-01 and opens ge 08:00", `"born" < ? AND "opens" >= ?`, []any{"2000-01-01", "08:00:00"}},
		{"a eq 1 and (b eq 2 or c eq 3)", `"a" IS ? AND ("b" IS ? OR "c" IS ?)`, []any{int64(1), int64(2), int64(3)}},
		{"false", `0`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			e, err := filter.Parse(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			sql, args := filter.ToSQL(e, quoteIdent)
			if sql != tt.sql || !equalArgs(args, tt.args) {
				t.Fatalf("ToSQL = %s %#v, want %s %#v", sql, args, tt.sql, tt.args)
			}
		})
	}
}

func equalArgs(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
