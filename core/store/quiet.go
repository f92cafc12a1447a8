package store

import "fmt"

// A large import inserts rows under Store.Apply, where both insert triggers
// of an entity table do nothing: change capture is off, and Insert writes the
// row's versionnumber itself, so the stamping trigger's condition is false.
// SQLite still runs both triggers' conditions for every row, about a tenth of
// an insert. So Apply sets them aside for the entity it inserts into — dropped
// inside its own transaction — and creates them again, from the very SQL
// they had, before the transaction commits. Other connections never see them
// missing (they see the transaction whole or not at all), and a transaction
// that fails rolls the drop back with everything else.

// insertTriggers names the triggers set aside: the ones that fire on insert.
func insertTriggers(entity string) [2]string {
	return [2]string{"sy_" + entity + "_stamp_insert", "sy_" + entity + "_capture_insert"}
}

// quietInsertTriggers sets the insert triggers of entity aside for the rest
// of the transaction, unless they are already.
func (t *Tx) quietInsertTriggers(entity string) error {
	if _, done := t.quiet[entity]; done {
		return nil
	}
	names := insertTriggers(entity)
	rows, err := t.tx.QueryContext(t.ctx, `SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ? AND name IN (?, ?)`,
		entity, names[0], names[1])
	if err != nil {
		return fmt.Errorf("set the insert triggers of %s aside: %w", entity, err)
	}
	var found, defs []string // the triggers there are, and their SQL
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return fmt.Errorf("set the insert triggers of %s aside: %w", entity, err)
		}
		found, defs = append(found, name), append(defs, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("set the insert triggers of %s aside: %w", entity, err)
	}
	for _, name := range found {
		if _, err := t.tx.ExecContext(t.ctx, `DROP TRIGGER `+quote(name)); err != nil {
			return fmt.Errorf("set the insert trigger %s aside: %w", name, err)
		}
	}
	if t.quiet == nil {
		t.quiet = map[string][]string{}
	}
	t.quiet[entity] = defs
	return nil
}

// restoreInsertTriggers creates again the insert triggers of entity set
// aside, or of every entity when entity is "".
func (t *Tx) restoreInsertTriggers(entity string) error {
	for e, sqls := range t.quiet {
		if entity != "" && e != entity {
			continue
		}
		for _, sql := range sqls {
			if _, err := t.tx.ExecContext(t.ctx, sql); err != nil {
				return fmt.Errorf("restore the insert triggers of %s: %w", e, err)
			}
		}
		delete(t.quiet, e)
	}
	return nil
}
