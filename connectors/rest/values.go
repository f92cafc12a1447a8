package rest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"switchyard/core/meta"
	"switchyard/core/values"
)

// lookupPath returns the value at a dotted JSON path ("data.items") in v;
// "" is v itself. ok is false when the path leads nowhere.
func lookupPath(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	for _, part := range strings.Split(path, ".") {
		obj, isObj := v.(map[string]any)
		if !isObj {
			return nil, false
		}
		if v, isObj = obj[part]; !isObj {
			return nil, false
		}
	}
	return v, true
}

// decodeJSON decodes body keeping numbers as json.Number.
func decodeJSON(body []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// flatten turns a JSON object into a flat record: nested objects become
// "parent.child" fields, arrays their JSON text.
func flatten(obj map[string]any) meta.Record {
	rec := make(meta.Record, len(obj))
	flattenInto(rec, "", obj)
	return rec
}

func flattenInto(rec meta.Record, prefix string, obj map[string]any) {
	for k, v := range obj {
		name := prefix + k
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 0 {
				rec[name] = nil
				continue
			}
			flattenInto(rec, name+".", x)
		case []any:
			b, _ := json.Marshal(x)
			rec[name] = string(b)
		default:
			rec[name] = v
		}
	}
}

// unflatten turns "parent.child" fields back into nested objects.
func unflatten(rec map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range rec {
		parts := strings.Split(k, ".")
		m := out
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = v
	}
	return out
}

// infer builds the fields of an entity from sampled records: each field's
// type is the narrowest that holds every sampled value; a field missing from
// or null in some record is nullable; one never seen with a value is a
// nullable string. Fields come sorted, the key first.
func infer(key string, recs []meta.Record) []meta.Field {
	types := map[string]meta.Type{}
	seen := map[string]int{}
	nulls := map[string]bool{}
	for _, rec := range recs {
		for k, v := range rec {
			seen[k]++
			if v == nil {
				nulls[k] = true
				continue
			}
			types[k] = meta.Widen(types[k], values.KindOfJSON(v))
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == key) != (names[j] == key) {
			return names[i] == key
		}
		return names[i] < names[j]
	})
	out := make([]meta.Field, 0, len(names))
	for _, n := range names {
		t := types[n]
		if t == "" {
			t = meta.String
		}
		f := meta.Field{Name: n, Type: t, ExternalType: externalType(t), Nullable: nulls[n] || seen[n] < len(recs)}
		if n == key {
			f.Nullable = false
		}
		out = append(out, f)
	}
	return out
}

// externalType names the JSON type a field's values have.
func externalType(t meta.Type) string {
	switch t {
	case meta.Int:
		return "integer"
	case meta.Decimal, meta.Double:
		return "number"
	case meta.Bool:
		return "boolean"
	}
	return "string"
}

// formatDateTime writes t as the APIs this connector meets store it:
// UTC with milliseconds, as JavaScript's toISOString does.
func formatDateTime(t time.Time) string { return values.FormatMillis(t) }

// decodeValue converts a flattened JSON value of a field of type t into the
// Go type connector.Query documents.
func decodeValue(f meta.Field, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch f.Type {
	case meta.Int:
		switch x := v.(type) {
		case json.Number:
			if n, err := x.Int64(); err == nil {
				return n, nil
			}
		case string:
			if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
				return n, nil
			}
		}
	case meta.Decimal:
		switch x := v.(type) {
		case json.Number:
			return x, nil
		case string:
			if n, err := values.ParseDecimalText(x); err == nil {
				return n, nil
			}
		}
	case meta.Double:
		switch x := v.(type) {
		case json.Number:
			return x.Float64()
		case string:
			return strconv.ParseFloat(strings.TrimSpace(x), 64)
		}
	case meta.Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			return values.ParseBool(x)
		}
	case meta.DateTime:
		if s, ok := v.(string); ok {
			return values.ParseDateTimeOffset(s)
		}
	case meta.Date:
		if s, ok := v.(string); ok {
			if d, ok := values.DateOf(s); ok {
				return d, nil
			}
		}
	case meta.GUID:
		if s, ok := v.(string); ok {
			return strings.ToLower(s), nil
		}
	default: // string, time, binary, lookup: text
		switch x := v.(type) {
		case string:
			return x, nil
		case json.Number:
			return x.String(), nil
		case bool:
			return strconv.FormatBool(x), nil
		}
	}
	return nil, fmt.Errorf("field %s: a %s field cannot hold the JSON value %v (%T)", f.Name, f.Type, v, v)
}

// encodeValue converts a record value of field f into its JSON value.
func encodeValue(f meta.Field, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch f.Type {
	case meta.DateTime:
		switch x := v.(type) {
		case time.Time:
			return formatDateTime(x), nil
		case string:
			t, err := values.ParseDateTimeOffset(x)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", f.Name, err)
			}
			return formatDateTime(t), nil
		}
	case meta.Date:
		switch x := v.(type) {
		case time.Time:
			return values.FormatDate(x), nil
		case string:
			return x, nil
		}
	case meta.Int, meta.Decimal, meta.Double:
		return number(f, v)
	case meta.Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			return values.ParseBool(x)
		}
	case meta.Lookup:
		if f.ExternalType == "integer" || f.ExternalType == "number" {
			return number(f, v)
		}
		return fmt.Sprint(v), nil
	default:
		switch x := v.(type) {
		case string, bool, json.Number:
			return x, nil
		case time.Time:
			return formatDateTime(x), nil
		}
		return fmt.Sprint(v), nil
	}
	return nil, fmt.Errorf("field %s: a %s field cannot take %v (%T)", f.Name, f.Type, v, v)
}

// number returns v as a JSON number (values.JSONNumber).
func number(f meta.Field, v any) (any, error) {
	n, err := values.JSONNumber(v)
	if err != nil {
		return nil, fmt.Errorf("field %s: %w", f.Name, err)
	}
	return n, nil
}
