package report

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"switchyard/core/engine"
)

// benchRecords are the results of an import of records of a 20-field entity
// like the one switchyard-bench imports: every record created, its fields
// listed as changes (what the engine hands a report), one in 1,000 failed.
func benchRecords(n int) []engine.RecordResult {
	const distinct = 1000
	base := make([]engine.RecordResult, distinct)
	for i := range base {
		n := int64(i)
		s := strconv.Itoa(i)
		base[i] = engine.RecordResult{Entity: "Items", Action: engine.Create, Changes: []engine.Change{
			{Field: "externalid", New: n}, {Field: "code", New: "C-" + s}, {Field: "name", New: "Item number " + s},
			{Field: "description", New: "A line of text that describes the item in a few words."}, {Field: "email", New: "item" + s + "@example.org"},
			{Field: "phone", New: "+44 20 7946 0000"}, {Field: "city", New: "Brno"}, {Field: "country", New: "CZ"},
			{Field: "quantity", New: n % 1000}, {Field: "rank", New: n * 7}, {Field: "price", New: s + ".25"}, {Field: "cost", New: s + ".5"},
			{Field: "weight", New: 1.125}, {Field: "active", New: int64(1)}, {Field: "archived", New: int64(0)},
			{Field: "created", New: "2024-02-29"}, {Field: "due", New: "2025-12-31"}, {Field: "modifiedat", New: "2024-01-01T00:00:00.000Z"},
			{Field: "ref", New: "00000000-0000-4000-8000-00000000" + strconv.Itoa(1000+i)},
		}}
		if i == 500 {
			base[i] = engine.RecordResult{Entity: "Items", Action: engine.Fail, Error: "field price (from Price): x is not a decimal"}
		}
	}
	out := make([]engine.RecordResult, n)
	for i := range out {
		out[i] = base[i%distinct]
		out[i].Key = strconv.Itoa(i)
	}
	return out
}

// BenchmarkReport writes the report of an import of 100,000 records: Record
// for each as the run goes, then Close. ns/record is the whole cost of one
// record; record-ns/record the part the run itself waits for (Record).
func BenchmarkReport(b *testing.B) {
	const n = 100_000
	records := benchRecords(n)
	res := &engine.Result{Integration: "bench", Direction: engine.Import, Status: engine.Succeeded, Started: time.Now(),
		Entities: []engine.EntityResult{{Entity: "Items", LocalEntity: "item", Direction: engine.Import,
			Counts: engine.Counts{All: n, Imported: n - n/1000, Failed: n / 1000}}}}
	dir := b.TempDir()
	b.ReportAllocs()
	var inRecord time.Duration
	for i := 0; b.Loop(); i++ {
		w, err := New(filepath.Join(dir, "run"+strconv.Itoa(i)+".xlsx"))
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for _, r := range records {
			w.Record(r)
		}
		inRecord += time.Since(start)
		if err := w.Close(res); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
	b.ReportMetric(float64(inRecord.Nanoseconds())/float64(b.N*n), "record-ns/record")
}
