package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"switchyard/core/meta"
	"switchyard/core/store"
)

// BenchmarkImport imports generated accounts and contacts (every contact with
// a lookup to an account) into a fresh file workspace, pages of 500, and
// reports records per second. The external side is in memory, so this
// measures the engine and the workspace: mapping, conversion, lookup
// resolution, matching and the SQLite writes.
func BenchmarkImport(b *testing.B) {
	const accounts, contacts = 2000, 8000
	sys := &memSystem{pageSize: 500, data: map[string][]meta.Record{}}
	for i := range accounts {
		sys.data["Accounts"] = append(sys.data["Accounts"], meta.Record{
			"ID": guid(i), "name": fmt.Sprintf("Account %d", i), "revenue": json.Number(fmt.Sprintf("%d.%02d", i*1000, i%100)), "parent_ID": nil,
		})
	}
	for i := range contacts {
		sys.data["Contacts"] = append(sys.data["Contacts"], meta.Record{
			"ID": guid(100000 + i), "lastname": fmt.Sprintf("Person %d", i), "birthdate": "1990-01-31", "account_ID": guid(i % accounts),
		})
	}
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		st := newFileWorkspace(b)
		e := &Engine{Workspace: store.Ports[Tx](st)}
		b.StartTimer()
		res, err := e.Run(ctx, sys, Options{Integration: crm(), Direction: Import})
		if err != nil || res.Totals().Imported != accounts+contacts {
			b.Fatalf("Run() = %v, %+v", err, res.Totals())
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64((accounts+contacts)*b.N)/b.Elapsed().Seconds(), "records/s")
}
