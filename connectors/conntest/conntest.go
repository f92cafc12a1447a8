// Package conntest is the conformance suite every connector runs against a
// real instance of its system: the catalog, paging through every record,
// filtering, incremental reads, create/update/delete round trips and
// per-record failures, all through the ports of core/connector.
//
// A connector's test fills a Suite with what its test system holds and calls
// Run:
//
//	conntest.Run(t, conntest.Suite{Open: ..., Entity: "Tickets", ...})
package conntest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"switchyard/core/connector"
	"switchyard/core/meta"
)

// Suite describes the system under test. Fields marked optional skip their
// part of the suite when left zero.
type Suite struct {
	// Open returns a fresh, open connector; the suite closes it.
	Open func(t *testing.T) connector.Connector

	// Paged names an entity with many records; PagedTotal is how many it
	// holds and PageSize the page size to ask for (small, so that the read
	// spans many pages).
	Paged      string
	PagedTotal int
	PageSize   int

	// Filter is a filter on Paged that FilterMatches of its records match,
	// and Match reports whether a read record matches it (optional).
	Filter        string
	FilterMatches int
	Match         func(meta.Record) bool

	// CursorField is Paged's change cursor; Since a time after which
	// SinceMatches records of Paged have their cursor (optional).
	CursorField  string
	Since        time.Time
	SinceMatches int

	// Entity names a writable entity. NewRecord returns a valid new record
	// for it (distinct for each i); Change returns the fields of an update
	// of rec (key fields are added by the suite); Invalid is a record the
	// system rejects on create (optional: skips the write part when nil).
	Entity    string
	NewRecord func(i int) meta.Record
	Change    func(rec meta.Record) meta.Record
	Invalid   meta.Record
	// KeyFilter returns a filter that matches only the record with the key
	// text key (as connector.KeyString formats it).
	KeyFilter func(key string) string
}

// Run runs the suite as subtests of t.
func Run(t *testing.T, s Suite) {
	t.Helper()
	c := s.Open(t)
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)

	var catalog []meta.Entity
	t.Run("catalog", func(t *testing.T) {
		var err error
		catalog, err = c.Catalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{s.Paged, s.Entity} {
			if name == "" {
				continue
			}
			e, ok := meta.FindEntity(catalog, name)
			if !ok {
				t.Fatalf("entity %s is not in the catalog", name)
			}
			if len(e.Key) == 0 {
				t.Errorf("entity %s has no key", name)
			}
			for _, k := range e.Key {
				if _, ok := e.Field(k); !ok {
					t.Errorf("entity %s: key %s is not a field", name, k)
				}
			}
			for _, f := range e.Fields {
				if !f.Type.Valid() {
					t.Errorf("%s.%s has invalid type %q", name, f.Name, f.Type)
				}
			}
		}
	})
	r, ok := c.(connector.Reader)
	if !ok {
		t.Fatal("the connector is not a connector.Reader")
	}
	key := func(name string) []string {
		e, _ := meta.FindEntity(catalog, name)
		return e.Key
	}

	if s.Paged != "" {
		t.Run("paging", func(t *testing.T) {
			recs, pages := ReadAll(ctx, t, r, connector.Query{Entity: s.Paged, PageSize: s.PageSize, Count: true})
			if len(recs) != s.PagedTotal {
				t.Errorf("read %d records of %s, want %d", len(recs), s.Paged, s.PagedTotal)
			}
			if s.PageSize > 0 && s.PagedTotal > 2*s.PageSize && pages < 2 {
				t.Errorf("read %d records in %d page(s), want several pages of about %d", len(recs), pages, s.PageSize)
			}
			checkUnique(t, recs, key(s.Paged))
		})
	}
	if s.Filter != "" {
		t.Run("filter", func(t *testing.T) {
			recs, _ := ReadAll(ctx, t, r, connector.Query{Entity: s.Paged, Filter: s.Filter, PageSize: s.PageSize})
			if len(recs) != s.FilterMatches {
				t.Errorf("filter %q: %d records, want %d", s.Filter, len(recs), s.FilterMatches)
			}
			for _, rec := range recs {
				if s.Match != nil && !s.Match(rec) {
					t.Errorf("filter %q returned a record that does not match: %v", s.Filter, rec)
					break
				}
			}
		})
	}
	if s.CursorField != "" {
		t.Run("incremental", func(t *testing.T) {
			q := connector.Query{Entity: s.Paged, CursorField: s.CursorField, Since: s.Since, PageSize: s.PageSize}
			recs, _ := ReadAll(ctx, t, r, q)
			if len(recs) != s.SinceMatches {
				t.Errorf("since %s: %d records, want %d", s.Since.Format(time.RFC3339), len(recs), s.SinceMatches)
			}
			checkUnique(t, recs, key(s.Paged))
			var last time.Time
			for i, rec := range recs {
				ts, ok := rec[s.CursorField].(time.Time)
				if !ok {
					t.Fatalf("record %d: cursor %s is %T, want time.Time", i, s.CursorField, rec[s.CursorField])
				}
				if ts.Before(s.Since) || ts.Before(last) {
					t.Fatalf("record %d: cursor %s is before %s or the previous record's %s", i, ts, s.Since, last)
				}
				last = ts
			}
		})
	}
	if s.Entity != "" && s.NewRecord != nil {
		t.Run("write", func(t *testing.T) { runWrite(ctx, t, s, c, r, key(s.Entity)) })
	}
}

