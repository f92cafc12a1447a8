package admin

import (
	"context"
	"errors"
	"fmt"

	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/store"
)

// UpdateSchema re-reads the external catalog of the integration called name,
// stores it as a new schema snapshot, and returns how it differs from the
// snapshot before (everything is added when there was none).
func (s *Service) UpdateSchema(ctx context.Context, name string) (meta.SchemaDiff, error) {
	if err := s.mayWrite(); err != nil {
		return meta.SchemaDiff{}, err
	}
	in, err := s.Store.Integration(ctx, name)
	if err != nil {
		return meta.SchemaDiff{}, err
	}
	var old []meta.Entity
	switch snap, err := s.Store.Snapshot(ctx, name); {
	case err == nil:
		old = snap.Entities
	case !errors.Is(err, store.ErrNotFound):
		return meta.SchemaDiff{}, err
	}
	fresh, err := s.readCatalog(ctx, in)
	if err != nil {
		return meta.SchemaDiff{}, err
	}
	return meta.Diff(old, fresh), nil
}

// CreateLocalEntity makes, in one step, a local entity called local for the
// external entity of the integration called name (see mapping.FromExternal:
// a field for the external key, the fields typed from the external ones,
// lookups to the local entities of mapped entities), and adds or replaces
// the integration's mapping of that external entity with it. An empty local
// takes a name made from the external one.
func (s *Service) CreateLocalEntity(ctx context.Context, name, external, local string) (EntityImportResult, error) {
	if err := s.mayWrite(); err != nil {
		return EntityImportResult{}, err
	}
	from, err := s.LoadIntegration(ctx, name)
	if err != nil {
		return EntityImportResult{}, err
	}
	in := from.Integration
	catalog, err := s.Catalog(ctx, name, false)
	if err != nil {
		return EntityImportResult{}, err
	}
	ext, ok := meta.FindEntity(catalog, external)
	if !ok {
		return EntityImportResult{}, configError(fmt.Errorf("integration %q has no external entity %q: list them with `switchyard entities %s`", name, external, name))
	}
	if local == "" {
		local = mapping.LocalName(external)
	}
	if _, err := s.Store.Entity(ctx, local); err == nil {
		return EntityImportResult{}, configError(fmt.Errorf("local entity %q: %w: choose another name, or map to it with a mapping file", local, store.ErrExists))
	}
	_, em, err := mapping.FromExternal(ext, local, mappedEntities(in))
	if err != nil {
		return EntityImportResult{}, configError(err)
	}
	res, _, err := s.saveEntityMapping(ctx, from, em, catalog)
	return res, err
}

// mappedEntities maps each external entity of in to its local entity.
func mappedEntities(in mapping.Integration) map[string]string {
	m := map[string]string{}
	for _, e := range in.Entities {
		m[e.External] = e.Local
	}
	return m
}
