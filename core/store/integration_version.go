package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"switchyard/core/mapping"
)

// Versions: every save of an integration (its settings, secrets, entity and
// field mappings, schedules, a rename) adds one to its version number, in
// the same transaction. An editor keeps the version it loaded and saves
// "from" it: the save is a compare-and-set (UPDATE ... WHERE version = ?),
// refused with a *ChangedError when another save, from this process or any
// other on the workspace, came in between. A save from version 0 replaces
// the integration whatever its version (an explicit import).

// Version is the version number of an integration and when it was saved.
type Version struct {
	// Number starts at 1 and grows by one with every save.
	Number int64
	// SavedAt is when that version was saved (sy_integration.updated_at).
	SavedAt time.Time
}

// ErrChanged is returned, wrapped in a *ChangedError, when a save names a
// version that is no longer the stored one.
var ErrChanged = errors.New("changed by another save")

// ChangedError refuses a save that started from a version another save has
// since replaced (or from an integration since deleted).
type ChangedError struct {
	// Integration is the name the save was for.
	Integration string
	// From is the version the save started from.
	From int64
	// Current is the stored version; its Number is 0 when the integration
	// no longer exists.
	Current Version
}

// Error says who won and from which version the refused save started.
func (e *ChangedError) Error() string {
	if e.Current.Number == 0 {
		return fmt.Sprintf("%s was deleted by another save (you started from version %d)", e.Integration, e.From)
	}
	return fmt.Sprintf("%s was changed by another save at %s (version %d, you started from %d)",
		e.Integration, e.Current.SavedAt.Local().Format("15:04"), e.Current.Number, e.From)
}

// Unwrap makes errors.Is(err, ErrChanged) true.
func (e *ChangedError) Unwrap() error { return ErrChanged }

// VersionedIntegration returns the integration called name with its secrets
// and, read in the same transaction, its version: what an editor loads and
// later saves from.
func (s *Store) VersionedIntegration(ctx context.Context, name string) (mapping.Integration, Version, error) {
	var (
		in mapping.Integration
		v  Version
	)
	err := s.inReadTx(ctx, func(tx *sql.Tx) (err error) {
		if in, err = loadIntegration(ctx, tx, name); err != nil {
			return err
		}
		v, err = integrationVersion(ctx, tx, name)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return mapping.Integration{}, Version{}, err
		}
		return mapping.Integration{}, Version{}, fmt.Errorf("load integration %q: %w", name, err)
	}
	in.Secrets = s.unsealSecrets(ctx, name, in.Secrets)
	return in, v, nil
}

// VersionedIntegrations returns every integration with its secrets, sorted
// by name, and, read in the same transaction, their versions by name.
func (s *Store) VersionedIntegrations(ctx context.Context) ([]mapping.Integration, map[string]Version, error) {
	var (
		out      []mapping.Integration
		versions map[string]Version
	)
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		names, err := integrationNames(ctx, tx)
		if err != nil {
			return err
		}
		for _, name := range names {
			in, err := loadIntegration(ctx, tx, name)
			if err != nil {
				return err
			}
			in.Secrets = s.unsealSecrets(ctx, name, in.Secrets)
			out = append(out, in)
		}
		versions, err = integrationVersions(ctx, tx)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list integrations: %w", err)
	}
	return out, versions, nil
}

// IntegrationVersions returns the version of every integration, by name.
func (s *Store) IntegrationVersions(ctx context.Context) (map[string]Version, error) {
	var out map[string]Version
	err := s.inReadTx(ctx, func(tx *sql.Tx) (err error) {
		out, err = integrationVersions(ctx, tx)
		return err
	})
	return out, err
}

