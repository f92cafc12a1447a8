package mapping

import (
	"reflect"
	"testing"

	"switchyard/core/schedule"
	"switchyard/core/spec"
)

func TestChanges(t *testing.T) {
	base := func() Integration {
		return Integration{
			Name: "crm", Connector: "odata",
			Settings: spec.Values{"url": "https://a", "auth": "basic"},
			Secrets:  spec.Values{"password": "pw"},
			Entities: []EntityMapping{
				{External: "accounts", Local: "account", Direction: Download, Fields: []FieldMapping{
					{External: "name", Local: "name"}, {External: "email", Local: "email"}, {External: "id", Local: "id"}}},
				{External: "contacts", Local: "contact"},
			},
			Schedules: []schedule.Schedule{{Every: "1h"}},
		}
	}
	tests := []struct {
		name   string
		change func(in *Integration)
		want   []string
	}{
		{"nothing", func(*Integration) {}, nil},
		{"no schedules either way", func(in *Integration) { in.Schedules = []schedule.Schedule{} }, []string{"schedules"}},
		{"connector", func(in *Integration) { in.Connector = "rest" }, []string{"connector"}},
		{"settings", func(in *Integration) {
			in.Settings["url"] = "https://b"
			delete(in.Settings, "auth")
			in.Settings["z"] = "1"
		},
			[]string{"settings auth, url, z"}},
		{"secrets by name only", func(in *Integration) { in.Secrets["password"] = "new" }, []string{"secrets password"}},
		{"fields", func(in *Integration) {
			in.Entities[0].Fields[0].Local = "fullname"
			in.Entities[0].Fields = in.Entities[0].Fields[:2]
			in.Entities[0].Fields[1].Disabled = true
		}, []string{"entity accounts: fields name, email, id"}},
		{"entity settings", func(in *Integration) { in.Entities[1].Direction = Upload; in.Entities[1].Conflict = ConflictLocal },
			[]string{"entity contacts: direction, conflict"}},
		{"added and removed", func(in *Integration) { in.Entities[1] = EntityMapping{External: "leads", Local: "lead"} },
			[]string{"entity leads added", "entity contacts removed"}},
		{"order", func(in *Integration) { in.Entities[0], in.Entities[1] = in.Entities[1], in.Entities[0] }, []string{"entity order"}},
		{"field order", func(in *Integration) {
			f := in.Entities[0].Fields
			f[0], f[1] = f[1], f[0]
		}, []string{"entity accounts: field order"}},
		{"schedules", func(in *Integration) { in.Schedules[0].Enabled = true }, []string{"schedules"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := base()
			tt.change(&n)
			if got := Changes(base(), n); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Changes = %q, want %q", got, tt.want)
			}
		})
	}
	// An empty list and none are the same, as in the integration file.
	a, b := base(), base()
	a.Schedules, b.Schedules = nil, []schedule.Schedule{}
	a.Entities[1].Fields, b.Entities[1].Fields = nil, []FieldMapping{}
	if got := Changes(a, b); got != nil {
		t.Errorf("Changes(nil lists, empty lists) = %q, want none", got)
	}
}
