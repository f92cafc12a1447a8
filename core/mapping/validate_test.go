package mapping

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"switchyard/core/meta"
)

// localCRM is the local schema CheckSchemas plans for crm() on externalCatalog.
func localCRM(t *testing.T) []meta.Entity {
	t.Helper()
	plan, ps := CheckSchemas(crm(), externalCatalog, nil)
	if len(ps) != 0 {
		t.Fatal(ps)
	}
	local := plan.Entities
	for _, af := range plan.AddFields {
		for i := range local {
			if local[i].Name == af.Entity {
				local[i].Fields = append(local[i].Fields, af.Field)
			}
		}
	}
	return local
}

func TestValidateAndCleanUp(t *testing.T) {
	local := localCRM(t)
	if fs := Validate(crm(), externalCatalog, local); len(fs) != 0 {
		t.Fatalf("Validate() of a fitting mapping = %v", fs)
	}
	// The external system lost Accounts.revenue and the whole Contacts entity;
	// Accounts.name became an int; the local account lost its parentaccountid.
	ext := []meta.Entity{{Name: "Accounts", Key: []string{"ID"}, Fields: []meta.Field{
		{Name: "ID", Type: meta.GUID}, {Name: "name", Type: meta.Decimal},
		{Name: "parent", Type: meta.Lookup, Target: "Accounts", ForeignKey: "parent_ID"}, {Name: "parent_ID", Type: meta.GUID},
	}}}
	loc := []meta.Entity{local[1], local[0]}
	loc[1].Fields = loc[1].Fields[:3]
	in := crm()
	in.Entities[1].Fields = append(in.Entities[1].Fields, FieldMapping{External: "gone", Local: "gone", Disabled: true})
	fs := Validate(in, ext, loc)
	var got []string
	for _, f := range fs {
		got = append(got, string(f.Kind)+" "+f.Path)
	}
	want := []string{
		"missing-external-entity entities[0]",
		"missing-external-field entities[1].fields[2]",
		"missing-local-field entities[1].fields[3].local",
		"missing-external-field entities[1].fields[4]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Validate() = %v\nwant %v", got, want)
	}
	if !strings.Contains(fs[1].Msg, `field "revenue" of external entity "Accounts" no longer exists`) || !fs[1].CleanUp || fs[2].CleanUp {
		t.Errorf("findings = %+v", fs)
	}
	cleaned, done := CleanUp(in, fs)
	if len(done) != 3 || len(cleaned.Entities) != 1 || cleaned.Entities[0].External != "Accounts" || len(cleaned.Entities[0].Fields) != 3 {
		t.Fatalf("CleanUp() = %+v, resolved %v", cleaned.Entities, done)
	}
	if len(in.Entities) != 2 || len(in.Entities[1].Fields) != 5 {
		t.Error("CleanUp changed its argument")
	}
	after := Validate(cleaned, ext, loc)
	if len(after) != 1 || after[0].Kind != MissingLocalField {
		t.Errorf("after clean-up: %v, want only the missing local field", after)
	}
}

