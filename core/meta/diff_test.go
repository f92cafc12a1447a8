package meta

import (
	"reflect"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	old := []Entity{
		{Name: "Accounts", Key: []string{"ID"}, Fields: []Field{{Name: "ID", Type: GUID}, {Name: "name", Type: String, MaxLength: 100}, {Name: "fax", Type: String}, {Name: "employees", Type: Int}}},
		{Name: "Contacts", Key: []string{"ID"}, Fields: []Field{{Name: "ID", Type: GUID}}},
		{Name: "Leads", Key: []string{"ID"}},
	}
	newer := []Entity{
		{Name: "Accounts", Key: []string{"ID"}, Fields: []Field{{Name: "ID", Type: GUID}, {Name: "name", Type: String, MaxLength: 200}, {Name: "employees", Type: Decimal}, {Name: "web", Type: String}}},
		{Name: "Contacts", Key: []string{"ID"}, Fields: []Field{{Name: "ID", Type: GUID}}},
		{Name: "Orders", Key: []string{"no"}},
	}
	tests := []struct {
		name     string
		old, new []Entity
		want     SchemaDiff
		text     []string
	}{
		{"same", old, old, SchemaDiff{AddedEntities: []string{}, RemovedEntities: []string{}, Changed: []EntityDiff{}}, []string{"no changes"}},
		{"changed", old, newer, SchemaDiff{
			AddedEntities: []string{"Orders"}, RemovedEntities: []string{"Leads"},
			Changed: []EntityDiff{{Entity: "Accounts", AddedFields: []string{"web"}, RemovedFields: []string{"fax"}, ChangedFields: []FieldChange{
				{Field: "name", Old: Field{Name: "name", Type: String, MaxLength: 100}, New: Field{Name: "name", Type: String, MaxLength: 200}},
				{Field: "employees", Old: Field{Name: "employees", Type: Int}, New: Field{Name: "employees", Type: Decimal}},
			}}},
		}, []string{"+ Orders (new entity)", "- Leads (entity removed)", "~ Accounts", "    + web", "    - fax", "    ~ name (max length 100 → 200)", "    ~ employees (int → decimal)"}},
		{"key", []Entity{{Name: "A", Key: []string{"a"}}}, []Entity{{Name: "A", Key: []string{"b"}}}, SchemaDiff{
			AddedEntities: []string{}, RemovedEntities: []string{}, Changed: []EntityDiff{{Entity: "A", OldKey: []string{"a"}, NewKey: []string{"b"}}},
		}, []string{"key: a → b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff(tt.old, tt.new)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Diff() = %+v\nwant %+v", got, tt.want)
			}
			for _, line := range tt.text {
				if !strings.Contains(got.String(), line) {
					t.Errorf("String() = %q, lacks %q", got.String(), line)
				}
			}
		})
	}
	if c := (FieldChange{Old: Field{Type: String, MaxLength: 1}, New: Field{Type: String, MaxLength: 2}}); c.TypeChanged() {
		t.Error("a new length is not a type change")
	}
}
