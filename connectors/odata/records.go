package odata

// Decoding a page's records: the JSON entities of a page become records by the
// catalog's field types (decodeRecord, or the typed scan's typedRecord), with
// lookups read from foreign keys or expanded navigations, and the removed
// entries of a delta page become the keys of deleted records.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"switchyard/core/connector"
	"switchyard/core/meta"
)

// targetKeys returns, for each lookup of e without a foreign key, the key
// fields of its target entity, to read the key of an expanded navigation.
func (c *Client) targetKeys(e meta.Entity) map[string][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string][]string{}
	for _, f := range e.Lookups() {
		if f.ForeignKey == "" {
			out[f.Name] = c.entities[f.Target].Key
		}
	}
	return out
}

// decodeRecord converts one JSON entity into a record by the catalog's
// types; targets holds the target keys of lookups read by expansion.
func decodeRecord(fields fieldTable, raw map[string]any, targets map[string][]string) (meta.Record, error) {
	if flat(fields, raw) {
		return decodeInPlace(fields, raw, targets)
	}
	e := fields.e
	rec := make(meta.Record, len(raw))
	if tag, ok := raw["@odata.etag"].(string); ok {
		rec[connector.ETagKey] = tag
	}
	for k, v := range raw {
		if strings.Contains(k, "@") {
			continue // annotations
		}
		f, ok := fields.field(k)
		if !ok {
			if obj, isObj := v.(map[string]any); isObj { // a complex property: its flattened fields
				if err := flattenInto(e, rec, k, obj); err != nil {
					return nil, fmt.Errorf("field %s: %w", k, err)
				}
				continue
			}
			rec[k] = v
			continue
		}
		if f.Type == meta.Lookup { // an expanded navigation: take the target's key
			obj, _ := v.(map[string]any)
			rec[k] = expandedKey(obj, targets[k])
			continue
		}
		x, err := decodeValue(f.Type, v)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", k, err)
		}
		rec[k] = x
	}
	fields.setLookups(rec)
	return rec, nil
}

// flat reports whether raw has no complex property to flatten, so that
// decodeInPlace can turn it into the record.
func flat(fields fieldTable, raw map[string]any) bool {
	for k, v := range raw {
		if _, isObj := v.(map[string]any); isObj && !strings.Contains(k, "@") {
			if f, ok := fields.field(k); !ok || f.Type != meta.Lookup {
				return false
			}
		}
	}
	return true
}

// fieldTypes returns the types of e's fields, for decoding its pages as they
// are scanned, when every field holds a plain value; nil when it has lookups
// or fields flattened from complex properties (decodeRecord reads those).
func (c *Client) fieldTypes(e meta.Entity) map[string]meta.Type {
	if len(c.flatPaths(e.Name)) > 0 {
		return nil
	}
	types := make(map[string]meta.Type, len(e.Fields))
	for _, f := range e.Fields {
		if f.Type == meta.Lookup {
			return nil
		}
		if _, dup := types[f.Name]; !dup { // the first of a name, as Entity.Field
			types[f.Name] = f.Type
		}
	}
	return types
}

// typedRecord is decodeRecord for a record scanned with its values
// converted: only its annotations remain to be taken care of.
func typedRecord(raw map[string]any, annotated bool) meta.Record {
	if !annotated {
		return raw
	}
	tag, hasTag := raw["@odata.etag"].(string)
	for k := range raw {
		if strings.IndexByte(k, '@') >= 0 {
			delete(raw, k)
		}
	}
	if hasTag {
		raw[connector.ETagKey] = tag
	}
	return raw
}

// decodeInPlace is decodeRecord for a record without complex properties: it
// converts the values in raw itself instead of copying them into a new map
// (a page holds thousands of records). raw is the record afterwards.
func decodeInPlace(fields fieldTable, raw map[string]any, targets map[string][]string) (meta.Record, error) {
	tag, hasTag := raw["@odata.etag"].(string)
	for k, v := range raw {
		if strings.Contains(k, "@") {
			delete(raw, k) // annotations
			continue
		}
		f, ok := fields.field(k)
		switch {
		case !ok:
		case f.Type == meta.Lookup: // an expanded navigation: take the target's key
			obj, _ := v.(map[string]any)
			raw[k] = expandedKey(obj, targets[k])
		default:
			x, err := decodeValue(f.Type, v)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", k, err)
			}
			raw[k] = x
		}
	}
	rec := meta.Record(raw)
	if hasTag {
		rec[connector.ETagKey] = tag
	}
	fields.setLookups(rec)
	return rec, nil
}

