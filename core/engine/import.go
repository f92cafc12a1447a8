package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"switchyard/core/connector"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/store"
)

// item is one record of a page on its way into the workspace.
type item struct {
	res    RecordResult
	key    any            // the encoded primary key
	values map[string]any // local field → encoded value
	// lookupKeys are the encoded target keys of the lookups, by lookup index.
	lookupKeys map[int]any
	// pending are the lookups whose target is not there yet but may come later in the run.
	pending []int
	// rec is the external record, kept for a sync only (it reads its change cursor).
	rec meta.Record
	// skip leaves the local row as it is: a sync keeps a local change that wins.
	skip bool
}

// valueMaps holds the value maps of written pages for converting later ones:
// an import of a million records would otherwise make a million maps for the
// garbage collector (about a fifth of what an import allocated).
var valueMaps sync.Pool

// newValues returns an empty map for the values of a converted record.
func newValues(size int) map[string]any {
	if m, ok := valueMaps.Get().(map[string]any); ok {
		return m
	}
	return make(map[string]any, size)
}

// recycle gives the value maps of a written page back to newValues. Nothing
// may refer to them afterwards: the page's results and log hold copies.
func recycle(items []*item) {
	for _, it := range items {
		if it.values != nil {
			clear(it.values)
			valueMaps.Put(it.values)
			it.values = nil
		}
	}
}

// warn adds a warning to the record's result: it is written with warnings.
func (it *item) warn(format string, args ...any) {
	it.res.Warning = joinWarning(it.res.Warning, fmt.Sprintf(format, args...))
}

func joinWarning(have, add string) string {
	if have == "" {
		return add
	}
	return have + "; " + add
}

func (it *item) fail(format string, args ...any) {
	if it.res.Action != Fail {
		it.res.Action, it.res.Error = Fail, fmt.Sprintf(format, args...)
	}
}

// deferredRecord is a record written without some lookups, to be completed
// once their targets are imported; its result is accounted for then.
type deferredRecord struct {
	idx     int // the entity's index in the run
	plan    *entityPlan
	id      string
	res     RecordResult
	lookups map[int]any // lookup index → encoded target key
	// ds is the entity's download in a sync (which keeps the record
	// quarantined until it is settled), nil in an import.
	ds *downSync
	// skipped is true once the record, created by this run, was removed
	// again because a lookup's target is missing (missingParent skip).
	skipped bool
}

func (r *run) importEntity(ctx context.Context, idx int, p *entityPlan) error {
	reader, ok := r.conn.(connector.Reader)
	if !ok {
		return configErrorf("the connector of %q cannot read records", r.opt.Integration.Name)
	}
	cond, err := downloadFilter(p, r.res.Started)
	if err != nil {
		return err
	}
	q := p.readQuery(cond, r.opt.PageSize)
	q.Count = true
	if r.opt.Preview {
		q.Limit = r.previewLimit() // a preview asks for its sample, not a full page
		if q.PageSize == 0 {
			q.PageSize = q.Limit
		}
	}
	lg := r.logRead(idx, q, "")
	if !r.opt.Preview {
		if err := r.indexKeys(ctx, p); err != nil {
			return err
		}
	}

	var done int64
	return r.eachPage(ctx, p, reader, q, lg, convertedPages, func(page connector.Page, items []*item, total int64) (bool, error) {
		if r.opt.Preview {
			if rest := r.previewLimit() - len(r.res.Entities[idx].Preview); len(items) > rest {
				items = items[:rest]
			}
			if err := r.predictTargets(ctx, p, reader, items); err != nil {
				return false, err
			}
		}
		var results []RecordResult
		var deferred []*deferredRecord
		// The page is written to the end even when the run is cancelled meanwhile.
		wctx := context.WithoutCancel(ctx)
		txFn := func(tx Tx) (err error) {
			results, deferred, err = r.importPage(tx, idx, p, items, nil)
			results = append(results, problemResults(p, page)...)
			if err != nil || r.opt.Preview {
				return err
			}
			if err := r.logFailures(tx, results); err != nil {
				return err
			}
			return r.logEntity(tx, idx, r.pageCounts(idx, results))
		}
		var err error
		if r.opt.Preview {
			err = r.engine.Workspace.View(wctx, txFn)
		} else {
			err = r.engine.Workspace.Apply(wctx, txFn)
		}
		if err != nil {
			return false, fmt.Errorf("write %s: %w", p.em.Local, err)
		}
		done += int64(len(items))
		r.deferred = append(r.deferred, deferred...)
		r.commit(idx, results, done, total)
		if !r.opt.Preview {
			recycle(items)
		}
		return r.opt.Preview && len(r.res.Entities[idx].Preview) >= r.previewLimit(), nil
	})
}

