package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Stamping in the INSERT itself. The triggers of triggerSQL stamp a row
// that arrives with versionnumber 0 (plain SQL from any program); Tx.Insert
// writes versionnumber itself, so that the insert trigger has nothing to do
// and a row costs one statement instead of three:
//   - with change capture on (Store.Update), Insert first takes the next
//     number from sy_sequence, so that the capture trigger, which reads the
//     counter, records the row's own versionnumber;
//   - with change capture off (Store.Apply), nothing reads the counter while
//     rows are inserted, so the Tx hands out numbers from memory and writes
//     the counter back once, before a statement that may fire a stamping or
//     capture trigger (UpdateRow, DeleteRow) and before the transaction ends.
// Either way each row gets a number greater than every number given before,
// as if the trigger had stamped it.

// stampInsertWhen is the condition of the insert trigger: only rows that
// arrive unstamped are stamped.
const stampInsertWhen = "WHEN NEW." + `"` + colVersionNumber + `"` + " = 0"

// nextVersion returns the versionnumber for the next row Insert writes.
func (t *Tx) nextVersion() (int64, error) {
	if t.capture {
		var v int64
		st, err := t.stmt(`UPDATE sy_sequence SET value = value + 1 WHERE name = 'versionnumber' RETURNING value`)
		if err == nil {
			err = st.QueryRowContext(t.ctx).Scan(&v)
		}
		if err != nil {
			return 0, fmt.Errorf("take the next versionnumber: %w", err)
		}
		return v, nil
	}
	if !t.verHeld {
		if err := t.tx.QueryRowContext(t.ctx, `SELECT value FROM sy_sequence WHERE name = 'versionnumber'`).Scan(&t.ver); err != nil {
			return 0, fmt.Errorf("read the versionnumber counter: %w", err)
		}
		t.verHeld = true
	}
	t.ver++
	return t.ver, nil
}

// flushVersions writes the numbers handed out from memory back to the
// counter; it never lowers it.
func (t *Tx) flushVersions() error {
	if !t.verHeld {
		return nil
	}
	t.verHeld = false
	if _, err := t.tx.ExecContext(t.ctx, `UPDATE sy_sequence SET value = max(value, ?) WHERE name = 'versionnumber'`, t.ver); err != nil {
		return fmt.Errorf("advance the versionnumber counter: %w", err)
	}
	return nil
}

// ensureStamp remakes the stamping triggers of every local entity that
// differ from those triggerSQL makes now: made before the insert trigger
// skipped rows that arrive stamped, or before the update trigger read the
// transaction's time from sy_clock.
func (s *Store) ensureStamp(ctx context.Context) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT e.name, coalesce(i.sql, ''), coalesce(u.sql, '') FROM sy_entity e
LEFT JOIN sqlite_schema i ON i.type = 'trigger' AND i.name = 'sy_' || e.name || '_stamp_insert'
LEFT JOIN sqlite_schema u ON u.type = 'trigger' AND u.name = 'sy_' || e.name || '_stamp_update'`)
		if err != nil {
			return err
		}
		var stale []string
		for rows.Next() {
			var name, insert, update string
			if err := rows.Scan(&name, &insert, &update); err != nil {
				rows.Close()
				return err
			}
			if want := triggerSQL(name); insert != want[0] || update != want[1] {
				stale = append(stale, name)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, name := range stale {
			for i, kind := range []string{"insert", "update"} {
				if _, err := tx.ExecContext(ctx, `DROP TRIGGER IF EXISTS `+quote("sy_"+name+"_stamp_"+kind)); err != nil {
					return fmt.Errorf("drop the stamping trigger of %s: %w", name, err)
				}
				if _, err := tx.ExecContext(ctx, triggerSQL(name)[i]); err != nil {
					return fmt.Errorf("create the stamping trigger of %s: %w", name, err)
				}
			}
		}
		return nil
	})
}
