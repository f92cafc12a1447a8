package odata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// stdPage decodes a page as ReadPage did before decodePage: encoding/json with UseNumber.
func stdPage(data []byte) (pageBody, error) {
	var body pageBody
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	err := d.Decode(&body)
	return body, err
}

func TestDecodePageMatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		fast bool // the fast scanner takes it (else encoding/json does)
	}{
		{"empty value", `{"value":[]}`, true},
		{"no value", `{"@odata.context":"x"}`, true},
		{"null value", `{"value":null}`, true},
		{"records", `{"@odata.context":"$metadata#Items","@odata.count":2,"value":[{"ID":1,"name":"a","price":12.50,"ok":true,"no":false,"none":null},{"ID":-2e3,"name":"b"}],"@odata.nextLink":"Items?$skiptoken=2"}`, true},
		{"whitespace", " {\n\t\"value\" : [ { \"a\" : [ 1 , { \"b\" : [ ] } ] } , {} ] ,\r\n \"@odata.deltaLink\" : \"d\" } ", true},
		{"escapes", `{"value":[{"s":"a\"b\\c\/d\b\f\n\r\t\u00e9\u20ac\ud83d\ude00","k\u00e9y":1}]}`, true},
		{"utf-8", `{"value":[{"name":"Škoda → 東京"}]}`, true},
		{"nested and complex", `{"value":[{"address":{"city":"Brno","geo":{"lat":49.19,"lon":16.6}},"tags":["a",1,null,true,[]]}]}`, true},
		{"duplicate field", `{"value":[{"a":1,"a":2}]}`, true},
		{"trailing data ignored", `{"value":[{"a":1}]} garbage`, true},
		{"null links", `{"value":[],"@odata.nextLink":null}`, true},
		{"count as string", `{"@odata.count":"5","value":[]}`, false},
		{"name in another case", `{"Value":[{"a":1}]}`, false},
		{"null record", `{"value":[null,{"a":1}]}`, false},
		{"lone surrogate", `{"value":[{"s":"\ud800x"}]}`, false},
		{"invalid utf-8", "{\"value\":[{\"s\":\"a\xffb\"}]}", false},
		{"bad number", `{"value":[{"n":01}]}`, false},
		{"bad number 2", `{"value":[{"n":1.}]}`, false},
		{"trailing comma", `{"value":[{"a":1,}]}`, false},
		{"control character", "{\"value\":[{\"s\":\"a\tb\"}]}", false},
		{"truncated", `{"value":[{"a":"b`, false},
		{"not an object", `[1,2]`, false},
		{"empty", ``, false},
		{"link of another kind", `{"value":[],"@odata.nextLink":5}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, wantErr := stdPage([]byte(tt.in))
			got, err := decodePage([]byte(tt.in))
			if fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Fatalf("decodePage() error = %v, encoding/json says %v", err, wantErr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decodePage() = %#v\nencoding/json gives %#v", got, want)
			}
			p := pageScanner{data: []byte(tt.in), keys: map[string]string{}}
			if _, ok := p.page(); ok != tt.fast {
				t.Errorf("fast scanner took it = %v, want %v", ok, tt.fast)
			}
		})
	}
}

// FuzzDecodePage checks that decodePage and encoding/json agree on any input.
func FuzzDecodePage(f *testing.F) {
	for _, s := range []string{`{"value":[{"a":1,"b":"x\u00e9","c":[true,null,{"d":-1.5e3}]}],"@odata.count":1}`, `{"value":[]}`, `[`, `{"Value":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantErr := stdPage(data)
		got, err := decodePage(data)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
			t.Fatalf("decodePage(%q) = %#v, %v; encoding/json gives %#v, %v", data, got, err, want, wantErr)
		}
	})
}

// BenchmarkDecodePage decodes a page of 5,000 records of 20 fields and
// reports records/s: decodePage against encoding/json.
func BenchmarkDecodePage(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"@odata.context":"$metadata#Items","value":[`)
	for i := range 5000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"ID":%d,"code":"C-%d","name":"Item number %d","description":"A line of text that describes the item in a few words.","email":"item%d@example.org","phone":"+44 20 7946 0000","city":"Brno","country":"CZ","quantity":%d,"rank":%d,"price":%d.25,"cost":%d.5,"weight":1.125,"active":true,"archived":false,"created":"2024-02-29","due":"2025-12-31","modifiedAt":"2024-01-01T00:00:00Z","shippedAt":null,"ref":"00000000-0000-4000-8000-%012d"}`,
			i, i, i, i, i%1000, i*7, i%100000, i%5000, i)
	}
	sb.WriteString(`],"@odata.nextLink":"Items?$skiptoken=5000"}`)
	data := []byte(sb.String())
	for _, bc := range []struct {
		name   string
		decode func([]byte) (pageBody, error)
	}{{"fast", decodePage}, {"encoding_json", stdPage}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if body, err := bc.decode(data); err != nil || len(body.Value) != 5000 {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(5000*b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
