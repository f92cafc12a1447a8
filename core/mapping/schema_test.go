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

func TestCheckSchemasFilters(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Integration)
		want   string // the problems, one per line; "" for none
	}{
		{"valid filters", func(in *Integration) {
			in.Entities[1].DownloadFilter = "name ne null and revenue gt 1000.5 and parent_ID eq null"
			// The upload filter sees the local entity as the plan creates it, with its system fields.
			in.Entities[1].UploadFilter = "modifiedon ge now() sub duration'P1D' and parentaccountid ne null and startswith(name,'A')"
			// accountid is a lookup added to contact after both entities exist.
			in.Entities[0].UploadFilter = "accountid eq null or lastname eq 'Smith'"
		}, ""},
		{"download unknown field", func(in *Integration) { in.Entities[1].DownloadFilter = "nmae eq 'x'" },
			`entities[1].downloadFilter: column 1: unknown field nmae in entity Accounts; did you mean name?`},
		{"download wrong literal", func(in *Integration) { in.Entities[1].DownloadFilter = "revenue gt '5'" },
			`entities[1].downloadFilter: column 12: '5' is a string, but revenue is a decimal field: write a number without quotes, such as 42 or 9.95`},
		{"download syntax", func(in *Integration) { in.Entities[0].DownloadFilter = "lastname eq" },
			`entities[0].downloadFilter: column 12: expected a field, a value or (, found the end of the filter`},
		{"upload names an external field", func(in *Integration) { in.Entities[1].UploadFilter = "revenue gt 5 and parent_ID eq null" },
			`entities[1].uploadFilter: column 18: unknown field parent_ID in entity account; its fields are externalid, name, revenue, parentaccountid, id, createdon, modifiedon, versionnumber`},
		{"every problem", func(in *Integration) {
			in.Entities[0].UploadFilter = "lastname gt 1 or accountid lt 5"
		}, "entities[0].uploadFilter: column 13: 1 is a number, but lastname is a string field: quote it: '1'\n" +
			"entities[0].uploadFilter: column 31: 5 is a number, but accountid is a lookup field: write a guid such as aea00b94-3481-5df7-b7e1-89ec3da7558f, without quotes"},
		{"disabled mappings are not checked", func(in *Integration) {
			in.Entities[1].Disabled, in.Entities[1].DownloadFilter = true, "nmae eq 'x'"
			in.Entities[0].Fields[2].Lookup = ""
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := crm()
			tt.modify(&in)
			_, ps := CheckSchemas(in, externalCatalog, nil)
			if got := ps.Error(); got != tt.want {
				t.Fatalf("CheckSchemas() problems:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestFitsKnowsTheDirection: a download needs external values to fit the
// local field, an upload local values to fit the external one, and a column
// the system cannot type yet (an empty file's) takes anything.
func TestFitsKnowsTheDirection(t *testing.T) {
	dec := meta.Field{Name: "price", Type: meta.Decimal}
	str := meta.Field{Name: "price", Type: meta.String}
	untyped := meta.Field{Name: "price", Type: meta.String, ExternalType: meta.ExternalTypeUntyped}
	xint := meta.Field{Name: "qty", Type: meta.Int}
	tests := []struct {
		lf, want, xf meta.Field
		d            Direction
		ok           bool
	}{
		{dec, str, str, Download, false},        // text does not go into a decimal
		{dec, str, str, Upload, true},           // a decimal goes into a text column
		{dec, str, untyped, Upload, true},       // an empty file's column takes it
		{dec, str, untyped, Download, true},     // nor is there anything to download yet
		{str, xint, xint, Download, true},       // an int goes into text
		{str, xint, xint, Bidirectional, false}, // but text does not go back into an int
		{str, xint, xint, Upload, false},
	}
	for i, tt := range tests {
		if got := fitsFor(tt.lf, tt.want, tt.xf, tt.d) == ""; got != tt.ok {
			t.Errorf("%d: fitsFor(%s ← %s, %s) fits = %v, want %v", i, tt.lf.Type, tt.xf.Type, tt.d, got, tt.ok)
		}
	}
}
