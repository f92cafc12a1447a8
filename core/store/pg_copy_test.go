package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"switchyard/core/mapping"
	"switchyard/core/meta"
)

// copyFields are the fields of the entity the COPY tests write: one of each type.
var copyFields = []meta.Field{
	{Name: "code", Type: meta.String}, {Name: "qty", Type: meta.Int}, {Name: "price", Type: meta.Decimal},
	{Name: "ratio", Type: meta.Double}, {Name: "active", Type: meta.Bool}, {Name: "day", Type: meta.Date},
	{Name: "at", Type: meta.DateTime}, {Name: "clock", Type: meta.Time}, {Name: "ref", Type: meta.GUID},
	{Name: "blob", Type: meta.Binary},
}

// copyRow is the values of the i-th row the COPY tests insert; every third
// leaves most fields empty (NULL), and the text holds what COPY's text
// format escapes.
func copyRow(i int) map[string]any {
	code := fmt.Sprintf("r%02d", i)
	if i%3 == 2 {
		return map[string]any{"code": code, "qty": nil, "price": nil, "ratio": nil, "active": nil, "day": nil,
			"at": nil, "clock": nil, "ref": nil, "blob": nil}
	}
	return map[string]any{
		"code": code + " tab\there, line\nbreak, \\back\\slash\r, ünïcode, \\N", "qty": int64(i*1000 - 7),
		"price": fmt.Sprintf("%d.0000000001", i), "ratio": float64(i) / 3, "active": int64(i % 2),
		"day": "2026-02-01", "at": "2026-02-01T10:20:30.1234567Z", "clock": "10:20", "ref": "0b6f7e1c-0000-4000-8000-0000000000aa",
		"blob": []byte{0, '\\', '\t', 255, byte(i)},
	}
}

