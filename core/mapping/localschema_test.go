package mapping

import (
	"strings"
	"testing"

	"switchyard/core/meta"
)

func TestLocalName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"name", "name"}, {"PostalCode", "postalcode"}, {"_primarycontactid_value", "primarycontactid"},
		{"parent_ID", "parent_id"}, {"Order Date", "order_date"}, {"1st", "f_1st"}, {"sy_x", "x_sy_x"}, {"__", "field"},
	}
	for _, tt := range tests {
		if got := LocalName(tt.in); got != tt.want || !ValidLocalName(got) {
			t.Errorf("LocalName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFromExternal(t *testing.T) {
	ext := meta.Entity{Name: "contacts", Key: []string{"contactid"}, Fields: []meta.Field{
		{Name: "contactid", Type: meta.GUID},
		{Name: "lastname", Type: meta.String, MaxLength: 50},
		{Name: "createdon", Type: meta.DateTime, ReadOnly: true},
		{Name: "_parentcustomerid_value", Type: meta.GUID},
		{Name: "parentcustomerid_account", Type: meta.Lookup, Target: "accounts", ForeignKey: "_parentcustomerid_value"},
		{Name: "_ownerid_value", Type: meta.GUID},
		{Name: "ownerid", Type: meta.Lookup, Target: "systemusers", ForeignKey: "_ownerid_value"},
		{Name: "Score", Type: meta.Decimal, Precision: 9, Scale: 2},
		{Name: "score", Type: meta.Int},
	}}
	e, em, err := FromExternal(ext, "contact", map[string]string{"accounts": "account"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range e.Fields {
		names = append(names, f.Name+":"+string(f.Type)+f.Target)
	}
	want := "externalid:guid lastname:string ext_createdon:datetime parentcustomerid:lookupaccount ownerid:guid score:decimal score_2:int"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("fields = %s\nwant     %s", got, want)
	}
	if em.PrimaryKey != "externalid" || em.Fields[0].External != "contactid" || em.Fields[3].Lookup != "account" || em.Direction != Download {
		t.Errorf("mapping = %+v", em)
	}
	if f, _ := e.Field("lastname"); f.MaxLength != 50 {
		t.Errorf("lastname = %+v", f)
	}
	// The mapping it makes passes the checks, and the plan creates the entity.
	in := Integration{Name: "crm", Connector: "odata", Entities: []EntityMapping{em}}
	if ps := in.Check(); len(ps) != 0 {
		t.Fatalf("Check() = %v", ps)
	}
	local := []meta.Entity{{Name: "account"}}
	plan, ps := CheckSchemas(in, []meta.Entity{ext}, local)
	if len(ps) != 0 || len(plan.Entities) != 1 || len(plan.AddFields) != 1 || plan.AddFields[0].Field.Target != "account" {
		t.Fatalf("CheckSchemas() = %+v, %v", plan, ps)
	}
	if _, _, err := FromExternal(meta.Entity{Name: "lines", Key: []string{"order", "line"}}, "line", nil); err == nil || !strings.Contains(err.Error(), "2 key fields") {
		t.Errorf("composite key: %v", err)
	}
	if _, _, err := FromExternal(ext, "Contact", nil); err == nil {
		t.Error("an invalid local name was accepted")
	}
}
