package mapping

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func fptr(f float64) *float64 { return &f }

func TestApply(t *testing.T) {
	status := FieldMapping{External: "statuscode", Local: "status", Values: []ValueMap{
		{External: "1", Local: "new", Label: "New"}, {External: "2", Local: "done", Label: "Done"},
	}}
	keep := status
	keep.OtherValues = OtherKeep
	empty := status
	empty.OtherValues = OtherEmpty
	tests := []struct {
		name    string
		f       FieldMapping
		in      any
		want    any
		wantErr string
	}{
		{"plain passes", FieldMapping{Local: "name"}, "Contoso", "Contoso", ""},
		{"mapped int", status, int64(2), "done", ""},
		{"mapped json number", status, json.Number("1"), "new", ""},
		{"mapped float", status, float64(1), "new", ""},
		{"a decimal is the number it writes", status, json.Number("1.0"), "new", ""},
		{"a decimal text too", status, "2.00", "done", ""},
		{"an exponent", status, json.Number("2e0"), "done", ""},
		{"a code with a leading zero is text", status, "01", nil, `external value "01" is not in the value map`},
		{"unmapped fails", status, int64(7), nil, `field "status": external value "7" is not in the value map`},
		{"unmapped kept", keep, int64(7), int64(7), ""},
		{"unmapped emptied", empty, int64(7), nil, ""},
		{"empty skips the map", status, nil, nil, ""},
		{"default on nil", FieldMapping{Local: "country", Default: "NL"}, nil, "NL", ""},
		{"default on empty text", FieldMapping{Local: "country", Default: "NL"}, "", "NL", ""},
		{"default not over a value", FieldMapping{Local: "country", Default: "NL"}, "BE", "BE", ""},
		{"constant wins", FieldMapping{Local: "source", Constant: "crm"}, "other", "crm", ""},
		{"required", FieldMapping{Local: "name", Rules: Rules{{Kind: RuleRequired}}}, " ", nil, `field "name": a value is required`},
		{"required with default", FieldMapping{Local: "name", Default: "n/a", Rules: Rules{{Kind: RuleRequired}}}, nil, "n/a", ""},
		{"own message", FieldMapping{Local: "name", Rules: Rules{{Kind: RuleRequired, Message: "every account needs a name"}}}, nil, nil, `field "name": every account needs a name`},
		{"max length", FieldMapping{Local: "code", Rules: Rules{{Kind: RuleMaxLength, Length: 3}}}, "ABCD", nil, `"ABCD" has 4 characters, more than the 3 allowed`},
		{"max length counts runes", FieldMapping{Local: "code", Rules: Rules{{Kind: RuleMaxLength, Length: 3}}}, "äöü", "äöü", ""},
		{"pattern", FieldMapping{Local: "zip", Rules: Rules{{Kind: RulePattern, Pattern: `^\d{4}[A-Z]{2}$`}}}, "12AB", nil, `"12AB" does not match the pattern`},
		{"pattern ok", FieldMapping{Local: "zip", Rules: Rules{{Kind: RulePattern, Pattern: `^\d{4}[A-Z]{2}$`}}}, "1234AB", "1234AB", ""},
		{"email", FieldMapping{Local: "email", Rules: Rules{{Kind: RuleEmail}}}, "ann@example", nil, `"ann@example" is not an e-mail address`},
		{"email ok", FieldMapping{Local: "email", Rules: Rules{{Kind: RuleEmail}}}, "ann@example.com", "ann@example.com", ""},
		{"empty passes all but required", FieldMapping{Local: "email", Rules: Rules{{Kind: RuleEmail}, {Kind: RuleRange, Min: fptr(1)}}}, nil, nil, ""},
		{"range", FieldMapping{Local: "employees", Rules: Rules{{Kind: RuleRange, Min: fptr(0), Max: fptr(100)}}}, int64(101), nil, `101 is not between 0 and 100`},
		{"range min only", FieldMapping{Local: "employees", Rules: Rules{{Kind: RuleRange, Min: fptr(0)}}}, json.Number("-1.5"), nil, `-1.5 is not at least 0`},
		{"range not a number", FieldMapping{Local: "employees", Rules: Rules{{Kind: RuleRange, Max: fptr(5)}}}, "many", nil, `"many" is not a number`},
		{"rule after the map", FieldMapping{Local: "status", Values: []ValueMap{{External: "1", Local: "toolong"}}, Rules: Rules{{Kind: RuleMaxLength, Length: 4}}}, 1, nil, `"toolong" has 7 characters`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.f.Apply(tt.in)
			if tt.wantErr != "" {
				var ve *ValueError
				if err == nil || !errors.As(err, &ve) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Apply(%v) error = %v, want a *ValueError containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Apply(%v) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestApplyUpload(t *testing.T) {
	f := FieldMapping{Local: "status", Values: []ValueMap{{External: "1", Local: "new"}, {External: "2", Local: "done"}},
		Rules: Rules{{Kind: RuleRequired}}}
	if got, err := f.ApplyUpload("done"); err != nil || got != "2" {
		t.Errorf("ApplyUpload(done) = %v, %v; want 2", got, err)
	}
	if _, err := f.ApplyUpload("gone"); err == nil || !strings.Contains(err.Error(), `local value "gone" is not in the value map`) {
		t.Errorf("ApplyUpload(gone) error = %v", err)
	}
	var ve *ValueError
	if _, err := f.ApplyUpload(nil); !errors.As(err, &ve) || ve.Rule != "required" {
		t.Errorf("ApplyUpload(nil) error = %v, want the required rule", err)
	}
	plain := FieldMapping{Local: "name", Constant: "x"}
	if got, _ := plain.ApplyUpload("Contoso"); got != "Contoso" {
		t.Errorf("a constant changed an upload: %v", got)
	}
}

func TestDecodeValuesAndRules(t *testing.T) {
	file := `{"format": "switchyard.integration/v1", "name": "crm", "connector": "odata", "settings": {},
 "entities": [{"external": "Orders", "local": "order", "primaryKey": "externalid", "direction": "download",
  "fields": [{"external": "ID", "local": "externalid", "rules": [{"rule": "required", "message": "no key"}]},
             {"external": "status", "local": "status", "values": [{"external": 1, "local": "new", "label": "New"}, {"external": true, "local": 2}],
              "otherValues": "keep", "rules": [{"rule": "range", "min": 0, "max": 9.5}]},
             {"local": "source", "constant": 42},
             {"external": "country", "local": "country", "default": "NL", "rules": [{"rule": "maxLength", "length": 2}, {"rule": "pattern", "pattern": "^[A-Z]+$"}, {"rule": "email"}]}]}],
 "schedules": []}`
	in, err := Decode(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if ps := in.Check(); len(ps) != 0 {
		t.Fatalf("Check() = %v", ps)
	}
	fs := in.Entities[0].Fields
	if fs[1].Values[0] != (ValueMap{External: "1", Local: "new", Label: "New"}) || fs[1].Values[1] != (ValueMap{External: "true", Local: "2"}) {
		t.Errorf("values = %+v", fs[1].Values)
	}
	if r := fs[1].Rules[0]; r.Kind != RuleRange || *r.Min != 0 || *r.Max != 9.5 || fs[1].OtherValues != OtherKeep {
		t.Errorf("rules = %+v", fs[1].Rules)
	}
	if fs[2].Constant != "42" || fs[2].External != "" || fs[3].Default != "NL" || len(fs[3].Rules) != 3 || fs[0].Rules[0].Message != "no key" {
		t.Errorf("fields = %+v", fs)
	}
	var buf strings.Builder
	if err := Encode(&buf, in); err != nil {
		t.Fatal(err)
	}
	again, err := Decode(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatalf("Decode(Encode()) = %v\n%s", err, buf.String())
	}
	if got, want := mustJSON(t, again), mustJSON(t, in); got != want {
		t.Errorf("round trip changed the mapping:\n%s\nvs\n%s", got, want)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestValuesProblems(t *testing.T) {
	tests := []struct {
		name string
		file string
		want string
	}{
		{"unknown value key", `{"external": "s", "local": "s", "values": [{"externl": "1", "local": "a"}]}`, `fields[1].values[0].externl: unknown key; did you mean "external"?`},
		{"unknown rule key", `{"external": "s", "local": "s", "rules": [{"rule": "maxLength", "lenght": 3}]}`, `fields[1].rules[0].lenght: unknown key; did you mean "length"?`},
		{"object as default", `{"external": "s", "local": "s", "default": {}}`, `fields[1].default: must be a string, number or boolean`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := `{"format": "switchyard.integration/v1", "name": "x", "connector": "odata", "entities": [{"external": "E", "local": "e",
 "primaryKey": "k", "direction": "download", "fields": [{"external": "ID", "local": "k"}, ` + tt.file + `]}]}`
			_, err := Decode(strings.NewReader(file))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Decode() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCheckValues(t *testing.T) {
	tests := []struct {
		name string
		f    FieldMapping
		want string
	}{
		{"no external, no constant", FieldMapping{Local: "a"}, `fields[1].external: missing: name the external field, or give the local field a constant`},
		{"bad otherValues", FieldMapping{External: "a", Local: "a", OtherValues: "drop"}, `fields[1].otherValues: "drop": use fail, keep or empty`},
		{"duplicate value", FieldMapping{External: "a", Local: "a", Values: []ValueMap{{External: "1", Local: "x"}, {External: "1", Local: "y"}}}, `fields[1].values[1].external: "1" is already mapped by values[0]`},
		{"constant and default", FieldMapping{Local: "a", Constant: "x", Default: "y"}, `fields[1].default: a field with a constant never uses its default`},
		{"unknown rule", FieldMapping{External: "a", Local: "a", Rules: Rules{{Kind: "phone"}}}, `fields[1].rules[0]: unknown rule "phone": use one of required, maxLength, pattern, email, range`},
		{"no length", FieldMapping{External: "a", Local: "a", Rules: Rules{{Kind: RuleMaxLength}}}, `needs "length" above 0`},
		{"bad pattern", FieldMapping{External: "a", Local: "a", Rules: Rules{{Kind: RulePattern, Pattern: "(["}}}, `pattern "([" is not a valid regular expression`},
		{"empty range", FieldMapping{External: "a", Local: "a", Rules: Rules{{Kind: RuleRange}}}, `a range rule needs "min", "max" or both`},
		{"inverted range", FieldMapping{External: "a", Local: "a", Rules: Rules{{Kind: RuleRange, Min: fptr(5), Max: fptr(1)}}}, `min is above max`},
		{"constant breaks rule", FieldMapping{Local: "a", Constant: "toolong", Rules: Rules{{Kind: RuleMaxLength, Length: 3}}}, `fields[1].constant: "toolong" breaks the field's own rule`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Integration{Name: "x", Connector: "odata", Entities: []EntityMapping{{External: "E", Local: "e", PrimaryKey: "k", Direction: Download,
				Fields: []FieldMapping{{External: "ID", Local: "k"}, tt.f}}}}
			if ps := in.Check(); !strings.Contains(ps.Error(), tt.want) {
				t.Fatalf("Check() = %q, want %q", ps.Error(), tt.want)
			}
		})
	}
}

func TestCheckSchemasValues(t *testing.T) {
	in := crm()
	in.Entities = in.Entities[1:]
	in.Entities[0].Fields = append(in.Entities[0].Fields,
		FieldMapping{Local: "source", Constant: "crm"},
		FieldMapping{External: "revenue", Local: "revenueband", Values: []ValueMap{{External: "0", Local: "none"}}, OtherValues: OtherKeep})
	plan, ps := CheckSchemas(in, externalCatalog, nil)
	if len(ps) != 0 {
		t.Fatalf("CheckSchemas() = %v", ps)
	}
	acc := plan.Entities[0]
	for _, name := range []string{"source", "revenueband"} {
		if f, ok := acc.Field(name); !ok || f.Type != "string" {
			t.Errorf("%s planned as %+v, want a string field", name, f)
		}
	}
}
