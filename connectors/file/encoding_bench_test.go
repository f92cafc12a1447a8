package file

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/core/connector"
	"switchyard/core/spec"
)

// BenchmarkReadPagesEncoded reads the CSV file of BenchmarkReadPages (with
// accented names) in pages of 1,000, in each encoding: the cost of decoding
// and of mapping offsets back to the file.
func BenchmarkReadPagesEncoded(b *testing.B) {
	var text strings.Builder
	text.WriteString("id,name,price,modifiedon\n")
	for i := 1; i <= 20000; i++ {
		fmt.Fprintf(&text, "%d,article numéro %d,%d.25,2024-01-01T10:00:00Z\n", i, i, i%1000)
	}
	for _, ef := range encodings(b) {
		if strings.Contains(ef.name, "without") || ef.name == "utf-8 with a mark" {
			continue
		}
		b.Run(ef.name, func(b *testing.B) {
			dir := b.TempDir()
			raw := append(append([]byte(nil), ef.bom...), ef.encode(text.String())...)
			if err := os.WriteFile(filepath.Join(dir, "items.csv"), raw, 0o644); err != nil {
				b.Fatal(err)
			}
			c, err := Open(context.Background(), spec.Values{"path": dir, "encoding": ef.setting})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				n, token := 0, ""
				for {
					p, err := c.ReadPage(context.Background(), connector.Query{Entity: "items", PageSize: 1000}, token)
					if err != nil {
						b.Fatal(err)
					}
					n += len(p.Records)
					if token = p.Next; token == "" {
						break
					}
				}
				if n != 20000 {
					b.Fatalf("read %d records", n)
				}
			}
			b.ReportMetric(20000/(b.Elapsed().Seconds()/float64(b.N)), "records/s")
		})
	}
}
