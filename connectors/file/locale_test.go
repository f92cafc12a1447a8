package file

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

func TestLocaleSettings(t *testing.T) {
	for _, tt := range []struct {
		decimal, dateformat string
		read, write         string
		err                 bool
	}{
		{"", "", "", "", false},
		{".", "YYYY-MM-DD", "", "", false},
		{",", "ISO", "", "", false},
		{",", "DD.MM.YYYY", "2.1.2006", "02.01.2006", false},
		{".", "dd/mm/yyyy", "2/1/2006", "02/01/2006", false},
		{".", "MM/DD/YYYY", "1/2/2006", "01/02/2006", false},
		{".", "DD-MM-YYYY", "2-1-2006", "02-01-2006", false},
		{".", "02.01.06", "02.01.06", "02.01.06", false},
		{".", "2006-01-02", "", "", false},
		{".", "Jan 2, 2006", "Jan 2, 2006", "Jan 2, 2006", false},
		{";", "", "", "", true},
		{".", "DD.MM", "", "", true},
		{".", "02.01.2006 15:04", "", "", true},
		{".", "nonsense", "", "", true},
	} {
		l, err := newLocale(tt.decimal, tt.dateformat)
		if (err != nil) != tt.err || (err == nil && (l.dateRead != tt.read || l.dateWrite != tt.write || l.comma != (tt.decimal == ","))) {
			t.Errorf("newLocale(%q, %q) = %+v, %v", tt.decimal, tt.dateformat, l, err)
		}
	}
	dir := t.TempDir()
	for _, v := range []spec.Values{{"decimal": ";"}, {"dateformat": "hh:mm"}, {"encoding": "utf-32"}} {
		v["path"] = dir
		if _, err := Open(context.Background(), v); err == nil {
			t.Errorf("Open(%v) succeeded", v)
		}
	}
}

func TestLocaleNumbers(t *testing.T) {
	comma := locale{comma: true}
	for _, tt := range []struct {
		in, want string
		ok       bool
		kind     meta.Type
	}{
		{"1.234,56", "1234.56", true, meta.Decimal},
		{"1 234,56", "1234.56", true, meta.Decimal},
		{"1\u00a0234\u00a0567,5", "1234567.5", true, meta.Decimal},
		{"1\u202f234", "1234", true, meta.Int},
		{"-12,5", "-12.5", true, meta.Decimal},
		{"+0,5", "+0.5", true, meta.Decimal},
		{",5", ".5", true, meta.Decimal},
		{"12,00", "12.00", true, meta.Decimal},
		{"1.234", "1234", true, meta.Int},
		{"1.234.567", "1234567", true, meta.Int},
		{"1,5e3", "1.5e3", true, meta.Decimal},
		{"42", "42", true, meta.Int},
		{"007", "007", true, meta.String},
		{"1.5", "", false, meta.String},
		{"12.34,5", "", false, meta.String},
		{"1.234 567", "", false, meta.String},
		{"1234.567", "", false, meta.String},
		{"1.2345", "", false, meta.String},
		{"1,2,3", "", false, meta.String},
		{"", "", false, ""},
		{"abc", "", false, meta.String},
		{"2024-01-31", "", false, meta.Date},
	} {
		got, ok := comma.number(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("number(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
		if tt.in != "" {
			if k := comma.kind(tt.in); k != tt.kind {
				t.Errorf("kind(%q) = %s, want %s", tt.in, k, tt.kind)
			}
		}
	}
}

// TestLocaleFile: with decimal "," and dateformat DD.MM.YYYY, numbers and
// dates of a CSV file read as numbers and dates, and a write writes them so
// (no thousands separators), keeping the text of the cells whose value it
// does not change.
func TestLocaleFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "items.csv")
	text := "id;name;price;qty;since;changed\n" +
		"1;one;1.234,56;1.000;31.01.2024;31.01.2024 13:45:00\n" +
		"2;two;12,00;7;1.2.2024;2024-02-01T08:00:00Z\n" +
		"3;three;-0,5;2 500;29.02.2024;01.03.2024 00:00\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Open(context.Background(), spec.Values{"path": dir, "delimiter": ";", "decimal": ",", "dateformat": "DD.MM.YYYY"})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := c.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]meta.Type{"id": meta.Int, "name": meta.String, "price": meta.Decimal, "qty": meta.Int, "since": meta.Date, "changed": meta.DateTime}
	for _, f := range cat[0].Fields {
		if f.Type != want[f.Name] {
			t.Errorf("%s is %s, want %s", f.Name, f.Type, want[f.Name])
		}
	}
	recs, _, _ := readEvery(t, c, connector.Query{Entity: "items", Filter: "price gt 0 and since lt 2024-02-15"})
	if len(recs) != 2 || recs[0]["price"] != json.Number("1234.56") || recs[0]["qty"] != int64(1000) || recs[0]["since"] != "2024-01-31" ||
		!recs[0]["changed"].(time.Time).Equal(time.Date(2024, 1, 31, 13, 45, 0, 0, time.UTC)) || recs[1]["since"] != "2024-02-01" {
		t.Fatalf("read %v", recs)
	}
	ctx := context.Background()
	res, err := c.Write(ctx, "items", connector.Update, []meta.Record{
		{"id": int64(1), "name": "one", "price": json.Number("1234.560"), "since": "2024-01-31"},                                          // nothing changes
		{"id": int64(2), "price": json.Number("99.5"), "since": "2024-02-29", "changed": time.Date(2024, 3, 1, 10, 30, 0, 5e8, time.UTC)}, // all change
	})
	if err != nil || res[0].Err != nil || res[1].Err != nil {
		t.Fatal(res, err)
	}
	res, err = c.Write(ctx, "items", connector.Create, []meta.Record{{"name": "four", "price": 1234.5, "qty": int64(12000), "since": time.Date(2024, 12, 24, 0, 0, 0, 0, time.UTC)}})
	if err != nil || res[0].Err != nil {
		t.Fatal(res, err)
	}
	wantText := "id;name;price;qty;since;changed\n" +
		"1;one;1.234,56;1.000;31.01.2024;31.01.2024 13:45:00\n" +
		"2;two;99,5;7;29.02.2024;01.03.2024 10:30:00.5\n" +
		"3;three;-0,5;2 500;29.02.2024;01.03.2024 00:00\n" +
		"4;four;1234,5;12000;24.12.2024;\n"
	if b, _ := os.ReadFile(path); string(b) != wantText {
		t.Errorf("file\n%s\nwant\n%s", b, wantText)
	}
	recs, _, _ = readEvery(t, c, connector.Query{Entity: "items"})
	if len(recs) != 4 || recs[1]["price"] != json.Number("99.5") || recs[3]["price"] != json.Number("1234.5") || recs[3]["since"] != "2024-12-24" ||
		!recs[1]["changed"].(time.Time).Equal(time.Date(2024, 3, 1, 10, 30, 0, 5e8, time.UTC)) {
		t.Errorf("read back %v", recs)
	}
	if strings.Contains(wantText, "1234.5") {
		t.Error("the test writes a decimal point")
	}
}
