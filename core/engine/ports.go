package engine

import (
	"context"
	"time"

	"switchyard/core/filter"
	"switchyard/core/meta"
	"switchyard/core/store"
)

// The engine's ports: what a run needs of the workspace, as the engine
// defines it. core/store implements them (*store.Tx is a Tx; store.Ports
// adapts a *store.Store to Workspace), so that the engine depends on these
// interfaces rather than on the store's types. The plain data that crosses
// them (store.Row, store.LogEntry, …) stays the store's.

// Workspace is the workspace a run reads and writes.
type Workspace interface {
	// View runs fn in one read-only transaction: a consistent snapshot.
	View(ctx context.Context, fn func(Tx) error) error
	// Apply runs fn in one write transaction, committed when fn returns nil,
	// whose writes to local tables are not captured as local changes to
	// upload: they bring the external system's data in.
	Apply(ctx context.Context, fn func(Tx) error) error
	// Entity returns the local entity called name (store.ErrNotFound when none).
	Entity(ctx context.Context, name string) (meta.Entity, error)
	// IndexField indexes field of the local entity, for reads by key.
	IndexField(ctx context.Context, entity, field string) error
	// AddLog starts the run log of a run and returns its id.
	AddLog(ctx context.Context, e store.LogEntry) (int64, error)
	// FinishLog records how the run e.ID ended.
	FinishLog(ctx context.Context, e store.LogEntry) error
	// Now is the workspace's clock.
	Now() time.Time
}

// Tx is one transaction on the workspace: what a run does within it.
type Tx interface {
	Rows
	SyncState
	UploadQueue
	// SaveLogEntity records the counts of the run's entity at position.
	SaveLogEntity(logID int64, position int, e store.LogEntity) error
	// AddLogFailure records a record that failed (or a warning) in the run log.
	AddLogFailure(logID int64, f store.LogFailure) error
}

// Rows are the rows of the local entity tables. A cond is a filter on the
// table (nil for every row), which the workspace translates.
type Rows interface {
	Insert(entity string, values map[string]any) (string, error)
	UpdateRow(entity, id string, values map[string]any) error
	DeleteRow(entity, id string) error
	// FindBy returns the rows whose field holds one of keys, by the key's text.
	FindBy(entity, field string, keys []any, fields []string) (map[string]store.Row, error)
	// Scan returns up to limit rows with id greater than after, in id order.
	Scan(entity string, fields []string, cond filter.Expr, after string, limit int) ([]store.Row, error)
	Count(entity string, cond filter.Expr) (int64, error)
	// CountKeyed counts the rows that have a value in field (their external key).
	CountKeyed(entity, field string) (int64, error)
	// Matches reports whether the row id meets cond.
	Matches(entity, id string, cond filter.Expr) (bool, error)
}

// SyncState is what a sync keeps of each entity between and during runs:
// its anchors, the keys a full read saw, quarantined records and conflicts.
type SyncState interface {
	Anchor(integration, entity, direction string) (string, error)
	SetAnchor(integration, entity, direction, anchor string) error
	AddSeen(integration, entity string, keys []string) error
	ClearSeen(integration, entity string) error
	// Unseen returns the local rows whose key the last full read did not see.
	Unseen(integration, entity, local, field, after string, limit int) ([]store.Row, error)
	Quarantine(q store.Quarantined) error
	QuarantinedKeys(integration, entity string) ([]string, error)
	// Release takes a record out of quarantine.
	Release(integration, entity, direction, key, recordID string) error
	AddConflict(c store.ConflictRecord) error
}

// UploadQueue is the queue of local changes waiting for upload, and the
// baselines (the rows as the last sync left them) a merge compares with.
type UploadQueue interface {
	// EnqueueAll queues every row of local that cond matches (a full upload).
	EnqueueAll(integration, entity, local string, cond filter.Expr) (int64, error)
	// EnqueueUnseen queues the rows of local that cond matches and the last full read did not write.
	EnqueueUnseen(integration, external, local, field string, cond filter.Expr) (int64, error)
	LocalChanges(integration, entity, after string, limit int) ([]store.LocalChange, error)
	FinishChange(integration, entity, recordID string, upTo int64, status, externalKey, errMsg string) error
	ChangedLocally(integration, entity string, ids []string) (map[string]string, error)
	DeletedLocally(integration, entity, field string) (map[string]string, error)
	LastUploads(integration, entity string, ids []string) (map[string]time.Time, error)
	CreatesOrDeletesWaiting(integration, entity string) (bool, error)
	Baselines(integration, entity string, ids []string) (map[string]map[string]any, error)
	SetBaseline(integration, entity, id string, values map[string]any) error
}
