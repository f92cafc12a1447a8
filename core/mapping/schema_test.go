package mapping

import (
	"strings"
	"testing"

	"switchyard/core/meta"
)

var externalCatalog = []meta.Entity{
	{Name: "Accounts", Key: []string{"ID"}, Fields: []meta.Field{
		{Name: "ID", Type: meta.GUID}, {Name: "name", Type: meta.String, MaxLength: 100},
		{Name: "revenue", Type: meta.Decimal, Precision: 15, Scale: 2},
		{Name: "parent", Type: meta.Lookup, Target: "Accounts", ForeignKey: "parent_ID"}, {Name: "parent_ID", Type: meta.GUID},
	}},
	{Name: "Contacts", Key: []string{"ID"}, Fields: []meta.Field{
		{Name: "ID", Type: meta.GUID}, {Name: "lastname", Type: meta.String},
		{Name: "account", Type: meta.Lookup, Target: "Accounts", ForeignKey: "account_ID"}, {Name: "account_ID", Type: meta.GUID},
	}},
}

func crm() Integration {
	return Integration{Name: "crm", Connector: "odata", Entities: []EntityMapping{
		{External: "Contacts", Local: "contact", PrimaryKey: "externalid", Direction: Download, Fields: []FieldMapping{
			{External: "ID", Local: "externalid"}, {External: "lastname", Local: "lastname"},
			{External: "account_ID", Local: "accountid", Lookup: "account"},
		}},
		{External: "Accounts", Local: "account", PrimaryKey: "externalid", Direction: Download, Fields: []FieldMapping{
			{External: "ID", Local: "externalid"}, {External: "name", Local: "name"}, {External: "revenue", Local: "revenue"},
			{External: "parent_ID", Local: "parentaccountid", Lookup: "account"},
		}},
	}}
}

func TestCheckSchemasPlansMissingLocalSchema(t *testing.T) {
	plan, ps := CheckSchemas(crm(), externalCatalog, nil)
	if len(ps) != 0 {
		t.Fatalf("CheckSchemas() problems = %v", ps)
	}
	if len(plan.Entities) != 2 || plan.Entities[0].Name != "account" || plan.Entities[1].Name != "contact" {
		t.Fatalf("plan.Entities = %+v", plan.Entities)
	}
	acc := plan.Entities[0]
	if f, _ := acc.Field("revenue"); f.Type != meta.Decimal || f.Scale != 2 {
		t.Errorf("revenue typed %+v, want decimal scale 2", f)
	}
	if f, _ := acc.Field("parentaccountid"); f.Type != meta.Lookup || f.Target != "account" {
		t.Errorf("a self lookup belongs to the created entity: %+v", f)
	}
	if len(plan.AddFields) != 1 || plan.AddFields[0].Entity != "contact" || plan.AddFields[0].Field.Target != "account" {
		t.Fatalf("plan.AddFields = %+v, want contact.accountid → account", plan.AddFields)
	}
}

func TestCheckSchemasExistingLocal(t *testing.T) {
	local := []meta.Entity{{Name: "account", Fields: []meta.Field{
		{Name: "externalid", Type: meta.String}, {Name: "name", Type: meta.String}, {Name: "revenue", Type: meta.Int},
	}}}
	in := crm()
	in.Entities = in.Entities[1:]
	plan, ps := CheckSchemas(in, externalCatalog, local)
	if len(ps) != 1 || !strings.Contains(ps[0].Error(), `entities[0].fields[2].local: local field "revenue" of entity "account" is int and cannot hold decimal values`) {
		t.Fatalf("CheckSchemas() problems = %v", ps)
	}
	if len(plan.Entities) != 0 || len(plan.AddFields) != 1 || plan.AddFields[0].Field.Name != "parentaccountid" {
		t.Fatalf("plan = %+v, want only parentaccountid added", plan)
	}
}

func TestCheckSchemasProblems(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Integration)
		want   string
	}{
		{"unknown entity near", func(in *Integration) { in.Entities[0].External = "Contact" }, `entities[0].external: unknown external entity "Contact"; did you mean "Contacts"?`},
		{"unknown entity far", func(in *Integration) { in.Entities[0].External = "Invoices" }, `known entities are Accounts, Contacts`},
		{"unknown field", func(in *Integration) { in.Entities[1].Fields[1].External = "nmae" }, `entities[1].fields[1].external: unknown field "nmae" in external entity "Accounts"; did you mean "name"?`},
		{"lookup to nowhere", func(in *Integration) { in.Entities[0].Fields[2].Lookup = "company" }, `entities[0].fields[2].lookup: local entity "company" does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := crm()
			tt.modify(&in)
			_, ps := CheckSchemas(in, externalCatalog, nil)
			if !strings.Contains(ps.Error(), tt.want) {
				t.Fatalf("CheckSchemas() = %q, want it to contain %q", ps.Error(), tt.want)
			}
		})
	}
}

func TestConvertible(t *testing.T) {
	tests := []struct {
		from, to meta.Type
		want     bool
	}{
		{meta.Int, meta.Decimal, true}, {meta.Decimal, meta.Int, false}, {meta.GUID, meta.String, true},
		{meta.String, meta.Int, false}, {meta.Date, meta.DateTime, true}, {meta.DateTime, meta.Date, false},
	}
	for _, tt := range tests {
		if got := Convertible(tt.from, tt.to); got != tt.want {
			t.Errorf("Convertible(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}
