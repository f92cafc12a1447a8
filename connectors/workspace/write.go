package workspace

import (
	"context"
	"fmt"

	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/store"
)

// Write creates, updates, upserts or deletes rows of a local entity of the
// other workspace in one of its transactions, through its store: its
// triggers stamp versionnumber and modifiedon and capture the change for its
// own uploads. The key is id: a create without one gets a new id, which is
// the result's Key. An update or delete of a row that is gone fails with
// connector.ErrDeleted; one whose ETag (the versionnumber read) is no longer
// the row's fails with connector.ErrConflict. Result.ETag is the new versionnumber.
func (c *Client) Write(ctx context.Context, entity string, op connector.Op, recs []meta.Record) ([]connector.Result, error) {
	e, err := c.entity(ctx, entity)
	if err != nil {
		return nil, err
	}
	switch op {
	case connector.Create, connector.Update, connector.Delete, connector.Upsert:
	default:
		return nil, fmt.Errorf("write %s: operation %q: %w", entity, op, connector.ErrUnsupported)
	}
	results := make([]connector.Result, len(recs))
	if c.readOnly {
		for i := range results {
			results[i].Err = fmt.Errorf("%s record %d of %s: the integration's readonly setting is true: %w", op, i+1, entity, connector.ErrUnsupported)
		}
		return results, nil
	}
	err = c.st.Update(ctx, func(tx *store.Tx) error {
		for i, rec := range recs {
			res, err := writeOne(tx, e, op, rec)
			if err != nil {
				res.Err = fmt.Errorf("%s record %d of %s: %w", op, i+1, entity, err)
			}
			results[i] = res
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("write %s of workspace %s: %w", entity, c.path, err)
	}
	return results, nil
}

// writeOne writes one record inside tx; the error is the record's own failure.
func writeOne(tx *store.Tx, e meta.Entity, op connector.Op, rec meta.Record) (connector.Result, error) {
	id, _ := rec[colID].(string)
	if op != connector.Create && id == "" {
		return connector.Result{}, fmt.Errorf("the key field id is empty")
	}
	var current store.Row
	found := false
	if id != "" {
		rows, err := tx.FindBy(e.Name, colID, []any{id}, []string{colVersion})
		if err != nil {
			return connector.Result{Key: id}, err
		}
		current, found = rows[id]
	}
	if found && op != connector.Create {
		if tag, ok := rec[connector.ETagKey]; ok && tag != nil && fmt.Sprint(tag) != fmt.Sprint(current.Values[colVersion]) {
			return connector.Result{Key: id}, fmt.Errorf("%w: row %s is at version %v, not %v", connector.ErrConflict, id, current.Values[colVersion], tag)
		}
	}
	res := connector.Result{Key: id}
	switch {
	case op == connector.Delete:
		if !found {
			return res, fmt.Errorf("%w: no %s has id %s", connector.ErrDeleted, e.Name, id)
		}
		return res, tx.DeleteRow(e.Name, id)
	case op == connector.Update && !found:
		return res, fmt.Errorf("%w: no %s has id %s", connector.ErrDeleted, e.Name, id)
	case op == connector.Create && found:
		return res, fmt.Errorf("a %s with id %s exists already", e.Name, id)
	}
	values, err := encodeRecord(e, rec)
	if err != nil {
		return res, err
	}
	if found {
		if err := tx.UpdateRow(e.Name, id, values); err != nil {
			return res, err
		}
	} else {
		if id != "" {
			values[colID] = id
		}
		newID, err := tx.Insert(e.Name, values)
		if err != nil {
			return res, err
		}
		res.Key, res.Created = newID, op == connector.Upsert
	}
	rows, err := tx.FindBy(e.Name, colID, []any{res.Key}, []string{colVersion})
	if err != nil {
		return res, err
	}
	res.ETag = fmt.Sprint(rows[res.Key].Values[colVersion])
	return res, nil
}

// encodeRecord converts the business fields of rec to stored values; the
// system fields are the workspace's own and are left out.
func encodeRecord(e meta.Entity, rec meta.Record) (map[string]any, error) {
	values := map[string]any{}
	for _, name := range connector.BusinessFields(rec) {
		f, ok := e.Field(name)
		if !ok {
			return nil, fmt.Errorf("field %q is not a field of %s: refresh the catalog and check the mapping", name, e.Name)
		}
		if f.ReadOnly {
			continue
		}
		v, err := store.EncodeValue(f.Type, rec[name])
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", name, err)
		}
		values[name] = v
	}
	return values, nil
}
