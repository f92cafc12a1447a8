package admin

import (
	"context"
	"fmt"
	"time"

	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/store"
)

// What the app's screens read, one call per screen, and the types they
// show: the app knows the workspace through the Service only.

// Run is one run of an integration, as the run log keeps it.
type Run = store.LogEntry

// RunEntity is one entity's results in a run.
type RunEntity = store.LogEntity

// RunFailure is one record that failed in a run, or was written with warnings.
type RunFailure = store.LogFailure

// Row is one row of a local entity: its id and the values of its fields.
type Row = store.Row

// ErrNotFound is returned, wrapped, when an integration, entity or record does not exist.
var ErrNotFound = store.ErrNotFound

// ErrExists is returned, wrapped, when a name is taken (a rename onto another integration).
var ErrExists = store.ErrExists

// IntegrationStatus is an integration as the lists of integrations and
// schedules show it.
type IntegrationStatus struct {
	Integration mapping.Integration
	// LastRun is its latest run of any kind; its ID is 0 when it never ran.
	LastRun Run
	// LastSync is when its latest sync started (what schedules count from); zero when it never synced.
	LastSync time.Time
	// Since is since when each of its schedules counts, in order (see SchedulesSince).
	Since []time.Time
	// Version is the version of Integration, read with it, that the app's
	// editors save from (versions.go).
	Version Version
}

// IntegrationStatuses returns every integration of the workspace, by name,
// with its latest run, its latest sync and its schedules' counting, read in
// as many queries for a hundred integrations as for one.
func (s *Service) IntegrationStatuses(ctx context.Context) ([]IntegrationStatus, error) {
	ins, versions, err := s.Store.VersionedIntegrations(ctx)
	if err != nil {
		return nil, err
	}
	last, lastSync, err := s.Store.LastRuns(ctx)
	if err != nil {
		return nil, err
	}
	since, err := s.Store.SchedulesSince(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]IntegrationStatus, len(ins))
	for i, in := range ins {
		out[i] = IntegrationStatus{Integration: in, LastRun: last[in.Name], LastSync: lastSync[in.Name], Since: since[in.Name],
			Version: versions[in.Name]}
	}
	return out, nil
}

// EntityCount is a local entity with how many rows it holds.
type EntityCount struct {
	Entity meta.Entity
	// Rows is -1 when they could not be counted (Err says why).
	Rows int64
	Err  error
}

// LocalEntityCounts returns the local entities of the workspace, with their
// fields and row counts: what the Local data screen lists. A count that
// fails is reported in its entity, the others are still counted.
func (s *Service) LocalEntityCounts(ctx context.Context) ([]EntityCount, error) {
	ents, err := s.Store.Entities(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]EntityCount, len(ents))
	for i, e := range ents {
		out[i].Entity = e
		if out[i].Rows, out[i].Err = s.Store.CountRows(ctx, e.Name); out[i].Err != nil {
			out[i].Rows = -1
		}
	}
	return out, nil
}

// RunDetail is what the details of one run show.
type RunDetail struct {
	// Entities are the per-entity results, in the order they ran.
	Entities []RunEntity
	// Failures are up to the limit asked failed records, then those written with warnings.
	Failures []RunFailure
}

// RunDetails returns the details of run logID, with up to limit failures.
// What it could read is returned even with an error, which names what it
// could not: "entities: ..." and "failures: ...", joined by "; ".
func (s *Service) RunDetails(ctx context.Context, logID int64, limit int) (RunDetail, error) {
	var d RunDetail
	var errs []error
	var err error
	if d.Entities, err = s.Store.LogEntities(ctx, logID); err != nil {
		errs = append(errs, fmt.Errorf("entities: %w", err))
	}
	if d.Failures, err = s.Store.LogFailures(ctx, logID, limit); err != nil {
		errs = append(errs, fmt.Errorf("failures: %w", err))
	}
	return d, joinSemicolon(errs)
}

// joinSemicolon joins errs into one error whose text separates them by
// "; ", nil when there is none.
func joinSemicolon(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return fmt.Errorf("%w; %w", errs[0], joinSemicolon(errs[1:]))
}

// RenameIntegration renames the integration called oldName to newName, with
// everything that belongs to it (ErrExists when newName is taken), whatever
// its version; an editor renames with RenameIntegrationFrom.
func (s *Service) RenameIntegration(ctx context.Context, oldName, newName string) error {
	if err := s.mayWrite(); err != nil {
		return err
	}
	return s.Store.RenameIntegration(ctx, oldName, newName)
}

// SaveIntegration saves in, replacing the integration of its name whatever
// its version; secrets left nil keep the stored ones. An editor saves with
// SaveIntegrationFrom.
func (s *Service) SaveIntegration(ctx context.Context, in mapping.Integration) error {
	if err := s.mayWrite(); err != nil {
		return err
	}
	return s.Store.SaveIntegration(ctx, in)
}
