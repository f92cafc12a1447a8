package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"switchyard/core/connector"
	"switchyard/core/filter"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/store"
)

// fieldPlan is one enabled field mapping with its local field.
type fieldPlan struct {
	fm    mapping.FieldMapping
	ext   string
	local meta.Field
}

// lookupPlan is a field mapping whose local field is a lookup: the external
// value is the target's external key, found in the target entity's primary key field.
type lookupPlan struct {
	fieldPlan
	target    string     // the local target entity
	targetKey meta.Field // the target's primary key field
	// targetExternal is the external entity the target is mapped to.
	targetExternal string
}

// entityPlan is one entity of a run, checked against the workspace.
type entityPlan struct {
	em      mapping.EntityMapping
	local   meta.Entity
	key     fieldPlan   // the field mapping of the primary key
	fields  []fieldPlan // plain fields, the key included
	lookups []lookupPlan
	// external is the external entity from the catalog, zero when the run has none.
	external meta.Entity
}

// localFields returns the local names of every planned field, lookups included.
func (p *entityPlan) localFields() []string {
	names := make([]string, 0, len(p.fields)+len(p.lookups))
	for _, f := range p.fields {
		names = append(names, f.local.Name)
	}
	for _, l := range p.lookups {
		names = append(names, l.local.Name)
	}
	return names
}

// externalFields returns the external names of every planned field, lookups included.
func (p *entityPlan) externalFields() []string {
	names := make([]string, 0, len(p.fields)+len(p.lookups))
	for _, f := range p.fields {
		if f.ext != "" {
			names = append(names, f.ext)
		}
	}
	for _, l := range p.lookups {
		if l.ext != "" {
			names = append(names, l.ext)
		}
	}
	return names
}

// readQuery is the read of the entity's mapped fields, lookups included,
// within cond (nil for none): the one place where an entity's query is
// built; callers add what their read needs (a count, a cursor).
func (p *entityPlan) readQuery(cond filter.Expr, pageSize int) connector.Query {
	q := connector.Query{Entity: p.em.External, Fields: p.externalFields(), PageSize: pageSize}
	q.SetWhere(cond)
	return q
}

// plan checks the entities to run against the workspace and orders them parents first.
func (e *Engine) plan(ctx context.Context, opt Options) ([]*entityPlan, error) {
	in := opt.Integration
	if opt.Direction != Import && opt.Direction != Export {
		return nil, configErrorf("unknown run direction %q: use import or export", opt.Direction)
	}
	for _, name := range opt.Entities {
		em, ok := in.Entity(name)
		if !ok {
			return nil, configErrorf("integration %q maps no external entity %q", in.Name, name)
		}
		if !runs(em, opt.Direction) {
			return nil, configErrorf("entity %q is mapped for %s only: it cannot be part of an %s", name, em.Direction, opt.Direction)
		}
	}
	var plans []*entityPlan
	ordered, _ := mapping.Order(in) // parents first; lookups still missing are resolved in a second pass
	for _, em := range ordered {
		if !runs(em, opt.Direction) || (len(opt.Entities) > 0 && !slices.Contains(opt.Entities, em.External)) {
			continue
		}
		p, err := e.planEntity(ctx, in, em)
		if err != nil {
			return nil, fmt.Errorf("entity %s: %w", em.External, err)
		}
		if ext, ok := meta.FindEntity(opt.Catalog, em.External); ok {
			p.external = ext
		} else if opt.Direction == Export {
			return nil, configErrorf("entity %s: the external entity is not in the cached schema: update the schema", em.External)
		}
		plans = append(plans, p)
	}
	if len(plans) == 0 {
		return nil, configErrorf("integration %q has no enabled entity to %s: enable one, with direction %s or bidirectional", in.Name, opt.Direction, directionFor(opt.Direction))
	}
	return plans, nil
}

func runs(em mapping.EntityMapping, d Direction) bool { return Runs(em.Direction, d) }

// Runs reports whether an entity mapped in direction md takes part in a run
// of direction d: download and bidirectional entities in imports,
// upload and bidirectional ones in exports, every direction in a sync. The
// one statement of the direction rule, for the engine and the app alike.
func Runs(md mapping.Direction, d Direction) bool {
	switch d {
	case Import:
		return md == mapping.Download || md == mapping.Bidirectional
	case Export:
		return md == mapping.Upload || md == mapping.Bidirectional
	case Sync:
		return md.Valid()
	}
	return false
}

func directionFor(d Direction) mapping.Direction {
	if d == Export {
		return mapping.Upload
	}
	return mapping.Download
}

func (e *Engine) planEntity(ctx context.Context, in mapping.Integration, em mapping.EntityMapping) (*entityPlan, error) {
	local, err := e.Workspace.Entity(ctx, em.Local)
	if errors.Is(err, store.ErrNotFound) {
		return nil, configErrorf("local entity %q does not exist: import the integration file again to create it", em.Local)
	}
	if err != nil {
		return nil, err
	}
	p := &entityPlan{em: em, local: local}
	haveKey := false
	for _, fm := range em.Fields {
		if fm.Disabled {
			continue
		}
		lf, ok := local.Field(fm.Local)
		if !ok {
			return nil, configErrorf("local field %q of entity %q does not exist: check the integration", fm.Local, em.Local)
		}
		fp := fieldPlan{fm: fm, ext: fm.External, local: lf}
		if fm.Local == em.PrimaryKey {
			p.key, haveKey = fp, true
		}
		if lf.Type != meta.Lookup {
			p.fields = append(p.fields, fp)
			continue
		}
		target, ok := mappedTo(in, lf.Target)
		if !ok {
			return nil, configErrorf("lookup %q points to local entity %q, which no entity of integration %q maps: map it so that its keys can be resolved", fm.Local, lf.Target, in.Name)
		}
		targetLocal, err := e.Workspace.Entity(ctx, lf.Target)
		if err != nil {
			return nil, fmt.Errorf("lookup %q: %w", fm.Local, err)
		}
		tk, ok := targetLocal.Field(target.PrimaryKey)
		if !ok {
			return nil, configErrorf("lookup %q: the primary key %q of %q does not exist", fm.Local, target.PrimaryKey, lf.Target)
		}
		p.lookups = append(p.lookups, lookupPlan{fieldPlan: fp, target: lf.Target, targetKey: tk, targetExternal: target.External})
	}
	if !haveKey {
		return nil, configErrorf("the primary key %q is not an enabled field mapping: map the external key to it", em.PrimaryKey)
	}
	if p.key.local.Type == meta.Lookup {
		return nil, configErrorf("the primary key %q is a lookup: use a plain field", em.PrimaryKey)
	}
	return p, nil
}

// mappedTo returns the enabled entity mapping whose local entity is local.
func mappedTo(in mapping.Integration, local string) (mapping.EntityMapping, bool) {
	for _, em := range in.Entities {
		if em.Local == local && !em.Disabled {
			return em, true
		}
	}
	return mapping.EntityMapping{}, false
}
