package engine

import (
	"context"
	"encoding/json"
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

// downAnchor is the download anchor of an entity as sy_integration_syncanchor keeps it (JSON).
type downAnchor struct {
	// Cursor is the greatest change timestamp synced.
	Cursor time.Time `json:"cursor,omitzero"`
	// Delta is the delta link of a system that tracks changes.
	Delta string `json:"delta,omitempty"`
	// Field is the cursor field the timestamp belongs to.
	Field string `json:"field,omitempty"`
}

// syncState is what a sync adds to a run.
type syncState struct {
	opt SyncOptions
	// Per entity being downloaded: the cursor field, the anchor the sync
	// started from, whether the read is full, and the quarantined keys.
	cursor      string
	prev        downAnchor
	full        bool
	quarantined map[string]bool
	// policy is the conflict policy of the entity, "" when it does not upload too.
	policy mapping.Conflict
	// retried collects the keys read while quarantined records are read again.
	retried map[string]bool
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
	res.LogID, err = e.Store.AddLog(ctx, store.LogEntry{Integration: res.Integration, Kind: "sync", Direction: "sync", Status: "running", Started: res.Started})
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

func (r *run) doSync(ctx context.Context) error {
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

// syncDown downloads the changes of one entity: all records on a full sync
// (with the local rows the system no longer has removed), else the records
// changed since the anchor, then the quarantined ones again.
func (r *run) syncDown(ctx context.Context, idx int, p *entityPlan) error {
	reader, ok := r.conn.(connector.Reader)
	if !ok {
		return configErrorf("the connector of %q cannot read records", r.opt.Integration.Name)
	}
	if err := r.indexKeys(ctx, p); err != nil {
		return err
	}
	in := r.opt.Integration.Name
	s := r.sync
	s.prev, s.cursor, s.full, s.quarantined, s.policy = downAnchor{}, r.cursorField(p), r.sync.opt.Full, map[string]bool{}, ""
	if runs(p.em, Export) {
		s.policy = p.em.Conflict.Policy()
	}
	var raw string
	var keys []string
	err := r.engine.Store.View(ctx, func(tx *store.Tx) (err error) {
		if raw, err = tx.Anchor(in, p.em.External, "download"); err != nil {
			return err
		}
		keys, err = tx.QuarantinedKeys(in, p.em.External)
		return err
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		s.quarantined[k] = true
	}
	if raw == "" {
		s.full = true
	} else if err := json.Unmarshal([]byte(raw), &s.prev); err != nil {
		s.full = true // an anchor this version cannot read: start again from a full read
	}
	delta := false
	if dr, ok := r.conn.(connector.DeltaReader); ok {
		if delta, err = dr.TracksChanges(ctx, p.em.External); err != nil {
			return fmt.Errorf("ask whether %s tracks changes: %w", p.em.External, err)
		}
	}
	if !delta && s.cursor != "" && s.prev.Field != "" && s.prev.Field != s.cursor {
		s.full = true // the cursor field changed: the anchor means nothing for it
	}
	if !delta && s.cursor == "" {
		s.full = true // nothing tells what changed: read everything every time
	}
	if delta && !s.full && s.prev.Delta == "" {
		if s.cursor != "" && !s.prev.Cursor.IsZero() && s.prev.Field == s.cursor {
			// The system gave no delta link (Dataverse, for a table without
			// change tracking): follow the change cursor instead of reading
			// everything on every sync.
			delta = false
		} else {
			s.full = true
		}
	}
	where, err := downloadFilter(p, r.res.Started)
	if err != nil {
		return err
	}
	q := connector.Query{Entity: p.em.External, Filter: where, PageSize: r.opt.PageSize, Count: true}
	for _, f := range p.fields {
		if f.ext != "" {
			q.Fields = append(q.Fields, f.ext)
		}
	}
	for _, l := range p.lookups {
		if l.ext != "" {
			q.Fields = append(q.Fields, l.ext)
		}
	}
	if s.cursor != "" && !slices.Contains(q.Fields, s.cursor) {
		q.Fields = append(q.Fields, s.cursor)
	}
	switch {
	case delta && s.full:
		q.Track = true
	case delta:
		q.Delta, q.Count = s.prev.Delta, false
	case !s.full:
		q.Since, q.CursorField, q.Overlap = s.prev.Cursor, s.cursor, r.overlap()
	}
	lg := r.logRead(idx, q, syncNote(q))
	next := s.prev
	next.Field = s.cursor
	if s.full {
		next.Cursor = time.Time{}
		if err := r.engine.Store.Apply(ctx, func(tx *store.Tx) error { return tx.ClearSeen(in, p.em.External) }); err != nil {
			return err
		}
	}
	if err := r.readPages(ctx, idx, p, reader, q, lg, &next, true); err != nil {
		return err
	}
	if len(keys) > 0 && !s.full {
		if err := r.retryQuarantined(ctx, idx, p, reader, keys); err != nil {
			return err
		}
	}
	switch {
	case s.full && !delta:
		return r.reconcile(ctx, idx, p, false)
	case !delta:
		// Cursors do not see deletions: compare the keys (a read of the key field only),
		// unless the counts show there can be none.
		if same, err := r.countsAgree(ctx, p, reader); err != nil || same {
			return err
		}
		return r.reconcile(ctx, idx, p, true)
	}
	return nil
}

// countsAgree reports whether the external system counts as many records
// (within the download filter) as the local entity holds rows with a key,
// after the incremental download. Every external create reaches the workspace
// through the cursor, so equal counts mean nothing was deleted, and reading
// every key to find deletions can be skipped; a deletion plus a create makes
// the counts differ, and the keys are read. A create or a delete waiting for
// upload (a row created here, not yet sent, may have a key the system does
// not know) makes the counts mean nothing: then, and for a system that
// cannot count, the answer is false. Updates waiting for upload change no count.
func (r *run) countsAgree(ctx context.Context, p *entityPlan, reader connector.Reader) (bool, error) {
	var waiting bool
	err := r.engine.Store.View(ctx, func(tx *store.Tx) (err error) {
		waiting, err = tx.CreatesOrDeletesWaiting(r.opt.Integration.Name, p.local.Name)
		return err
	})
	if err != nil || waiting {
		return false, err
	}
	where, err := downloadFilter(p, r.res.Started)
	if err != nil {
		return false, err
	}
	pg, err := reader.ReadPage(ctx, connector.Query{Entity: p.em.External, Fields: []string{p.key.ext}, Filter: where, PageSize: 1, Count: true}, "")
	if err != nil {
		return false, fmt.Errorf("count %s: %w", p.em.External, err)
	}
	if pg.Total < 0 {
		return false, nil
	}
	var local int64
	err = r.engine.Store.View(ctx, func(tx *store.Tx) (err error) {
		local, err = tx.Count(p.local.Name, quoteIdent(p.key.local.Name)+" IS NOT NULL", nil)
		return err
	})
	return err == nil && local == pg.Total, err
}

func (r *run) overlap() time.Duration {
	if r.sync.opt.Overlap > 0 {
		return r.sync.opt.Overlap
	}
	return DefaultOverlap
}

// readPages reads q page by page and writes each page with the anchor it
// reaches in one transaction. A full read records the keys it sees for the
// reconciliation and saves its anchor with its last page only, so that a
// full read stopped halfway starts again.
func (r *run) readPages(ctx context.Context, idx int, p *entityPlan, reader connector.Reader, q connector.Query, lg *readLog, next *downAnchor, saveAnchor bool) error {
	in := r.opt.Integration.Name
	var done int64
	return r.eachPage(ctx, p, reader, q, lg, true, func(page connector.Page, items []*item, total int64) (bool, error) {
		recs := page.Records
		for _, rec := range recs {
			if r.sync.retried != nil {
				r.sync.retried[fmt.Sprint(rec[p.key.ext])] = true
			}
			if t, ok := rec[r.sync.cursor].(time.Time); ok && t.After(next.Cursor) {
				next.Cursor = t
			}
		}
		last := page.Next == ""
		if page.Delta != "" {
			next.Delta = page.Delta
		}
		var results []RecordResult
		err := r.engine.Store.Apply(context.WithoutCancel(ctx), func(tx *store.Tx) error {
			var deferred []*deferredRecord
			var err error
			results, deferred, err = r.importPage(tx, idx, p, items)
			if err != nil {
				return err
			}
			removed, err := r.applyRemoved(tx, p, page.Deleted)
			if err != nil {
				return err
			}
			results = append(results, removed...)
			if err := r.quarantinePage(tx, p, results, deferred); err != nil {
				return err
			}
			r.deferred = append(r.deferred, deferred...)
			if r.sync.full && !r.sync.isDelta(q) {
				if err := tx.AddSeen(in, p.em.External, pageKeys(p, recs)); err != nil {
					return err
				}
			}
			if saveAnchor && (!r.sync.full || last) {
				b, _ := json.Marshal(next)
				if err := tx.SetAnchor(in, p.em.External, "download", string(b)); err != nil {
					return err
				}
			}
			if err := r.logFailures(tx, results); err != nil {
				return err
			}
			return r.logEntity(tx, idx, r.pageCounts(idx, results))
		})
		if err != nil {
			return false, fmt.Errorf("write %s: %w", p.em.Local, err)
		}
		done += int64(len(recs))
		r.commit(idx, results, done, total)
		recycle(items)
		return false, nil
	})
}

func (s *syncState) isDelta(q connector.Query) bool { return q.Track || q.Delta != "" }

// pageKeys returns the external keys of recs as the workspace stores them, in text.
func pageKeys(p *entityPlan, recs []meta.Record) []string {
	out := make([]string, 0, len(recs))
	for _, rec := range recs {
		if k, err := store.EncodeValue(p.key.local.Type, rec[p.key.ext]); err == nil && k != nil {
			out = append(out, keyText(k))
		}
	}
	return out
}

// retryQuarantined reads the quarantined records of an entity again by key
// and writes them; those the system no longer has leave the quarantine.
func (r *run) retryQuarantined(ctx context.Context, idx int, p *entityPlan, reader connector.Reader, keys []string) error {
	q := connector.Query{Entity: p.em.External, Fields: p.externalFields()}
	all := make([]any, len(keys))
	for i, k := range keys {
		all[i] = k
	}
	chunks, err := keyFilters(ctx, reader, q, p, all)
	if err != nil {
		return err
	}
	start := 0
	for _, c := range chunks {
		batch := keys[start : start+c.keys]
		start += c.keys
		q.Filter, q.PageSize = c.filter, c.keys
		next := r.sync.prev
		r.sync.retried = map[string]bool{}
		err := r.readPages(ctx, idx, p, reader, q, r.logRead(idx, q, " (quarantined records, read again)"), &next, false)
		retried := r.sync.retried
		r.sync.retried = nil
		if err != nil {
			return err
		}
		err = r.engine.Store.Apply(context.WithoutCancel(ctx), func(tx *store.Tx) error {
			for _, k := range batch {
				if !retried[k] { // no longer in the external system
					if err := tx.Release(r.opt.Integration.Name, p.em.External, "download", k, ""); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
