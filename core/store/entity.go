package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"switchyard/core/meta"
)

// CreateEntity creates the local entity e: a table named e.Name with one
// column per field plus the system columns id, createdon, modifiedon and
// versionnumber, and its record in sy_entity and sy_field. e.Key is ignored:
// the key is always id. It fails with ErrExists when the name is taken.
func (s *Store) CreateEntity(ctx context.Context, e meta.Entity) error {
	err := s.inTxAt(ctx, func(tx *sql.Tx, now time.Time) error { return createEntity(ctx, tx, s.d, e, now) })
	if err != nil {
		return fmt.Errorf("create entity %q: %w", e.Name, err)
	}
	return nil
}

// AddField adds field f to the local entity called entity (ALTER TABLE ADD
// COLUMN). It fails with ErrNotFound when the entity does not exist and with
// ErrExists when it already has such a field.
func (s *Store) AddField(ctx context.Context, entity string, f meta.Field) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error { return addField(ctx, tx, s.d, entity, f) })
	if err != nil {
		return fmt.Errorf("add field %q to entity %q: %w", f.Name, entity, err)
	}
	return nil
}

// Entity returns the local entity called name: Key ["id"], its business
// fields in order, then the read-only system fields id, createdon, modifiedon
// and versionnumber.
func (s *Store) Entity(ctx context.Context, name string) (meta.Entity, error) {
	var e meta.Entity
	err := s.inReadTx(ctx, func(tx *sql.Tx) (err error) {
		e, err = loadEntity(ctx, tx, name)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return meta.Entity{}, err
		}
		return meta.Entity{}, fmt.Errorf("load entity %q: %w", name, err)
	}
	return e, nil
}

// Entities returns every local entity, sorted by name, as Entity does.
func (s *Store) Entities(ctx context.Context) ([]meta.Entity, error) {
	var out []meta.Entity
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		names, err := entityNames(ctx, tx)
		if err != nil {
			return err
		}
		for _, n := range names {
			e, err := loadEntity(ctx, tx, n)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list entities: %w", err)
	}
	return out, nil
}

// CountRows returns the number of rows of the local entity called entity.
func (s *Store) CountRows(ctx context.Context, entity string) (int64, error) {
	var n int64
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		if err := requireEntity(ctx, tx, entity); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM `+quote(entity)).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("count rows of entity %q: %w", entity, err)
	}
	return n, nil
}

// createEntity validates e, creates its table and triggers and records it,
// created at now.
func createEntity(ctx context.Context, tx *sql.Tx, d dialect, e meta.Entity, now time.Time) error {
	if err := checkName(e.Name); err != nil {
		return err
	}
	if err := d.checkName(e.Name, false); err != nil {
		return err
	}
	taken, err := tableExists(ctx, tx, d, e.Name)
	if err != nil {
		return err
	}
	if taken {
		return fmt.Errorf("%w: choose another name, or add fields to that entity", ErrExists)
	}
	seen := map[string]bool{}
	for _, f := range e.Fields {
		if seen[f.Name] {
			return fmt.Errorf("field %q is listed twice: keep one", f.Name)
		}
		seen[f.Name] = true
		if err := checkField(e.Name, f, func(n string) (bool, error) { return entityExists(ctx, tx, n) }); err != nil {
			return err
		}
		if err := d.checkName(f.Name, true); err != nil {
			return fmt.Errorf("field %q: %w", f.Name, err)
		}
	}
	for _, stmt := range d.createTable(e) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create table: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sy_entity (name, label, created_at) VALUES (?, ?, ?)`,
		e.Name, e.Label, formatTime(now)); err != nil {
		return fmt.Errorf("record entity: %w", err)
	}
	for i, f := range e.Fields {
		if err := recordField(ctx, tx, e.Name, i, f); err != nil {
			return err
		}
	}
	return capture(ctx, tx, d, e.Name)
}

// capture (re)creates the change capture of entity from its current fields.
func capture(ctx context.Context, tx *sql.Tx, d dialect, entity string) error {
	e, err := loadEntity(ctx, tx, entity)
	if err != nil {
		return err
	}
	return d.makeCapture(ctx, tx, entity, e.Fields)
}

