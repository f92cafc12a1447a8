package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"switchyard/core/meta"
)

// Snapshot is a cached catalog of an integration's external system.
type Snapshot struct {
	// Entities are the external entities with their fields, as the connector described them.
	Entities []meta.Entity
	// TakenAt is when the snapshot was saved, in UTC to the millisecond.
	TakenAt time.Time
}

// SaveSnapshot records the integration's external catalog as it is now.
// Earlier snapshots are kept.
func (s *Store) SaveSnapshot(ctx context.Context, integration string, entities []meta.Entity) error {
	if entities == nil {
		entities = []meta.Entity{}
	}
	body, err := json.Marshal(entities)
	if err != nil {
		return fmt.Errorf("save schema snapshot of %q: encode entities: %w", integration, err)
	}
	err = s.inTxAt(ctx, func(tx *sql.Tx, now time.Time) error {
		if err := requireIntegration(ctx, tx, integration); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sy_schema_snapshot (integration, taken_at, entities) VALUES (?, ?, ?)`,
			integration, formatTime(now), string(body))
		return err
	})
	if err != nil {
		return fmt.Errorf("save schema snapshot of %q: %w", integration, err)
	}
	return nil
}

// Snapshot returns the integration's newest schema snapshot, or ErrNotFound
// when the integration does not exist or has none.
func (s *Store) Snapshot(ctx context.Context, integration string) (Snapshot, error) {
	var snap Snapshot
	err := s.inReadTx(ctx, func(tx *sql.Tx) (err error) {
		snap, err = newestSnapshot(ctx, tx, integration)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return Snapshot{}, err
		}
		return Snapshot{}, fmt.Errorf("load schema snapshot of %q: %w", integration, err)
	}
	return snap, nil
}

// newestSnapshot reads the integration's latest snapshot; the later-saved wins a tie.
func newestSnapshot(ctx context.Context, tx *sql.Tx, integration string) (Snapshot, error) {
	if err := requireIntegration(ctx, tx, integration); err != nil {
		return Snapshot{}, err
	}
	var takenAt, body string
	err := tx.QueryRowContext(ctx, `SELECT taken_at, entities FROM sy_schema_snapshot
WHERE integration = ? ORDER BY taken_at DESC, id DESC LIMIT 1`, integration).Scan(&takenAt, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return Snapshot{}, fmt.Errorf("schema snapshot of integration %q: %w: read its catalog first", integration, ErrNotFound)
	}
	if err != nil {
		return Snapshot{}, err
	}
	var snap Snapshot
	if snap.TakenAt, err = parseTime(takenAt); err != nil {
		return Snapshot{}, err
	}
	if err := json.Unmarshal([]byte(body), &snap.Entities); err != nil {
		return Snapshot{}, fmt.Errorf("decode entities: %w", err)
	}
	return snap, nil
}
