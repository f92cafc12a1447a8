package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"switchyard/core/meta"
)

// Change capture: three triggers on every local entity table queue each
// insert, update and delete in sy_integration_transaction, one row per
// integration that uploads the entity (direction upload or bidirectional,
// not disabled). An update and a delete keep the row's values before the
// change in the data column: the earliest open update of a row tells the
// values the last sync left (its baseline, see Baselines), and a delete's
// tells the upload the external key. Writes made through
// Store.Apply (imports and syncs writing what came from the external
// system) are not captured: Apply holds a row in sy_capture_off for the
// length of its transaction, and the triggers skip while it is there.

// captureNames are the names of the capture triggers of a table.
func captureNames(entity string) []string {
	return []string{"sy_" + entity + "_capture_insert", "sy_" + entity + "_capture_update", "sy_" + entity + "_capture_delete"}
}

// captureSQL returns the statements that create the capture triggers of a
// local entity with the given business fields.
func captureSQL(entity string, fields []meta.Field) []string {
	t := quote(entity)
	lit := "'" + strings.ReplaceAll(entity, "'", "''") + "'"
	off := `NOT EXISTS (SELECT 1 FROM sy_capture_off)`
	version := `(SELECT value FROM sy_sequence WHERE name = 'versionnumber')`
	queue := func(op, row, data string) string {
		return fmt.Sprintf(`INSERT INTO sy_integration_transaction (integration, entity, record_id, operation, versionnumber, data, created_at)
	SELECT DISTINCT m.integration, %s, %s.%s, '%s', %s, %s, %s
	FROM sy_entity_mapping m WHERE m.local = %s AND m.disabled = 0 AND m.direction IN ('upload', 'bidirectional');`,
			lit, row, quote(colID), op, version, data, clockExpr, lit)
	}
	var pairs []string
	for _, f := range fields {
		if f.Type == meta.Binary || reservedColumns[f.Name] {
			continue // JSON holds no BLOB; the system columns are not needed to delete
		}
		pairs = append(pairs, "'"+f.Name+"', OLD."+quote(f.Name))
	}
	data := "json_object(" + strings.Join(append([]string{"'id', OLD." + quote(colID)}, pairs...), ", ") + ")"
	names := captureNames(entity)
	return []string{
		fmt.Sprintf("CREATE TRIGGER %s AFTER INSERT ON %s FOR EACH ROW WHEN %s\nBEGIN\n\t%s\nEND",
			quote(names[0]), t, off, queue("insert", "NEW", "NULL")),
		// The stamping update of the insert trigger, and any update that sets
		// versionnumber itself, change versionnumber: they are not user changes.
		fmt.Sprintf("CREATE TRIGGER %s AFTER UPDATE ON %s FOR EACH ROW WHEN NEW.%s IS OLD.%s AND %s\nBEGIN\n\t%s\nEND",
			quote(names[1]), t, quote(colVersionNumber), quote(colVersionNumber), off, queue("update", "NEW", data)),
		fmt.Sprintf("CREATE TRIGGER %s AFTER DELETE ON %s FOR EACH ROW WHEN %s\nBEGIN\n\t%s\nEND",
			quote(names[2]), t, off, queue("delete", "OLD", data)),
	}
}

// makeCapture (re)creates the capture triggers of entity, in a SQLite
// workspace, from its current fields.
func makeCapture(ctx context.Context, tx *sql.Tx, entity string) error {
	e, err := loadEntity(ctx, tx, entity)
	if err != nil {
		return err
	}
	return makeSQLiteCapture(ctx, tx, entity, e.Fields)
}

// makeSQLiteCapture (re)creates the capture triggers of entity with fields.
func makeSQLiteCapture(ctx context.Context, tx *sql.Tx, entity string, fields []meta.Field) error {
	for _, n := range captureNames(entity) {
		if _, err := tx.ExecContext(ctx, `DROP TRIGGER IF EXISTS `+quote(n)); err != nil {
			return fmt.Errorf("drop trigger %s: %w", n, err)
		}
	}
	for _, stmt := range captureSQL(entity, fields) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create the change capture of %s: %w", entity, err)
		}
	}
	return nil
}

// ensureCapture creates the capture triggers of every local entity that lacks
// them (workspaces made before schema version 5), whose update trigger does
// not keep the values before the change yet (made before baselines), or
// whose triggers stamp with SQLite's clock (made before sy_clock).
func (s *Store) ensureCapture(ctx context.Context) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT e.name FROM sy_entity e
WHERE (SELECT count(*) FROM sqlite_schema t WHERE t.type = 'trigger' AND t.tbl_name = e.name AND t.name LIKE 'sy_%_capture_%') < 3
OR EXISTS (SELECT 1 FROM sqlite_schema t WHERE t.type = 'trigger' AND t.tbl_name = e.name AND t.name LIKE 'sy_%_capture_update'
	AND t.sql NOT LIKE '%json_object%')
OR EXISTS (SELECT 1 FROM sqlite_schema t WHERE t.type = 'trigger' AND t.tbl_name = e.name AND t.name LIKE 'sy_%_capture_%'
	AND t.sql NOT LIKE '%sy_clock%')`)
		if err != nil {
			return err
		}
		var names []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			names = append(names, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, n := range names {
			if err := makeCapture(ctx, tx, n); err != nil {
				return err
			}
		}
		return nil
	})
}

// Apply runs fn in one write transaction, like Update, but its writes to
// local entity tables are not captured as local changes to upload: it is for
// writes that bring the external system's data in (imports and syncs), which
// must not travel back.
func (s *Store) Apply(ctx context.Context, fn func(*Tx) error) error {
	return s.inConnTx(ctx, func(conn *sql.Conn, tx *sql.Tx, now time.Time) error {
		if err := s.d.captureOff(ctx, tx); err != nil {
			return fmt.Errorf("turn change capture off: %w", err)
		}
		if err := s.runRecordTx(ctx, conn, tx, now, false, whileLocked(fn)); err != nil {
			return err
		}
		if err := s.d.captureOn(ctx, tx); err != nil {
			return fmt.Errorf("turn change capture on: %w", err)
		}
		return nil
	})
}