// openCopyWorkspace opens a PostgreSQL workspace with the entity "item"
// (copyFields), uploaded by an integration so that change capture would
// queue its writes.
func openCopyWorkspace(t *testing.T) *Store {
	t.Helper()
	s, _ := openBackend(t, "postgres")
	ctx := context.Background()
	err := s.CreateEntity(ctx, meta.Entity{Name: "item", Fields: copyFields})
	if err == nil {
		err = s.SaveIntegration(ctx, mapping.Integration{Name: "crm", Connector: "odata", Entities: []mapping.EntityMapping{
			{External: "Items", Local: "item", PrimaryKey: "code", Direction: mapping.Upload,
				Fields: []mapping.FieldMapping{{External: "code", Local: "code"}}},
		}})
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// writeCopyPage writes a page of n rows in one Apply, with in it what must
// see the rows inserted before: a row whose value does not go by COPY (a
// Go bool), a FindBy and an UpdateRow of a row inserted in the page. It
// returns the ids Insert gave.
func writeCopyPage(t *testing.T, s *Store, n int) []string {
	t.Helper()
	var ids []string
	err := s.Apply(context.Background(), func(tx *Tx) error {
		for i := range n {
			vals := copyRow(i)
			if i == n/2 {
				vals["active"] = true // not copyable: an INSERT between the copies
			}
			id, err := tx.Insert("item", vals)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		found, err := tx.FindBy("item", "code", []any{"r05"}, []string{"qty"})
		if err != nil {
			return err
		}
		if len(found) != 1 {
			return fmt.Errorf("FindBy within the page found %v, want the row r05", found)
		}
		return tx.UpdateRow("item", found["r05"].ID, map[string]any{"qty": int64(-1)})
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// readCopyPage returns the rows of item in versionnumber order, each as the
// text of its columns, and the number of changes queued for upload.
func readCopyPage(t *testing.T, s *Store) (ids []string, rows [][]string, queued int64) {
	t.Helper()
	cols := "id, " + quoteAll(fieldNames(copyFields)) + ", createdon, modifiedon, versionnumber"
	err := s.View(context.Background(), func(tx *Tx) error {
		q, err := tx.tx.QueryContext(tx.ctx, "SELECT "+cols+" FROM item ORDER BY versionnumber")
		if err != nil {
			return err
		}
		defer q.Close()
		for q.Next() {
			vals := make([]any, len(copyFields)+4)
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := q.Scan(ptrs...); err != nil {
				return err
			}
			ids = append(ids, fmt.Sprint(vals[0]))
			row := make([]string, 0, len(vals)-1)
			for _, v := range vals[1:] {
				row = append(row, fmt.Sprintf("%T %v", v, v))
			}
			rows = append(rows, row)
		}
		if err := q.Err(); err != nil {
			return err
		}
		return tx.tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM sy_integration_transaction`).Scan(&queued)
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, rows, queued
}

func fieldNames(fields []meta.Field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Name
	}
	return out
}

// TestPGCopyEqualsRowByRow: a page that Apply writes by COPY is the page it
// writes row by row: the same values, stamps and versionnumbers in insert
// order, the ids Insert returned, nothing queued for upload; the copy
// analyzed the table, which had no statistics.
func TestPGCopyEqualsRowByRow(t *testing.T) {
	const n = 3 * 8
	copied := openCopyWorkspace(t)
	copiedIDs := writeCopyPage(t, copied, n)
	old := pgCopyMin
	pgCopyMin = n + 1 // every batch row by row
	t.Cleanup(func() { pgCopyMin = old })
	inserted := openCopyWorkspace(t)
	insertedIDs := writeCopyPage(t, inserted, n)

	for _, w := range []struct {
		name string
		s    *Store
		ids  []string
	}{{"copied", copied, copiedIDs}, {"inserted", inserted, insertedIDs}} {
		// The update of r05 stamped it last.
		want := append(append(append([]string(nil), w.ids[:5]...), w.ids[6:]...), w.ids[5])
		ids, _, queued := readCopyPage(t, w.s)
		if !reflect.DeepEqual(ids, want) {
			t.Errorf("%s: ids in versionnumber order %v, want those Insert returned, in order (r05, updated, last) %v", w.name, ids, want)
		}
		if queued != 0 {
			t.Errorf("%s: %d changes queued for upload, want none (capture is off in Apply)", w.name, queued)
		}
	}
	// The copy analyzed the new table; the rows inserted one by one did not.
	for _, w := range []struct {
		s    *Store
		want bool
	}{{copied, true}, {inserted, false}} {
		var stats bool
		err := w.s.View(context.Background(), func(tx *Tx) error {
			return tx.tx.QueryRowContext(tx.ctx, `SELECT EXISTS (SELECT 1 FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'item')`).Scan(&stats)
		})
		if err != nil || stats != w.want {
			t.Errorf("item has statistics: %v (%v), want %v", stats, err, w.want)
		}
	}
	_, got, _ := readCopyPage(t, copied)
	_, want, _ := readCopyPage(t, inserted)
	if len(got) != n || len(want) != n {
		t.Fatalf("%d rows copied, %d inserted, want %d", len(got), len(want), n)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("row %d:\ncopied   %q\ninserted %q", i, got[i], want[i])
		}
	}
}

// TestPGCopyFailingRowAlone: when a row of a copied page is refused, the
// page fails with that row's own error, as when it is inserted row by row,
// and writes nothing.
func TestPGCopyFailingRowAlone(t *testing.T) {
	const n, bad = 20, 13
	write := func(s *Store) error {
		return s.Apply(context.Background(), func(tx *Tx) error {
			for i := range n {
				vals := copyRow(i)
				if i == bad {
					vals["qty"] = "thirteen" // bigint refuses it
				}
				if _, err := tx.Insert("item", vals); err != nil {
					return err
				}
			}
			return nil
		})
	}
	copied := openCopyWorkspace(t)
	copyErr := write(copied)
	old := pgCopyMin
	pgCopyMin = n + 1
	t.Cleanup(func() { pgCopyMin = old })
	inserted := openCopyWorkspace(t)
	insertErr := write(inserted)

	var pgErr *pgconn.PgError
	if copyErr == nil || !errors.As(copyErr, &pgErr) || !strings.Contains(copyErr.Error(), `"thirteen"`) {
		t.Fatalf("copied page: error %v, want PostgreSQL's refusal of the row with \"thirteen\"", copyErr)
	}
	if insertErr == nil || copyErr.Error() != insertErr.Error() {
		t.Errorf("copied page failed with\n  %v\nwant the error of the row inserted alone\n  %v", copyErr, insertErr)
	}
	if _, rows, _ := readCopyPage(t, copied); len(rows) != 0 {
		t.Errorf("the failed page left %d rows, want none", len(rows))
	}
}

// TestPGCopyHoldsAtMostMax: a transaction of many rows copies them each
// time pgCopyMax wait, and all of them in the end.
func TestPGCopyHoldsAtMostMax(t *testing.T) {
	s := openCopyWorkspace(t)
	const n = pgCopyMax + 3
	err := s.Apply(context.Background(), func(tx *Tx) error {
		for i := range n {
			if _, err := tx.Insert("item", map[string]any{"code": fmt.Sprint(i)}); err != nil {
				return err
			}
			if waiting := tx.copies.rows; waiting != (i+1)%pgCopyMax {
				return fmt.Errorf("after %d rows %d wait, want %d", i+1, waiting, (i+1)%pgCopyMax)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var count int64
	err = s.View(context.Background(), func(tx *Tx) error {
		count, err = tx.Count("item", nil)
		return err
	})
	if err != nil || count != n {
		t.Errorf("%d rows (%v), want %d", count, err, n)
	}
}
