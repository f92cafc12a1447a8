package admin

import (
	"context"
	"fmt"
	"strings"

	"switchyard/core/connector"
	"switchyard/core/filter"
	"switchyard/core/mapping"
	"switchyard/core/store"
)

// Removal is what a sync of one entity would remove locally.
type Removal struct {
	Entity      string `json:"entity"`
	LocalEntity string `json:"localEntity"`
	// Remove is how many local rows the sync removes: their key is no longer
	// in the external system (within the download filter).
	Remove int `json:"remove"`
	// Kept is how many rows of those have local changes waiting for upload:
	// the sync keeps them and logs a conflict instead.
	Kept int `json:"kept"`
}

// SyncRemovals tells, before a sync, how many local rows it would remove
// because the external system no longer has them, for every download or
// bidirectional entity of the integration, so that the admin can be warned
// first. It reads the keys from the external system and changes nothing; it
// holds one entity's keys in memory at a time.
func (s *Service) SyncRemovals(ctx context.Context, name string) ([]Removal, error) {
	in, err := s.Store.Integration(ctx, name)
	if err != nil {
		return nil, err
	}
	c, err := s.Connect(ctx, in)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	reader, ok := c.(connector.Reader)
	if !ok {
		return nil, nil
	}
	var out []Removal
	for _, em := range in.Entities {
		if em.Disabled || (em.Direction != mapping.Download && em.Direction != mapping.Bidirectional) {
			continue
		}
		r, err := s.removals(ctx, in.Name, reader, em)
		if err != nil {
			return nil, err
		}
		if r.Remove > 0 || r.Kept > 0 {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *Service) removals(ctx context.Context, integration string, reader connector.Reader, em mapping.EntityMapping) (Removal, error) {
	r := Removal{Entity: em.External, LocalEntity: em.Local}
	keyExt := ""
	for _, f := range em.Fields {
		if f.Local == em.PrimaryKey && !f.Disabled {
			keyExt = f.External
		}
	}
	local, err := s.Store.Entity(ctx, em.Local)
	if err != nil || keyExt == "" {
		return r, err
	}
	pk, _ := local.Field(em.PrimaryKey)
	q := connector.Query{Entity: em.External, Fields: []string{keyExt}, PageSize: 1000}
	if strings.TrimSpace(em.DownloadFilter) != "" {
		e, err := filter.Parse(em.DownloadFilter)
		if err != nil {
			return r, configError(fmt.Errorf("download filter of %s: %w", em.External, err))
		}
		q.SetWhere(filter.Resolve(e, s.now()))
	}
	keys := map[string]bool{}
	for token := ""; ; {
		p, err := reader.ReadPage(ctx, q, token)
		if err != nil {
			return r, fmt.Errorf("read the keys of %s: %w", em.External, err)
		}
		for _, rec := range p.Records {
			if v, err := store.EncodeValue(pk.Type, rec[keyExt]); err == nil && v != nil {
				keys[fmt.Sprint(v)] = true
			}
		}
		if token = p.Next; token == "" {
			break
		}
	}
	err = s.Store.View(ctx, func(tx *store.Tx) error {
		for after := ""; ; {
			rows, err := tx.Scan(em.Local, []string{em.PrimaryKey}, nil, after, 1000)
			if err != nil || len(rows) == 0 {
				return err
			}
			after = rows[len(rows)-1].ID
			var gone []string
			for _, row := range rows {
				if v := row.Values[em.PrimaryKey]; v != nil && !keys[fmt.Sprint(v)] {
					gone = append(gone, row.ID)
				}
			}
			changed, err := tx.ChangedLocally(integration, em.Local, gone)
			if err != nil {
				return err
			}
			r.Remove += len(gone) - len(changed)
			r.Kept += len(changed)
		}
	})
	return r, err
}
