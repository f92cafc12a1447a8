package store

import (
	"fmt"

	"switchyard/core/meta"
	"switchyard/core/values"
)

// The values of local entity fields that PostgreSQL stores in another form
// than SQLite (docs/workspace.md, "PostgreSQL workspaces"), converted where
// they cross the Tx, so that the engine sees SQLite's forms on both
// backends. The connection converts what it can tell by the column's type
// (pgdriver.go: booleans, dates, timestamps); a datetime field is text in
// the sy_datetime domain, which only the entity's fields tell apart:
//
//   - written: always seven fractional digits (pgDateTime);
//   - read: the workspace's form, values.FormatStored (milliseconds when
//     the value is a whole millisecond).

// fieldTypes returns the types of entity's fields, read once per
// transaction; nil when entity is not a local entity.
func (t *Tx) fieldTypes(entity string) map[string]meta.Type {
	if types, ok := t.types[entity]; ok {
		return types
	}
	if t.types == nil {
		t.types = map[string]map[string]meta.Type{}
	}
	e, err := loadEntity(t.ctx, t.tx, entity)
	var types map[string]meta.Type
	if err == nil {
		types = make(map[string]meta.Type, len(e.Fields))
		for _, f := range e.Fields {
			if f.Type == meta.DateTime && !reservedColumns[f.Name] {
				types[f.Name] = f.Type
			}
		}
	}
	t.types[entity] = types
	return types
}

// pgWrite returns values with its datetime fields in PostgreSQL's form: a
// copy when one changes, else values itself.
func (t *Tx) pgWrite(entity string, vals map[string]any) (map[string]any, error) {
	types := t.fieldTypes(entity)
	var out map[string]any
	for name := range types {
		v, ok := vals[name]
		if !ok || v == nil {
			continue
		}
		pv, err := pgDateTimeValue(v)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", name, err)
		}
		if out == nil {
			out = make(map[string]any, len(vals))
			for k, v := range vals {
				out[k] = v
			}
		}
		out[name] = pv
	}
	if out == nil {
		return vals, nil
	}
	return out, nil
}

// pgDateTimeValue is a date-time as the sy_datetime domain stores it.
func pgDateTimeValue(v any) (string, error) {
	stored, err := values.Stored(meta.DateTime, v)
	if err != nil {
		return "", err
	}
	tm, err := values.ParseDateTime(stored.(string))
	if err != nil {
		return "", err
	}
	return pgDateTime(tm), nil
}

// pgKeys returns keys in PostgreSQL's form when field is a datetime.
func (t *Tx) pgKeys(entity, field string, keys []any) ([]any, error) {
	if _, ok := t.fieldTypes(entity)[field]; !ok {
		return keys, nil
	}
	out := make([]any, len(keys))
	for i, k := range keys {
		v, err := pgDateTimeValue(k)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// pgRead returns v, read from field of entity, in the workspace's form.
func (t *Tx) pgRead(entity, field string, v any) any {
	s, ok := v.(string)
	if _, dt := t.fieldTypes(entity)[field]; !ok || !dt {
		return v
	}
	if tm, err := values.ParseDateTime(s); err == nil {
		return values.FormatStored(tm)
	}
	return v
}

// pgReadRow puts the datetime fields of row, read from entity, in the
// workspace's form.
func (t *Tx) pgReadRow(entity string, row map[string]any) {
	for name := range t.fieldTypes(entity) {
		if v, ok := row[name]; ok {
			row[name] = t.pgRead(entity, name, v)
		}
	}
}
