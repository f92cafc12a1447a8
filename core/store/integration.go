package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"switchyard/core/mapping"
	"switchyard/core/schedule"
	"switchyard/core/spec"
)

// SaveIntegration creates the integration in.Name or replaces it whole: its
// connector and settings, its entity mappings with their field mappings (in
// order) and its schedules. A nil in.Secrets keeps the stored secrets (a file
// import carries none); a non-nil map replaces them. It replaces whatever
// version is stored, and adds one to it (integration_version.go); an editor
// saves with SaveIntegrationFrom instead.
func (s *Store) SaveIntegration(ctx context.Context, in mapping.Integration) error {
	_, err := s.SaveIntegrationFrom(ctx, in, 0)
	return err
}

// checkIntegration refuses an integration without a name or a connector.
func checkIntegration(in mapping.Integration) error {
	if strings.TrimSpace(in.Name) == "" {
		return errors.New("save integration: the name is empty: give the integration a name")
	}
	if strings.TrimSpace(in.Connector) == "" {
		return fmt.Errorf("save integration %q: no connector: choose the kind of system it connects to", in.Name)
	}
	return nil
}

// Integration returns the integration called name with its secrets.
func (s *Store) Integration(ctx context.Context, name string) (mapping.Integration, error) {
	var in mapping.Integration
	err := s.inReadTx(ctx, func(tx *sql.Tx) (err error) {
		in, err = loadIntegration(ctx, tx, name)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return mapping.Integration{}, err
		}
		return mapping.Integration{}, fmt.Errorf("load integration %q: %w", name, err)
	}
	in.Secrets = s.unsealSecrets(ctx, name, in.Secrets)
	return in, nil
}

// Integrations returns every integration with its secrets, sorted by name.
func (s *Store) Integrations(ctx context.Context) ([]mapping.Integration, error) {
	out, _, err := s.VersionedIntegrations(ctx)
	return out, err
}

// RenameIntegration renames an integration; everything that belongs to it
// follows. A rename is a save: it adds one to the version, whatever it is.
func (s *Store) RenameIntegration(ctx context.Context, oldName, newName string) error {
	_, err := s.RenameIntegrationFrom(ctx, oldName, newName, 0)
	return err
}

// checkNewName refuses an empty new name.
func checkNewName(oldName, newName string) error {
	if strings.TrimSpace(newName) == "" {
		return fmt.Errorf("rename integration %q: the new name is empty: give a name", oldName)
	}
	return nil
}

// DeleteIntegration deletes an integration and everything that belongs to it:
// secrets, mappings, schedules, snapshots, logs, anchors and transactions.
func (s *Store) DeleteIntegration(ctx context.Context, name string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sy_integration WHERE name = ?`, name)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("integration %q: %w", name, ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete integration %q: %w", name, err)
	}
	return nil
}

// saveIntegration writes the integration row, a new version of it when its
// version is from (any version, or a new integration, when from is 0), and
// rewrites what hangs from it, stamped at (the transaction's time).
func (s *Store) saveIntegration(ctx context.Context, tx *sql.Tx, in mapping.Integration, from int64, at time.Time) error {
	settings, err := json.Marshal(nonNil(in.Settings))
	if err != nil {
		return fmt.Errorf("encode settings: %w", err)
	}
	now := formatTime(at)
	// From a version: the compare-and-set first, so that nothing is written
	// from a stale one. From 0: an upsert, not INSERT OR REPLACE, which would
	// delete the row and cascade to the secrets, logs and anchors.
	if from != 0 {
		if err := bumpVersion(ctx, tx, in.Name, from, at); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sy_integration SET connector = ?, settings = ? WHERE name = ?`,
			in.Connector, string(settings), in.Name); err != nil {
			return err
		}
	} else if _, err := tx.ExecContext(ctx, `INSERT INTO sy_integration (name, connector, settings, created_at, updated_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (name) DO UPDATE SET connector = excluded.connector, settings = excluded.settings,
	updated_at = excluded.updated_at, version = sy_integration.version + 1`,
		in.Name, in.Connector, string(settings), now, now); err != nil {
		return err
	}
	if in.Secrets != nil {
		sealed, err := s.sealSecrets(ctx, tx, in.Name, in.Secrets)
		if err != nil {
			return err
		}
		if err := saveSecrets(ctx, tx, in.Name, sealed); err != nil {
			return err
		}
	} else if err := s.resealStored(ctx, tx, in.Name); err != nil {
		return err
	}
	if err := saveEntityMappings(ctx, tx, in.Name, in.Entities); err != nil {
		return err
	}
	return saveSchedules(ctx, tx, in.Name, in.Schedules, now)
}

