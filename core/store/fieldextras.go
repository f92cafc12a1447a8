package store

import (
	"context"
	"database/sql"
	"fmt"

	"switchyard/core/mapping"
)

// saveFieldExtras writes the value map and the rules of the field mapping at
// position of the entity mapping (sy_field_value_map, sy_field_rule).
func saveFieldExtras(ctx context.Context, tx *sql.Tx, entityMapping int64, position int, fm mapping.FieldMapping) error {
	for k, vm := range fm.Values {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sy_field_value_map
(entity_mapping, field_position, position, external, local, label) VALUES (?, ?, ?, ?, ?, ?)`,
			entityMapping, position, k, vm.External, vm.Local, vm.Label); err != nil {
			return fmt.Errorf("save value %q: %w", vm.External, err)
		}
	}
	for k, r := range fm.Rules {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sy_field_rule
(entity_mapping, field_position, position, rule, length, pattern, min, max, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			entityMapping, position, k, string(r.Kind), r.Length, r.Pattern, r.Min, r.Max, r.Message); err != nil {
			return fmt.Errorf("save rule %d (%s): %w", k+1, r.Kind, err)
		}
	}
	return nil
}

// loadFieldExtras reads the value maps and rules of an entity mapping's fields into fields, by position.
func loadFieldExtras(ctx context.Context, tx *sql.Tx, entityMapping int64, fields []mapping.FieldMapping) error {
	rows, err := tx.QueryContext(ctx, `SELECT field_position, external, local, label
FROM sy_field_value_map WHERE entity_mapping = ? ORDER BY field_position, position`, entityMapping)
	if err != nil {
		return fmt.Errorf("load value maps: %w", err)
	}
	for rows.Next() {
		var (
			pos int
			vm  mapping.ValueMap
		)
		if err := rows.Scan(&pos, &vm.External, &vm.Local, &vm.Label); err != nil {
			rows.Close()
			return fmt.Errorf("load value maps: %w", err)
		}
		if pos >= 0 && pos < len(fields) {
			fields[pos].Values = append(fields[pos].Values, vm)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load value maps: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT field_position, rule, length, pattern, min, max, message
FROM sy_field_rule WHERE entity_mapping = ? ORDER BY field_position, position`, entityMapping)
	if err != nil {
		return fmt.Errorf("load rules: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			pos    int
			r      mapping.Rule
			kind   string
			lo, hi sql.NullFloat64
		)
		if err := rows.Scan(&pos, &kind, &r.Length, &r.Pattern, &lo, &hi, &r.Message); err != nil {
			return fmt.Errorf("load rules: %w", err)
		}
		r.Kind = mapping.RuleKind(kind)
		if lo.Valid {
			r.Min = &lo.Float64
		}
		if hi.Valid {
			r.Max = &hi.Float64
		}
		if pos >= 0 && pos < len(fields) {
			fields[pos].Rules = append(fields[pos].Rules, r)
		}
	}
	return rows.Err()
}

// nullText stores "" as NULL.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}
