package admin

import (
	"context"
	"errors"
	"fmt"

	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/store"
)

// SuggestResult is the suggestions for one entity mapping.
type SuggestResult struct {
	Integration string               `json:"integration"`
	External    string               `json:"external"`
	Local       string               `json:"local"`
	Suggestions []mapping.Suggestion `json:"suggestions"`
}

// Suggest ranks local candidates for every field of the external entity
// called external of the integration called name, against the local entity
// the integration maps it to (see mapping.Suggest), using the cached
// external schema.
func (s *Service) Suggest(ctx context.Context, name, external string) (SuggestResult, error) {
	in, em, ext, loc, err := s.suggestInputs(ctx, name, external)
	if err != nil {
		return SuggestResult{}, err
	}
	ss := mapping.Suggest(ext, loc, mapping.SuggestOptions{Mapped: mappedEntities(in), PrimaryKey: em.PrimaryKey})
	if ss == nil {
		ss = []mapping.Suggestion{}
	}
	return SuggestResult{Integration: name, External: external, Local: em.Local, Suggestions: ss}, nil
}

// MapAllSuggested adds to the mapping of external the best suggested local
// field of every external field not mapped yet, when it scores at least
// threshold and no other field maps to it, saves the integration, and
// returns the field mappings it added.
func (s *Service) MapAllSuggested(ctx context.Context, name, external string, threshold int) ([]mapping.FieldMapping, error) {
	res, err := s.Suggest(ctx, name, external)
	if err != nil {
		return nil, err
	}
	from, err := s.LoadIntegration(ctx, name)
	if err != nil {
		return nil, err
	}
	in := from.Integration
	em, _ := in.Entity(external)
	taken := map[string]bool{}
	for _, f := range em.Fields {
		taken[f.External], taken["\x00"+f.Local] = true, true
	}
	var open []mapping.Suggestion
	for _, sg := range res.Suggestions {
		if taken[sg.External] {
			continue
		}
		var cs []mapping.Candidate
		for _, c := range sg.Candidates {
			if !taken["\x00"+c.Local] {
				cs = append(cs, c)
			}
		}
		sg.Candidates = cs
		open = append(open, sg)
	}
	added := mapping.MapAll(open, threshold)
	if len(added) == 0 {
		return []mapping.FieldMapping{}, nil
	}
	em.Fields = append(em.Fields, added...)
	updated, _ := in.WithEntity(em)
	if _, err := s.SaveIntegrationFrom(ctx, from, updated); err != nil {
		return nil, err
	}
	return added, nil
}

// suggestInputs loads the integration, the entity mapping of external, the
// external entity from the cached schema and the local entity.
func (s *Service) suggestInputs(ctx context.Context, name, external string) (mapping.Integration, mapping.EntityMapping, meta.Entity, meta.Entity, error) {
	var (
		em       mapping.EntityMapping
		ext, loc meta.Entity
	)
	in, err := s.Store.Integration(ctx, name)
	if err != nil {
		return in, em, ext, loc, err
	}
	em, ok := in.Entity(external)
	if !ok {
		return in, em, ext, loc, configError(fmt.Errorf("integration %q does not map external entity %q: map it first (choose its local entity), e.g. with `switchyard mapping create %s %s`", name, external, name, external))
	}
	catalog, err := s.Catalog(ctx, name, false)
	if err != nil {
		return in, em, ext, loc, err
	}
	if ext, ok = meta.FindEntity(catalog, external); !ok {
		return in, em, ext, loc, configError(fmt.Errorf("external entity %q is not in the cached schema of %q: run `switchyard integration update-schema %s`", external, name, name))
	}
	loc, err = s.Store.Entity(ctx, em.Local)
	if errors.Is(err, store.ErrNotFound) {
		return in, em, ext, loc, configError(fmt.Errorf("local entity %q does not exist: create it or pick another for %q", em.Local, external))
	}
	return in, em, ext, loc, err
}