// indexKeys indexes the local fields the pages of p are matched by: its key
// and the keys its lookups resolve, so that matching a page reads only the
// rows it matches, however large the table.
func (r *run) indexKeys(ctx context.Context, p *entityPlan) error {
	if err := r.engine.Workspace.IndexField(ctx, p.local.Name, p.key.local.Name); err != nil {
		return fmt.Errorf("prepare %s: %w", p.local.Name, err)
	}
	for _, l := range p.lookups {
		if err := r.engine.Workspace.IndexField(ctx, l.target, l.targetKey.Name); err != nil {
			return fmt.Errorf("prepare %s: %w", p.local.Name, err)
		}
	}
	return nil
}

// importPage matches and (unless previewing) writes one page of converted
// records (convertRecord) inside tx. In a sync, ds is the entity's download,
// whose merge settles the records changed on both sides first; nil for an
// import. It returns the results of the records done, and the records whose
// lookups must wait for a later entity of the run.
func (r *run) importPage(tx Tx, idx int, p *entityPlan, items []*item, ds *downSync) ([]RecordResult, []*deferredRecord, error) {
	if err := r.resolveLookups(tx, p, items); err != nil {
		return nil, nil, err
	}
	keys := make([]any, 0, len(items))
	for _, it := range items {
		if it.res.Action != Fail {
			keys = append(keys, it.key)
		}
	}
	existing, err := tx.FindBy(p.local.Name, p.key.local.Name, keys, p.localFields())
	if err != nil {
		return nil, nil, err
	}
	if ds != nil {
		if err := ds.resolve(tx, r, items, existing); err != nil {
			return nil, nil, err
		}
	}
	results := r.results[:0]
	defer func() { r.results = results }()
	var deferred []*deferredRecord
	for _, it := range items {
		if it.res.Action == Fail || it.skip {
			results = append(results, it.res)
			continue
		}
		id, err := r.upsert(tx, p, it, existing)
		if err != nil {
			return nil, nil, err
		}
		if len(it.pending) > 0 && !r.opt.Preview {
			d := &deferredRecord{idx: idx, plan: p, id: id, res: it.res, lookups: map[int]any{}, ds: ds}
			for _, j := range it.pending {
				d.lookups[j] = it.lookupKeys[j]
			}
			deferred = append(deferred, d)
			continue
		}
		if it.res.Warning != "" {
			it.res.Action = Warn
		}
		results = append(results, it.res)
	}
	return results, deferred, nil
}

// problemResults are the records the reader left out of page
// (Page.Problems), each failed with its reason.
func problemResults(p *entityPlan, page connector.Page) []RecordResult {
	if len(page.Problems) == 0 {
		return nil
	}
	out := make([]RecordResult, 0, len(page.Problems))
	for _, pr := range page.Problems {
		msg := pr.Err.Error()
		if pr.Row > 0 && !strings.HasPrefix(msg, "row ") {
			msg = fmt.Sprintf("row %d: %s", pr.Row, msg)
		}
		out = append(out, RecordResult{Entity: p.em.External, Key: pr.Key, Action: Fail, Error: msg})
	}
	return out
}

// convertRecord maps one external record to local values in it, a zero
// item. It reads only p and rec, so it runs on the read-ahead goroutine.
func convertRecord(p *entityPlan, rec meta.Record, it *item) {
	*it = item{values: newValues(len(p.fields) + len(p.lookups)), rec: rec}
	if len(p.lookups) > 0 {
		it.lookupKeys = make(map[int]any, len(p.lookups))
	}
	it.res.Entity = p.em.External
	if raw := rec[p.key.ext]; raw != nil {
		it.res.Key = keyText(raw)
	}
	key, err := store.EncodeValue(p.key.local.Type, rec[p.key.ext])
	switch {
	case err != nil:
		it.fail("primary key %s (%s): %v", p.key.local.Name, p.key.ext, err)
	case key == nil || key == "":
		it.fail("primary key %s: the external field %s is empty", p.key.local.Name, p.key.ext)
	}
	it.key = key
	for _, f := range p.fields {
		raw := rec[f.ext]
		if f.fm.Keeps(raw) && f.local.Name != p.key.local.Name {
			continue
		}
		v, err := f.fm.Apply(raw)
		if err == nil {
			v, err = store.EncodeValue(f.local.Type, v)
		}
		if err != nil {
			it.fail("field %s (from %s): %v", f.local.Name, f.ext, err)
			continue
		}
		it.values[f.local.Name] = v
	}
	for j, l := range p.lookups {
		raw := rec[l.ext]
		if l.fm.Keeps(raw) {
			continue
		}
		if raw == nil {
			it.values[l.local.Name] = nil
			continue
		}
		v, err := store.EncodeValue(l.targetKey.Type, raw)
		if err != nil {
			it.fail("lookup %s (from %s): %v", l.local.Name, l.ext, err)
			continue
		}
		it.lookupKeys[j] = v
	}
}

