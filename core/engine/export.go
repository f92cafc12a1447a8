package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/big"
	"slices"
	"strings"
	"time"

	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/store"
	"switchyard/core/values"
)

// outgoing is one local row on its way to the external system.
type outgoing struct {
	res RecordResult
	id  string // the local row
	key any    // the stored primary key value, nil when the record has none yet
	rec meta.Record
	// assigned is true when the external system gave the record its key on create.
	assigned bool
	// conflict is true when the last write failed on a conflict (connector.ErrConflict).
	conflict bool
	// changedHere names the external fields whose local values changed since
	// the last sync read or wrote the record (against its baseline); nil
	// when that is not known. An update sends no other field, so that it
	// never overwrites what someone changed in the external system since.
	changedHere map[string]bool
}

func (r *run) exportEntity(ctx context.Context, idx int, p *entityPlan) error {
	writer, ok := r.conn.(connector.Writer)
	if !ok {
		return configErrorf("the connector of %q cannot write records", r.opt.Integration.Name)
	}
	cond, err := uploadFilter(p, r.res.Started)
	if err != nil {
		return err
	}
	er := &r.res.Entities[idx]
	if cond != nil {
		er.Queries = append(er.Queries, "local "+p.local.Name+" WHERE "+p.em.UploadFilter)
	}
	var total int64 = -1
	if err := r.engine.Workspace.View(ctx, func(tx Tx) (err error) {
		total, err = tx.Count(p.local.Name, cond)
		return err
	}); err != nil {
		return err
	}
	after := ""
	var done int64
	for {
		var page []*outgoing
		err := r.engine.Workspace.View(ctx, func(tx Tx) error {
			rows, err := tx.Scan(p.local.Name, p.localFields(), cond, after, r.pageSize())
			if err != nil {
				return err
			}
			page, err = r.outgoingPage(tx, p, rows)
			return err
		})
		if err != nil {
			return fmt.Errorf("read %s: %w", p.local.Name, err)
		}
		if len(page) == 0 {
			return nil
		}
		after = page[len(page)-1].id
		if r.opt.Preview {
			if rest := r.previewLimit() - len(er.Preview); len(page) > rest {
				page = page[:rest]
			}
		}
		if err := r.markUnchanged(ctx, p, page); err != nil {
			return err
		}
		if !r.opt.Preview {
			if err := r.send(ctx, writer, p, page); err != nil {
				return err
			}
		}
		results := make([]RecordResult, len(page))
		for i, o := range page {
			results[i] = o.res
		}
		if !r.opt.Preview {
			if err := r.recordExport(ctx, idx, p, page, results); err != nil {
				return err
			}
		}
		done += int64(len(page))
		r.commit(idx, results, done, total)
		if r.opt.Preview && len(er.Preview) >= r.previewLimit() {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// recordExport commits what the system answered for a page sent: the keys
// it gave records it created, and the page's run log.
func (r *run) recordExport(ctx context.Context, idx int, p *entityPlan, page []*outgoing, results []RecordResult) error {
	err := r.engine.Workspace.Apply(context.WithoutCancel(ctx), func(tx Tx) error {
		for _, o := range page {
			if o.assigned {
				if err := tx.UpdateRow(p.local.Name, o.id, map[string]any{p.key.local.Name: o.key}); err != nil {
					return err
				}
			}
		}
		if err := r.logFailures(tx, results); err != nil {
			return err
		}
		return r.logEntity(tx, idx, r.pageCounts(idx, results))
	})
	if err != nil {
		return fmt.Errorf("record the export of %s: %w", p.local.Name, err)
	}
	return nil
}

// outgoingPage maps local rows to external records; a row that cannot be mapped fails alone.
func (r *run) outgoingPage(tx Tx, p *entityPlan, rows []store.Row) ([]*outgoing, error) {
	targets, err := lookupTargets(tx, p, rows)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i, row := range rows {
		ids[i] = row.ID
	}
	baselines, err := tx.Baselines(r.opt.Integration.Name, p.local.Name, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*outgoing, len(rows))
	for i, row := range rows {
		o := &outgoing{id: row.ID, key: row.Values[p.key.local.Name], rec: meta.Record{}}
		o.res.Entity = p.em.External
		if o.key != nil {
			o.res.Key = fmt.Sprint(o.key)
		}
		base, known := baselines[row.ID]
		if known {
			o.changedHere = map[string]bool{}
		}
		for _, f := range p.fields {
			if f.ext == "" || (f.local.Name == p.key.local.Name && o.key == nil) {
				continue
			}
			if xf, ok := p.external.Field(f.ext); ok && xf.ReadOnly && f.local.Name != p.key.local.Name {
				continue
			}
			if f.fm.Keeps(row.Values[f.local.Name]) {
				continue
			}
			v, err := f.fm.ApplyUpload(externalValue(f.local.Type, row.Values[f.local.Name]))
			if err != nil {
				o.fail("field %s (to %s): %v", f.local.Name, f.ext, err)
				break
			}
			o.rec[f.ext] = v
			if known && !store.SameStored(f.local.Type, row.Values[f.local.Name], base[f.local.Name]) {
				o.changedHere[f.ext] = true
			}
		}
		for j, l := range p.lookups {
			id := row.Values[l.local.Name]
			if l.ext == "" || l.fm.Keeps(id) {
				continue
			}
			if known && !store.SameStored(meta.Lookup, id, base[l.local.Name]) {
				o.changedHere[l.ext] = true
			}
			o.rec[connector.TargetKey(l.ext)] = l.targetExternal
			if id == nil {
				o.rec[l.ext] = nil
				continue
			}
			key, ok := targets[j][fmt.Sprint(id)]
			if !ok || key == nil {
				o.fail("lookup %s: the %s it points to has no %s yet: export %s first", l.local.Name, l.target, l.targetKey.Name, l.target)
				continue
			}
			o.rec[l.ext] = externalValue(l.targetKey.Type, key)
		}
		out[i] = o
	}
	return out, nil
}

func (o *outgoing) fail(format string, args ...any) {
	if o.res.Action != Fail {
		o.res.Action, o.res.Error = Fail, fmt.Sprintf(format, args...)
	}
}

// lookupTargets returns, per lookup, the target rows' primary key values by local id.
func lookupTargets(tx Tx, p *entityPlan, rows []store.Row) ([]map[string]any, error) {
	out := make([]map[string]any, len(p.lookups))
	for j, l := range p.lookups {
		var ids []any
		for _, row := range rows {
			if id := row.Values[l.local.Name]; id != nil {
				ids = append(ids, id)
			}
		}
		out[j] = map[string]any{}
		if len(ids) == 0 {
			continue
		}
		found, err := tx.FindBy(l.target, "id", ids, []string{l.targetKey.Name})
		if err != nil {
			return nil, err
		}
		for id, row := range found {
			out[j][id] = row.Values[l.targetKey.Name]
		}
	}
	return out, nil
}

// markUnchanged reads the external records of the page's keyed rows and
// decides for each: create (not there yet), update with the changed fields, or unchanged.
func (r *run) markUnchanged(ctx context.Context, p *entityPlan, page []*outgoing) error {
	var keyed []*outgoing
	for _, o := range page {
		switch {
		case o.res.Action == Fail:
		case o.key == nil:
			o.res.Action = Create
			o.res.Changes = newFields(o.creation())
		default:
			keyed = append(keyed, o)
		}
	}
	if len(keyed) == 0 {
		return nil
	}
	current := map[string]meta.Record{}
	if reader, ok := r.conn.(connector.Reader); ok {
		q := p.readQuery(nil, 0)
		keys := make([]any, len(keyed))
		for i, o := range keyed {
			keys[i] = o.key
		}
		first, reads, err := readByKeys(ctx, reader, q, p, keys, func(rec meta.Record) {
			current[fmt.Sprint(rec[p.key.ext])] = rec
		})
		if err != nil {
			return fmt.Errorf("read %s to compare: %w", p.em.External, err)
		}
		r.noteKeyReads("to compare before writing", first, reads)
	}
	for _, o := range keyed {
		ext, found := current[fmt.Sprint(externalValue(p.key.local.Type, o.key))]
		if !found {
			o.res.Action = Create // keyed locally, not there yet: created with its key
			o.res.Changes = newFields(o.creation())
			continue
		}
		if tag, ok := ext[connector.ETagKey]; ok {
			o.rec[connector.ETagKey] = tag
		}
		o.res.Changes = p.changesOf(withoutCreateOnly(p, o.rec), ext) // create-only fields cannot change
		if o.changedHere != nil {
			// Only what changed here since the last sync goes: a field that
			// differs only because it changed there stays as it is there.
			kept := o.res.Changes[:0]
			for _, c := range o.res.Changes {
				if o.changedHere[c.Field] {
					kept = append(kept, c)
				}
			}
			o.res.Changes = kept
		}
		if len(o.res.Changes) == 0 {
			o.res.Action = Unchanged
		} else {
			o.res.Action = Update
		}
	}
	return nil
}

// patch is the record an update of o sends: its key, its ETag and the
// fields that change, nothing else (read-only, unchanged and create-only
// fields stay out).
func (o *outgoing) patch(p *entityPlan) meta.Record {
	rec := make(meta.Record, len(o.res.Changes)+3)
	for _, k := range append([]string{p.key.ext}, p.external.Key...) {
		if v, ok := o.rec[k]; ok {
			rec[k] = v
		}
	}
	if tag, ok := o.rec[connector.ETagKey]; ok {
		rec[connector.ETagKey] = tag
	}
	for _, c := range o.res.Changes {
		rec[c.Field] = o.rec[c.Field]
		if t, ok := o.rec[connector.TargetKey(c.Field)]; ok {
			rec[connector.TargetKey(c.Field)] = t
		}
	}
	return rec
}

// creation is the record a create of o sends: the fields that have a
// value; the external system's defaults apply to the others.
func (o *outgoing) creation() meta.Record {
	rec := make(meta.Record, len(o.rec))
	for k, v := range o.rec {
		if v != nil {
			rec[k] = v
		}
	}
	return rec
}

// changesOf lists the fields of rec whose values differ from old, the
// external record, at the precision the external system declares for them.
func (p *entityPlan) changesOf(rec, old meta.Record) []Change {
	var out []Change
	for _, name := range connector.BusinessFields(rec) {
		f, _ := p.external.Field(name)
		if sameAt(f, rec[name], old[name]) {
			continue
		}
		out = append(out, Change{Field: name, Old: old[name], New: rec[name]})
	}
	return out
}

// sameAt reports whether a and b are the same value of the external field f
// at the precision it declares: a decimal rounded to its scale, a date-time
// to its fractional digits, as the system keeps them. A value that the
// system would round is then no change, and a sync settles instead of
// writing it again every time.
func sameAt(f meta.Field, a, b any) bool {
	if sameExternal(a, b) {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	switch {
	case f.Type == meta.Decimal && f.Scale > 0:
		ra, ok1 := new(big.Rat).SetString(fmt.Sprint(a))
		rb, ok2 := new(big.Rat).SetString(fmt.Sprint(b))
		return ok1 && ok2 && ra.FloatString(f.Scale) == rb.FloatString(f.Scale)
	case f.Type == meta.DateTime && f.Precision > 0 && f.Precision < 9:
		ta, ok1 := asTime(a)
		tb, ok2 := asTime(b)
		unit := time.Duration(math.Pow10(9 - f.Precision))
		return ok1 && ok2 && ta.Round(unit).Equal(tb.Round(unit))
	}
	return false
}

// asTime reads a date-time value as connectors give it: a time.Time, or
// ISO 8601 text with an offset (values.ParseDateTimeOffset).
func asTime(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, true
	case string:
		t, err := values.ParseDateTimeOffset(x)
		return t, err == nil
	}
	return time.Time{}, false
}

// newFields lists the fields of a record to create, each as a change from nothing.
func newFields(rec meta.Record) []Change {
	names := connector.BusinessFields(rec)
	out := make([]Change, len(names))
	for i, f := range names {
		out[i] = Change{Field: f, New: rec[f]}
	}
	return out
}

// sameExternal compares two external values across the representations a connector may use.
func sameExternal(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	na, okA := number(a)
	nb, okB := number(b)
	if okA && okB {
		return na == nb
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func odataLiteral(t meta.Type, v any) string {
	switch t {
	case meta.Int, meta.Decimal, meta.Double, meta.GUID, meta.Date:
		return fmt.Sprint(v)
	}
	return "'" + strings.ReplaceAll(fmt.Sprint(v), "'", "''") + "'"
}

// externalValue turns a stored local value into the Go type connectors
// take for the field's type (see connector.Query), by the codec
// (values.FromStored); a value that does not fit its type goes as it is.
func externalValue(t meta.Type, v any) any {
	if x, err := values.FromStored(t, v); err == nil {
		return x
	}
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v
}

// withoutCreateOnly returns rec without the fields the external system lets
// set only when a record is created (OData Core.Immutable); the key stays.
func withoutCreateOnly(p *entityPlan, rec meta.Record) meta.Record {
	var out meta.Record
	for name := range rec {
		f, ok := p.external.Field(name)
		if !ok || !f.CreateOnly || slices.Contains(p.external.Key, name) {
			continue
		}
		if out == nil {
			out = maps.Clone(rec)
		}
		delete(out, name)
	}
	if out == nil {
		return rec
	}
	return out
}

// send writes the page's creates and updates in batches and records each
// outcome. An update that meets a conflict (the record changed in the
// external system since it was read: connector.ErrConflict, an ETag that no
// longer matches) is read again, compared again and sent once more.
func (r *run) send(ctx context.Context, w connector.Writer, p *entityPlan, page []*outgoing) error {
	creates, updates := r.ofAction(page, Create), r.ofAction(page, Update)
	if err := r.write(ctx, w, p, connector.Create, creates); err != nil {
		return err
	}
	if err := r.write(ctx, w, p, connector.Update, updates); err != nil {
		return err
	}
	var again []*outgoing
	for _, o := range updates {
		if o.res.Action == Fail && o.conflict {
			again = append(again, o)
		}
	}
	if len(again) == 0 {
		return nil
	}
	for _, o := range again {
		o.res.Action, o.res.Error, o.conflict = Update, "", false
		delete(o.rec, connector.ETagKey)
	}
	if err := r.markUnchanged(ctx, p, again); err != nil {
		return err
	}
	return r.write(ctx, w, p, connector.Update, r.ofAction(again, Update))
}

// ofAction returns the records of page planned for action a.
func (r *run) ofAction(page []*outgoing, a Action) []*outgoing {
	var out []*outgoing
	for _, o := range page {
		if o.res.Action == a {
			out = append(out, o)
		}
	}
	return out
}

// write sends batch with op and records each outcome in its result.
func (r *run) write(ctx context.Context, w connector.Writer, p *entityPlan, op connector.Op, batch []*outgoing) error {
	if len(batch) == 0 {
		return nil
	}
	recs := make([]meta.Record, len(batch))
	for i, o := range batch {
		if op == connector.Update {
			recs[i] = o.patch(p)
		} else {
			recs[i] = o.creation()
		}
	}
	results, err := w.Write(ctx, p.em.External, op, recs)
	if err != nil {
		return fmt.Errorf("write %s: %w", p.em.External, err)
	}
	if len(results) != len(batch) {
		return fmt.Errorf("write %s: the connector answered %d results for %d records", p.em.External, len(results), len(batch))
	}
	for i, o := range batch {
		res := results[i]
		if res.Err != nil {
			o.res.Action, o.res.Error = Fail, res.Err.Error()
			o.conflict = errors.Is(res.Err, connector.ErrConflict)
			continue
		}
		if op == connector.Create && res.Key != "" {
			key, err := store.EncodeValue(p.key.local.Type, res.Key)
			if err != nil {
				o.res.Action, o.res.Error = Fail, fmt.Sprintf("created, but its key %q does not fit %s: %v", res.Key, p.key.local.Name, err)
				continue
			}
			o.key, o.res.Key, o.assigned = key, res.Key, true
		}
	}
	return nil
}
