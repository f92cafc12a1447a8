package fixturetest

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/connectors/odata"
	"switchyard/core/mapping"
	"switchyard/core/meta"
)

// dynamics returns the entities of the shared Dynamics CRM Web API fixture,
// skipping the test where the shared/ folder beside the repository is absent.
func dynamics(tb testing.TB) []meta.Entity {
	tb.Helper()
	path := filepath.Join("..", "..", "..", "shared", "fixtures", "dynamics-crm-webapi-v8.xml")
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		tb.Skipf("fixture %s is absent (the shared/ folder beside the repository holds it)", path)
	}
	if err != nil {
		tb.Fatal(err)
	}
	md, err := odata.ParseMetadata(bytes.NewReader(raw))
	if err != nil {
		tb.Fatal(err)
	}
	entities, _, err := md.Entities()
	if err != nil {
		tb.Fatal(err)
	}
	return entities
}

func entity(tb testing.TB, list []meta.Entity, name string) meta.Entity {
	tb.Helper()
	e, ok := meta.FindEntity(list, name)
	if !ok {
		tb.Fatalf("entity %s is missing from the fixture", name)
	}
	return e
}

// The local entity set the suggestions are made against: what an admin
// would design by hand, with names that differ from Dynamics'.
var (
	localAccount = meta.Entity{Name: "account", Fields: []meta.Field{
		{Name: "externalid", Type: meta.String},
		{Name: "name", Type: meta.String},
		{Name: "accountnumber", Type: meta.String},
		{Name: "email", Type: meta.String},
		{Name: "phone", Type: meta.String},
		{Name: "fax", Type: meta.String},
		{Name: "website", Type: meta.String},
		{Name: "city", Type: meta.String},
		{Name: "postal_code", Type: meta.String},
		{Name: "employees", Type: meta.Int},
		{Name: "revenue", Type: meta.Decimal},
		{Name: "credit_on_hold", Type: meta.Bool},
		// A text field holding the primary contact's name, named like Dynamics' lookup: the trap.
		{Name: "primarycontactid", Type: meta.String},
		{Name: "primary_contact", Type: meta.Lookup, Target: "contact"},
		{Name: "parent_account", Type: meta.Lookup, Target: "account"},
	}}
	localContact = meta.Entity{Name: "contact", Fields: []meta.Field{
		{Name: "externalid", Type: meta.String},
		{Name: "firstname", Type: meta.String},
		{Name: "lastname", Type: meta.String},
		{Name: "email", Type: meta.String},
		{Name: "phone", Type: meta.String},
		{Name: "mobile", Type: meta.String},
		{Name: "JobTitle", Type: meta.String},
		{Name: "birthdate", Type: meta.Date},
		{Name: "postal_code", Type: meta.String},
		// A guid column named like Dynamics' read-only _accountid_value, and the real parent lookup.
		{Name: "accountid", Type: meta.GUID},
		{Name: "account", Type: meta.Lookup, Target: "account"},
	}}
	mapped = map[string]string{"accounts": "account", "contacts": "contact"}
)

func TestSuggestDynamics(t *testing.T) {
	all := dynamics(t)
	tests := []struct {
		external string
		local    meta.Entity
		want     map[string]string // external field → best local field ("" for none)
		reasons  map[string]string // external field → part of the best candidate's reason
	}{
		{"accounts", localAccount, map[string]string{
			"accountid":               "externalid",
			"name":                    "name",
			"accountnumber":           "accountnumber",
			"emailaddress1":           "email",
			"telephone1":              "phone",
			"fax":                     "fax",
			"websiteurl":              "website",
			"address1_city":           "city",
			"address1_postalcode":     "postal_code",
			"numberofemployees":       "employees",
			"revenue":                 "revenue",
			"creditonhold":            "credit_on_hold",
			"_primarycontactid_value": "primary_contact",
			"_parentaccountid_value":  "parent_account",
			"emailaddress2":           "",
			"address2_postalcode":     "",
			"_ownerid_value":          "",
			"revenue_base":            "",
		}, map[string]string{
			"_primarycontactid_value": "a lookup to contact, which contacts maps to",
			"_parentaccountid_value":  "a lookup to account, which accounts maps to",
			"emailaddress1":           "known synonym",
			"creditonhold":            "set aside",
			"accountid":               "holds the external key",
		}},
		{"contacts", localContact, map[string]string{
			"contactid":               "externalid",
			"firstname":               "firstname",
			"lastname":                "lastname",
			"emailaddress1":           "email",
			"telephone1":              "phone",
			"mobilephone":             "mobile",
			"jobtitle":                "JobTitle",
			"birthdate":               "birthdate",
			"address1_postalcode":     "postal_code",
			"_parentcustomerid_value": "account",
			"_accountid_value":        "accountid",
			"fullname":                "",
		}, map[string]string{
			"_parentcustomerid_value": "a lookup to account, which accounts maps to",
			"_accountid_value":        "same type",
			"birthdate":               "same type",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.external, func(t *testing.T) {
			ext := entity(t, all, tt.external)
			ss := mapping.Suggest(ext, tt.local, mapping.SuggestOptions{Mapped: mapped, PrimaryKey: "externalid"})
			by := map[string]mapping.Suggestion{}
			for _, s := range ss {
				by[s.External] = s
			}
			for field, want := range tt.want {
				s, ok := by[field]
				if !ok {
					t.Errorf("no suggestion entry for %s", field)
					continue
				}
				best, _ := s.Best()
				if best.Local != want {
					t.Errorf("%s.%s: best = %+v, want %q (all: %+v)", tt.external, field, best, want, s.Candidates)
				}
				if r := tt.reasons[field]; r != "" && !strings.Contains(best.Reason, r) {
					t.Errorf("%s.%s: reason %q lacks %q", tt.external, field, best.Reason, r)
				}
			}
			// Map all suggested: every local field but the trap is taken once, and only from compatible types.
			fields := mapping.MapAll(ss, mapping.SuggestThreshold)
			got := map[string]string{}
			for _, f := range fields {
				if prev, dup := got[f.Local]; dup {
					t.Errorf("local %s mapped from %s and %s", f.Local, prev, f.External)
				}
				got[f.Local] = f.External
				xf, _ := ext.Field(f.External)
				lf, _ := tt.local.Field(f.Local)
				if lf.Type != meta.Lookup && !mapping.Convertible(xf.Type, lf.Type) {
					t.Errorf("map all mapped %s (%s) to %s (%s)", f.External, xf.Type, f.Local, lf.Type)
				}
			}
			for field, want := range tt.want {
				if want != "" && got[want] != field {
					t.Errorf("map all: %s ← %q, want %s", want, got[want], field)
				}
			}
		})
	}
}

// BenchmarkSuggestDynamicsAccounts suggests for Dynamics' accounts (about 200 fields) against the local account.
func BenchmarkSuggestDynamicsAccounts(b *testing.B) {
	ext := entity(b, dynamics(b), "accounts")
	for b.Loop() {
		mapping.MapAll(mapping.Suggest(ext, localAccount, mapping.SuggestOptions{Mapped: mapped}), mapping.SuggestThreshold)
	}
}
