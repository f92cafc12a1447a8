package filter_test

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"switchyard/core/filter"
	"switchyard/core/meta"
	"switchyard/core/store"
)

// item is the local entity the shared cases run on: one field of each type a filter compares.
var item = meta.Entity{Name: "item", Fields: []meta.Field{
	{Name: "key", Type: meta.String}, {Name: "name", Type: meta.String}, {Name: "code", Type: meta.String},
	{Name: "qty", Type: meta.Int}, {Name: "price", Type: meta.Decimal, Precision: 12, Scale: 2},
	{Name: "ratio", Type: meta.Double}, {Name: "active", Type: meta.Bool}, {Name: "born", Type: meta.Date},
	{Name: "seen", Type: meta.DateTime}, {Name: "opens", Type: meta.Time}, {Name: "ref", Type: meta.GUID},
	{Name: "note", Type: meta.String},
}}

const (
	guid1 = "aea00b94-3481-5df7-b7e1-89ec3da7558f"
	guid2 = "ddd4331a-e0bb-58b6-8836-0923fb3ed50c"
	guid4 = "12c57be9-6f9d-55a7-916c-61632c2d05c3"
)

// itemRows are the rows of item as the workspace stores them. Two date-times
// are written in other ISO 8601 forms, as another program's plain SQL might:
// k4 with a space and no milliseconds, k5 with an offset (the same instant as k1).
var itemRows = []map[string]any{
	{"key": "k1", "name": "Contoso Ltd", "code": "ACC-1", "qty": int64(5), "price": "10.50", "ratio": 0.25, "active": int64(1),
		"born": "1990-05-01", "seen": "2024-01-02T09:00:00.000Z", "opens": "08:30:00", "ref": guid1, "note": "50% off_now"},
	{"key": "k2", "name": "O'Brien", "code": nil, "qty": int64(0), "price": "99.99", "ratio": 1000.0, "active": int64(0),
		"born": "2001-12-31", "seen": "2024-06-30T23:59:59.999Z", "opens": "17:00:00", "ref": guid2, "note": "100%"},
	{"key": "k3", "name": "Łódź", "code": "ACC-3"},
	{"key": "k4", "name": "müller & söhne", "code": "acc-4", "qty": int64(-3), "price": "0", "ratio": -0.5, "active": int64(1),
		"born": "2024-02-29", "seen": "2024-03-01 10:00:00", "opens": "23:59:59", "ref": guid4, "note": "a_b"},
	{"key": "k5", "name": "", "code": "ACC-5", "qty": int64(1000000), "price": "1234567.89", "ratio": 2.5, "active": int64(0),
		"born": "1970-01-01", "seen": "2024-01-02T11:00:00+02:00", "opens": "00:00:00", "note": "ends with %"},
	{"key": "k6", "code": "X", "qty": int64(5), "price": "5"},
}

// typedRecords are the same rows as a connector hands them to Eval: times as
// time.Time, bools as bool, decimals as json.Number, guids in upper case.
func typedRecords() []meta.Record {
	utc := func(s string) time.Time { t, _ := time.Parse(time.RFC3339Nano, s); return t }
	return []meta.Record{
		{"key": "k1", "name": "Contoso Ltd", "code": "ACC-1", "qty": 5, "price": json.Number("10.50"), "ratio": 0.25, "active": true,
			"born": time.Date(1990, 5, 1, 0, 0, 0, 0, time.UTC), "seen": utc("2024-01-02T09:00:00Z"), "opens": "08:30:00", "ref": strings.ToUpper(guid1), "note": "50% off_now"},
		{"key": "k2", "name": "O'Brien", "code": nil, "qty": int64(0), "price": json.Number("99.99"), "ratio": 1e3, "active": false,
			"born": "2001-12-31", "seen": utc("2024-06-30T23:59:59.999Z"), "opens": "17:00:00", "ref": guid2, "note": "100%"},
		{"key": "k3", "name": "Łódź", "code": "ACC-3", "qty": nil, "price": nil, "ratio": nil, "active": nil, "born": nil, "seen": nil, "opens": nil, "ref": nil, "note": nil},
		{"key": "k4", "name": "müller & söhne", "code": "acc-4", "qty": int64(-3), "price": json.Number("0"), "ratio": -0.5, "active": true,
			"born": "2024-02-29", "seen": utc("2024-03-01T11:00:00+01:00"), "opens": "23:59:59", "ref": guid4, "note": "a_b"},
		{"key": "k5", "name": "", "code": "ACC-5", "qty": json.Number("1000000"), "price": 1234567.89, "ratio": float32(2.5), "active": false,
			"born": "1970-01-01", "seen": "2024-01-02T09:00:00Z", "opens": "00:00:00", "note": "ends with %"},
		{"key": "k6", "code": "X", "qty": 5, "price": json.Number("5")},
	}
}

