package admin

import (
	"context"
	"time"

	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/store"
)

// What the app reads and changes of the workspace goes through the Service,
// not through its Store: one door for the screens, so that what a screen may
// do is said here.

// WorkspacePath is the workspace file, "" or ":memory:" for one in memory.
func (s *Service) WorkspacePath() string { return s.Store.Path() }

// Integration returns the integration called name (store.ErrNotFound when there is none).
func (s *Service) Integration(ctx context.Context, name string) (mapping.Integration, error) {
	return s.Store.Integration(ctx, name)
}

// Integrations returns every integration of the workspace, by name.
func (s *Service) Integrations(ctx context.Context) ([]mapping.Integration, error) {
	return s.Store.Integrations(ctx)
}

// DeleteIntegration deletes the integration called name with its logs,
// anchors and transactions; the local entities and their data stay.
func (s *Service) DeleteIntegration(ctx context.Context, name string) error {
	return s.Store.DeleteIntegration(ctx, name)
}

// LocalEntities returns the local entities of the workspace with their fields.
func (s *Service) LocalEntities(ctx context.Context) ([]meta.Entity, error) {
	return s.Store.Entities(ctx)
}

// CountRows returns how many rows the local entity holds.
func (s *Service) CountRows(ctx context.Context, entity string) (int64, error) {
	return s.Store.CountRows(ctx, entity)
}

// Runs returns up to limit runs of integration ("" for every integration) from the run log, newest first.
func (s *Service) Runs(ctx context.Context, integration string, limit int) ([]store.LogEntry, error) {
	return s.Store.Logs(ctx, integration, limit)
}

// RunEntities returns the per-entity results of run logID, in the order they ran.
func (s *Service) RunEntities(ctx context.Context, logID int64) ([]store.LogEntity, error) {
	return s.Store.LogEntities(ctx, logID)
}

// RunFailures returns up to limit failed records of run logID, then those written with warnings.
func (s *Service) RunFailures(ctx context.Context, logID int64, limit int) ([]store.LogFailure, error) {
	return s.Store.LogFailures(ctx, logID, limit)
}

// SchedulesSince returns, per integration, when each of its schedules began to count.
func (s *Service) SchedulesSince(ctx context.Context) (map[string][]time.Time, error) {
	return s.Store.SchedulesSince(ctx)
}