// runWrite creates, reads back, updates, deletes, and checks per-record failures.
func runWrite(ctx context.Context, t *testing.T, s Suite, c connector.Connector, r connector.Reader, key []string) {
	w, ok := c.(connector.Writer)
	if !ok {
		t.Fatal("the connector is not a connector.Writer")
	}
	recs := []meta.Record{s.NewRecord(1)}
	if s.Invalid != nil {
		recs = append(recs, s.Invalid)
	}
	recs = append(recs, s.NewRecord(2))
	res, err := w.Write(ctx, s.Entity, connector.Create, recs)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(recs) {
		t.Fatalf("create: %d results for %d records", len(res), len(recs))
	}
	good := []connector.Result{res[0], res[len(res)-1]}
	for i, rr := range good {
		if rr.Err != nil || rr.Key == "" {
			t.Fatalf("create record %d: key %q, error %v", i+1, rr.Key, rr.Err)
		}
	}
	if s.Invalid != nil && res[1].Err == nil {
		t.Errorf("create of the invalid record succeeded (key %s), want it to fail alone", res[1].Key)
	}
	read := func(k string) []meta.Record {
		got, _ := ReadAll(ctx, t, r, connector.Query{Entity: s.Entity, Filter: s.KeyFilter(k)})
		return got
	}
	for _, rr := range good {
		if got := read(rr.Key); len(got) != 1 {
			t.Fatalf("after create, reading %s gives %d records, want 1", rr.Key, len(got))
		}
	}

	// Update the first record from what was read back (its ETag included).
	current := read(good[0].Key)[0]
	upd := s.Change(current)
	for _, k := range key {
		upd[k] = current[k]
	}
	if tag, ok := current[connector.ETagKey]; ok {
		upd[connector.ETagKey] = tag
	}
	res, err = w.Write(ctx, s.Entity, connector.Update, []meta.Record{upd})
	if err != nil || res[0].Err != nil {
		t.Fatalf("update %s: %v %v", good[0].Key, err, res[0].Err)
	}
	after := read(good[0].Key)[0]
	for k, v := range s.Change(current) {
		if fmt.Sprint(after[k]) != fmt.Sprint(v) {
			t.Errorf("after update, %s = %v, want %v", k, after[k], v)
		}
	}

	// Delete both; a second delete and an update of a deleted record fail with ErrDeleted.
	del := make([]meta.Record, len(good))
	for i, rr := range good {
		del[i] = read(rr.Key)[0]
	}
	res, err = w.Write(ctx, s.Entity, connector.Delete, del)
	if err != nil {
		t.Fatal(err)
	}
	for i, rr := range res {
		if rr.Err != nil {
			t.Errorf("delete %s: %v", good[i].Key, rr.Err)
		}
	}
	for _, rr := range good {
		if got := read(rr.Key); len(got) != 0 {
			t.Errorf("after delete, %s is still there", rr.Key)
		}
	}
	gone := meta.Record{}
	for _, k := range key {
		gone[k] = del[0][k]
	}
	for _, op := range []connector.Op{connector.Delete, connector.Update} {
		res, err = w.Write(ctx, s.Entity, op, []meta.Record{gone})
		if err != nil || !errors.Is(res[0].Err, connector.ErrDeleted) {
			t.Errorf("%s of a deleted record: %v / %v, want connector.ErrDeleted", op, err, res[0].Err)
		}
	}
}

// ReadAll reads every page of q and returns the records and the number of pages.
func ReadAll(ctx context.Context, t testing.TB, r connector.Reader, q connector.Query) ([]meta.Record, int) {
	t.Helper()
	var out []meta.Record
	token, pages := "", 0
	for {
		p, err := r.ReadPage(ctx, q, token)
		if err != nil {
			t.Fatalf("read %s page %d: %v", q.Entity, pages+1, err)
		}
		pages++
		out = append(out, p.Records...)
		if p.Next == "" {
			return out, pages
		}
		if p.Next == token {
			t.Fatalf("read %s: page %d names itself as the next page", q.Entity, pages)
		}
		token = p.Next
		if pages > 100000 {
			t.Fatalf("read %s: more than 100000 pages", q.Entity)
		}
	}
}

func checkUnique(t *testing.T, recs []meta.Record, key []string) {
	t.Helper()
	seen := make(map[string]bool, len(recs))
	var dups []string
	for _, rec := range recs {
		k, err := connector.KeyString(rec, key)
		if err != nil {
			t.Fatalf("record without its key: %v", err)
		}
		if seen[k] {
			dups = append(dups, k)
		}
		seen[k] = true
	}
	if len(dups) > 0 {
		slices.Sort(dups)
		t.Errorf("%d records came twice, e.g. %v", len(dups), dups[:min(5, len(dups))])
	}
}
