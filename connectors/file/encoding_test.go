package file

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

// encodedFile is the text of a CSV file in one encoding, the bytes that
// encode it, and how to turn text into such bytes.
type encodedFile struct {
	name, setting string
	bom           []byte
	encode        func(string) []byte
	decode        func([]byte) string
}

func encodings(t testing.TB) []encodedFile {
	t.Helper()
	utf16 := func(big bool) (func(string) []byte, func([]byte) string) {
		order := unicode.LittleEndian
		if big {
			order = unicode.BigEndian
		}
		e := unicode.UTF16(order, unicode.IgnoreBOM)
		return func(s string) []byte {
				b, err := e.NewEncoder().Bytes([]byte(s))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}, func(b []byte) string {
				s, err := e.NewDecoder().Bytes(b)
				if err != nil {
					t.Fatal(err)
				}
				return string(s)
			}
	}
	single := func(m *charmap.Charmap) (func(string) []byte, func([]byte) string) {
		return func(s string) []byte {
				b, err := m.NewEncoder().Bytes([]byte(s))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}, func(b []byte) string {
				s, _ := m.NewDecoder().Bytes(b)
				return string(s)
			}
	}
	same := func(s string) []byte { return []byte(s) }
	str := func(b []byte) string { return string(b) }
	le, led := utf16(false)
	be, bed := utf16(true)
	w, wd := single(charmap.Windows1252)
	l, ld := single(charmap.ISO8859_1)
	return []encodedFile{
		{"utf-8", "", nil, same, str},
		{"utf-8 with a mark", "utf-8", bomUTF8, same, str},
		{"utf-16 little-endian", "utf-16", bomUTF16LE, le, led},
		{"utf-16 big-endian", "utf-16", bomUTF16BE, be, bed},
		{"utf-16 without a mark", "utf-16", nil, le, led},
		{"windows-1252", "windows-1252", nil, w, wd},
		{"latin-1", "latin-1", nil, l, ld},
	}
}

// TestEncodings: a CSV file in each encoding reads as the same records, page
// by page from where each page ended (offsets in the file's bytes), with
// names that span lines (a line feed in a file of CRLF lines, as Excel
// writes them); updates and creates write it back in its encoding,
// with its byte-order mark and line breaks, the rows they do not touch byte
// for byte.
func TestEncodings(t *testing.T) {
	for _, crlf := range []bool{false, true} {
		for _, ef := range encodings(t) {
			t.Run(fmt.Sprintf("%s crlf %v", ef.name, crlf), func(t *testing.T) {
				nl := "\n"
				if crlf {
					nl = "\r\n"
				}
				names := []string{"Zoë", "Ångström", "naïve café", "\"two\nlines, «quoted»\"", "Straße", "plain", "Œuvre €5", "ÿ"}
				if ef.setting == "latin-1" {
					names[6] = "Oeuvre 5"
				}
				if strings.HasPrefix(ef.name, "utf") {
					names[7] = "emoji 😀 and 中文"
				}
				text := "id,name,price" + nl
				for i, n := range names {
					text += fmt.Sprintf("%d,%s,%d.5%s", i+1, n, i, nl)
				}
				dir := t.TempDir()
				path := filepath.Join(dir, "items.csv")
				raw := append(append([]byte(nil), ef.bom...), ef.encode(text)...)
				if err := os.WriteFile(path, raw, 0o644); err != nil {
					t.Fatal(err)
				}
				c, err := Open(context.Background(), spec.Values{"path": dir, "encoding": ef.setting})
				if err != nil {
					t.Fatal(err)
				}
				cat, err := c.Catalog(context.Background())
				if err != nil || len(cat) != 1 || fmt.Sprint(cat[0].FieldNames()) != "[id name price]" {
					t.Fatalf("catalog %v, %v", cat, err)
				}
				recs, _, pages := readEvery(t, c, connector.Query{Entity: "items", PageSize: 3})
				if len(recs) != len(names) || pages != 3 {
					t.Fatalf("read %d records in %d pages", len(recs), pages)
				}
				for i, r := range recs {
					if want := strings.Trim(names[i], `"`); r["name"] != want {
						t.Errorf("record %d: name %q, want %q", i+1, r["name"], want)
					}
				}

				// Update row 2, create one: the rest stays byte for byte.
				ctx := context.Background()
				res, err := c.Write(ctx, "items", connector.Update, []meta.Record{{"id": int64(2), "name": "Ærø"}})
				if err != nil || res[0].Err != nil {
					t.Fatalf("update %v, %v", res, err)
				}
				res, err = c.Write(ctx, "items", connector.Create, []meta.Record{{"name": "Café neu", "price": json.Number("9.5")}})
				if err != nil || res[0].Err != nil {
					t.Fatalf("create %v, %v", res, err)
				}
				want := strings.Replace(text, "2,Ångström,", "2,Ærø,", 1) + "9,Café neu,9.5" + nl
				got, _ := os.ReadFile(path)
				if !bytes.HasPrefix(got, ef.bom) || (ef.bom == nil && len(got) >= 3 && bytes.Equal(got[:3], bomUTF8)) {
					t.Errorf("the file starts % x, want the mark % x", got[:min(4, len(got))], ef.bom)
				}
				if decoded := ef.decode(got[len(ef.bom):]); decoded != want {
					t.Errorf("file\n%q\nwant\n%q", decoded, want)
				}
				recs, _, _ = readEvery(t, c, connector.Query{Entity: "items", PageSize: 4})
				if len(recs) != 9 || recs[1]["name"] != "Ærø" || recs[8]["name"] != "Café neu" {
					t.Errorf("read back %v", recs)
				}
			})
		}
	}
}