// saveSecrets replaces the integration's secrets with secrets, already sealed (secrets.go).
func saveSecrets(ctx context.Context, tx *sql.Tx, integration string, secrets spec.Values) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sy_integration_secret WHERE integration = ?`, integration); err != nil {
		return fmt.Errorf("clear secrets: %w", err)
	}
	for _, k := range secrets.Keys() {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sy_integration_secret (integration, key, value) VALUES (?, ?, ?)`,
			integration, k, secrets[k]); err != nil {
			return fmt.Errorf("save secret %q: %w", k, err)
		}
	}
	return nil
}

// saveEntityMappings replaces the integration's entity and field mappings.
func saveEntityMappings(ctx context.Context, tx *sql.Tx, integration string, entities []mapping.EntityMapping) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sy_entity_mapping WHERE integration = ?`, integration); err != nil {
		return fmt.Errorf("clear entity mappings: %w", err)
	}
	for i, em := range entities {
		res, err := tx.ExecContext(ctx, `INSERT INTO sy_entity_mapping
(integration, position, external, local, primary_key, direction, download_filter, upload_filter, disabled, conflict)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			integration, i, em.External, em.Local, em.PrimaryKey, string(em.Direction),
			em.DownloadFilter, em.UploadFilter, boolInt(em.Disabled), string(em.Conflict))
		if err != nil {
			return fmt.Errorf("save entity mapping %q: %w", em.External, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("save entity mapping %q: %w", em.External, err)
		}
		for j, fm := range em.Fields {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sy_field_mapping
(entity_mapping, position, external, local, lookup, disabled, default_value, constant_value, other_values, keep_when_empty, missing_parent)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, j, fm.External, fm.Local, fm.Lookup, boolInt(fm.Disabled),
				nullText(fm.Default), nullText(fm.Constant), fm.OtherValues, boolInt(fm.KeepWhenEmpty), string(fm.MissingParent)); err != nil {
				return fmt.Errorf("save field mapping %q of %q: %w", fm.External, em.External, err)
			}
			if err := saveFieldExtras(ctx, tx, id, j, fm); err != nil {
				return fmt.Errorf("save field mapping %q of %q: %w", fm.External, em.External, err)
			}
		}
	}
	return nil
}

// saveSchedules replaces the integration's schedules.
// An enabled schedule saved unchanged keeps counting since when it did; one
// added, changed or enabled counts from now (schedule_since.go).
func saveSchedules(ctx context.Context, tx *sql.Tx, integration string, schedules []schedule.Schedule, now string) error {
	old, err := countingSince(ctx, tx, integration)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sy_schedule WHERE integration = ?`, integration); err != nil {
		return fmt.Errorf("clear schedules: %w", err)
	}
	for i, sc := range schedules {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sy_schedule (integration, position, cron, every, enabled, counting_since) VALUES (?, ?, ?, ?, ?, ?)`,
			integration, i, sc.Cron, sc.Every, boolInt(sc.Enabled), sinceFor(sc, old, now)); err != nil {
			return fmt.Errorf("save schedule %d: %w", i+1, err)
		}
	}
	return nil
}

// integrationNames returns the names of every integration, sorted.
func integrationNames(ctx context.Context, tx *sql.Tx) ([]string, error) {
	return queryStrings(ctx, tx, `SELECT name FROM sy_integration ORDER BY name`)
}

// integrationExists reports whether an integration called name exists.
func integrationExists(ctx context.Context, tx *sql.Tx, name string) (bool, error) {
	return exists(ctx, tx, `SELECT count(*) FROM sy_integration WHERE name = ?`, name)
}

// requireIntegration returns an ErrNotFound error when the integration does not exist.
func requireIntegration(ctx context.Context, tx *sql.Tx, name string) error {
	found, err := integrationExists(ctx, tx, name)
	return notFoundUnless(found, err, "integration", name)
}

// loadIntegration reads one integration whole.
func loadIntegration(ctx context.Context, tx *sql.Tx, name string) (mapping.Integration, error) {
	in := mapping.Integration{Name: name}
	var settings string
	err := tx.QueryRowContext(ctx, `SELECT connector, settings FROM sy_integration WHERE name = ?`, name).
		Scan(&in.Connector, &settings)
	if errors.Is(err, sql.ErrNoRows) {
		return in, fmt.Errorf("integration %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return in, err
	}
	in.Settings = spec.Values{}
	if err := json.Unmarshal([]byte(settings), &in.Settings); err != nil {
		return in, fmt.Errorf("decode settings of %q: %w", name, err)
	}
	if in.Settings == nil { // the JSON text was null
		in.Settings = spec.Values{}
	}
	if in.Secrets, err = loadSecrets(ctx, tx, name); err != nil {
		return in, err
	}
	if in.Entities, err = loadEntityMappings(ctx, tx, name); err != nil {
		return in, err
	}
	if in.Schedules, err = loadSchedules(ctx, tx, name); err != nil {
		return in, err
	}
	return in, nil
}

// loadSecrets reads the integration's secrets; the map is empty, not nil, when there are none.
func loadSecrets(ctx context.Context, tx *sql.Tx, integration string) (spec.Values, error) {
	rows, err := tx.QueryContext(ctx, `SELECT key, value FROM sy_integration_secret WHERE integration = ?`, integration)
	if err != nil {
		return nil, fmt.Errorf("load secrets: %w", err)
	}
	defer rows.Close()
	out := spec.Values{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("load secrets: %w", err)
		}
		out[k] = v
	}
	return out, rows.Err()
}

