package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"

	"switchyard/core/meta"
)

// BenchmarkInsert writes rows of a 20-field entity into a file workspace as
// an import does (Store.Apply, a transaction of 5,000 rows per page, the key
// indexed) and reports rows/s: the write limit of cmd/switchyard-bench (1b)
// without the rest of it.
func BenchmarkInsert(b *testing.B) {
	const rows, page = 50_000, 5000
	ctx := context.Background()
	e := meta.Entity{Name: "item", Fields: []meta.Field{{Name: "externalid", Type: meta.Int}}}
	types := []meta.Type{meta.String, meta.String, meta.String, meta.Int, meta.Decimal, meta.Double, meta.Bool, meta.Date, meta.DateTime, meta.GUID}
	for i := range 19 {
		e.Fields = append(e.Fields, meta.Field{Name: fmt.Sprintf("f%02d", i), Type: types[i%len(types)]})
	}
	value := func(t meta.Type, n int) any {
		switch t {
		case meta.Int, meta.Bool:
			return int64(n % 2)
		case meta.Decimal:
			return strconv.Itoa(n) + ".25"
		case meta.Double:
			return 1.125
		case meta.Date:
			return "2024-02-29"
		case meta.DateTime:
			return "2024-02-29T10:00:00.000Z"
		case meta.GUID:
			return fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
		}
		return "A line of text number " + strconv.Itoa(n)
	}
	for b.Loop() {
		b.StopTimer()
		s, err := Open(ctx, filepath.Join(b.TempDir(), "w.db"))
		if err != nil {
			b.Fatal(err)
		}
		if err := s.CreateEntity(ctx, e); err != nil {
			b.Fatal(err)
		}
		if err := s.IndexField(ctx, "item", "externalid"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for first := 0; first < rows; first += page {
			err := s.Apply(ctx, func(tx *Tx) error {
				for n := first; n < first+page; n++ {
					values := map[string]any{"externalid": int64(n)}
					for _, f := range e.Fields[1:] {
						values[f.Name] = value(f.Type, n)
					}
					if _, err := tx.Insert("item", values); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
