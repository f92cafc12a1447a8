package engine

import (
	"context"
	"testing"

	"switchyard/core/mapping"
	"switchyard/core/store"
)

// TestMatchKeyTypes: an entity matched by a field of each type (a decimal
// such as 10.50 or 1234567890123.45, a string, a GUID, a date) imports once
// and is unchanged the second time, on both backends: the key the engine
// looks a record up by is the key the store finds its row by
// (values.KeyText). A decimal of 13 digits and more once came back from
// SQLite as 1.23456789012345e+12, and was imported again on every run.
func TestMatchKeyTypes(t *testing.T) {
	tests := []struct {
		entity, local, external, key string
		fields                       []mapping.FieldMapping
		records                      int // records with a key: the others fail alone
	}{
		{"Accounts", "account", "revenue", "revenue", []mapping.FieldMapping{{External: "revenue", Local: "revenue"}, {External: "name", Local: "name"}}, 4},
		{"Accounts", "account", "name", "name", []mapping.FieldMapping{{External: "name", Local: "name"}, {External: "revenue", Local: "revenue"}}, 4},
		{"Accounts", "account", "ID", "externalid", []mapping.FieldMapping{{External: "ID", Local: "externalid"}, {External: "name", Local: "name"}}, 5},
		{"Contacts", "contact", "birthdate", "birthdate", []mapping.FieldMapping{{External: "birthdate", Local: "birthdate"}, {External: "lastname", Local: "lastname"}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.entity+" by "+tt.external, func(t *testing.T) {
			eachWorkspace(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				in := mapping.Integration{Name: "bykey", Connector: "mem", Entities: []mapping.EntityMapping{
					{External: tt.entity, Local: tt.local, PrimaryKey: tt.key, Direction: mapping.Download, Fields: tt.fields},
				}}
				if err := st.SaveIntegration(ctx, in); err != nil {
					t.Fatal(err)
				}
				e := &Engine{Workspace: store.Ports[Tx](st)}
				first, err := e.Run(ctx, newSystem(), Options{Integration: in, Direction: Import})
				if err != nil {
					t.Fatal(err)
				}
				again, err := e.Run(ctx, newSystem(), Options{Integration: in, Direction: Import})
				if err != nil {
					t.Fatal(err)
				}
				c1, c2 := first.Totals(), again.Totals()
				if c1.Imported != tt.records || c2.Imported != 0 || c2.Updated != 0 || c2.Unchanged != tt.records {
					t.Errorf("first %+v, second %+v; want %d imported, then unchanged", c1, c2, tt.records)
				}
				if n, err := st.CountRows(ctx, tt.local); err != nil || n != int64(tt.records) {
					t.Errorf("%s holds %d rows (%v), want %d", tt.local, n, err, tt.records)
				}
			})
		})
	}
}
