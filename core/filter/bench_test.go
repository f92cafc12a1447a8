package filter_test

import (
	"testing"
	"time"

	"switchyard/core/filter"
	"switchyard/core/meta"
)

// benchFilter is a filter of the size admins write.
const benchFilter = "(status eq 'open' or status in ('new','in_progress')) and priority ge 2 and " +
	"modifiedAt ge now() sub duration'P30D' and not contains(tolower(title),'test') and owner ne null"

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := filter.Parse(benchFilter); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEval(b *testing.B) {
	e := filter.Resolve(filter.MustParse(benchFilter), time.Date(2024, 7, 10, 0, 0, 0, 0, time.UTC))
	rec := meta.Record{"status": "new", "priority": int64(3), "modifiedAt": time.Date(2024, 7, 1, 9, 0, 0, 0, time.UTC),
		"title": "Install router", "owner": "u1"}
	b.ReportAllocs()
	for b.Loop() {
		ok, err := filter.Eval(e, rec)
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkToSQL(b *testing.B) {
	e := filter.MustParse(benchFilter)
	b.ReportAllocs()
	for b.Loop() {
		filter.ToSQL(e, quoteIdent)
	}
}