// fieldTable finds the fields of an entity by name without walking the list:
// decoding a page looks up every field of every record.
type fieldTable struct {
	e       meta.Entity
	byName  map[string]meta.Field
	lookups []meta.Field
}

func newFieldTable(e meta.Entity) fieldTable {
	t := fieldTable{e: e, byName: make(map[string]meta.Field, len(e.Fields)), lookups: e.Lookups()}
	for _, f := range e.Fields {
		if _, dup := t.byName[f.Name]; !dup { // the first of a name, as Entity.Field
			t.byName[f.Name] = f
		}
	}
	return t
}

// setLookups sets the lookups of rec that have a foreign-key field from the
// value of that field.
func (t fieldTable) setLookups(rec meta.Record) {
	for _, f := range t.lookups {
		if f.ForeignKey == "" {
			continue
		}
		if v, ok := rec[f.ForeignKey]; ok {
			rec[f.Name] = lookupValue(v)
		}
	}
}

func (t fieldTable) field(name string) (meta.Field, bool) {
	f, ok := t.byName[name]
	return f, ok
}

// lookupValue turns a foreign-key value into the lookup's value: its text.
func lookupValue(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

// expandedKey takes the key of an expanded target, formatted as
// connector.KeyString does.
func expandedKey(obj map[string]any, key []string) any {
	if obj == nil {
		return nil
	}
	if len(key) > 0 {
		if k, err := connector.KeyString(meta.Record(obj), key); err == nil {
			return k
		}
	}
	if id, ok := obj["@odata.id"].(string); ok {
		if k, ok := keyFromID(id); ok {
			return k
		}
	}
	return nil
}

// removed reports whether an entry of a delta response is a deletion:
// "@removed" (OData 4.01), "@odata.removed", or a $deletedEntity context (4.0).
func removed(raw map[string]any) bool {
	if _, ok := raw["@removed"]; ok {
		return true
	}
	if _, ok := raw["@odata.removed"]; ok {
		return true
	}
	ctx, _ := raw["@odata.context"].(string)
	return strings.HasSuffix(ctx, "$deletedEntity")
}

// removedKey returns a record with the key fields of a deleted entry, from
// its properties or else from its id ("Set(key)" or the bare key).
func removedKey(e meta.Entity, raw map[string]any) (meta.Record, error) {
	rec := meta.Record{}
	for _, k := range e.Key {
		if v, ok := raw[k]; ok {
			f, _ := e.Field(k)
			x, err := decodeValue(f.Type, v)
			if err != nil {
				return nil, err
			}
			rec[k] = x
		}
	}
	if len(rec) == len(e.Key) {
		return rec, nil
	}
	if len(e.Key) == 1 {
		for _, idKey := range []string{"@id", "@odata.id", "id"} {
			if id, ok := raw[idKey].(string); ok {
				if k, ok := keyFromID(id); ok {
					f, _ := e.Field(e.Key[0])
					x, err := decodeValue(f.Type, json.Number(k))
					if f.Type == meta.String || f.Type == meta.GUID {
						x, err = decodeValue(f.Type, k)
					}
					if err != nil {
						return nil, err
					}
					return meta.Record{e.Key[0]: x}, nil
				}
			}
		}
	}
	return nil, fmt.Errorf("%w: it names no key (%v)", ErrBadResponse, raw)
}

// keyFromID returns the single key of an entity id "…Set(key)" or a bare key.
func keyFromID(id string) (string, bool) {
	open, end := strings.LastIndexByte(id, '('), strings.LastIndexByte(id, ')')
	if open < 0 {
		if id == "" || strings.ContainsAny(id, "/?") {
			return "", false
		}
		return id, true
	}
	if end < open {
		return "", false
	}
	k := id[open+1 : end]
	if strings.Contains(k, "=") {
		return "", false // composite
	}
	if u, err := url.PathUnescape(k); err == nil {
		k = u
	}
	if len(k) >= 2 && k[0] == '\'' && k[len(k)-1] == '\'' {
		k = strings.ReplaceAll(k[1:len(k)-1], "''", "'")
	}
	return k, true
}
