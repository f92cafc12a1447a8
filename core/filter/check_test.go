package filter_test

import (
	"errors"
	"strings"
	"testing"

	"switchyard/core/filter"
	"switchyard/core/meta"
)

func TestCheck(t *testing.T) {
	ent := meta.Entity{Name: "Accounts", Fields: []meta.Field{
		{Name: "name", Type: meta.String}, {Name: "employees", Type: meta.Int}, {Name: "revenue", Type: meta.Decimal},
		{Name: "active", Type: meta.Bool}, {Name: "founded", Type: meta.Date}, {Name: "createdAt", Type: meta.DateTime},
		{Name: "opens", Type: meta.Time}, {Name: "ID", Type: meta.GUID}, {Name: "parent", Type: meta.Lookup, Target: "Accounts"},
		{Name: "logo", Type: meta.Binary},
	}}
	tests := []struct {
		text   string
		column int    // of the first problem; 0 when the filter is valid
		want   string // in the first problem
	}{
		{text: "name eq 'x' and employees gt 5 and revenue le 9.5 and active and founded lt 2024-01-31"},
		{text: "createdAt ge now() sub duration'P30D' and opens lt 09:00 and ID ne null and parent eq null"},
		{text: "contains(tolower(name),'x') and not (ID in (aea00b94-3481-5df7-b7e1-89ec3da7558f,null))"},
		{text: "employees eq 1.5 and revenue gt 1 and active eq false"},
		{text: "logo eq null and parent eq aea00b94-3481-5df7-b7e1-89ec3da7558f"},
		{text: "nmae eq 'x'", column: 1, want: "unknown field nmae in entity Accounts; did you mean name?"},
		{text: "NAME eq 'x'", column: 1, want: "did you mean name?"},
		{text: "zzz eq 1", column: 1, want: "unknown field zzz in entity Accounts; its fields are name, employees,"},
		{text: "employees eq '5'", column: 14, want: "'5' is a string, but employees is an int field: write a number without quotes"},
		{text: "name eq 5", column: 9, want: "5 is a number, but name is a string field: quote it: '5'"},
		{text: "5 eq name", column: 1, want: "5 is a number, but name is a string field"},
		{text: "founded ge 2024-01-01T00:00:00Z", column: 12, want: "is a date field: write a date such as 2024-01-01"},
		{text: "createdAt ge 2024-01-01", column: 14, want: "write a date-time such as 2024-01-01T00:00:00Z"},
		{text: "founded ge now()", column: 12, want: "now() (a date-time) cannot be compared with founded (a date field)"},
		{text: "ID eq 'AEA00B94-3481-5df7-b7e1-89ec3da7558f'", column: 7, want: "write the guid without quotes: aea00b94-3481-5df7-b7e1-89ec3da7558f"},
		{text: "active eq 1", column: 11, want: "write true or false"},
		{text: "opens gt '09:00'", column: 10, want: "write a time such as 09:30:00"},
		{text: "active gt false", column: 8, want: "gt does not apply to active (a bool field): use eq or ne"},
		{text: "ID lt aea00b94-3481-5df7-b7e1-89ec3da7558f", column: 4, want: "lt does not apply to ID (a guid field)"},
		{text: "logo eq aea00b94-3481-5df7-b7e1-89ec3da7558f", column: 9, want: "is a guid, but logo is a binary field"},
		{text: "logo in (null)", column: 6, want: "in does not apply to a binary field"},
		{text: "employees gt null", column: 11, want: "gt with null is always false: test for null with eq null or ne null"},
		{text: "name", column: 1, want: "name is a string field, not a bool: compare it, e.g. name eq 'x'"},
		{text: "not employees", column: 5, want: "employees is an int field, not a bool: compare it, e.g. employees gt 0"},
		{text: "contains(employees,'1')", column: 10, want: "contains works on text, and employees (an int field) is not"},
		{text: "startswith(name,null)", column: 17, want: "startswith needs text, not null"},
		{text: "tolower(founded) eq 'x'", column: 9, want: "tolower works on text, and founded (a date field) is not"},
		{text: "employees in (1,'2',null)", column: 17, want: "'2' is a string, but employees is an int field"},
		{text: "(name eq 'x') eq true", column: 7, want: "a condition cannot be compared"},
		{text: "name eq employees", column: 9, want: "employees (an int field) cannot be compared with name (a string field)"},
		{text: "true and 'x' eq 'x' and 1 eq 1"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			e, err := filter.Parse(tt.text)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			err = filter.Check(e, ent)
			if tt.column == 0 {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want no problem", tt.text, err)
				}
				return
			}
			var es filter.Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("Check(%q) = %v, want filter.Errors", tt.text, err)
			}
			if es[0].Column != tt.column || !strings.Contains(es[0].Msg, tt.want) {
				t.Fatalf("Check(%q) = %v, want column %d and %q", tt.text, es[0], tt.column, tt.want)
			}
		})
	}
}

func TestCheckReportsEveryProblem(t *testing.T) {
	ent := meta.Entity{Fields: []meta.Field{{Name: "name", Type: meta.String}}}
	err := filter.Check(filter.MustParse("nmae eq 'x' or name eq 1"), ent)
	want := "column 1: unknown field nmae; did you mean name?; column 24: 1 is a number, but name is a string field: quote it: '1'"
	if err == nil || err.Error() != want {
		t.Fatalf("Check = %v, want %q", err, want)
	}
	if filter.Check(nil, ent) != nil {
		t.Fatal("Check(nil) is not valid")
	}
}

func TestFields(t *testing.T) {
	got := filter.Fields(filter.MustParse("a eq 1 or contains(tolower(b),'x') and not (a in (1,2) or c)"))
	if strings.Join(got, ",") != "a,b,c" {
		t.Fatalf("Fields = %v, want a, b, c", got)
	}
}
