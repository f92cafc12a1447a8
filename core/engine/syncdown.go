package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"switchyard/core/connector"
	"switchyard/core/filter"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/store"
)

// The download stage of a sync: plan (planDown: fully, by delta link or
// since the anchor), read the external changes page by page, merge them with
// the local ones (syncmerge.go), write each page with its anchor, then find
// what the external system deleted (reconcile).

// downAnchor is the download anchor of an entity as sy_integration_syncanchor keeps it (JSON).
type downAnchor struct {
	// Cursor is the greatest change timestamp synced.
	Cursor time.Time `json:"cursor,omitzero"`
	// Delta is the delta link of a system that tracks changes.
	Delta string `json:"delta,omitempty"`
	// Field is the cursor field the timestamp belongs to.
	Field string `json:"field,omitempty"`
}

// downSync is the download of one entity in a sync: what planDown decided
// from the entity's anchor, and what the reading learns on its way. It is
// passed through the download's stages (read, merge, write, reconcile)
// rather than kept in the run, so that each stage says what it uses.
type downSync struct {
	idx int // the entity's index in the run's results
	p   *entityPlan
	// cursor is the change timestamp field, "" when the entity has none.
	cursor string
	// prev is the anchor the sync started from.
	prev downAnchor
	// full reads every record; delta follows the system's change tracking.
	full, delta bool
	// quarantined holds the keys of the records that failed before (read again).
	quarantined map[string]bool
	// policy is the conflict policy, "" when the entity does not upload too.
	policy mapping.Conflict
	// retried collects the keys read while quarantined records are read again.
	retried map[string]bool
}

