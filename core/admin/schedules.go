package admin

import (
	"bytes"
	"context"
	"errors"
	"time"

	"switchyard/core/mapping"
	"switchyard/core/schedule"
	"switchyard/core/store"
)

// SaveSchedules replaces the schedules of the integration called name with
// schedules, in order, after checking each; the rest of the integration
// (settings, secrets, mappings) is kept as stored. It is what the app's
// schedule editor does.
func (s *Service) SaveSchedules(ctx context.Context, name string, schedules []schedule.Schedule) error {
	_, err := s.SaveSchedulesFrom(ctx, Loaded{Integration: mapping.Integration{Name: name}}, schedules)
	return err
}

// LastSync returns when the last sync of the integration called name
// started, zero when it never synced: what schedules count from, as the
// in-app runner (Runner's LastRun) reads it.
func (s *Service) LastSync(ctx context.Context, name string) (time.Time, error) {
	h, err := s.SyncHistory(ctx, name, 1)
	if err != nil || len(h) == 0 {
		return time.Time{}, err
	}
	return h[0].Started, nil
}

// FilePeek is what an integration file holds, read before it is imported,
// so that the admin can be asked before one replaces an integration.
type FilePeek struct {
	// Name is the integration the file holds.
	Name string
	// Exists is true when the workspace holds an integration of that name.
	Exists bool
	// Entities and Schedules count the file's entity mappings and schedules;
	// OldEntities and OldSchedules those of the integration it would replace.
	Entities, Schedules       int
	OldEntities, OldSchedules int
}

// PeekFile reads the integration file data without importing it: the
// integration it names and whether it would replace one.
func (s *Service) PeekFile(ctx context.Context, data []byte) (FilePeek, error) {
	in, err := mapping.Decode(bytes.NewReader(data))
	if err != nil {
		return FilePeek{}, configError(err)
	}
	p := FilePeek{Name: in.Name, Entities: len(in.Entities), Schedules: len(in.Schedules)}
	old, err := s.Store.Integration(ctx, in.Name)
	switch {
	case err == nil:
		p.Exists, p.OldEntities, p.OldSchedules = true, len(old.Entities), len(old.Schedules)
	case !errors.Is(err, store.ErrNotFound):
		return p, err
	}
	return p, nil
}
