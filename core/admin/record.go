package admin

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/store"
	"switchyard/core/values"
)

// ErrNoRecord says a record is not in the workspace: it failed or was left
// out, the run was a preview, or it was removed since.
var ErrNoRecord = errors.New("the record is not in the workspace")

// RecordKey is how one integration knows a local record: the external
// entity it maps to, the local field that holds the external key, and the key.
type RecordKey struct {
	Integration, External, Field, Key string
}

// RecordView is one local record whole, as the app's record view shows it:
// every field, its external keys, when it was last written and by which run.
type RecordView struct {
	Entity meta.Entity
	ID     string
	// Values are the stored values by field (every field of Entity, system fields too).
	Values map[string]any
	// Keys are the record's keys in the integrations that map its entity.
	Keys []RecordKey
	// Modified is when the row was last written (modifiedon), zero when unknown.
	Modified time.Time
	// LastRun is the run of an integration mapping the entity that was going
	// on when the row was last written (its last sync), nil when none was.
	LastRun *store.LogEntry
	// Problems are what waits on the record: a sync failure retried by every
	// sync (quarantine), a change waiting for upload.
	Problems []string
}

// Record returns the row id of the local entity called entity whole.
func (s *Service) Record(ctx context.Context, entity, id string) (RecordView, error) {
	ent, err := s.Store.Entity(ctx, entity)
	if err != nil {
		return RecordView{}, fmt.Errorf("read record %s of %q: %w", id, entity, err)
	}
	var found map[string]store.Row
	err = s.Store.View(ctx, func(tx *store.Tx) error {
		var err error
		found, err = tx.FindBy(entity, "id", []any{id}, ent.FieldNames())
		return err
	})
	if err != nil {
		return RecordView{}, fmt.Errorf("read record %s of %q: %w", id, entity, err)
	}
	row, ok := found[id]
	if !ok {
		return RecordView{}, fmt.Errorf("record %s of %q: %w", id, entity, ErrNoRecord)
	}
	v := RecordView{Entity: ent, ID: id, Values: row.Values}
	if v.Values == nil {
		v.Values = map[string]any{}
	}
	v.Values["id"] = id
	if m, ok := v.Values["modifiedon"]; ok {
		v.Modified = parseStamp(m)
	}
	ins, err := s.Store.Integrations(ctx)
	if err != nil {
		return v, err
	}
	for _, in := range ins {
		mapped := false
		for _, em := range in.Entities {
			if em.Local != entity {
				continue
			}
			mapped = true
			if em.PrimaryKey != "" {
				if key := fmt.Sprint(valueOr(v.Values[em.PrimaryKey], "")); key != "" {
					v.Keys = append(v.Keys, RecordKey{Integration: in.Name, External: em.External, Field: em.PrimaryKey, Key: key})
				}
			}
		}
		if mapped {
			s.recordRuns(ctx, in, &v)
		}
	}
	return v, nil
}

// recordRuns fills in the run that last wrote v and what waits on it, from in's log.
func (s *Service) recordRuns(ctx context.Context, in mapping.Integration, v *RecordView) {
	if !v.Modified.IsZero() {
		if logs, err := s.Store.Logs(ctx, in.Name, 0); err == nil {
			for i := range logs {
				l := logs[i]
				if l.Kind == "test" || l.Started.After(v.Modified.Add(time.Second)) {
					continue
				}
				if l.Ended.IsZero() || !l.Ended.Before(v.Modified.Add(-time.Second)) {
					if v.LastRun == nil || l.Started.After(v.LastRun.Started) {
						v.LastRun = &l
					}
				}
				break // the latest run before the write: it wrote the row, or none of this integration did
			}
		}
	}
	qs, err := s.Store.QuarantineList(ctx, in.Name, false)
	if err != nil {
		return
	}
	for _, q := range qs {
		for _, k := range v.Keys {
			if k.Integration == in.Name && q.Entity == k.External && (q.Key == k.Key || q.RecordID == v.ID) {
				v.Problems = append(v.Problems, fmt.Sprintf("%s: failed %d times in syncs of %s (last %s), retried by every sync: %s",
					q.Direction, q.Attempts, in.Name, q.Last.Local().Format("2006-01-02 15:04"), q.Reason))
			}
		}
	}
}

