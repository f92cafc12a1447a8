package mapping

import (
	"reflect"
	"testing"
)

func em(external, local string, lookups ...string) EntityMapping {
	e := EntityMapping{External: external, Local: local, PrimaryKey: "externalid", Direction: Download,
		Fields: []FieldMapping{{External: "ID", Local: "externalid"}}}
	for _, l := range lookups {
		e.Fields = append(e.Fields, FieldMapping{External: l + "_ID", Local: l + "id", Lookup: l})
	}
	return e
}

func TestOrder(t *testing.T) {
	disabledLookup := em("Notes", "note", "contact")
	disabledLookup.Fields[1].Disabled = true
	off := em("Leads", "lead")
	off.Disabled = true
	tests := []struct {
		name     string
		entities []EntityMapping
		want     []string
		deferred map[string][]string
	}{
		{"children first in the file", []EntityMapping{em("WorkOrders", "workorder", "contact"), em("Contacts", "contact", "account"), em("Accounts", "account")},
			[]string{"Accounts", "Contacts", "WorkOrders"}, nil},
		{"independent keep file order", []EntityMapping{em("B", "b"), em("A", "a"), em("C", "c", "a")},
			[]string{"B", "A", "C"}, nil},
		{"self lookup deferred", []EntityMapping{em("Contacts", "contact", "account"), em("Accounts", "account", "account")},
			[]string{"Accounts", "Contacts"}, map[string][]string{"Accounts": {"accountid"}}},
		{"cycle broken", []EntityMapping{em("Accounts", "account", "contact"), em("Contacts", "contact", "account"), em("WorkOrders", "workorder", "contact")},
			[]string{"Accounts", "Contacts", "WorkOrders"}, map[string][]string{"Accounts": {"contactid"}}},
		{"three-cycle with a root", []EntityMapping{em("C", "c", "b", "r"), em("B", "b", "a"), em("A", "a", "c"), em("R", "r")},
			[]string{"R", "C", "A", "B"}, map[string][]string{"C": {"bid"}}},
		{"lookup outside the integration", []EntityMapping{em("Contacts", "contact", "region")}, []string{"Contacts"}, nil},
		{"disabled field and entity ignored", []EntityMapping{disabledLookup, em("Contacts", "contact"), off}, []string{"Notes", "Contacts"}, nil},
		{"two mappings into one local entity", []EntityMapping{em("Contacts", "contact", "account"), em("Accounts", "account"), em("Companies", "account")},
			[]string{"Accounts", "Companies", "Contacts"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ordered, deferred := Order(Integration{Entities: tt.entities})
			var got []string
			for _, e := range ordered {
				got = append(got, e.External)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Order() = %v, want %v", got, tt.want)
			}
			gotDeferred := map[string][]string{}
			for k, fs := range deferred {
				for _, f := range fs {
					gotDeferred[k] = append(gotDeferred[k], f.Local)
				}
			}
			if tt.deferred == nil {
				tt.deferred = map[string][]string{}
			}
			if !reflect.DeepEqual(gotDeferred, tt.deferred) {
				t.Errorf("deferred = %v, want %v", gotDeferred, tt.deferred)
			}
		})
	}
}
