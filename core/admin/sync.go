package admin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"switchyard/core/connector"
	"switchyard/core/engine"
	"switchyard/core/schedule"
	"switchyard/core/store"
)

// SyncOptions say what Sync does; the integration and the connector come from the workspace.
type SyncOptions struct {
	// Full reads and sends everything again instead of the changes since the last sync.
	Full     bool
	Entities []string
	PageSize int
	Progress func(engine.Progress)
	OnRecord func(engine.RecordResult)
}

// Sync synchronises the integration called name under its run lock: a
// second sync of it at the same time, in this process or another, fails with
// store.ErrLocked. A configuration problem comes back as a *ConfigError;
// the engine's result is returned whenever the sync started.
func (s *Service) Sync(ctx context.Context, name string, o SyncOptions) (*engine.Result, error) {
	if err := s.mayWrite(); err != nil {
		return nil, err
	}
	in, err := s.Store.Integration(ctx, name)
	if err != nil {
		return nil, err
	}
	snap, err := s.Store.Snapshot(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, configError(fmt.Errorf("sync %q: no cached schema: run `switchyard integration update-schema %s` first", name, name))
	}
	if err != nil {
		return nil, err
	}
	ctx, unlock, err := s.lockRun(ctx, name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return s.runEngine(ctx, in, "sync", func(ctx context.Context, e *engine.Engine, c connector.Connector) (*engine.Result, error) {
		return e.Sync(ctx, c, engine.SyncOptions{Integration: in, Catalog: snap.Entities, Entities: o.Entities, Full: o.Full,
			PageSize: o.PageSize, Progress: o.Progress, OnRecord: o.OnRecord})
	})
}

// SyncHistory returns up to limit syncs of the integration from the run log, newest first.
func (s *Service) SyncHistory(ctx context.Context, name string, limit int) ([]store.LogEntry, error) {
	all, err := s.Store.Logs(ctx, name, 0)
	if err != nil {
		return nil, err
	}
	var out []store.LogEntry
	for _, l := range all {
		if l.Kind == "sync" && (limit <= 0 || len(out) < limit) {
			out = append(out, l)
		}
	}
	return out, nil
}

// Quarantine returns the records of the integration that failed in a sync
// and are retried by every later one (dismissed ones too when all is set).
func (s *Service) Quarantine(ctx context.Context, name string, all bool) ([]store.Quarantined, error) {
	if _, err := s.Store.Integration(ctx, name); err != nil {
		return nil, err
	}
	return s.Store.QuarantineList(ctx, name, all)
}

// DismissQuarantine stops retrying the quarantined record id of the integration.
func (s *Service) DismissQuarantine(ctx context.Context, name string, id int64) error {
	if err := s.mayWrite(); err != nil {
		return err
	}
	return s.Store.DismissQuarantined(ctx, name, id)
}

// Runner returns the in-app scheduler over the workspace: it runs the syncs
// of every integration whose schedules are due, one at a time, while Start's
// context lives. The GUI starts it and reads its Events. On a read-only
// workspace it has nothing to run: the owner's machines run the schedules.
func (s *Service) Runner() *schedule.Runner {
	return &schedule.Runner{
		Entries: func(ctx context.Context) ([]schedule.Entry, error) {
			if s.ReadOnly() {
				return nil, nil
			}
			ins, err := s.Store.Integrations(ctx)
			if err != nil {
				return nil, err
			}
			since, err := s.Store.SchedulesSince(ctx)
			if err != nil {
				return nil, err
			}
			out := make([]schedule.Entry, 0, len(ins))
			for _, in := range ins {
				out = append(out, schedule.Entry{Integration: in.Name, Schedules: in.Schedules, Since: since[in.Name]})
			}
			return out, nil
		},
		Run: func(ctx context.Context, name string) (schedule.Outcome, error) {
			res, err := s.Sync(ctx, name, SyncOptions{})
			if res == nil {
				return schedule.Outcome{Status: string(engine.Failed)}, err
			}
			return schedule.Outcome{Status: string(res.Status), Summary: res.Summary(), LogID: res.LogID}, err
		},
		LastRun: func(ctx context.Context, name string) (time.Time, error) {
			h, err := s.SyncHistory(ctx, name, 1)
			if err != nil || len(h) == 0 {
				return time.Time{}, err
			}
			return h[0].Started, nil
		},
	}
}
