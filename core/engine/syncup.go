package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"switchyard/core/connector"
	"switchyard/core/filter"
	"switchyard/core/meta"
	"switchyard/core/store"
	"switchyard/core/values"
)

// upAnchor is the upload anchor of an entity: when its full upload was queued.
type upAnchor struct {
	Full string `json:"full"`
}

// syncUp uploads the local changes of one entity that the triggers captured
// (on its first sync, or a full one, every local row), page by page. A
// record to create gets its external key before it is sent, when the system
// takes keys from its clients (a writable GUID key): the key is committed
// first, so that a create repeated after a crash finds the record and does
// not create it twice. Each page's outcomes commit in one transaction.
func (r *run) syncUp(ctx context.Context, idx int, p *entityPlan) error {
	writer, ok := r.conn.(connector.Writer)
	if !ok {
		return configErrorf("the connector of %q cannot write records", r.opt.Integration.Name)
	}
	in := r.opt.Integration.Name
	cond, err := uploadFilter(p, r.res.Started)
	if err != nil {
		return err
	}
	if cond != nil {
		r.res.Entities[idx].Queries = append(r.res.Entities[idx].Queries, "local "+p.local.Name+" WHERE "+p.em.UploadFilter)
	}
	if err := r.queueFullUpload(ctx, idx, p, cond); err != nil {
		return err
	}
	kf, _ := p.external.Field(p.key.ext)
	preassign := len(p.external.Key) == 1 && kf.Type == meta.GUID && !kf.ReadOnly
	after := ""
	var done int64
	for {
		var changes []store.LocalChange
		if err := r.engine.Workspace.View(ctx, func(tx Tx) (err error) {
			changes, err = tx.LocalChanges(in, p.local.Name, after, r.pageSize())
			return err
		}); err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		after = changes[len(changes)-1].RecordID
		results, err := r.uploadPage(ctx, idx, p, writer, changes, cond, preassign)
		if err != nil {
			return err
		}
		done += int64(len(results))
		r.commit(idx, results, done, -1)
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// queueFullUpload queues every local row of the entity that cond matches for
// upload, when the entity was never uploaded or the sync is full, and
// records when (the upload anchor).
func (r *run) queueFullUpload(ctx context.Context, idx int, p *entityPlan, cond filter.Expr) error {
	in := r.opt.Integration.Name
	var anchor string
	if err := r.engine.Workspace.View(ctx, func(tx Tx) (err error) {
		anchor, err = tx.Anchor(in, p.em.External, "upload")
		return err
	}); err != nil {
		return err
	}
	if anchor != "" && !r.sync.opt.Full {
		return nil
	}
	var n int64
	err := r.engine.Workspace.Apply(ctx, func(tx Tx) (err error) {
		if r.sync.readAll[p.em.External] {
			// The download just wrote every record it read: only the rows it
			// did not see can have anything to send.
			if n, err = tx.EnqueueUnseen(in, p.em.External, p.local.Name, p.key.local.Name, cond); err != nil {
				return err
			}
			if err := tx.ClearSeen(in, p.em.External); err != nil {
				return err
			}
		} else if n, err = tx.EnqueueAll(in, p.local.Name, p.local.Name, cond); err != nil {
			return err
		}
		b, _ := json.Marshal(upAnchor{Full: values.FormatMillis(r.res.Started)})
		return tx.SetAnchor(in, p.em.External, "upload", string(b))
	})
	if err != nil {
		return err
	}
	er := &r.res.Entities[idx]
	er.Queries = append(er.Queries, fmt.Sprintf("full upload: %d local %s queued", n, p.local.Name))
	return nil
}

// uploadPage sends one page of local changes and commits their outcomes,
// with the page's run log, in one transaction; it returns the results.
func (r *run) uploadPage(ctx context.Context, idx int, p *entityPlan, writer connector.Writer, changes []store.LocalChange, cond filter.Expr, preassign bool) ([]RecordResult, error) {
	upTo := map[string]int64{}
	for _, c := range changes {
		upTo[c.RecordID] = c.UpTo
	}
	var page, deletes []*outgoing
	var settled []RecordResult
	err := r.engine.Workspace.Apply(context.WithoutCancel(ctx), func(tx Tx) (err error) {
		page, deletes, settled, err = r.prepareUpload(tx, p, changes, cond, preassign)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("prepare the upload of %s: %w", p.local.Name, err)
	}
	if err := r.markUnchanged(ctx, p, page); err != nil {
		return nil, err
	}
	if err := r.send(ctx, writer, p, page); err != nil {
		return nil, err
	}
	if err := r.sendDeletes(ctx, writer, p, deletes); err != nil {
		return nil, err
	}
	results := settled
	err = r.engine.Workspace.Apply(context.WithoutCancel(ctx), func(tx Tx) error {
		for _, o := range append(page, deletes...) {
			if o.assigned {
				if err := tx.UpdateRow(p.local.Name, o.id, map[string]any{p.key.local.Name: o.key}); err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
			}
			if err := r.settleUpload(tx, p, o, upTo[o.id]); err != nil {
				return err
			}
			results = append(results, o.res)
		}
		if err := r.logFailures(tx, results); err != nil {
			return err
		}
		return r.logEntity(tx, idx, r.pageCounts(idx, results))
	})
	if err != nil {
		return nil, fmt.Errorf("record the upload of %s: %w", p.local.Name, err)
	}
	return results, nil
}

// prepareUpload loads the rows of a page of local changes and turns them into
// records to send (page) and deletions (deletes); changes with nothing to
// send are finished at once. Records to create get their key first when preassign.
func (r *run) prepareUpload(tx Tx, p *entityPlan, changes []store.LocalChange, cond filter.Expr, preassign bool) (page, deletes []*outgoing, settled []RecordResult, err error) {
	in := r.opt.Integration.Name
	ids := make([]any, len(changes))
	for i, c := range changes {
		ids[i] = c.RecordID
	}
	found, err := tx.FindBy(p.local.Name, "id", ids, p.localFields())
	if err != nil {
		return nil, nil, nil, err
	}
	var rows []store.Row
	for _, c := range changes {
		row, ok := found[c.RecordID]
		if !ok {
			key := c.Data[p.key.local.Name]
			if key == nil || key == "" {
				err := tx.FinishChange(in, p.local.Name, c.RecordID, c.UpTo, "done", "", "deleted before it was uploaded: nothing to send")
				if err != nil {
					return nil, nil, nil, err
				}
				continue
			}
			o := &outgoing{id: c.RecordID, key: key}
			o.res = RecordResult{Entity: p.em.External, Key: fmt.Sprint(key), Action: Delete}
			deletes = append(deletes, o)
			continue
		}
		matches, err := tx.Matches(p.local.Name, c.RecordID, cond)
		if err != nil {
			return nil, nil, nil, err
		}
		if !matches {
			if err := tx.FinishChange(in, p.local.Name, c.RecordID, c.UpTo, "done", "", "outside the upload filter: not sent"); err != nil {
				return nil, nil, nil, err
			}
			continue
		}
		if row.Values[p.key.local.Name] == nil {
			switch {
			case preassign:
				key := meta.NewGUID()
				if err := tx.UpdateRow(p.local.Name, row.ID, map[string]any{p.key.local.Name: key}); err != nil {
					return nil, nil, nil, err
				}
				row.Values[p.key.local.Name] = key
				if err := tx.FinishChange(in, p.local.Name, c.RecordID, c.UpTo, "sent", key, ""); err != nil {
					return nil, nil, nil, err
				}
			case c.Sent:
				msg := "sent before the sync stopped, with no answer recorded, and the system gives keys itself: check whether it exists there, then dismiss this record or clear its transactions"
				res := RecordResult{Entity: p.em.External, Action: Fail, Error: msg}
				if err := r.quarantineUpload(tx, p, c.RecordID, c.UpTo, msg); err != nil {
					return nil, nil, nil, err
				}
				settled = append(settled, res)
				continue
			default:
				if err := tx.FinishChange(in, p.local.Name, c.RecordID, c.UpTo, "sent", "", ""); err != nil {
					return nil, nil, nil, err
				}
			}
		}
		rows = append(rows, row)
	}
	page, err = r.outgoingPage(tx, p, rows)
	return page, deletes, settled, err
}

// sendDeletes deletes the records deleted locally; one already gone counts as deleted.
func (r *run) sendDeletes(ctx context.Context, w connector.Writer, p *entityPlan, deletes []*outgoing) error {
	if len(deletes) == 0 {
		return nil
	}
	recs := make([]meta.Record, len(deletes))
	for i, o := range deletes {
		recs[i] = meta.Record{p.key.ext: externalValue(p.key.local.Type, o.key)}
	}
	results, err := w.Write(ctx, p.em.External, connector.Delete, recs)
	if err != nil {
		return fmt.Errorf("delete in %s: %w", p.em.External, err)
	}
	if len(results) != len(deletes) {
		return fmt.Errorf("delete in %s: the connector answered %d results for %d records", p.em.External, len(results), len(deletes))
	}
	for i, o := range deletes {
		if err := results[i].Err; err != nil && !errors.Is(err, connector.ErrDeleted) {
			o.res.Action, o.res.Error = Fail, err.Error()
		}
	}
	return nil
}

// settleUpload records the outcome of one record sent: its transactions done
// (with the external key) or failed and quarantined.
func (r *run) settleUpload(tx Tx, p *entityPlan, o *outgoing, upTo int64) error {
	in := r.opt.Integration.Name
	if o.res.Action == Fail {
		return r.quarantineUpload(tx, p, o.id, upTo, o.res.Error)
	}
	key := ""
	if o.key != nil {
		key = fmt.Sprint(o.key)
	}
	if err := tx.FinishChange(in, p.local.Name, o.id, upTo, "done", key, ""); err != nil {
		return err
	}
	return tx.Release(in, p.em.External, "upload", "", o.id)
}

func (r *run) quarantineUpload(tx Tx, p *entityPlan, id string, upTo int64, reason string) error {
	in := r.opt.Integration.Name
	if err := tx.FinishChange(in, p.local.Name, id, upTo, "failed", "", reason); err != nil {
		return err
	}
	return tx.Quarantine(store.Quarantined{Integration: in, Entity: p.em.External, Direction: "upload", RecordID: id, Reason: reason})
}
