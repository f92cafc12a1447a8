package mapping

import (
	"fmt"
	"strings"
	"testing"

	"switchyard/core/meta"
)

func TestNormalName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"name", "name"},
		{"PostalCode", "postalcode"},
		{"postal_code", "postalcode"},
		{"Postal-Code", "postalcode"},
		{"_primarycontactid_value", "primarycontact"},
		{"PrimaryContactId", "primarycontact"},
		{"primary_contact_ID", "primarycontact"},
		{"accountID", "account"},
		{"account_ID", "account"},
		{"new_region", "region"},
		{"cr4a1_region", "region"},
		{"address1_postalcode", "address1postalcode"},
		{"emailaddress1", "emailaddress1"},
		{"paid", "paid"},
		{"id", "id"},
		{"ID", "id"},
		{"_value", "value"},
		{"new", "new"},
	}
	for _, tt := range tests {
		if got := NormalName(tt.in); got != tt.want {
			t.Errorf("NormalName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

var (
	extAccounts = meta.Entity{Name: "accounts", Key: []string{"accountid"}, Fields: []meta.Field{
		{Name: "accountid", Type: meta.GUID},
		{Name: "name", Type: meta.String},
		{Name: "emailaddress1", Type: meta.String},
		{Name: "telephone1", Type: meta.String},
		{Name: "address1_postalcode", Type: meta.String},
		{Name: "numberofemployees", Type: meta.Int},
		{Name: "revenue", Type: meta.Decimal},
		{Name: "Website", Type: meta.String},
		{Name: "cr4a1_Region", Type: meta.String},
		{Name: "statuscode", Type: meta.Int},
		{Name: "_primarycontactid_value", Type: meta.GUID},
		{Name: "primarycontactid", Type: meta.Lookup, Target: "contacts", ForeignKey: "_primarycontactid_value"},
		{Name: "_ownerid_value", Type: meta.GUID},
		{Name: "ownerid", Type: meta.Lookup, Target: "systemusers", ForeignKey: "_ownerid_value"},
	}}
	localAccount = meta.Entity{Name: "account", Fields: []meta.Field{
		{Name: "externalid", Type: meta.String},
		{Name: "name", Type: meta.String},
		{Name: "email", Type: meta.String},
		{Name: "phone", Type: meta.String},
		{Name: "postal_code", Type: meta.String},
		{Name: "employees", Type: meta.Decimal},
		{Name: "revenue", Type: meta.Int},
		{Name: "website", Type: meta.String},
		{Name: "region", Type: meta.String},
		{Name: "primarycontactid", Type: meta.String, Label: "the primary contact's name"},
		{Name: "primarycontact", Type: meta.Lookup, Target: "contact"},
		{Name: "owner", Type: meta.Lookup, Target: "user"},
		{Name: "id", Type: meta.GUID, ReadOnly: true},
		{Name: "modifiedon", Type: meta.DateTime, ReadOnly: true},
	}}
)

func TestSuggest(t *testing.T) {
	ss := Suggest(extAccounts, localAccount, SuggestOptions{Mapped: map[string]string{"accounts": "account", "contacts": "contact"}})
	by := map[string]Suggestion{}
	for _, s := range ss {
		by[s.External] = s
	}
	if _, ok := by["primarycontactid"]; ok {
		t.Error("a navigation property with a key field of its own was suggested")
	}
	tests := []struct {
		external, best, reason string
		lookup                 string
		minScore               int
	}{
		{"accountid", "externalid", "holds the external key", "", 60},
		{"name", "name", "same name", "", 100},
		{"emailaddress1", "email", "known synonym: emailaddress1 ↔ email", "", 75},
		{"telephone1", "phone", "known synonym", "", 75},
		{"address1_postalcode", "postal_code", "known synonym", "", 75},
		{"numberofemployees", "employees", "int fits decimal", "", 75},
		{"Website", "website", "same name apart from case", "", 95},
		{"cr4a1_Region", "region", "prefixes and suffixes are set aside (region)", "", 85},
		{"_primarycontactid_value", "primarycontact", "a lookup to contact, which contacts maps to", "contact", 100},
	}
	for _, tt := range tests {
		t.Run(tt.external, func(t *testing.T) {
			best, ok := by[tt.external].Best()
			if !ok || best.Local != tt.best || best.Lookup != tt.lookup || best.Score < tt.minScore || !strings.Contains(best.Reason, tt.reason) {
				t.Fatalf("best for %s = %+v, want %s (%q, score ≥ %d); all %+v", tt.external, best, tt.best, tt.reason, tt.minScore, by[tt.external].Candidates)
			}
		})
	}
	// The string field named like the lookup ranks below the lookup, with its reason.
	pc := by["_primarycontactid_value"].Candidates
	if len(pc) < 2 || pc[1].Local != "primarycontactid" || !strings.Contains(pc[1].Reason, "not as a lookup") || pc[1].Score >= pc[0].Score {
		t.Errorf("candidates for _primarycontactid_value = %+v", pc)
	}
	// Incompatible types are never suggested: revenue is decimal, the local revenue int.
	if len(by["revenue"].Candidates) != 0 {
		t.Errorf("revenue candidates = %+v, want none (decimal does not fit int)", by["revenue"].Candidates)
	}
	// A lookup to another entity is not suggested; system fields never are.
	for _, c := range by["_ownerid_value"].Candidates {
		if c.Local == "owner" {
			t.Errorf("owner (lookup to user) suggested for a key of systemusers, which no mapping maps to user: %+v", c)
		}
	}
	for _, s := range ss {
		for _, c := range s.Candidates {
			if c.Local == "id" || c.Local == "modifiedon" {
				t.Errorf("system field suggested: %+v", c)
			}
		}
	}
	if len(by["statuscode"].Candidates) != 0 {
		t.Errorf("statuscode candidates = %+v", by["statuscode"].Candidates)
	}
}

func TestSuggestLookupByTargetName(t *testing.T) {
	// Without a mapping of systemusers, a lookup to a local entity named like it fits.
	local := meta.Entity{Name: "account", Fields: []meta.Field{{Name: "owner", Type: meta.Lookup, Target: "systemuser"}}}
	ss := Suggest(extAccounts, local, SuggestOptions{})
	for _, s := range ss {
		if s.External == "_ownerid_value" {
			if best, ok := s.Best(); !ok || best.Local != "owner" || best.Lookup != "systemuser" {
				t.Fatalf("best for _ownerid_value = %+v", s.Candidates)
			}
			return
		}
	}
	t.Fatal("no suggestion for _ownerid_value")
}

func TestMapAll(t *testing.T) {
	ss := []Suggestion{
		{External: "a", Candidates: []Candidate{{Local: "x", Score: 80}, {Local: "y", Score: 70}}},
		{External: "b", Candidates: []Candidate{{Local: "x", Score: 95}}},
		{External: "c", Candidates: []Candidate{{Local: "z", Score: 59}}},
		{External: "d", Candidates: []Candidate{{Local: "w", Score: 100, Lookup: "contact"}}},
		{External: "e", Candidates: []Candidate{}},
	}
	got := MapAll(ss, SuggestThreshold)
	want := []FieldMapping{{External: "a", Local: "y"}, {External: "b", Local: "x"}, {External: "d", Local: "w", Lookup: "contact"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("MapAll() = %+v, want %+v", got, want)
	}
	all := MapAll(Suggest(extAccounts, localAccount, SuggestOptions{Mapped: map[string]string{"contacts": "contact"}}), SuggestThreshold)
	seen := map[string]bool{}
	for _, f := range all {
		if seen[f.Local] {
			t.Errorf("local field %s mapped twice", f.Local)
		}
		seen[f.Local] = true
	}
	if !seen["primarycontact"] || !seen["email"] || len(all) != 9 {
		t.Errorf("MapAll(Suggest()) = %+v", all)
	}
}

// wide builds an entity of n fields with varied names and types.
func wide(name string, n int, style func(i int) string) meta.Entity {
	types := []meta.Type{meta.String, meta.Int, meta.Decimal, meta.DateTime, meta.Bool, meta.GUID}
	e := meta.Entity{Name: name, Key: []string{style(0)}}
	for i := range n {
		e.Fields = append(e.Fields, meta.Field{Name: style(i), Type: types[i%len(types)]})
	}
	return e
}

// BenchmarkSuggest400 suggests for a 400-field external entity against a 400-field local entity.
func BenchmarkSuggest400(b *testing.B) {
	ext := wide("things", 400, func(i int) string { return fmt.Sprintf("cr4a1_Field%dId", i) })
	local := wide("thing", 400, func(i int) string { return fmt.Sprintf("field_%d", i) })
	for i := 0; i < 400; i += 7 {
		ext.Fields[i].Name = synonymGroups[i%len(synonymGroups)][1]
		local.Fields[i].Name = synonymGroups[i%len(synonymGroups)][0]
	}
	ss := Suggest(ext, local, SuggestOptions{})
	if n := len(MapAll(ss, SuggestThreshold)); n < 300 {
		b.Fatalf("only %d of 400 fields mapped", n)
	}
	b.ResetTimer()
	for b.Loop() {
		MapAll(Suggest(ext, local, SuggestOptions{}), SuggestThreshold)
	}
}
