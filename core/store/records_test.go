package store

import (
	"context"
	"errors"
	"testing"

	"switchyard/core/meta"
)

func TestRecordTx(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.CreateEntity(ctx, meta.Entity{Name: "account", Fields: []meta.Field{
		{Name: "code", Type: meta.String}, {Name: "name", Type: meta.String}, {Name: "revenue", Type: meta.Decimal},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	err = s.Update(ctx, func(tx *Tx) error {
		for _, code := range []string{"A", "B", "C"} {
			id, err := tx.Insert("account", map[string]any{"code": code, "name": "n" + code, "revenue": "10.5"})
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return tx.UpdateRow("account", ids[1], map[string]any{"name": "changed"})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx *Tx) error {
		found, err := tx.FindBy("account", "code", []any{"B", "C", "Z"}, []string{"name", "revenue"})
		if err != nil {
			return err
		}
		if len(found) != 2 || found["B"].ID != ids[1] || found["B"].Values["name"] != "changed" {
			t.Errorf("FindBy() = %+v", found)
		}
		if !SameStored(meta.Decimal, "10.5", found["C"].Values["revenue"]) {
			t.Errorf("revenue read back as %#v", found["C"].Values["revenue"])
		}
		page, err := tx.Scan("account", []string{"code"}, "", nil, "", 2)
		if err != nil {
			return err
		}
		if len(page) != 2 {
			t.Fatalf("Scan() page 1 = %+v", page)
		}
		rest, err := tx.Scan("account", []string{"code"}, `"code" <> ?`, []any{"A"}, page[1].ID, 10)
		if err != nil {
			return err
		}
		n, err := tx.Count("account", `"code" <> ?`, []any{"A"})
		if err != nil || n != 2 {
			t.Errorf("Count() = %d, %v", n, err)
		}
		seen := len(page) + len(rest)
		for _, r := range page {
			if r.Values["code"] == "A" {
				seen-- // the filter applies to the second page only
			}
		}
		if seen != 2 {
			t.Errorf("Scan() pages = %+v then %+v", page, rest)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx *Tx) error { return tx.UpdateRow("account", "missing", map[string]any{"name": "x"}) })
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateRow(missing) = %v, want ErrNotFound", err)
	}
}