// loadEntityMappings reads the integration's entity mappings in order, with their field mappings.
func loadEntityMappings(ctx context.Context, tx *sql.Tx, integration string) ([]mapping.EntityMapping, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, external, local, primary_key, direction, download_filter, upload_filter, disabled, conflict
FROM sy_entity_mapping WHERE integration = ? ORDER BY position`, integration)
	if err != nil {
		return nil, fmt.Errorf("load entity mappings: %w", err)
	}
	var ids []int64
	var out []mapping.EntityMapping
	for rows.Next() {
		var (
			id        int64
			em        mapping.EntityMapping
			direction string
			disabled  bool
			conflict  string
		)
		if err := rows.Scan(&id, &em.External, &em.Local, &em.PrimaryKey, &direction,
			&em.DownloadFilter, &em.UploadFilter, &disabled, &conflict); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load entity mappings: %w", err)
		}
		em.Direction = mapping.Direction(direction)
		em.Disabled = disabled
		em.Conflict = mapping.Conflict(conflict)
		ids = append(ids, id)
		out = append(out, em)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load entity mappings: %w", err)
	}
	for i, id := range ids {
		if out[i].Fields, err = loadFieldMappings(ctx, tx, id); err != nil {
			return nil, fmt.Errorf("load field mappings of %q: %w", out[i].External, err)
		}
	}
	return out, nil
}

// loadFieldMappings reads the field mappings of one entity mapping in order.
func loadFieldMappings(ctx context.Context, tx *sql.Tx, entityMapping int64) ([]mapping.FieldMapping, error) {
	rows, err := tx.QueryContext(ctx, `SELECT external, local, lookup, disabled,
	coalesce(default_value, ''), coalesce(constant_value, ''), other_values, keep_when_empty, missing_parent
FROM sy_field_mapping WHERE entity_mapping = ? ORDER BY position`, entityMapping)
	if err != nil {
		return nil, err
	}
	var out []mapping.FieldMapping
	for rows.Next() {
		var fm mapping.FieldMapping
		if err := rows.Scan(&fm.External, &fm.Local, &fm.Lookup, &fm.Disabled, &fm.Default, &fm.Constant, &fm.OtherValues, &fm.KeepWhenEmpty, &fm.MissingParent); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, fm)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := loadFieldExtras(ctx, tx, entityMapping, out); err != nil {
		return nil, err
	}
	return out, nil
}

// loadSchedules reads the integration's schedules in order.
func loadSchedules(ctx context.Context, tx *sql.Tx, integration string) ([]schedule.Schedule, error) {
	rows, err := tx.QueryContext(ctx, `SELECT cron, every, enabled FROM sy_schedule WHERE integration = ? ORDER BY position`, integration)
	if err != nil {
		return nil, fmt.Errorf("load schedules: %w", err)
	}
	defer rows.Close()
	var out []schedule.Schedule
	for rows.Next() {
		var sc schedule.Schedule
		if err := rows.Scan(&sc.Cron, &sc.Every, &sc.Enabled); err != nil {
			return nil, fmt.Errorf("load schedules: %w", err)
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// renameIntegration renames oldName, at version from (any when 0), to
// newName at now, a new version; ON UPDATE CASCADE carries the rest.
// Renaming to the same name changes nothing.
func renameIntegration(ctx context.Context, tx *sql.Tx, oldName, newName string, from int64, now time.Time) error {
	if err := requireIntegration(ctx, tx, oldName); err != nil {
		if from != 0 && errors.Is(err, ErrNotFound) {
			return &ChangedError{Integration: oldName, From: from}
		}
		return err
	}
	if oldName == newName {
		return sameVersion(ctx, tx, oldName, from)
	}
	taken, err := integrationExists(ctx, tx, newName)
	if err != nil {
		return err
	}
	if taken {
		return fmt.Errorf("integration %q: %w: pick another name or delete that one first", newName, ErrExists)
	}
	if err := bumpVersion(ctx, tx, oldName, from, now); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE sy_integration SET name = ? WHERE name = ?`, newName, oldName)
	return err
}

// nonNil returns v, or an empty map when v is nil, so it encodes as {}.
func nonNil(v spec.Values) spec.Values {
	if v == nil {
		return spec.Values{}
	}
	return v
}
