package engine

import (
	"context"
	"fmt"
	"time"

	"switchyard/core/connector"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/store"
)

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
func (r *run) quarantinePage(tx *store.Tx, p *entityPlan, results []RecordResult, deferred []*deferredRecord) error {
	in := r.opt.Integration.Name
	for _, rr := range results {
		switch {
		case rr.Action == Fail && rr.Key != "":
			if err := tx.Quarantine(store.Quarantined{Integration: in, Entity: p.em.External, Direction: "download", Key: rr.Key, Reason: rr.Error}); err != nil {
				return err
			}
		case rr.Action != Fail && r.sync.quarantined[rr.Key]:
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
func (s *syncState) settleDeferred(tx *store.Tx, r *run, d *deferredRecord) error {
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
func (r *run) applyRemoved(tx *store.Tx, p *entityPlan, removed []meta.Record) ([]RecordResult, error) {
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
func (r *run) deleteLocal(tx *store.Tx, p *entityPlan, rows []store.Row) ([]RecordResult, error) {
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
		where, err := downloadFilter(p, r.res.Started)
		if err != nil {
			return err
		}
		q := connector.Query{Entity: p.em.External, Fields: []string{p.key.ext}, Filter: where, PageSize: r.opt.PageSize}
		lg := r.logRead(idx, q, " (keys, to find deletions)")
		if err := r.engine.Store.Apply(ctx, func(tx *store.Tx) error { return tx.ClearSeen(in, p.em.External) }); err != nil {
			return err
		}
		err = r.eachPage(ctx, p, reader, q, lg, false, func(page connector.Page, _ []*item, _ int64) (bool, error) {
			return false, r.engine.Store.Apply(ctx, func(tx *store.Tx) error { return tx.AddSeen(in, p.em.External, pageKeys(p, page.Records)) })
		})
		if err != nil {
			return fmt.Errorf("find the deletions in %s: %w", p.em.External, err)
		}
	}
	after := ""
	for {
		var results []RecordResult
		var n int
		err := r.engine.Store.Apply(context.WithoutCancel(ctx), func(tx *store.Tx) error {
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
	return r.engine.Store.Apply(context.WithoutCancel(ctx), func(tx *store.Tx) error { return tx.ClearSeen(in, p.em.External) })
}

// resolve merges, for the page's records of a bidirectional entity, the
// external changes with the local ones waiting for upload, field by field
// against the baseline (what the last sync read or wrote, see
// store.Baselines): a field changed on one side only takes that side's
// value, and only a field changed on both sides to different values is a
// conflict, settled by the entity's policy and logged with both values. A
// local row without a baseline (changed before baselines were kept, or
// queued by a full upload) is settled as a whole by the policy, as is a
// record deleted locally and waiting for the deletion's upload.
func (s *syncState) resolve(tx *store.Tx, r *run, p *entityPlan, items []*item, existing map[string]store.Row) error {
	if s.policy == "" {
		return nil
	}
	in := r.opt.Integration.Name
	var ids []string
	for _, it := range items {
		if row, ok := existing[keyText(it.key)]; ok && it.res.Action != Fail {
			ids = append(ids, row.ID)
		}
	}
	changed, err := tx.ChangedLocally(in, p.local.Name, ids)
	if err != nil {
		return err
	}
	deleted, err := tx.DeletedLocally(in, p.local.Name, p.key.local.Name)
	if err != nil {
		return err
	}
	if len(changed) == 0 && len(deleted) == 0 {
		return nil
	}
	var candidates []string
	for _, id := range deleted {
		candidates = append(candidates, id)
	}
	changedIDs := make([]string, 0, len(changed))
	for id := range changed {
		candidates = append(candidates, id)
		changedIDs = append(changedIDs, id)
	}
	baselines, err := tx.Baselines(in, p.local.Name, changedIDs)
	if err != nil {
		return err
	}
	uploaded, err := tx.LastUploads(in, p.local.Name, candidates)
	if err != nil {
		return err
	}
	stamps := map[string]store.Row{}
	if s.policy == mapping.ConflictNewest {
		ids := make([]any, len(changedIDs))
		for i, id := range changedIDs {
			ids[i] = id
		}
		if stamps, err = tx.FindBy(p.local.Name, "id", ids, []string{"modifiedon"}); err != nil {
			return err
		}
	}
	for _, it := range items {
		if it.res.Action == Fail {
			continue
		}
		row, ok := existing[keyText(it.key)]
		var localID string
		switch {
		case ok && changed[row.ID] != "":
			localID = row.ID
		case !ok && deleted[keyText(it.key)] != "":
			localID = deleted[keyText(it.key)]
		default:
			continue
		}
		if base, known := baselines[localID]; ok && known {
			if err := s.merge(tx, r, p, it, row, base, stamps[localID]); err != nil {
				return err
			}
			continue
		}
		if !s.changedExternally(it, uploaded[localID]) {
			// Read again only through the overlap or a full read: the local change goes up.
			it.skip, it.res.Action = true, Unchanged
			continue
		}
		if ok && same(p, it, row) {
			continue // both sides agree: nothing to decide
		}
		winner := s.winner(it, stamps[localID], ok)
		localVals := map[string]any{"id": localID}
		if ok {
			for k, v := range row.Values {
				localVals[k] = v
			}
		} else {
			localVals["deleted"] = true
		}
		external := map[string]any{}
		for k, v := range it.values {
			external[k] = v
		}
		err := tx.AddConflict(store.ConflictRecord{Integration: in, LogID: r.res.LogID, Entity: p.em.External, Key: it.res.Key,
			Policy: string(s.policy), Winner: string(winner), Local: localVals, External: external})
		if err != nil {
			return err
		}
		if winner == mapping.ConflictLocal {
			it.skip, it.res.Action = true, Unchanged
			continue
		}
		// The external version wins: the local change is superseded and not sent.
		if err := tx.FinishChange(in, p.local.Name, localID, 1<<62, "done", "", "conflict: the external version won"); err != nil {
			return err
		}
	}
	return nil
}

// merge merges the external record it into the local row, which has
// changes waiting for upload, field by field against the row's baseline:
// it.values keeps the external values the row takes (fields changed there
// only, and conflicts the external side wins) and loses the others (fields
// changed here, which the upload sends). The external record becomes the
// row's baseline, so that the upload sends only what changed here.
func (s *syncState) merge(tx *store.Tx, r *run, p *entityPlan, it *item, row store.Row, base map[string]any, stamp store.Row) error {
	in := r.opt.Integration.Name
	read := make(map[string]any, len(it.values))
	for k, v := range it.values {
		read[k] = v
	}
	var both []string
	for _, name := range p.localFields() {
		x, ok := it.values[name]
		if !ok {
			continue
		}
		f, _ := p.local.Field(name)
		l := row.Values[name]
		if store.SameStored(f.Type, l, base[name]) {
			continue // not changed here: the external value, changed or not, is the one to keep
		}
		if store.SameStored(f.Type, x, base[name]) || store.SameStored(f.Type, x, l) {
			delete(it.values, name) // changed here only, or alike on both sides: the local value stays
			continue
		}
		both = append(both, name)
	}
	if len(both) > 0 {
		winner := s.winner(it, stamp, true)
		localVals, external := map[string]any{"id": row.ID}, map[string]any{}
		for _, name := range both {
			localVals[name], external[name] = row.Values[name], it.values[name]
			if winner == mapping.ConflictLocal {
				delete(it.values, name)
			}
		}
		err := tx.AddConflict(store.ConflictRecord{Integration: in, LogID: r.res.LogID, Entity: p.em.External, Key: it.res.Key,
			Policy: string(s.policy), Winner: string(winner), Local: localVals, External: external})
		if err != nil {
			return err
		}
	}
	return tx.SetBaseline(in, p.local.Name, row.ID, read)
}

// changedExternally reports whether the record changed in the external system
// since the anchor the sync started from and since this workspace last
// uploaded it (its own upload read back is no external change); always true
// when nothing tells. It takes the two clocks to agree within the overlap.
func (s *syncState) changedExternally(it *item, uploaded time.Time) bool {
	if s.cursor == "" {
		return true
	}
	t, ok := it.rec[s.cursor].(time.Time)
	if !ok {
		return true
	}
	if !uploaded.IsZero() && !t.After(uploaded) {
		return false
	}
	return s.prev.Cursor.IsZero() || t.After(s.prev.Cursor)
}

// winner decides a conflict by the policy; newest compares the external
// change timestamp with the local row's modifiedon.
func (s *syncState) winner(it *item, stamp store.Row, exists bool) mapping.Conflict {
	switch s.policy {
	case mapping.ConflictLocal:
		return mapping.ConflictLocal
	case mapping.ConflictNewest:
		ext, ok := it.rec[s.cursor].(time.Time)
		if !ok || !exists {
			return mapping.ConflictExternal
		}
		local, err := time.Parse(time.RFC3339Nano, fmt.Sprint(stamp.Values["modifiedon"]))
		if err == nil && local.After(ext) {
			return mapping.ConflictLocal
		}
	}
	return mapping.ConflictExternal
}

// same reports whether the external values of it equal the local row's.
func same(p *entityPlan, it *item, row store.Row) bool {
	for _, name := range p.localFields() {
		v, ok := it.values[name]
		if !ok {
			continue
		}
		f, _ := p.local.Field(name)
		if !store.SameStored(f.Type, v, row.Values[name]) {
			return false
		}
	}
	return len(it.pending) == 0
}