// fixedNow is the instant now() stands for in the cases.
var fixedNow = time.Date(2024, 7, 10, 0, 0, 0, 0, time.UTC)

// itemCases is the one table of cases that OData text, SQL and Go agree on.
// odata is the canonical text when it differs from the filter as written.
var itemCases = []struct {
	filter, odata string
	want          []string
}{
	{filter: "name eq 'O''Brien'", want: keys(2)},
	{filter: "name ne 'O''Brien'", want: keys(1, 3, 4, 5, 6)},
	{filter: "code eq null", want: keys(2)},
	{filter: "code ne null", want: keys(1, 3, 4, 5, 6)},
	{filter: "qty gt 0", want: keys(1, 5, 6)},
	{filter: "not (qty gt 0)", want: keys(2, 3, 4)},
	{filter: "not qty gt 0", odata: "not (qty gt 0)", want: keys(2, 3, 4)},
	{filter: "qty ge 5 and qty le 5", want: keys(1, 6)},
	{filter: "price lt 50.5", want: keys(1, 4, 6)},
	{filter: "price eq 10.5", want: keys(1)},
	{filter: "price ne 5", want: keys(1, 2, 3, 4, 5)},
	{filter: "ratio gt 1e2", want: keys(2)},
	{filter: "ratio le -0.5 or ratio ge 1000", want: keys(2, 4)},
	{filter: "active", want: keys(1, 4)},
	{filter: "active eq false", want: keys(2, 5)},
	{filter: "not active", want: keys(2, 3, 5, 6)},
	{filter: "born ge 2000-01-01", want: keys(2, 4)},
	{filter: "not (born lt 2000-01-01)", want: keys(2, 3, 4, 6)},
	{filter: "seen gt 2024-01-02T09:00:00Z", want: keys(2, 4)},
	{filter: "seen eq 2024-01-02T10:00:00+01:00", want: keys(1, 5)},
	{filter: "seen ge now() sub duration'P30D'", want: keys(2)},
	{filter: "seen lt now() sub duration'PT720H' add duration'P1DT12H'", odata: "seen lt now() sub duration'P30D' add duration'P1DT12H'", want: keys(1, 4, 5)},
	{filter: "seen lt 2024-01-01T00:00:00Z or seen eq null", want: keys(3, 6)},
	{filter: "opens lt 09:00", odata: "opens lt 09:00:00", want: keys(1, 5)},
	{filter: "ref eq AEA00B94-3481-5DF7-B7E1-89EC3DA7558F", odata: "ref eq " + guid1, want: keys(1)},
	{filter: "ref in (" + guid1 + ", " + guid4 + ")", odata: "ref in (" + guid1 + "," + guid4 + ")", want: keys(1, 4)},
	{filter: "code in ('ACC-1',null)", want: keys(1, 2)},
	{filter: "not (code in ('ACC-1','X'))", want: keys(2, 3, 4, 5)},
	{filter: "qty in (5,-3)", want: keys(1, 4, 6)},
	{filter: "contains(name,'o')", want: keys(1)},
	{filter: "contains(tolower(name),'o')", want: keys(1, 2)},
	{filter: "startswith(toupper(name),'M')", want: keys(4)},
	{filter: "startswith(name,'')", want: keys(1, 2, 3, 4, 5)},
	{filter: "endswith(name,'')", want: keys(1, 2, 3, 4, 5)},
	{filter: "endswith(name,'Ltd') or endswith(name,'ź')", want: keys(1, 3)},
	{filter: "endswith(tolower(name),'söhne')", want: keys(4)},
	{filter: "endswith(note,'%')", want: keys(2, 5)},
	{filter: "contains(note,'%') and not contains(note,'_')", want: keys(2, 5)},
	{filter: "contains(note,'_')", want: keys(1, 4)},
	{filter: "name eq ''", want: keys(5)},
	{filter: "name gt 'N'", want: keys(2, 3, 4)},
	{filter: "tolower(code) eq 'acc-4' or toupper(code) eq 'ACC-1'", want: keys(1, 4)},
	{filter: "(qty gt 0 or active) and not (code eq null)", want: keys(1, 4, 5, 6)},
	{filter: "NOT (qty GT 0) AND active", odata: "not (qty gt 0) and active", want: keys(4)},
	{filter: "true", want: keys(1, 2, 3, 4, 5, 6)},
	{filter: "not true", want: nil},
}