// planDown decides how the sync downloads entity idx: fully or from its
// anchor, by delta links or by its change cursor.
func (r *run) planDown(ctx context.Context, idx int, p *entityPlan) (*downSync, error) {
	in := r.opt.Integration.Name
	ds := &downSync{idx: idx, p: p, cursor: r.cursorField(p), full: r.sync.opt.Full, quarantined: map[string]bool{}}
	if runs(p.em, Export) {
		ds.policy = p.em.Conflict.Policy()
	}
	var raw string
	var keys []string
	err := r.engine.Workspace.View(ctx, func(tx Tx) (err error) {
		if raw, err = tx.Anchor(in, p.em.External, "download"); err != nil {
			return err
		}
		keys, err = tx.QuarantinedKeys(in, p.em.External)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		ds.quarantined[k] = true
	}
	if raw == "" {
		ds.full = true
	} else if err := json.Unmarshal([]byte(raw), &ds.prev); err != nil {
		ds.full = true // an anchor this version cannot read: start again from a full read
	}
	if dr, ok := r.conn.(connector.DeltaReader); ok {
		if ds.delta, err = dr.TracksChanges(ctx, p.em.External); err != nil {
			return nil, fmt.Errorf("ask whether %s tracks changes: %w", p.em.External, err)
		}
	}
	switch {
	case !ds.delta && ds.cursor != "" && ds.prev.Field != "" && ds.prev.Field != ds.cursor:
		ds.full = true // the cursor field changed: the anchor means nothing for it
	case !ds.delta && ds.cursor == "":
		ds.full = true // nothing tells what changed: read everything every time
	case ds.delta && !ds.full && ds.prev.Delta == "":
		if ds.cursor != "" && !ds.prev.Cursor.IsZero() && ds.prev.Field == ds.cursor {
			// The system gave no delta link (Dataverse, for a table without
			// change tracking): follow the change cursor instead of reading
			// everything on every sync.
			ds.delta = false
		} else {
			ds.full = true
		}
	}
	return ds, nil
}

// query is the read of the download: the entity's mapped fields and its
// change cursor, within the download filter where, and fully, by delta link
// or since the anchor.
func (ds *downSync) query(r *run, cond filter.Expr) connector.Query {
	q := ds.p.readQuery(cond, r.opt.PageSize)
	q.Count = true
	if ds.cursor != "" && !slices.Contains(q.Fields, ds.cursor) {
		q.Fields = append(q.Fields, ds.cursor)
	}
	switch {
	case ds.delta && ds.full:
		q.Track = true
	case ds.delta:
		q.Delta, q.Count = ds.prev.Delta, false
	case !ds.full:
		q.Since, q.CursorField, q.Overlap = ds.prev.Cursor, ds.cursor, r.overlap()
	}
	return q
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
	ds, err := r.planDown(ctx, idx, p)
	if err != nil {
		return err
	}
	cond, err := downloadFilter(p, r.res.Started)
	if err != nil {
		return err
	}
	q := ds.query(r, cond)
	lg := r.logRead(idx, q, syncNote(q))
	next := ds.prev
	next.Field = ds.cursor
	if ds.full {
		next.Cursor = time.Time{}
		if err := r.engine.Workspace.Apply(ctx, func(tx Tx) error { return tx.ClearSeen(r.opt.Integration.Name, p.em.External) }); err != nil {
			return err
		}
	}
	if err := r.readPages(ctx, ds, reader, q, lg, &next, true); err != nil {
		return err
	}
	if len(ds.quarantined) > 0 && !ds.full {
		if err := r.retryQuarantined(ctx, ds, reader); err != nil {
			return err
		}
	}
	switch {
	case ds.full && !ds.delta:
		return r.reconcile(ctx, idx, p, false)
	case !ds.delta:
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
	err := r.engine.Workspace.View(ctx, func(tx Tx) (err error) {
		waiting, err = tx.CreatesOrDeletesWaiting(r.opt.Integration.Name, p.local.Name)
		return err
	})
	if err != nil || waiting {
		return false, err
	}
	cond, err := downloadFilter(p, r.res.Started)
	if err != nil {
		return false, err
	}
	q := connector.Query{Entity: p.em.External, Fields: []string{p.key.ext}, PageSize: 1, Count: true}
	q.SetWhere(cond)
	pg, err := reader.ReadPage(ctx, q, "")
	if err != nil {
		return false, fmt.Errorf("count %s: %w", p.em.External, err)
	}
	if pg.Total < 0 {
		return false, nil
	}
	var local int64
	err = r.engine.Workspace.View(ctx, func(tx Tx) (err error) {
		local, err = tx.CountKeyed(p.local.Name, p.key.local.Name)
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
func (r *run) readPages(ctx context.Context, ds *downSync, reader connector.Reader, q connector.Query, lg *readLog, next *downAnchor, saveAnchor bool) error {
	in := r.opt.Integration.Name
	idx, p := ds.idx, ds.p
	var done int64
	return r.eachPage(ctx, p, reader, q, lg, convertedKeepingRecords, func(page connector.Page, items []*item, total int64) (bool, error) {
		recs := page.Records
		for _, rec := range recs {
			if ds.retried != nil {
				ds.retried[fmt.Sprint(rec[p.key.ext])] = true
			}
			if t, ok := rec[ds.cursor].(time.Time); ok && t.After(next.Cursor) {
				next.Cursor = t
			}
		}
		last := page.Next == ""
		if page.Delta != "" {
			next.Delta = page.Delta
		}
		var results []RecordResult
		err := r.engine.Workspace.Apply(context.WithoutCancel(ctx), func(tx Tx) error {
			var deferred []*deferredRecord
			var err error
			results, deferred, err = r.importPage(tx, idx, p, items, ds)
			if err != nil {
				return err
			}
			results = append(results, problemResults(p, page)...)
			removed, err := r.applyRemoved(tx, p, page.Deleted)
			if err != nil {
				return err
			}
			results = append(results, removed...)
			if err := r.quarantinePage(tx, ds, results, deferred); err != nil {
				return err
			}
			r.deferred = append(r.deferred, deferred...)
			if ds.full && !q.Track && q.Delta == "" {
				if err := tx.AddSeen(in, p.em.External, pageKeys(p, recs)); err != nil {
					return err
				}
			}
			if saveAnchor && (!ds.full || last) {
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
func (r *run) retryQuarantined(ctx context.Context, ds *downSync, reader connector.Reader) error {
	idx, p := ds.idx, ds.p
	q := p.readQuery(nil, 0)
	keys := make([]string, 0, len(ds.quarantined))
	for k := range ds.quarantined {
		keys = append(keys, k)
	}
	slices.Sort(keys)
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
		q.Filter, q.Where, q.PageSize = c.filter, c.cond, c.keys
		next := ds.prev
		ds.retried = map[string]bool{}
		err := r.readPages(ctx, ds, reader, q, r.logRead(idx, q, " (quarantined records, read again)"), &next, false)
		retried := ds.retried
		ds.retried = nil
		if err != nil {
			return err
		}
		err = r.engine.Workspace.Apply(context.WithoutCancel(ctx), func(tx Tx) error {
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

// syncNote says in the log what kind of read a sync's read is.
func syncNote(q connector.Query) string {
	switch {
	case q.Delta != "":
		return " (delta since the last sync)"
	case q.Track:
		return " (tracking changes)"
	case !q.Since.IsZero():
		return fmt.Sprintf(" (changed since %s, %s overlap, cursor %s)", q.Since.UTC().Format(time.RFC3339), q.Overlap, q.CursorField)
	}
	return ""
}

// quarantinePage keeps the page's failed records, and those waiting for a
// lookup, in the quarantine, and releases the quarantined ones that succeeded.
func (r *run) quarantinePage(tx Tx, ds *downSync, results []RecordResult, deferred []*deferredRecord) error {
	in, p := r.opt.Integration.Name, ds.p
	for _, rr := range results {
		switch {
		case rr.Action == Fail && rr.Key != "":
			if err := tx.Quarantine(store.Quarantined{Integration: in, Entity: p.em.External, Direction: "download", Key: rr.Key, Reason: rr.Error}); err != nil {
				return err
			}
		case rr.Action != Fail && ds.quarantined[rr.Key]:
			if err := tx.Release(in, p.em.External, "download", rr.Key, ""); err != nil {
				return err
			}
		}
	}
	for _, d := range deferred {
		if d.res.Key == "" {
			continue
		}
		// Written without a lookup whose target comes later in this sync: if the
		// sync stops before that, the next one reads the record again.
		if err := tx.Quarantine(store.Quarantined{Integration: in, Entity: p.em.External, Direction: "download", Key: d.res.Key,
			Reason: "waiting for the target of a lookup, later in the sync"}); err != nil {
			return err
		}
	}
	return nil
}

// settleDeferred releases a deferred record whose lookups were completed, or
// keeps it quarantined with the reason it failed.
func (ds *downSync) settleDeferred(tx Tx, r *run, d *deferredRecord) error {
	if d.res.Key == "" {
		return nil
	}
	in := r.opt.Integration.Name
	if d.res.Action == Fail {
		return tx.Quarantine(store.Quarantined{Integration: in, Entity: d.plan.em.External, Direction: "download", Key: d.res.Key, Reason: d.res.Error})
	}
	return tx.Release(in, d.plan.em.External, "download", d.res.Key, "")
}

// applyRemoved deletes the local rows of records a delta read reports deleted,
// except rows with local changes waiting for upload (those are not thrown away).
func (r *run) applyRemoved(tx Tx, p *entityPlan, removed []meta.Record) ([]RecordResult, error) {
	if len(removed) == 0 {
		return nil, nil
	}
	var keys []any
	for _, rec := range removed {
		if k, err := store.EncodeValue(p.key.local.Type, rec[p.key.ext]); err == nil && k != nil {
			keys = append(keys, k)
		}
	}
	found, err := tx.FindBy(p.local.Name, p.key.local.Name, keys, nil)
	if err != nil {
		return nil, err
	}
	var rows []store.Row
	for _, row := range found {
		rows = append(rows, row)
	}
	return r.deleteLocal(tx, p, rows)
}

// deleteLocal deletes rows (each with its id, and its key under the key
// field) that the external system no longer has. A row with local changes
// waiting for upload is kept, and the conflict logged: the upload sends it again.
func (r *run) deleteLocal(tx Tx, p *entityPlan, rows []store.Row) ([]RecordResult, error) {
	in := r.opt.Integration.Name
	ids := make([]string, len(rows))
	for i, row := range rows {
		ids[i] = row.ID
	}
	changed, err := tx.ChangedLocally(in, p.local.Name, ids)
	if err != nil {
		return nil, err
	}
	var out []RecordResult
	for _, row := range rows {
		key := fmt.Sprint(row.Values[p.key.local.Name])
		if op, ok := changed[row.ID]; ok && op != "delete" {
			err := tx.AddConflict(store.ConflictRecord{Integration: in, LogID: r.res.LogID, Entity: p.em.External, Key: key,
				Policy: string(p.em.Conflict.Policy()), Winner: "local", Local: map[string]any{"id": row.ID, "change": op},
				External: map[string]any{"deleted": true}})
			if err != nil {
				return nil, err
			}
			out = append(out, RecordResult{Entity: p.em.External, Key: key, Action: Unchanged,
				Error: "deleted in the external system, but changed locally: kept, and sent again"})
			continue
		}
		if err := tx.DeleteRow(p.local.Name, row.ID); err != nil {
			return nil, err
		}
		out = append(out, RecordResult{Entity: p.em.External, Key: key, Action: Delete})
	}
	return out, nil
}

// reconcile removes the local rows whose key the external system no longer
// has (within the download filter). With readKeys it first reads every key
// (the key field only); a full read recorded them as it went.
func (r *run) reconcile(ctx context.Context, idx int, p *entityPlan, readKeys bool) error {
	in := r.opt.Integration.Name
	if readKeys {
		reader := r.conn.(connector.Reader)
		cond, err := downloadFilter(p, r.res.Started)
		if err != nil {
			return err
		}
		q := connector.Query{Entity: p.em.External, Fields: []string{p.key.ext}, PageSize: r.opt.PageSize}
		q.SetWhere(cond)
		lg := r.logRead(idx, q, " (keys, to find deletions)")
		if err := r.engine.Workspace.Apply(ctx, func(tx Tx) error { return tx.ClearSeen(in, p.em.External) }); err != nil {
			return err
		}
		err = r.eachPage(ctx, p, reader, q, lg, rawPages, func(page connector.Page, _ []*item, _ int64) (bool, error) {
			return false, r.engine.Workspace.Apply(ctx, func(tx Tx) error { return tx.AddSeen(in, p.em.External, pageKeys(p, page.Records)) })
		})
		if err != nil {
			return fmt.Errorf("find the deletions in %s: %w", p.em.External, err)
		}
	}
	after := ""
	for {
		var results []RecordResult
		var n int
		err := r.engine.Workspace.Apply(context.WithoutCancel(ctx), func(tx Tx) error {
			rows, err := tx.Unseen(in, p.em.External, p.local.Name, p.key.local.Name, after, r.pageSize())
			if err != nil || len(rows) == 0 {
				return err
			}
			n, after = len(rows), rows[len(rows)-1].ID
			if results, err = r.deleteLocal(tx, p, rows); err != nil {
				return err
			}
			return r.logEntity(tx, idx, r.pageCounts(idx, results))
		})
		if err != nil {
			return fmt.Errorf("remove the %s no longer in %s: %w", p.local.Name, p.em.External, err)
		}
		if n == 0 {
			break
		}
		r.commit(idx, results, 0, -1)
	}
	if !readKeys && runs(p.em, Export) {
		// The keys of a full read tell the upload which rows the read wrote
		// (they have nothing to send): syncUp clears them.
		r.sync.readAll[p.em.External] = true
		return nil
	}
	return r.engine.Workspace.Apply(context.WithoutCancel(ctx), func(tx Tx) error { return tx.ClearSeen(in, p.em.External) })
}
