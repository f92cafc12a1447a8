package engine

import (
	"context"
	"fmt"
	"slices"
	"time"

	"switchyard/core/connector"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/store"
)

// DefaultOverlap is how far back an incremental download reads before its
// anchor when SyncOptions.Overlap is 0, to catch changes committed late
// with an earlier timestamp.
const DefaultOverlap = time.Minute

// cursorFields are the change timestamps a sync looks for, in this order,
// when the integration's settings name none (setting "cursorfield").
var cursorFields = []string{"modifiedon", "modifiedAt", "lastModifiedDateTime", "ModifiedDate", "modifiedDate", "updatedAt", "updated_at", "LastModified"}

// SyncOptions say what a sync runs.
type SyncOptions struct {
	Integration mapping.Integration
	// Catalog is the external schema (the integration's snapshot): the sync
	// finds each entity's key type and change cursor there.
	Catalog []meta.Entity
	// Entities restricts the sync to these external entities; every enabled one when empty.
	Entities []string
	// Full reads and sends everything again instead of the changes since the anchors.
	Full     bool
	PageSize int
	// Overlap widens incremental reads backwards; DefaultOverlap when 0.
	Overlap  time.Duration
	Progress func(Progress)
	OnRecord func(RecordResult)
}

// syncState is what a sync adds to a run, for all its entities; what it
// knows of one entity's download travels in that download's downSync.
type syncState struct {
	opt SyncOptions
	// readAll names the external entities whose every record this sync read
	// and wrote: their seen keys are kept for the upload (EnqueueUnseen).
	readAll map[string]bool
}

// Sync synchronises the integration with the external system c: for each
// enabled entity, parents first, it downloads the external changes (download
// and bidirectional entities) and uploads the local ones (upload and
// bidirectional). The first sync of an entity, or one with Full, is full:
// every record is read and every local row queued for upload; later ones
// read from the entity's anchor and send the changes the triggers captured.
// Every page commits with its anchor, its queue updates and its run log in
// one SQLite transaction, so that a sync stopped at any moment and run again
// loses and duplicates nothing. Records that fail are quarantined and retried
// by every later sync. The caller holds the integration's run lock (store.Lock).
func (e *Engine) Sync(ctx context.Context, c connector.Connector, opt SyncOptions) (*Result, error) {
	res := &Result{Integration: opt.Integration.Name, Direction: Sync, Started: e.now()}
	plans, err := e.planSync(ctx, opt)
	if err != nil {
		return e.finish(ctx, res, err)
	}
	res.LogID, err = e.Workspace.AddLog(ctx, store.LogEntry{Integration: res.Integration, Kind: "sync", Direction: "sync", Status: "running", Started: res.Started})
	if err != nil {
		return e.finish(ctx, res, err)
	}
	r := &run{engine: e, res: res, conn: c, plans: plans, sync: &syncState{opt: opt, readAll: map[string]bool{}},
		opt: Options{Integration: opt.Integration, Direction: Sync, Catalog: opt.Catalog, PageSize: opt.PageSize, Progress: opt.Progress, OnRecord: opt.OnRecord}}
	return e.finish(ctx, res, r.doSync(ctx))
}

// planSync checks the entities of a sync, parents first.
func (e *Engine) planSync(ctx context.Context, opt SyncOptions) ([]*entityPlan, error) {
	in := opt.Integration
	for _, name := range opt.Entities {
		if em, ok := in.Entity(name); !ok || em.Disabled {
			return nil, configErrorf("integration %q maps no enabled external entity %q", in.Name, name)
		}
	}
	var plans []*entityPlan
	ordered, _ := mapping.Order(in)
	for _, em := range ordered {
		if em.Disabled || !em.Direction.Valid() || (len(opt.Entities) > 0 && !slices.Contains(opt.Entities, em.External)) {
			continue
		}
		p, err := e.planEntity(ctx, in, em)
		if err != nil {
			return nil, fmt.Errorf("entity %s: %w", em.External, err)
		}
		ext, ok := meta.FindEntity(opt.Catalog, em.External)
		if !ok {
			return nil, configErrorf("entity %s: the external entity is not in the cached schema: update the schema", em.External)
		}
		p.external = ext
		plans = append(plans, p)
	}
	if len(plans) == 0 {
		return nil, configErrorf("integration %q has no enabled entity to sync: enable one", in.Name)
	}
	return plans, nil
}

func (r *run) doSync(ctx context.Context) (err error) {
	defer func() { err = r.settleDeferredOnError(ctx, err) }()
	for _, p := range r.plans {
		if runs(p.em, Import) {
			if err := r.syncEntity(ctx, p, Import, r.syncDown); err != nil {
				return err
			}
		}
		if runs(p.em, Export) {
			if err := r.syncEntity(ctx, p, Export, r.syncUp); err != nil {
				return err
			}
		}
	}
	if len(r.deferred) > 0 {
		return r.resolveDeferred(ctx)
	}
	return nil
}

func (r *run) syncEntity(ctx context.Context, p *entityPlan, d Direction, fn func(context.Context, int, *entityPlan) error) error {
	idx := len(r.res.Entities)
	r.res.Entities = append(r.res.Entities, EntityResult{Entity: p.em.External, LocalEntity: p.em.Local, Direction: d})
	start := time.Now()
	r.starts = append(r.starts, start)
	err := fn(ctx, idx, p)
	r.res.Entities[idx].Duration = time.Since(start)
	return err
}

// cursorField is the change timestamp of the external entity, "" when it has none.
func (r *run) cursorField(p *entityPlan) string {
	named := r.opt.Integration.Settings["cursorfield"]
	for _, name := range append([]string{named}, cursorFields...) {
		if f, ok := p.external.Field(name); ok && name != "" && (f.Type == meta.DateTime || f.Type == meta.Date) {
			return name
		}
	}
	return ""
}