func keys(n ...int) []string {
	out := make([]string, len(n))
	for i, k := range n {
		out[i] = "k" + string(rune('0'+k))
	}
	return out
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func setNow(t *testing.T, now time.Time) {
	t.Helper()
	old := filter.Now
	filter.Now = func() time.Time { return now }
	t.Cleanup(func() { filter.Now = old })
}

// newItemStore creates item in an in-memory workspace and inserts itemRows.
func newItemStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.CreateEntity(ctx, item); err != nil {
		t.Fatal(err)
	}
	insertRows(t, s, item.Name, itemRows)
	return s
}

// insertRows writes rows with INSERT statements, values bound as given.
func insertRows(t *testing.T, s *store.Store, entity string, rows []map[string]any) {
	t.Helper()
	err := s.Update(context.Background(), func(tx *store.Tx) error {
		for _, r := range rows {
			if _, err := tx.Insert(entity, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// selectKeys reads the item table narrowed by e, as the store translates it
// into SQL (filter.ToSQL), and returns the keys of the rows it matches.
func selectKeys(t *testing.T, s *store.Store, e filter.Expr) []string {
	t.Helper()
	var got []string
	err := s.View(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.Scan(item.Name, []string{"key"}, e, "", 1000)
		for _, r := range rows {
			got = append(got, r.Values["key"].(string))
		}
		return err
	})
	if err != nil {
		t.Fatalf("read where %s: %v", filter.ToOData(e), err)
	}
	sort.Strings(got)
	return got
}

// storedRecords reads every row of item as the workspace returns it.
func storedRecords(t *testing.T, s *store.Store) []meta.Record {
	t.Helper()
	var out []meta.Record
	err := s.View(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.Scan(item.Name, item.FieldNames(), nil, "", 1000)
		for _, r := range rows {
			out = append(out, meta.Record(r.Values))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func evalKeys(t *testing.T, e filter.Expr, recs []meta.Record) []string {
	t.Helper()
	var got []string
	for _, r := range recs {
		ok, err := filter.Eval(e, r)
		if err != nil {
			t.Fatalf("Eval(%v): %v", r, err)
		}
		if ok {
			got = append(got, r["key"].(string))
		}
	}
	sort.Strings(got)
	return got
}

// TestCasesAgree runs every case through OData text, SQL on a real workspace
// table and Eval (on the stored rows and on connector-typed records).
func TestCasesAgree(t *testing.T) {
	setNow(t, fixedNow)
	s := newItemStore(t)
	stored := storedRecords(t, s)
	typed := typedRecords()
	ent, err := s.Entity(context.Background(), item.Name)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range itemCases {
		t.Run(tc.filter, func(t *testing.T) {
			e, err := filter.Parse(tc.filter)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if err := filter.Check(e, ent); err != nil {
				t.Fatalf("Check: %v", err)
			}
			wantOData := tc.odata
			if wantOData == "" {
				wantOData = tc.filter
			}
			if got := filter.ToOData(e); got != wantOData {
				t.Errorf("ToOData = %q, want %q", got, wantOData)
			}
			if back, err := filter.Parse(filter.ToOData(e)); err != nil || !filter.Equal(back, e) {
				t.Errorf("Parse(ToOData) = %v, %v; want the same tree", filter.ToOData(back), err)
			}
			if got := selectKeys(t, s, e); !slices.Equal(got, tc.want) {
				where, args := filter.ToSQL(e, quoteIdent)
				t.Errorf("SQL %s %v matched %v, want %v", where, args, got, tc.want)
			}
			if got := evalKeys(t, e, stored); !slices.Equal(got, tc.want) {
				t.Errorf("Eval on stored rows matched %v, want %v", got, tc.want)
			}
			if got := evalKeys(t, e, typed); !slices.Equal(got, tc.want) {
				t.Errorf("Eval on typed records matched %v, want %v", got, tc.want)
			}
			// A resolved filter means the same at the instant it was resolved at.
			r := filter.Resolve(e, fixedNow)
			if got := selectKeys(t, s, r); !slices.Equal(got, tc.want) {
				t.Errorf("resolved %s: SQL matched %v, want %v", filter.ToOData(r), got, tc.want)
			}
			if got := evalKeys(t, r, typed); !slices.Equal(got, tc.want) {
				t.Errorf("resolved %s: Eval matched %v, want %v", filter.ToOData(r), got, tc.want)
			}
		})
	}
}