// RecordByKey returns the local record that the integration called name
// keeps for the record key of its external entity external (a results row):
// looked up by the mapping's primary key, else as a local id.
func (s *Service) RecordByKey(ctx context.Context, name, external, key string) (RecordView, error) {
	in, err := s.Store.Integration(ctx, name)
	if err != nil {
		return RecordView{}, err
	}
	em, ok := in.Entity(external)
	if !ok {
		return RecordView{}, fmt.Errorf("integration %q does not map %q: %w", name, external, ErrNoRecord)
	}
	if id, err := s.findID(ctx, em.Local, em.PrimaryKey, key); err == nil && id != "" {
		return s.Record(ctx, em.Local, id)
	}
	v, err := s.Record(ctx, em.Local, key)
	if errors.Is(err, ErrNoRecord) {
		return v, fmt.Errorf("%s %s: %w (it failed or was left out, the run was a preview, or it was removed since)", external, key, ErrNoRecord)
	}
	return v, err
}

// findID returns the id of the row of entity whose field holds key, "" when none does.
func (s *Service) findID(ctx context.Context, entity, field, key string) (string, error) {
	if field == "" || key == "" {
		return "", nil
	}
	var id string
	err := s.Store.View(ctx, func(tx *store.Tx) error {
		rows, err := tx.FindBy(entity, field, []any{key}, nil)
		for _, r := range rows {
			id = r.ID
		}
		return err
	})
	return id, err
}

// nameFields are, best first, the names of the fields that name a record.
var nameFields = []string{"name", "fullname", "displayname", "display_name", "title", "subject", "label", "companyname", "description"}

// PrimaryNameField returns the field of ent that names its records (name,
// fullname, title, displayName and the like; else a text field whose name
// ends in "name"), "" when it has none.
func PrimaryNameField(ent meta.Entity) string {
	for _, want := range nameFields {
		for _, f := range ent.Fields {
			if strings.EqualFold(f.Name, want) && f.Type == meta.String {
				return f.Name
			}
		}
	}
	for _, f := range ent.Fields {
		if f.Type == meta.String && !f.ReadOnly && strings.HasSuffix(strings.ToLower(f.Name), "name") {
			return f.Name
		}
	}
	return ""
}

// PrimaryNames returns, by key, the primary names of the records of the
// integration's external entity external that the workspace holds for keys
// (looked up by the mapping's primary key, after a run): keys not in the
// workspace, or an entity without a name field, have none.
func (s *Service) PrimaryNames(ctx context.Context, name, external string, keys []string) (map[string]string, error) {
	out := map[string]string{}
	in, err := s.Store.Integration(ctx, name)
	if err != nil {
		return out, err
	}
	em, ok := in.Entity(external)
	if !ok || em.PrimaryKey == "" || len(keys) == 0 {
		return out, nil
	}
	ent, err := s.Store.Entity(ctx, em.Local)
	if err != nil {
		return out, nil // not created yet (a preview)
	}
	field := PrimaryNameField(ent)
	if field == "" || field == em.PrimaryKey {
		return out, nil
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	err = s.Store.View(ctx, func(tx *store.Tx) error {
		rows, err := tx.FindBy(em.Local, em.PrimaryKey, args, []string{field})
		for k, r := range rows {
			if v := r.Values[field]; v != nil {
				out[k] = fmt.Sprint(v)
			}
		}
		return err
	})
	return out, err
}

// SortedFields returns the fields of v in the order a person reads them:
// the business fields in schema order, then the system fields.
func (v RecordView) SortedFields() []meta.Field {
	fs := append([]meta.Field{}, v.Entity.Fields...)
	sort.SliceStable(fs, func(i, j int) bool { return !fs[i].ReadOnly && fs[j].ReadOnly })
	return fs
}

// parseStamp reads a stored UTC ISO 8601 time; zero when it is not one.
func parseStamp(v any) time.Time {
	s, ok := v.(string)
	if !ok {
		if t, ok := v.(time.Time); ok {
			return t
		}
		return time.Time{}
	}
	t, err := values.ParseDateTime(s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func valueOr(v any, def any) any {
	if v == nil {
		return def
	}
	return v
}
