package odata

import (
	"fmt"
	"reflect"
	"testing"

	"switchyard/core/meta"
)

// typedEntity has a field of every plain type.
var typedEntity = meta.Entity{Name: "things", Key: []string{"id"}, Fields: []meta.Field{
	{Name: "id", Type: meta.Int}, {Name: "name", Type: meta.String}, {Name: "price", Type: meta.Decimal},
	{Name: "weight", Type: meta.Double}, {Name: "active", Type: meta.Bool}, {Name: "at", Type: meta.DateTime},
	{Name: "on", Type: meta.Date}, {Name: "ref", Type: meta.GUID}, {Name: "clock", Type: meta.Time},
}}

// typedPages are pages whose records the typed scan must decode as
// decodeRecord does after the plain one, or fail as it fails.
var typedPages = []string{
	`{"value":[{"id":1,"name":"A","price":12.50,"weight":1.5,"active":true,"at":"2024-01-01T10:00:00+01:00","on":"2024-02-29","ref":"0A7F9A9E-58E5-4F5B-9C6E-2B9C4C1D0001","clock":"10:00:00"}]}`,
	`{"value":[{"id":-42,"name":null,"price":"3.25","weight":"INF","active":false,"at":null},{"id":0},{}]}`,
	`{"value":[{"id":123456789012345678},{"id":1234567890123456789},{"id":-9223372036854775808},{"id":9223372036854775808}]}`,
	`{"value":[{"id":1e3}]}`,
	`{"value":[{"id":1.0}]}`,
	`{"value":[{"id":"77"}]}`,
	`{"value":[{"id":01}]}`,
	`{"value":[{"id":-}]}`,
	`{"value":[{"id":true}]}`,
	`{"value":[{"id":1,"@odata.etag":"W/\"5\"","name@odata.type":"#String","extra":[1,{"a":2}],"other":{"nested":1},"more":"x"}]}`,
	`{"value":[{"@odata.etag":"W/\"7\"","id":2,"name":"B"}]}`,
	`{"value":[{"id":3,"@removed":{"reason":"deleted"}}]}`,
	`{"value":[{"@odata.context":"$metadata#things/$deletedEntity","id":4}]}`,
	`{"value":[{"id":5,"at":"yesterday"}]}`,
	`{"value":[{"id":6,"name":{"not":"a string"}}]}`,
	`{"value":[{"id":7,"name":"Zo\u00eb \"q\"","ref":"not-a-guid-but-a-string"}]}`,
	`{"value":[{"id":8,"on":"2023-02-29"}]}`,
	`{"value":[{"id":9,"id":10}]}`,
	`{"value":[{"id":11 , "name" : "spaced" }  ]  }`,
	`{"value":[{"id":12,"weight":1e400}]}`,
}

// decodeBoth decodes page the typed way and the plain way (decodeRecord),
// as decodePageResponse would; removed entries are left out of both.
func decodeBoth(t *testing.T, page string) (typed, plain []meta.Record, typedErr, plainErr error) {
	t.Helper()
	fields := newFieldTable(typedEntity)
	types := map[string]meta.Type{}
	for _, f := range typedEntity.Fields {
		types[f.Name] = f.Type
	}
	decode := func(types map[string]meta.Type) ([]meta.Record, error) {
		body, err := decodePageReusing([]byte(page), nil, types)
		if err != nil {
			return nil, err
		}
		var out []meta.Record
		for i, raw := range body.Value {
			if body.Typed {
				out = append(out, typedRecord(raw, body.Annotated[i]))
				continue
			}
			if removed(raw) {
				continue
			}
			rec, err := decodeRecord(fields, raw, nil)
			if err != nil {
				return nil, fmt.Errorf("record %d: %w", i, err)
			}
			out = append(out, rec)
		}
		return out, nil
	}
	typed, typedErr = decode(types)
	plain, plainErr = decode(nil)
	return typed, plain, typedErr, plainErr
}

func TestTypedScanDecodesAsDecodeRecord(t *testing.T) {
	for _, page := range typedPages {
		typed, plain, typedErr, plainErr := decodeBoth(t, page)
		if fmt.Sprint(typedErr) != fmt.Sprint(plainErr) || !reflect.DeepEqual(typed, plain) {
			t.Errorf("page %s:\ntyped %#v, %v\nplain %#v, %v", page, typed, typedErr, plain, plainErr)
		}
	}
	// The common case takes the typed way indeed.
	body, err := decodePageReusing([]byte(typedPages[0]), nil, map[string]meta.Type{"id": meta.Int})
	if err != nil || !body.Typed || body.Value[0]["id"] != int64(1) {
		t.Fatalf("typed scan of a plain page = %+v, %v", body, err)
	}
}

// FuzzTypedScan checks the typed scan against decodeRecord on any page.
func FuzzTypedScan(f *testing.F) {
	for _, page := range typedPages {
		f.Add(page)
	}
	f.Fuzz(func(t *testing.T, page string) {
		typed, plain, typedErr, plainErr := decodeBoth(t, page)
		if (typedErr == nil) != (plainErr == nil) || (typedErr == nil && !reflect.DeepEqual(typed, plain)) {
			t.Errorf("page %q:\ntyped %#v, %v\nplain %#v, %v", page, typed, typedErr, plain, plainErr)
		}
	})
}
