// Package conntest is the conformance suite every connector runs against a
// real instance of its system: the catalog, paging through every record,
// filtering, incremental reads, create/update/delete round trips and
// per-record failures, all through the ports of core/connector; and the
// value contract (see core/values) on every record it reads: the Go type of
// each value by its field's type, nulls as nil, date-times in UTC; and on
// every record it writes: values read back as written, a null as nil, and
// date-times written with offsets and fractions read back as the same
// instants, milliseconds kept exactly.
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
	// DateTimeDigits, when above 0, is how many fractional digits of a
	// second the system under test keeps of a date-time where its metadata
	// declares more (SAP CAP on SQLite keeps the milliseconds of a Timestamp
	// it declares with Precision 7): the suite then wants the finer digits
	// of the probe truncated, not kept. 0 holds the system to its metadata.
	DateTimeDigits int
}

// run is one run of the suite: what every part of it reads and writes with.
type run struct {
	ctx     context.Context
	s       Suite
	c       connector.Connector
	r       connector.Reader
	catalog []meta.Entity
}

// entity returns the catalog's entity called name (zero when absent).
func (u *run) entity(name string) meta.Entity {
	e, _ := meta.FindEntity(u.catalog, name)
	return e
}

// readAll is ReadAll that also holds every record to the value contract.
func (u *run) readAll(t *testing.T, q connector.Query) ([]meta.Record, int) {
	t.Helper()
	recs, pages := ReadAll(u.ctx, t, u.r, q)
	checkValues(t, u.entity(q.Entity), recs)
	return recs, pages
}

// Run runs the suite as subtests of t.
func Run(t *testing.T, s Suite) {
	t.Helper()
	c := s.Open(t)
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)

	u := &run{ctx: ctx, s: s, c: c}
	t.Run("catalog", u.runCatalog)
	r, ok := c.(connector.Reader)
	if !ok {
		t.Fatal("the connector is not a connector.Reader")
	}
	u.r = r
	if s.Paged != "" {
		t.Run("paging", u.runPaging)
	}
	if s.Filter != "" {
		t.Run("filter", u.runFilter)
	}
	if s.CursorField != "" {
		t.Run("incremental", u.runIncremental)
	}
	if s.Entity != "" && s.NewRecord != nil {
		t.Run("write", u.runWrite)
	}
}

// runCatalog reads the catalog: the suite's entities are there, with keys
// that are fields and fields of valid types.
func (u *run) runCatalog(t *testing.T) {
	var err error
	u.catalog, err = u.c.Catalog(u.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{u.s.Paged, u.s.Entity} {
		if name == "" {
			continue
		}
		e, ok := meta.FindEntity(u.catalog, name)
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
}

// runPaging reads every record of Paged, in several pages, each once.
func (u *run) runPaging(t *testing.T) {
	s := u.s
	recs, pages := u.readAll(t, connector.Query{Entity: s.Paged, PageSize: s.PageSize, Count: true})
	if len(recs) != s.PagedTotal {
		t.Errorf("read %d records of %s, want %d", len(recs), s.Paged, s.PagedTotal)
	}
	if s.PageSize > 0 && s.PagedTotal > 2*s.PageSize && pages < 2 {
		t.Errorf("read %d records in %d page(s), want several pages of about %d", len(recs), pages, s.PageSize)
	}
	checkUnique(t, recs, u.entity(s.Paged).Key)
}

// runFilter reads the records of Paged that Filter matches.
func (u *run) runFilter(t *testing.T) {
	s := u.s
	recs, _ := u.readAll(t, connector.Query{Entity: s.Paged, Filter: s.Filter, PageSize: s.PageSize})
	if len(recs) != s.FilterMatches {
		t.Errorf("filter %q: %d records, want %d", s.Filter, len(recs), s.FilterMatches)
	}
	for _, rec := range recs {
		if s.Match != nil && !s.Match(rec) {
			t.Errorf("filter %q returned a record that does not match: %v", s.Filter, rec)
			break
		}
	}
}

// runIncremental reads the records of Paged changed since Since, in cursor order.
func (u *run) runIncremental(t *testing.T) {
	s := u.s
	q := connector.Query{Entity: s.Paged, CursorField: s.CursorField, Since: s.Since, PageSize: s.PageSize}
	recs, _ := u.readAll(t, q)
	if len(recs) != s.SinceMatches {
		t.Errorf("since %s: %d records, want %d", s.Since.Format(time.RFC3339), len(recs), s.SinceMatches)
	}
	checkUnique(t, recs, u.entity(s.Paged).Key)
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
}

// runWrite creates, reads back, updates, deletes, and checks per-record failures.
func (u *run) runWrite(t *testing.T) {
	w, ok := u.c.(connector.Writer)
	if !ok {
		t.Fatal("the connector is not a connector.Writer")
	}
	e := u.entity(u.s.Entity)
	good, written := u.create(t, w, e)
	read := func(k string) []meta.Record {
		got, _ := u.readAll(t, connector.Query{Entity: u.s.Entity, Filter: u.s.KeyFilter(k)})
		return got
	}
	for i, rr := range good {
		got := read(rr.Key)
		if len(got) != 1 {
			t.Fatalf("after create, reading %s gives %d records, want 1", rr.Key, len(got))
		}
		checkRoundTrip(t, e, written[i], got[0], u.s.DateTimeDigits)
	}
	u.update(t, w, e.Key, good[0].Key, read)
	u.delete(t, w, e.Key, good, read)
}

// create writes two new records (with the invalid one between them, when
// there is one), their date-times given with offsets and fractions and one
// nullable field of the second empty (see probeValues), and returns the
// results and records of the two.
func (u *run) create(t *testing.T, w connector.Writer, e meta.Entity) ([]connector.Result, []meta.Record) {
	s := u.s
	written := []meta.Record{s.NewRecord(1), s.NewRecord(2)}
	dateTimes, null := probeValues(e, written)
	t.Logf("date-times probed: %v; null probed: %q", dateTimes, null)
	recs := []meta.Record{written[0]}
	if s.Invalid != nil {
		recs = append(recs, s.Invalid)
	}
	recs = append(recs, written[1])
	res, err := w.Write(u.ctx, s.Entity, connector.Create, recs)
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
	return good, written
}

// update changes the record with the key text k from what was read back
// (its ETag included) and reads the change back.
func (u *run) update(t *testing.T, w connector.Writer, key []string, k string, read func(string) []meta.Record) {
	current := read(k)[0]
	upd := u.s.Change(current)
	for _, name := range key {
		upd[name] = current[name]
	}
	if tag, ok := current[connector.ETagKey]; ok {
		upd[connector.ETagKey] = tag
	}
	res, err := w.Write(u.ctx, u.s.Entity, connector.Update, []meta.Record{upd})
	if err != nil || res[0].Err != nil {
		t.Fatalf("update %s: %v %v", k, err, res[0].Err)
	}
	after := read(k)[0]
	for name, v := range u.s.Change(current) {
		if fmt.Sprint(after[name]) != fmt.Sprint(v) {
			t.Errorf("after update, %s = %v, want %v", name, after[name], v)
		}
	}
}

// delete deletes the records created; a second delete and an update of a
// deleted record fail with ErrDeleted.
func (u *run) delete(t *testing.T, w connector.Writer, key []string, good []connector.Result, read func(string) []meta.Record) {
	del := make([]meta.Record, len(good))
	for i, rr := range good {
		del[i] = read(rr.Key)[0]
	}
	res, err := w.Write(u.ctx, u.s.Entity, connector.Delete, del)
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
		res, err = w.Write(u.ctx, u.s.Entity, op, []meta.Record{gone})
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