// TestEncodingErrors: text that is not in the file's encoding is an error
// naming the file, the line and the setting to set; a value the encoding
// cannot write fails its record alone.
func TestEncodingErrors(t *testing.T) {
	latin1 := func(s string) []byte {
		b, _ := charmap.ISO8859_1.NewEncoder().Bytes([]byte(s))
		return b
	}
	for _, tt := range []struct {
		name, setting string
		content       []byte
		want          []string
	}{
		{"latin-1 read as utf-8", "", latin1("id,name\n1,plain\n2,Zoë\n"),
			[]string{"items.csv is not UTF-8 at line 3: set encoding to windows-1252 or latin-1 if it was written by Excel on Windows"}},
		{"a header in latin-1", "", latin1("id,größe\n1,2\n"), []string{"items.csv is not UTF-8 at line 1"}},
		{"windows-1252 undefined byte", "windows-1252", []byte("id,name\n1,a\x81b\n"),
			[]string{"items.csv has a byte that windows-1252 does not define at line 2: set encoding to latin-1"}},
		{"utf-16 read as utf-8", "", append(append([]byte(nil), bomUTF16LE...), 'i', 0, 'd', 0, '\n', 0), []string{"items.csv starts with the byte-order mark of UTF-16: set encoding to utf-16"}},
		{"utf-8 mark read as windows-1252", "windows-1252", []byte("\xef\xbb\xbfid\n1\n"), []string{"items.csv starts with the byte-order mark of UTF-8: set encoding to utf-8"}},
		{"utf-8 read as utf-16", "utf-16", []byte("id,name\n1,a\n"), []string{"items.csv is not UTF-16"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "items.csv"), tt.content, 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := Open(context.Background(), spec.Values{"path": dir, "encoding": tt.setting})
			if err != nil {
				t.Fatal(err)
			}
			_, catErr := c.Catalog(context.Background())
			_, readErr := c.ReadPage(context.Background(), connector.Query{Entity: "items"}, "")
			for _, err := range []error{catErr, readErr} {
				for _, w := range tt.want {
					if err == nil || !strings.Contains(err.Error(), w) || !strings.Contains(err.Error(), dir) {
						t.Errorf("error %v, want it to name the file and say %q", err, w)
					}
				}
			}
		})
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "items.csv")
	os.WriteFile(path, latin1("id,name\n1,Zoë\n"), 0o644)
	c, err := Open(context.Background(), spec.Values{"path": dir, "encoding": "latin-1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range []connector.Op{connector.Create, connector.Upsert} {
		recs := []meta.Record{{"name": "costs 5 €"}, {"name": "Zoë again"}}
		if op == connector.Upsert {
			recs[0]["id"], recs[1]["id"] = int64(3), int64(4)
		}
		res, err := c.Write(context.Background(), "items", op, recs)
		if err != nil || res[0].Err == nil || !strings.Contains(res[0].Err.Error(), `cannot be written in latin-1 (the character '€'): set encoding to utf-8 or utf-16`) || res[1].Err != nil {
			t.Errorf("%s: %v, %v", op, res, err)
		}
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, latin1("id,name\n1,Zoë\n2,Zoë again\n4,Zoë again\n")) {
		t.Errorf("file %q", b)
	}
}

// TestEncodedPagesOfALargeFile: page by page through a file far larger than
// the reader's buffers, each page going on from the file offset the page
// before ended at, reads what one page of everything reads.
func TestEncodedPagesOfALargeFile(t *testing.T) {
	for _, ef := range encodings(t) {
		t.Run(ef.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("id,name,note\r\n")
			for i := 1; i <= 6000; i++ {
				note := "é" + strings.Repeat("ß", i%7)
				if strings.HasPrefix(ef.name, "utf") && i%13 == 0 {
					note += " 😀"
				}
				if i%97 == 0 {
					note = "\"über\nzwei Zeilen, ça va\""
				}
				fmt.Fprintf(&b, "%d,naïve %d,%s\r\n", i, i, note)
			}
			dir := t.TempDir()
			raw := append(append([]byte(nil), ef.bom...), ef.encode(b.String())...)
			if err := os.WriteFile(filepath.Join(dir, "items.csv"), raw, 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := Open(context.Background(), spec.Values{"path": dir, "encoding": ef.setting})
			if err != nil {
				t.Fatal(err)
			}
			whole, _, _ := readEvery(t, c, connector.Query{Entity: "items", PageSize: 10000})
			paged, _, pages := readEvery(t, c, connector.Query{Entity: "items", PageSize: 7})
			if len(whole) != 6000 || pages != 858 || fmt.Sprint(whole) != fmt.Sprint(paged) {
				t.Fatalf("%d records in one page, %d in %d pages, not the same", len(whole), len(paged), pages)
			}
		})
	}
}
