package odata

import (
	"context"
	"testing"

	"switchyard/core/connector"
	"switchyard/core/spec"
)

// BenchmarkCAPRead reads all of test.Items from this package's CAP instance
// through server paging and reports rows/s: Bulk in pages of 1000, Items in
// CAP-limited pages of 50.
func BenchmarkCAPRead(b *testing.B) {
	for _, bc := range []struct{ name, entity string }{{"pages_of_1000", "Bulk"}, {"pages_of_50", "Items"}} {
		b.Run(bc.name, func(b *testing.B) {
			c := ownClient(b, spec.Values{})
			ctx := context.Background()
			rows := 0
			for b.Loop() {
				token := ""
				for {
					p, err := c.ReadPage(ctx, connector.Query{Entity: bc.entity}, token)
					if err != nil {
						b.Fatal(err)
					}
					rows += len(p.Records)
					if p.Next == "" {
						break
					}
					token = p.Next
				}
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