func TestValidateTypesAndKeys(t *testing.T) {
	local := localCRM(t)
	ext := []meta.Entity{externalCatalog[0], externalCatalog[1]}
	ext[0].Fields = append([]meta.Field(nil), ext[0].Fields...)
	ext[0].Fields[2].Type = meta.String // revenue: decimal → string; local revenue is decimal
	tests := []struct {
		name   string
		modify func(*Integration, *[]meta.Entity)
		want   string
	}{
		{"changed type", func(*Integration, *[]meta.Entity) {}, `entities[1].fields[2]: external field "revenue" is string; local field "revenue" is decimal and cannot hold string values`},
		{"key not from the external key", func(in *Integration, _ *[]meta.Entity) {
			in.Entities[0].Fields[0].External = "lastname"
			in.Entities[0].Fields[1].External = "ID"
		},
			`warning: entities[0].primaryKey: the primary key "externalid" is not filled from the key of "Contacts" (ID)`},
		{"no external key", func(_ *Integration, ext *[]meta.Entity) { (*ext)[1].Key = nil }, `external entity "Contacts" has no key`},
		{"key field gone", func(in *Integration, _ *[]meta.Entity) { in.Entities[0].Fields[0].External = "code" }, `fills the primary key "externalid": map the new external key to it`},
		{"local entity gone", func(in *Integration, _ *[]meta.Entity) { in.Entities[0].Local = "person" }, `entities[0].local: local entity "person" does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := crm()
			e := append([]meta.Entity(nil), ext...)
			tt.modify(&in, &e)
			var lines []string
			for _, f := range Validate(in, e, local) {
				lines = append(lines, f.String())
			}
			if !strings.Contains(strings.Join(lines, "\n"), tt.want) {
				t.Fatalf("Validate() = %q, want %q", lines, tt.want)
			}
		})
	}
}

func TestEntityFile(t *testing.T) {
	em := crm().Entities[1]
	em.Fields[1].Rules = Rules{{Kind: RuleRequired}}
	var buf bytes.Buffer
	if err := EncodeEntity(&buf, em); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "{\n  \"format\": \"switchyard.entity-mapping/v1\",\n  \"external\": \"Accounts\"") {
		t.Fatalf("EncodeEntity() =\n%s", buf.String())
	}
	got, err := DecodeEntity(&buf)
	if err != nil || !reflect.DeepEqual(got, em) {
		t.Fatalf("DecodeEntity(EncodeEntity()) = %+v, %v", got, err)
	}
	tests := []struct{ name, file, want string }{
		{"integration file", `{"format": "switchyard.integration/v1"}`, "is a whole integration: import it with `switchyard integration import`"},
		{"no format", `{"external": "A"}`, `format: missing`},
		{"unknown key", `{"format": "switchyard.entity-mapping/v1", "extrenal": "A"}`, `extrenal: unknown key; did you mean "external"?`},
		{"unknown field key", `{"format": "switchyard.entity-mapping/v1", "fields": [{"external": "a", "locl": "a"}]}`, `fields[0].locl: unknown key`},
		{"wrong type", `{"format": "switchyard.entity-mapping/v1", "fields": {}}`, `fields: must be a list`},
		{"syntax", "{\"format\": \n,}", "line 2, column 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeEntity(strings.NewReader(tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("DecodeEntity() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestWithEntityAndEntityProblems(t *testing.T) {
	in := crm()
	em := EntityMapping{External: "Accounts", Local: "company"}
	out, i := in.WithEntity(em)
	if i != 1 || out.Entities[1].Local != "company" || in.Entities[1].Local != "account" {
		t.Fatalf("WithEntity() replaced at %d: %+v", i, out.Entities)
	}
	out, i = in.WithEntity(EntityMapping{External: "Leads"})
	if i != 2 || len(out.Entities) != 3 {
		t.Fatalf("WithEntity() appended at %d", i)
	}
	ps := Problems{{Path: "entities[0].local", Msg: "a"}, {Path: "entities[1]", Msg: "b"}, {Path: "entities[1].fields[2].lookup", Msg: "c"}, {Path: "name", Msg: "d"}}
	if got := EntityProblems(ps, 1); !reflect.DeepEqual(got, Problems{{Msg: "b"}, {Path: "fields[2].lookup", Msg: "c"}}) {
		t.Fatalf("EntityProblems() = %v", got)
	}
}

// TestValidateAsARunDoes: the filters a run would refuse, a primary key no
// field fills, and (a warning) a download filter on a parent that can leave
// children without it are findings, so that check judges as a run does.
func TestValidateAsARunDoes(t *testing.T) {
	local := localCRM(t)
	tests := []struct {
		name   string
		change func(in *Integration)
		want   []string
	}{
		{"a download filter that does not parse", func(in *Integration) { in.Entities[0].DownloadFilter = "lastname eq" },
			[]string{"bad-filter entities[0].downloadFilter"}},
		{"a download filter on an unknown field", func(in *Integration) { in.Entities[0].DownloadFilter = "nope eq 1" },
			[]string{"bad-filter entities[0].downloadFilter"}},
		{"an upload filter on an unknown local field", func(in *Integration) { in.Entities[0].UploadFilter = "nope eq 1" },
			[]string{"bad-filter entities[0].uploadFilter"}},
		{"the primary key unmapped", func(in *Integration) { in.Entities[0].Fields[0].Disabled = true },
			[]string{"unmapped-primary-key entities[0].primaryKey"}},
		{"a filter on the parent", func(in *Integration) { in.Entities[1].DownloadFilter = "revenue gt 10" },
			[]string{"filtered-parent entities[0].fields[2]", "filtered-parent entities[1].fields[3]"}},
		{"a filter on the parent, children skipped", func(in *Integration) {
			in.Entities[1].DownloadFilter = "revenue gt 10"
			in.Entities[0].Fields[2].MissingParent = MissingSkip
		}, []string{"filtered-parent entities[1].fields[3]"}},
	}
	for _, tt := range tests {
		in := crm()
		tt.change(&in)
		var got []string
		for _, f := range Validate(in, externalCatalog, local) {
			got = append(got, string(f.Kind)+" "+f.Path)
			if f.Kind == FilteredParent && !f.Warning {
				t.Errorf("%s: a filtered parent is a warning: %+v", tt.name, f)
			}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Validate() = %v, want %v", tt.name, got, tt.want)
		}
	}
}
