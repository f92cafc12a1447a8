package admin

import (
	"context"
	"path/filepath"
	"time"

	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/store"
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

// WorkspaceTitle names the workspace for people, as the window title does
// (store.Title): a file's name, or a PostgreSQL workspace's schema on its
// server, without the password.
func (s *Service) WorkspaceTitle() string {
	if p := s.WorkspacePath(); p != "" {
		return store.Title(p)
	}
	return "workspace"
}

// WorkspaceRef is the workspace as a command line names it, for the
// snippets that run it headless: the file's path, or the PostgreSQL URL
// without its password.
func (s *Service) WorkspaceRef() string { return store.WithoutPassword(s.WorkspacePath()) }

// Shared reports whether the workspace is a database that several people and
// machines use (PostgreSQL) rather than a file on this machine.
func (s *Service) Shared() bool { return store.IsPostgres(s.WorkspacePath()) }

// LocalFolder is the folder on this machine for the workspace's files, such
// as the app's reports: the folder of a workspace file, else Folder; ""
// when neither is known (a workspace in memory without a Folder).
func (s *Service) LocalFolder() string {
	if p := s.WorkspacePath(); p != "" && p != ":memory:" && !store.IsPostgres(p) {
		if abs, err := filepath.Abs(p); err == nil {
			return filepath.Dir(abs)
		}
	}
	if s == nil {
		return ""
	}
	return s.Folder
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
