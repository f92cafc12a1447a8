package admin

import (
	"context"
	"fmt"
	"io"
	"strings"

	"switchyard/core/mapping"
	"switchyard/core/meta"
)

// EntityImportResult says what importing one entity mapping did.
type EntityImportResult struct {
	Integration string `json:"integration"`
	Entity      string `json:"entity"`
	// Replaced is true when the integration mapped that external entity before.
	Replaced bool `json:"replaced"`
	// CreatedEntities and AddedFields ("entity.field") are the local schema made for the mapping.
	CreatedEntities []string `json:"createdEntities"`
	AddedFields     []string `json:"addedFields"`
}

// Summary describes res in a few lines for a terminal.
func (res EntityImportResult) Summary() string {
	var b strings.Builder
	verb := "added to"
	if res.Replaced {
		verb = "replaced in"
	}
	fmt.Fprintf(&b, "mapping of %q %s integration %q\n", res.Entity, verb, res.Integration)
	for _, e := range res.CreatedEntities {
		fmt.Fprintf(&b, "created local entity %s\n", e)
	}
	for _, f := range res.AddedFields {
		fmt.Fprintf(&b, "added local field %s\n", f)
	}
	return b.String()
}

// ExportEntity writes the mapping of the external entity called external of
// the integration called name as an entity mapping file.
func (s *Service) ExportEntity(ctx context.Context, name, external string, w io.Writer) error {
	in, err := s.Store.Integration(ctx, name)
	if err != nil {
		return err
	}
	em, ok := in.Entity(external)
	if !ok {
		var names []string
		for _, e := range in.Entities {
			names = append(names, e.External)
		}
		return configError(fmt.Errorf("integration %q does not map external entity %q: it maps %s", name, external, orNone(names)))
	}
	return mapping.EncodeEntity(w, em)
}

// ImportEntity reads an entity mapping file and adds its mapping to the
// integration called name, replacing the mapping of the same external
// entity. The mapping is checked on its own and against the cached external
// schema and the local schema, with problems naming their place in the file
// (fields[2].local); the local entity and fields it names and the workspace
// lacks are created, as an integration import does.
func (s *Service) ImportEntity(ctx context.Context, name string, r io.Reader) (EntityImportResult, error) {
	if err := s.mayWrite(); err != nil {
		return EntityImportResult{}, err
	}
	em, err := mapping.DecodeEntity(r)
	if err != nil {
		return EntityImportResult{}, configError(err)
	}
	from, err := s.LoadIntegration(ctx, name)
	if err != nil {
		return EntityImportResult{}, err
	}
	catalog, err := s.Catalog(ctx, name, false)
	if err != nil {
		return EntityImportResult{}, err
	}
	res, _, err := s.saveEntityMapping(ctx, from, em, catalog)
	return res, err
}

// saveEntityMapping checks em within the integration loaded in from
// against both schemas, creates the local schema it lacks and saves the
// integration with em in place, from from's version; it returns the
// integration as saved.
func (s *Service) saveEntityMapping(ctx context.Context, from Loaded, em mapping.EntityMapping, catalog []meta.Entity) (EntityImportResult, Loaded, error) {
	in := from.Integration
	_, replaced := in.Entity(em.External)
	res := EntityImportResult{Integration: in.Name, Entity: em.External, Replaced: replaced, CreatedEntities: []string{}, AddedFields: []string{}}
	one := in
	one.Entities = []mapping.EntityMapping{em}
	if ps := mapping.EntityProblems(one.Check(), 0); len(ps) > 0 {
		return res, Loaded{}, configError(ps)
	}
	local, err := s.Store.Entities(ctx)
	if err != nil {
		return res, Loaded{}, err
	}
	plan, ps := mapping.CheckSchemas(one, catalog, local)
	if ps = mapping.EntityProblems(ps, 0); len(ps) > 0 {
		return res, Loaded{}, configError(ps)
	}
	var made ImportResult
	if err := s.applyPlan(ctx, plan, &made); err != nil {
		return res, Loaded{}, err
	}
	res.CreatedEntities = append(res.CreatedEntities, made.CreatedEntities...)
	res.AddedFields = append(res.AddedFields, made.AddedFields...)
	updated, _ := in.WithEntity(em)
	saved, err := s.SaveIntegrationFrom(ctx, from, updated)
	if err != nil {
		return res, Loaded{}, err
	}
	return res, saved, nil
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none yet"
	}
	return strings.Join(names, ", ")
}