// integrationVersions reads the version of every integration, by name.
func integrationVersions(ctx context.Context, tx *sql.Tx) (map[string]Version, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, version, updated_at FROM sy_integration`)
	if err != nil {
		return nil, fmt.Errorf("read the versions of the integrations: %w", err)
	}
	defer rows.Close()
	out := map[string]Version{}
	for rows.Next() {
		var name, at string
		var v Version
		if err := rows.Scan(&name, &v.Number, &at); err != nil {
			return nil, fmt.Errorf("read the versions of the integrations: %w", err)
		}
		if v.SavedAt, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("read the version of %q: %w", name, err)
		}
		out[name] = v
	}
	return out, rows.Err()
}

// SaveIntegrationFrom is SaveIntegration from version from of the
// integration: refused with a *ChangedError when the stored version is no
// longer from. From 0 saves whatever is stored (creating the integration
// when there is none). It returns the version saved.
func (s *Store) SaveIntegrationFrom(ctx context.Context, in mapping.Integration, from int64) (Version, error) {
	if err := checkIntegration(in); err != nil {
		return Version{}, err
	}
	var v Version
	err := s.inTxAt(ctx, func(tx *sql.Tx, now time.Time) (err error) {
		if err = s.saveIntegration(ctx, tx, in, from, now); err != nil {
			return err
		}
		v, err = integrationVersion(ctx, tx, in.Name)
		return err
	})
	if err != nil {
		return Version{}, fmt.Errorf("save integration %q: %w", in.Name, err)
	}
	return v, nil
}

// CreateIntegration saves in as a new integration, at version 1, and
// refuses (ErrExists) when one of its name exists: what saving a new
// integration from an editor does, so that two admins creating one of the
// same name at once never replace each other's.
func (s *Store) CreateIntegration(ctx context.Context, in mapping.Integration) (Version, error) {
	if err := checkIntegration(in); err != nil {
		return Version{}, err
	}
	var v Version
	err := s.inTxAt(ctx, func(tx *sql.Tx, now time.Time) error {
		if s.d.postgres() {
			if err := pgLockIntegrationName(ctx, tx, in.Name); err != nil {
				return err
			}
		}
		taken, err := integrationExists(ctx, tx, in.Name)
		if err != nil {
			return err
		}
		if taken {
			return fmt.Errorf("integration %q: %w: pick another name", in.Name, ErrExists)
		}
		if err = s.saveIntegration(ctx, tx, in, 0, now); err != nil {
			return err
		}
		v, err = integrationVersion(ctx, tx, in.Name)
		return err
	})
	if err != nil {
		return Version{}, fmt.Errorf("create integration %q: %w", in.Name, err)
	}
	return v, nil
}

// RenameIntegrationFrom is RenameIntegration from version from of the
// integration (0: whatever is stored), refused with a *ChangedError when
// another save came in between. It returns the version saved.
func (s *Store) RenameIntegrationFrom(ctx context.Context, oldName, newName string, from int64) (Version, error) {
	if err := checkNewName(oldName, newName); err != nil {
		return Version{}, err
	}
	var v Version
	err := s.inTxAt(ctx, func(tx *sql.Tx, now time.Time) (err error) {
		if s.d.postgres() && oldName != newName {
			if err := pgLockIntegrationName(ctx, tx, newName); err != nil {
				return err
			}
		}
		if err = renameIntegration(ctx, tx, oldName, newName, from, now); err != nil {
			return err
		}
		v, err = integrationVersion(ctx, tx, newName)
		return err
	})
	if err != nil {
		return Version{}, fmt.Errorf("rename integration %q to %q: %w", oldName, newName, err)
	}
	return v, nil
}

// integrationVersion reads the stored version of the integration called name.
func integrationVersion(ctx context.Context, tx *sql.Tx, name string) (Version, error) {
	var (
		v  Version
		at string
	)
	err := tx.QueryRowContext(ctx, `SELECT version, updated_at FROM sy_integration WHERE name = ?`, name).Scan(&v.Number, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("integration %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return v, fmt.Errorf("read the version of %q: %w", name, err)
	}
	if v.SavedAt, err = parseTime(at); err != nil {
		return v, fmt.Errorf("read the version of %q: %w", name, err)
	}
	return v, nil
}

// bumpVersion adds one to the version of the integration called name, saved
// at now, when it is from (any version when from is 0): the compare-and-set
// every save of an integration begins with. It returns a *ChangedError when
// the stored version is another, ErrNotFound when from is 0 and there is no
// such integration.
func bumpVersion(ctx context.Context, tx *sql.Tx, name string, from int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE sy_integration SET version = version + 1, updated_at = ?
WHERE name = ? AND (? = 0 OR version = ?)`, formatTime(now), name, from, from)
	if err != nil {
		return fmt.Errorf("version of %q: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("version of %q: %w", name, err)
	} else if n == 1 {
		return nil
	}
	current, err := integrationVersion(ctx, tx, name)
	switch {
	case errors.Is(err, ErrNotFound) && from == 0:
		return err
	case errors.Is(err, ErrNotFound):
		return &ChangedError{Integration: name, From: from}
	case err != nil:
		return err
	}
	return &ChangedError{Integration: name, From: from, Current: current}
}

// sameVersion returns a *ChangedError when from is not 0 and the stored
// version of the integration called name is another: a save that changes
// nothing must still not let an editor go on from a stale version.
func sameVersion(ctx context.Context, tx *sql.Tx, name string, from int64) error {
	if from == 0 {
		return nil
	}
	current, err := integrationVersion(ctx, tx, name)
	if err != nil {
		return err
	}
	if current.Number != from {
		return &ChangedError{Integration: name, From: from, Current: current}
	}
	return nil
}
