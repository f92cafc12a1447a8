package admin

import (
	"context"
	"time"

	"switchyard/core/mapping"
	"switchyard/core/meta"
)

// What the app reads and changes of the workspace goes through the Service,
// not through its Store: one door for the screens, so that what a screen may
// do is said here.

// WorkspacePath is the workspace file, ":memory:" for one in memory, ""
// for no workspace (a nil Service or Store).
func (s *Service) WorkspacePath() string {
	if s == nil || s.Store == nil {
		return ""
	}
	return s.Store.Path()
}

// now is the workspace's clock (Store.Now), what filters' now() means.
func (s *Service) now() time.Time {
	if s.Store.Now != nil {
		return s.Store.Now()
	}
	return time.Now()
}

// Integration returns the integration called name (ErrNotFound when there is none).
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
	if err := s.mayWrite(); err != nil {
		return err
	}
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
func (s *Service) Runs(ctx context.Context, integration string, limit int) ([]Run, error) {
	return s.Store.Logs(ctx, integration, limit)
}
