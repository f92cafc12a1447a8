package admin

import (
	"context"
	"testing"

	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/store"
)

func TestCountLocalAndLocalRows(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.CreateEntity(ctx, meta.Entity{Name: "account", Fields: []meta.Field{
		{Name: "name", Type: meta.String}, {Name: "revenue", Type: meta.Int}, {Name: "active", Type: meta.Bool}}}); err != nil {
		t.Fatal(err)
	}
	err = st.Update(ctx, func(tx *store.Tx) error {
		for i, n := range []string{"Contoso", "Fabrikam", "Northwind", "Contoso Ltd"} {
			if _, err := tx.Insert("account", map[string]any{"name": n, "revenue": int64(i * 100), "active": i%2 == 0}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := New(st, connector.NewRegistry())
	tests := []struct {
		filter string
		count  int64
		rows   int // rows LocalRows returns for the same text used as a search
		bad    bool
	}{
		{"", 4, 4, false},
		{"revenue ge 200", 2, 2, false},
		{"contains(name,'Contoso')", 2, 2, false},
		{"Contoso", 0, 2, true}, // not a filter: an error for CountLocal, a text search for LocalRows
		{"nmae eq 'x'", 0, 0, true},
	}
	for _, tt := range tests {
		n, err := svc.CountLocal(ctx, "account", tt.filter)
		if (err != nil) != tt.bad || n != tt.count {
			t.Errorf("CountLocal(%q) = %d, %v; want %d, error %v", tt.filter, n, err, tt.count, tt.bad)
		}
		_, rows, err := svc.LocalRows(ctx, "account", tt.filter, "", 10)
		if err != nil || len(rows) != tt.rows {
			t.Errorf("LocalRows(%q) = %d rows, %v; want %d", tt.filter, len(rows), err, tt.rows)
		}
	}
	// Paging: the rows after the first two.
	_, first, _ := svc.LocalRows(ctx, "account", "", "", 2)
	_, next, _ := svc.LocalRows(ctx, "account", "", first[1].ID, 2)
	if len(first) != 2 || len(next) != 2 || next[0].ID == first[1].ID {
		t.Errorf("paging gave %d then %d rows", len(first), len(next))
	}
	// A boolean shows as what it means, not as the 1 and 0 stored.
	if len(first) == 2 && (first[0].Values["active"] != true || first[1].Values["active"] != false) {
		t.Errorf("active = %#v, %#v; want true, false", first[0].Values["active"], first[1].Values["active"])
	}
	if _, err := svc.CountExternal(ctx, "nope", "Accounts", ""); err == nil {
		t.Error("CountExternal of an unknown integration did not fail")
	}
}
