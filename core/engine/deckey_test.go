package engine

import (
	"context"
	"testing"

	"switchyard/core/mapping"
	"switchyard/core/store"
)

// TestDecimalMatchKey: an entity matched by a decimal field (10.50, 0, a
// 15-digit amount) imports once and is unchanged the second time, on both
// backends: the key the engine looks up is the key the store finds.
func TestDecimalMatchKey(t *testing.T) {
	eachWorkspace(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		in := mapping.Integration{Name: "bydecimal", Connector: "mem", Entities: []mapping.EntityMapping{
			{External: "Accounts", Local: "account", PrimaryKey: "revenue", Direction: mapping.Download, Fields: []mapping.FieldMapping{
				{External: "revenue", Local: "revenue"}, {External: "name", Local: "name"},
			}},
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
		if c1.Imported != 4 || c2.Imported != 0 || c2.Updated != 0 || c2.Unchanged != 4 {
			t.Errorf("first %+v, second %+v; want 4 imported, then 4 unchanged", c1, c2)
		}
		if n, err := st.CountRows(ctx, "account"); err != nil || n != 4 {
			t.Errorf("account holds %d rows (%v), want 4", n, err)
		}
	})
}