// resolveLookups turns the target keys of the page's lookups into local ids.
// A target not found is pending when its entity is part of this run (it may
// come later, or later in this very entity); else the lookup's missingParent
// decides: the record is written without it with a warning (the default),
// fails, or is left out with a warning.
func (r *run) resolveLookups(tx Tx, p *entityPlan, items []*item) error {
	for j, l := range p.lookups {
		var keys []any
		for _, it := range items {
			if k, ok := it.lookupKeys[j]; ok && it.res.Action != Fail {
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			continue
		}
		found, err := tx.FindBy(l.target, l.targetKey.Name, keys, nil)
		if err != nil {
			return err
		}
		for _, it := range items {
			k, ok := it.lookupKeys[j]
			if !ok || it.res.Action == Fail {
				continue
			}
			if row, ok := found[keyText(k)]; ok {
				it.values[l.local.Name] = row.ID
				continue
			}
			if r.inRun(l.target) {
				// It may come later in the run; a preview knows whether it will (predictTargets).
				brought, predicted := r.predicted[l.local.Name]
				if !r.opt.Preview || !predicted || brought[keyText(k)] {
					it.pending = append(it.pending, j)
					continue
				}
			}
			missing := fmt.Sprintf("lookup %s: no %s has %s = %v", l.local.Name, l.target, l.targetKey.Name, k)
			if r.inRun(l.target) {
				missing += " (and this run does not bring it: the external system has none within the download filter)"
			}
			switch l.fm.MissingParent.Policy() {
			case mapping.MissingFail:
				it.fail("%s: import %s first (or set the lookup's missingParent to warn)", missing, l.target)
			case mapping.MissingSkip:
				it.skip, it.res.Action = true, Warn
				it.warn("%s: the record was left out (missingParent skip)", missing)
			default:
				it.values[l.local.Name] = nil
				it.warn("%s: written without it", missing)
			}
		}
	}
	return nil
}

// predictTargets tells a preview which of the page's lookup targets that are
// neither in the workspace nor read yet this run will bring: it asks the
// external system for their keys, within the target entity's download
// filter, so that the preview predicts each lookup's outcome (found later in
// the run, or missing and settled by missingParent) instead of guessing.
func (r *run) predictTargets(ctx context.Context, p *entityPlan, reader connector.Reader, items []*item) error {
	r.predicted = map[string]map[string]bool{}
	for j, l := range p.lookups {
		var target *entityPlan
		for _, tp := range r.plans {
			if tp.local.Name == l.target && runs(tp.em, Import) {
				target = tp
			}
		}
		if target == nil {
			continue
		}
		var keys []any
		for _, it := range items {
			if k, ok := it.lookupKeys[j]; ok && it.res.Action != Fail {
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			continue
		}
		cond, err := downloadFilter(target, r.res.Started)
		if err != nil {
			return err
		}
		found := map[string]bool{}
		q := connector.Query{Entity: target.em.External, Fields: []string{target.key.ext}}
		q.SetWhere(cond)
		_, _, err = readByKeys(ctx, reader, q, target, keys, func(rec meta.Record) {
			if k, err := store.EncodeValue(target.key.local.Type, rec[target.key.ext]); err == nil && k != nil {
				found[keyText(k)] = true
			}
		})
		if err != nil {
			return fmt.Errorf("preview the lookups of %s: %w", p.em.External, err)
		}
		r.predicted[l.local.Name] = found
	}
	return nil
}

// inRun reports whether the local entity is imported by this run.
func (r *run) inRun(local string) bool {
	for _, p := range r.plans {
		if p.local.Name == local && (r.sync == nil || runs(p.em, Import)) {
			return true
		}
	}
	return false
}

// upsert creates or updates the local row of it (nothing in a preview) and
// returns its id; existing holds the page's matched rows and learns the rows
// created, so that a key seen twice in a page updates the row made the first time.
func (r *run) upsert(tx Tx, p *entityPlan, it *item, existing map[string]store.Row) (string, error) {
	row, found := existing[keyText(it.key)]
	if !found {
		it.res.Action = Create
		if r.showsChanges() {
			it.res.Changes = make([]Change, 0, len(it.values))
			for _, name := range p.localFields() {
				if v, ok := it.values[name]; ok && v != nil {
					it.res.Changes = append(it.res.Changes, Change{Field: name, New: v})
				}
			}
		}
		id := ""
		if !r.opt.Preview {
			var err error
			if id, err = tx.Insert(p.local.Name, it.values); err != nil {
				return "", err
			}
		}
		existing[keyText(it.key)] = store.Row{ID: id, Values: it.values}
		return id, nil
	}
	changed := map[string]any{}
	for _, name := range p.localFields() {
		v, ok := it.values[name]
		if !ok {
			continue
		}
		f, _ := p.local.Field(name)
		if old := row.Values[name]; !store.SameStored(f.Type, v, old) {
			changed[name] = v
			it.res.Changes = append(it.res.Changes, Change{Field: name, Old: old, New: v})
		}
	}
	if len(changed) == 0 {
		it.res.Action = Unchanged
		return row.ID, nil
	}
	it.res.Action = Update
	if !r.opt.Preview {
		if err := tx.UpdateRow(p.local.Name, row.ID, changed); err != nil {
			return "", err
		}
	}
	for k, v := range changed {
		row.Values[k] = v
	}
	return row.ID, nil
}

// showsChanges reports whether a created record's result lists its values
// as changes: in a preview, where they are what the admin looks at. A run
// does not: a created record's fields are all new (the report and the app
// say so), and an import of a million records with a report would otherwise
// hold twenty million of them a page at a time (docs/performance.md, part 7).
func (r *run) showsChanges() bool { return r.opt.Preview }

// resolveDeferred completes the lookups that waited for entities imported
// later in the run, and accounts for those records.
func (r *run) resolveDeferred(ctx context.Context) error {
	const chunk = 500
	for start := 0; start < len(r.deferred); start += chunk {
		batch := r.deferred[start:min(start+chunk, len(r.deferred))]
		err := r.engine.Workspace.Apply(context.WithoutCancel(ctx), func(tx Tx) error {
			for _, d := range batch {
				if err := r.completeLookups(tx, d); err != nil {
					return err
				}
				if d.ds != nil {
					if err := d.ds.settleDeferred(tx, r, d); err != nil {
						return err
					}
				}
			}
			byEntity := map[int][]RecordResult{}
			for _, d := range batch {
				byEntity[d.idx] = append(byEntity[d.idx], d.res)
			}
			for idx, results := range byEntity {
				if err := r.logFailures(tx, results); err != nil {
					return err
				}
				if err := r.logEntity(tx, idx, r.pageCounts(idx, results)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("resolve lookups: %w", err)
		}
		for _, d := range batch {
			r.commit(d.idx, []RecordResult{d.res}, 0, -1)
		}
	}
	r.deferred = nil
	return nil
}

// completeLookups sets the waiting lookups of d. A target still missing is
// settled by the lookup's missingParent: the record stays written without it
// with a warning (the default), or fails (fail) or is left out (skip), and
// then, created by this run, is removed again: nothing written.
func (r *run) completeLookups(tx Tx, d *deferredRecord) error {
	p := d.plan
	set := map[string]any{}
	for j, k := range d.lookups {
		l := p.lookups[j]
		found, err := tx.FindBy(l.target, l.targetKey.Name, []any{k}, nil)
		if err != nil {
			return err
		}
		if row, ok := found[keyText(k)]; ok {
			set[l.local.Name] = row.ID
			continue
		}
		missing := fmt.Sprintf("lookup %s: no %s has %s = %v", l.local.Name, l.target, l.targetKey.Name, k)
		policy := l.fm.MissingParent.Policy()
		if policy != mapping.MissingWarn && d.res.Action == Create && !d.skipped {
			// Created by this run while it waited for the target: not written after all.
			if err := tx.DeleteRow(p.local.Name, d.id); err != nil {
				return err
			}
			d.res.Changes, d.skipped = nil, true
		}
		switch {
		case policy == mapping.MissingFail && d.skipped:
			d.res.Action, d.res.Error = Fail, missing+": the record was not written (missingParent fail)"
		case policy == mapping.MissingFail:
			d.res.Action, d.res.Error = Fail, missing+" (the record was there already, and is kept without it)"
		case policy == mapping.MissingSkip && d.skipped:
			d.res.Warning = joinWarning(d.res.Warning, missing+": the record was left out (missingParent skip)")
		case policy == mapping.MissingSkip:
			d.res.Warning = joinWarning(d.res.Warning, missing+": written without it (the record was there already)")
		default:
			d.res.Warning = joinWarning(d.res.Warning, missing+": written without it")
		}
	}
	if len(set) > 0 && !d.skipped {
		current, err := tx.FindBy(p.local.Name, "id", []any{d.id}, keysOf(set))
		if err != nil {
			return err
		}
		old := current[d.id].Values
		changed := map[string]any{}
		for name, id := range set {
			if old[name] != id {
				changed[name] = id
				d.res.Changes = append(d.res.Changes, Change{Field: name, Old: old[name], New: id})
			}
		}
		if len(changed) > 0 {
			if d.res.Action == Unchanged {
				d.res.Action = Update
			}
			if err := tx.UpdateRow(p.local.Name, d.id, changed); err != nil {
				return err
			}
		}
	}
	if d.res.Warning != "" && d.res.Action != Fail {
		d.res.Action = Warn
	}
	return nil
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
