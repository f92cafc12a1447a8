package engine

import (
	"context"
	"errors"
	"time"

	"switchyard/core/connector"
	"switchyard/core/store"
)

// run is one Engine.Run in progress.
type run struct {
	engine *Engine
	opt    Options
	res    *Result
	conn   connector.Connector
	plans  []*entityPlan
	// deferred are records whose lookups wait for a target imported later in the run.
	deferred []*deferredRecord
	// starts are when each entity began, for the durations logged after every page.
	starts []time.Time
	// sync is the state of a sync, nil for an import or export.
	sync *syncState
	// results is the array of the last page's results, which the next page
	// written reuses (pages are written one after the other, and nothing
	// keeps a page's results once it is accounted for).
	results []RecordResult
	// keyReads are the log lines of each entity's reads by key, by entity index.
	keyReads map[int]*keyReadLog
	// predicted holds, in a preview, per lookup (local field), the target
	// keys this run would bring (predictTargets); nil outside a preview.
	predicted map[string]map[string]bool
}

func (r *run) do(ctx context.Context) (err error) {
	defer func() { err = r.settleDeferredOnError(ctx, err) }()
	for i, p := range r.plans {
		r.res.Entities = append(r.res.Entities, EntityResult{Entity: p.em.External, LocalEntity: p.em.Local, Direction: r.opt.Direction})
		start := time.Now()
		r.starts = append(r.starts, start)
		var err error
		if r.opt.Direction == Import {
			err = r.importEntity(ctx, i, p)
		} else {
			err = r.exportEntity(ctx, i, p)
		}
		r.res.Entities[i].Duration = time.Since(start)
		if err != nil {
			return err
		}
	}
	if len(r.deferred) > 0 {
		return r.resolveDeferred(ctx)
	}
	return nil
}

// settleDeferredOnError accounts, when the run stops on err, for the records
// written while they waited for a lookup's target later in the run: they are
// in the workspace, so they are counted and logged (with their lookups
// completed where the targets came) rather than lost from the results.
func (r *run) settleDeferredOnError(ctx context.Context, err error) error {
	if err == nil || len(r.deferred) == 0 || r.opt.Preview {
		return err
	}
	if serr := r.resolveDeferred(context.WithoutCancel(ctx)); serr != nil {
		return errors.Join(err, serr)
	}
	return err
}

func (r *run) pageSize() int {
	if r.opt.PageSize > 0 {
		return r.opt.PageSize
	}
	return DefaultPageSize
}

func (r *run) previewLimit() int {
	if r.opt.PreviewLimit > 0 {
		return r.opt.PreviewLimit
	}
	return DefaultPreviewLimit
}

// logEntity saves entity idx's counts so far in the run log, inside tx.
func (r *run) logEntity(tx Tx, idx int, c Counts) error {
	er := r.res.Entities[idx]
	return tx.SaveLogEntity(r.res.LogID, idx, store.LogEntity{
		Entity: er.Entity, LocalEntity: er.LocalEntity, Direction: string(er.Direction),
		All: c.All, Imported: c.Imported, Exported: c.Exported, Updated: c.Updated, Unchanged: c.Unchanged, Failed: c.Failed, Warnings: c.Warnings,
		DurationMs: time.Since(r.starts[idx]).Milliseconds(), Queries: er.Queries,
	})
}

// commit accounts for the results of a page written (or planned, in a preview) for entity idx.
func (r *run) commit(idx int, results []RecordResult, done, total int64) {
	er := &r.res.Entities[idx]
	for _, rr := range results {
		er.Counts.count(er.Direction, rr.Action)
		if r.opt.Preview {
			if len(er.Preview) < r.previewLimit() {
				er.Preview = append(er.Preview, rr)
			}
		} else if r.opt.OnRecord != nil {
			r.opt.OnRecord(rr)
		}
	}
	if r.opt.Progress != nil {
		r.opt.Progress(Progress{Entity: er.Entity, Done: done, Total: total, Counts: er.Counts})
	}
}

// pageCounts counts results on top of the entity's counts so far.
func (r *run) pageCounts(idx int, results []RecordResult) Counts {
	c := r.res.Entities[idx].Counts
	for _, rr := range results {
		c.count(r.res.Entities[idx].Direction, rr.Action)
	}
	return c
}

// logFailures records the failed results of a page inside tx, and those written with warnings.
func (r *run) logFailures(tx Tx, results []RecordResult) error {
	for _, rr := range results {
		var f store.LogFailure
		switch rr.Action {
		case Fail:
			f = store.LogFailure{Entity: rr.Entity, Key: rr.Key, Error: rr.Error}
		case Warn:
			f = store.LogFailure{Entity: rr.Entity, Key: rr.Key, Error: rr.Warning, Warning: true}
		default:
			continue
		}
		if err := tx.AddLogFailure(r.res.LogID, f); err != nil {
			return err
		}
	}
	return nil
}
