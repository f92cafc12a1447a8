package engine

import (
	"fmt"
	"time"

	"switchyard/core/mapping"
	"switchyard/core/store"
	"switchyard/core/values"
)

// The merge of a sync's download: the records changed on both sides since
// the last sync are settled field by field against their baselines.

// resolve merges, for the page's records of a bidirectional entity, the
// external changes with the local ones waiting for upload, field by field
// against the baseline (what the last sync read or wrote, see
// store.Baselines): a field changed on one side only takes that side's
// value, and only a field changed on both sides to different values is a
// conflict, settled by the entity's policy and logged with both values. A
// local row without a baseline (changed before baselines were kept, or
// queued by a full upload) is settled as a whole by the policy, as is a
// record deleted locally and waiting for the deletion's upload.
func (s *downSync) resolve(tx Tx, r *run, items []*item, existing map[string]store.Row) error {
	if s.policy == "" {
		return nil
	}
	local, err := s.localSide(tx, r, items, existing)
	if err != nil || local == nil {
		return err
	}
	for _, it := range items {
		if it.res.Action == Fail {
			continue
		}
		row, ok := existing[keyText(it.key)]
		var localID string
		switch {
		case ok && local.changed[row.ID] != "":
			localID = row.ID
		case !ok && local.deleted[keyText(it.key)] != "":
			localID = local.deleted[keyText(it.key)]
		default:
			continue
		}
		if base, known := local.baselines[localID]; ok && known {
			if err := s.merge(tx, r, s.p, it, row, base, local.stamps[localID]); err != nil {
				return err
			}
			continue
		}
		if err := s.settleWhole(tx, r, it, row, ok, localID, local); err != nil {
			return err
		}
	}
	return nil
}

// localSide is what a page's merge needs of the local rows with changes
// waiting for upload.
type localSide struct {
	changed map[string]string // by row id: the operation of the latest change
	deleted map[string]string // by key text: the id of a row deleted locally
	// baselines are the rows' values as the last sync left them (store.Baselines).
	baselines map[string]map[string]any
	uploaded  map[string]time.Time // by row id: when the row was last uploaded
	stamps    map[string]store.Row // by row id: modifiedon, for the policy "newest"
}

// localSide reads the local side of the page's records; nil when none of
// them has a local change waiting.
func (s *downSync) localSide(tx Tx, r *run, items []*item, existing map[string]store.Row) (*localSide, error) {
	p, in := s.p, r.opt.Integration.Name
	var ids []string
	for _, it := range items {
		if row, ok := existing[keyText(it.key)]; ok && it.res.Action != Fail {
			ids = append(ids, row.ID)
		}
	}
	l := &localSide{stamps: map[string]store.Row{}}
	var err error
	if l.changed, err = tx.ChangedLocally(in, p.local.Name, ids); err != nil {
		return nil, err
	}
	if l.deleted, err = tx.DeletedLocally(in, p.local.Name, p.key.local.Name); err != nil {
		return nil, err
	}
	if len(l.changed) == 0 && len(l.deleted) == 0 {
		return nil, nil
	}
	var candidates []string
	for _, id := range l.deleted {
		candidates = append(candidates, id)
	}
	changedIDs := make([]string, 0, len(l.changed))
	for id := range l.changed {
		candidates = append(candidates, id)
		changedIDs = append(changedIDs, id)
	}
	if l.baselines, err = tx.Baselines(in, p.local.Name, changedIDs); err != nil {
		return nil, err
	}
	if l.uploaded, err = tx.LastUploads(in, p.local.Name, candidates); err != nil {
		return nil, err
	}
	if s.policy == mapping.ConflictNewest {
		keys := make([]any, len(changedIDs))
		for i, id := range changedIDs {
			keys[i] = id
		}
		if l.stamps, err = tx.FindBy(p.local.Name, "id", keys, []string{"modifiedon"}); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// settleWhole settles by the policy, as a whole, the record it whose local
// row localID (row, when exists; else deleted locally) has a change waiting
// and no baseline to merge field by field against, and logs the conflict.
func (s *downSync) settleWhole(tx Tx, r *run, it *item, row store.Row, exists bool, localID string, local *localSide) error {
	p, in := s.p, r.opt.Integration.Name
	if !s.changedExternally(it, local.uploaded[localID]) {
		// Read again only through the overlap or a full read: the local change goes up.
		it.skip, it.res.Action = true, Unchanged
		return nil
	}
	if exists && same(p, it, row) {
		return nil // both sides agree: nothing to decide
	}
	winner := s.winner(it, local.stamps[localID], exists)
	localVals := map[string]any{"id": localID}
	if exists {
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
		return nil
	}
	// The external version wins: the local change is superseded and not sent.
	return tx.FinishChange(in, p.local.Name, localID, 1<<62, "done", "", "conflict: the external version won")
}

// merge merges the external record it into the local row, which has
// changes waiting for upload, field by field against the row's baseline:
// it.values keeps the external values the row takes (fields changed there
// only, and conflicts the external side wins) and loses the others (fields
// changed here, which the upload sends). The external record becomes the
// row's baseline, so that the upload sends only what changed here.
func (s *downSync) merge(tx Tx, r *run, p *entityPlan, it *item, row store.Row, base map[string]any, stamp store.Row) error {
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
func (s *downSync) changedExternally(it *item, uploaded time.Time) bool {
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
func (s *downSync) winner(it *item, stamp store.Row, exists bool) mapping.Conflict {
	switch s.policy {
	case mapping.ConflictLocal:
		return mapping.ConflictLocal
	case mapping.ConflictNewest:
		ext, ok := it.rec[s.cursor].(time.Time)
		if !ok || !exists {
			return mapping.ConflictExternal
		}
		local, err := values.ParseDateTime(fmt.Sprint(stamp.Values["modifiedon"]))
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