// addField validates f, adds its column to the entity's table and records it.
func addField(ctx context.Context, tx *sql.Tx, d dialect, entity string, f meta.Field) error {
	if err := requireEntity(ctx, tx, entity); err != nil {
		return err
	}
	if err := checkField(entity, f, func(n string) (bool, error) { return entityExists(ctx, tx, n) }); err != nil {
		return err
	}
	if err := d.checkName(f.Name, true); err != nil {
		return fmt.Errorf("field %q: %w", f.Name, err)
	}
	// The table's own columns count too: one may have been added by hand.
	var next int
	recorded, err := exists(ctx, tx, `SELECT count(*) FROM sy_field WHERE entity = ? AND name = ?`, entity, f.Name)
	if err != nil {
		return err
	}
	inTable, err := d.columnTaken(ctx, tx, entity, f.Name)
	if err != nil {
		return err
	}
	if recorded || inTable {
		return fmt.Errorf("field %q: %w: choose another name", f.Name, ErrExists)
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(position) + 1, 0) FROM sy_field WHERE entity = ?`, entity).Scan(&next); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `ALTER TABLE `+quote(entity)+` ADD COLUMN `+d.columnDef(f)); err != nil {
		return fmt.Errorf("alter table: %w", err)
	}
	if err := recordField(ctx, tx, entity, next, f); err != nil {
		return err
	}
	return capture(ctx, tx, d, entity)
}

// recordField writes f's metadata to sy_field. A target is kept for lookups only.
func recordField(ctx context.Context, tx *sql.Tx, entity string, position int, f meta.Field) error {
	target := ""
	if f.Type == meta.Lookup {
		target = f.Target
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sy_field
(entity, name, position, label, type, target, nullable, max_length, precision, scale)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		entity, f.Name, position, f.Label, string(f.Type), target, boolInt(f.Nullable), f.MaxLength, f.Precision, f.Scale)
	if err != nil {
		return fmt.Errorf("record field %q: %w", f.Name, err)
	}
	return nil
}

// loadEntity reads a local entity's metadata.
func loadEntity(ctx context.Context, tx *sql.Tx, name string) (meta.Entity, error) {
	e := meta.Entity{Name: name, Key: []string{colID}}
	err := tx.QueryRowContext(ctx, `SELECT label FROM sy_entity WHERE name = ?`, name).Scan(&e.Label)
	if errors.Is(err, sql.ErrNoRows) {
		return meta.Entity{}, fmt.Errorf("entity %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return meta.Entity{}, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT name, label, type, target, nullable, max_length, precision, scale
FROM sy_field WHERE entity = ? ORDER BY position`, name)
	if err != nil {
		return meta.Entity{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			f   meta.Field
			typ string
		)
		if err := rows.Scan(&f.Name, &f.Label, &typ, &f.Target, &f.Nullable, &f.MaxLength, &f.Precision, &f.Scale); err != nil {
			return meta.Entity{}, err
		}
		f.Type = meta.Type(typ)
		e.Fields = append(e.Fields, f)
	}
	if err := rows.Err(); err != nil {
		return meta.Entity{}, err
	}
	e.Fields = append(e.Fields, systemFields...)
	return e, nil
}

// entityNames returns the names of every local entity, sorted.
func entityNames(ctx context.Context, tx *sql.Tx) ([]string, error) {
	return queryStrings(ctx, tx, `SELECT name FROM sy_entity ORDER BY name`)
}

// entityExists reports whether a local entity called name is recorded.
func entityExists(ctx context.Context, tx *sql.Tx, name string) (bool, error) {
	return exists(ctx, tx, `SELECT count(*) FROM sy_entity WHERE name = ?`, name)
}

// requireEntity returns an ErrNotFound error when the local entity does not exist.
func requireEntity(ctx context.Context, tx *sql.Tx, name string) error {
	found, err := entityExists(ctx, tx, name)
	return notFoundUnless(found, err, "entity", name)
}

// tableExists reports whether the workspace has an entity, table, view or
// index called name (compared without regard to case).
func tableExists(ctx context.Context, tx *sql.Tx, d dialect, name string) (bool, error) {
	if found, err := entityExists(ctx, tx, name); found || err != nil {
		return found, err
	}
	return d.tableTaken(ctx, tx, name)
}
