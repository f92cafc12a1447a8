package store

import (
	"context"
	"errors"
	"slices"
	"testing"

	"switchyard/core/filter"
	"switchyard/core/meta"
)

func TestRecordTx(t *testing.T) { eachBackend(t, testRecordTx) }

func testRecordTx(t *testing.T, s *Store, _ *clock) {
	ctx := context.Background()
	err := s.CreateEntity(ctx, meta.Entity{Name: "account", Fields: []meta.Field{
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
		page, err := tx.Scan("account", []string{"code"}, nil, "", 2)
		if err != nil {
			return err
		}
		if len(page) != 2 {
			t.Fatalf("Scan() page 1 = %+v", page)
		}
		rest, err := tx.Scan("account", []string{"code"}, filter.MustParse("code ne 'A'"), page[1].ID, 10)
		if err != nil {
			return err
		}
		n, err := tx.Count("account", filter.MustParse("code ne 'A'"))
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

// TestScanVersions reads rows in the order they were last written, page by
// page, narrowed by a filter, and Matches tells one row apart.
func TestScanVersions(t *testing.T) { eachBackend(t, testScanVersions) }

func testScanVersions(t *testing.T, s *Store, _ *clock) {
	ctx := context.Background()
	if err := s.CreateEntity(ctx, meta.Entity{Name: "account", Fields: []meta.Field{{Name: "code", Type: meta.String}}}); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	err := s.Update(ctx, func(tx *Tx) error {
		for _, code := range []string{"A", "B", "C", "D"} {
			id, err := tx.Insert("account", map[string]any{"code": code})
			if err != nil {
				return err
			}
			ids[code] = id
		}
		// A is written last: it comes last in versionnumber order.
		return tx.UpdateRow("account", ids["A"], map[string]any{"code": "A"})
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		cond  filter.Expr
		limit int
		want  [][]string // the codes of each page
	}{
		{"all in one page", nil, 10, [][]string{{"B", "C", "D", "A"}}},
		{"pages of two", nil, 2, [][]string{{"B", "C"}, {"D", "A"}}},
		{"narrowed", filter.MustParse("code ne 'C'"), 2, [][]string{{"B", "D"}, {"A"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [][]string
			err := s.View(ctx, func(tx *Tx) error {
				after := int64(0)
				for {
					rows, err := tx.ScanVersions("account", []string{"code", "versionnumber"}, tt.cond, after, tt.limit)
					if err != nil || len(rows) == 0 {
						return err
					}
					var codes []string
					for _, r := range rows {
						codes = append(codes, r.Values["code"].(string))
						after = r.Values["versionnumber"].(int64)
					}
					got = append(got, codes)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got, tt.want, slices.Equal) {
				t.Errorf("pages = %v, want %v", got, tt.want)
			}
		})
	}
	err = s.View(ctx, func(tx *Tx) error {
		for code, want := range map[string]bool{"C": false, "D": true} {
			if got, err := tx.Matches("account", ids[code], filter.MustParse("code ne 'C'")); err != nil || got != want {
				t.Errorf("Matches(%s) = %v, %v, want %v", code, got, err, want)
			}
		}
		if got, err := tx.Matches("account", ids["C"], nil); err != nil || !got {
			t.Errorf("Matches(C, no filter) = %v, %v, want true", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
