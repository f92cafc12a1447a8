package mapping

import (
	"errors"
	"fmt"
	"slices"
	"sort"

	"switchyard/core/filter"
	"switchyard/core/meta"
	"switchyard/core/nearest"
)

// LocalPlan lists the local schema an integration needs and the workspace lacks.
type LocalPlan struct {
	// Entities to create, each with its fields; lookups between them are in AddFields.
	Entities []meta.Entity
	// AddFields are fields to add to entities that exist or that Entities creates.
	AddFields []EntityField
}

// EntityField is one field of one local entity.
type EntityField struct {
	Entity string
	Field  meta.Field
}

// Empty reports whether the plan changes nothing.
func (p LocalPlan) Empty() bool { return len(p.Entities) == 0 && len(p.AddFields) == 0 }

// CheckSchemas checks in against the external catalog and the local schema:
// every enabled external entity and field must exist, every existing local
// field must fit the external one, and every lookup must point to a local
// entity that exists or that this integration creates. It returns the local
// entities and fields to create, typed from the external fields, and the problems.
func CheckSchemas(in Integration, external, local []meta.Entity) (LocalPlan, Problems) {
	c := schemaCheck{local: local, extNames: entityNames(external), creating: map[string]*meta.Entity{}}
	for i, e := range in.Entities {
		if e.Disabled {
			continue
		}
		ext, ok := meta.FindEntity(external, e.External)
		if !ok {
			c.ps.add(entityPath(i)+".external", "%s", unknownName(fmt.Sprintf("unknown external entity %q", e.External), e.External, c.extNames, "known entities are "))
			continue
		}
		c.checkEntity(i, e, ext)
	}
	c.addLookups(in)
	c.ps = append(c.ps, checkFilters(in, external, local, c.plan)...)
	return c.plan, c.ps
}

// schemaCheck is one CheckSchemas: what it plans and the problems it found.
type schemaCheck struct {
	local    []meta.Entity
	extNames []string
	creating map[string]*meta.Entity // local entities the plan creates, by name
	lookups  []EntityField           // lookups to other entities, added once every entity exists
	plan     LocalPlan
	ps       Problems
}

// unknownName is msg with the nearest of known to name as a suggestion, or
// else the list of known names after listIntro.
func unknownName(msg, name string, known []string, listIntro string) string {
	if near := nearest.Name(name, known); near != "" {
		return msg + fmt.Sprintf("; did you mean %q?", near)
	}
	return msg + "; " + listIntro + knownList(known)
}

// checkEntity checks the enabled fields of entity mapping e (number i) against
// its external entity ext and the local schema, and plans what is missing.
func (c *schemaCheck) checkEntity(i int, e EntityMapping, ext meta.Entity) {
	loc, exists := meta.FindEntity(c.local, e.Local)
	target := c.creating[e.Local]
	if !exists && target == nil {
		target = &meta.Entity{Name: e.Local, Label: ext.Label}
		c.creating[e.Local] = target
	}
	for j, f := range e.Fields {
		if f.Disabled {
			continue
		}
		fp := fieldPath(i, j)
		xf, ok := ext.Field(f.External)
		if f.External == "" && f.Constant != "" {
			// A constant needs no external field; a new local field holds it as text.
			xf, ok = meta.Field{Name: f.Local, Type: meta.String}, true
		}
		if !ok {
			c.ps.add(fp+".external", "%s", unknownName(fmt.Sprintf("unknown field %q in external entity %q", f.External, e.External),
				f.External, ext.FieldNames(), "its fields are "))
			continue
		}
		want := localFieldFor(f, xf)
		if exists {
			if lf, ok := loc.Field(f.Local); ok {
				// The engine converts mapped values and constants to the field's type on write.
				if len(f.Values) == 0 && f.Constant == "" {
					if msg := fitsFor(lf, want, xf, e.Direction); msg != "" {
						c.ps.add(fp+".local", "local field %q of entity %q %s", f.Local, e.Local, msg)
					}
				}
				continue
			}
		} else if _, ok := target.Field(f.Local); ok {
			continue
		}
		switch {
		case want.Type == meta.Lookup && want.Target != e.Local:
			c.lookups = append(c.lookups, EntityField{Entity: e.Local, Field: want})
		case exists:
			c.plan.AddFields = append(c.plan.AddFields, EntityField{Entity: e.Local, Field: want})
		default:
			target.Fields = append(target.Fields, want)
		}
	}
}

// addLookups plans the lookups to other entities, once every entity exists,
// and the entities to create, in name order.
func (c *schemaCheck) addLookups(in Integration) {
	for _, lf := range c.lookups {
		if _, ok := meta.FindEntity(c.local, lf.Field.Target); !ok && c.creating[lf.Field.Target] == nil {
			c.ps.add(lookupPath(in, lf), "local entity %q does not exist and no entity in this file maps to it: map that entity too or fix the lookup", lf.Field.Target)
			continue
		}
		c.plan.AddFields = append(c.plan.AddFields, lf)
	}
	names := make([]string, 0, len(c.creating))
	for n := range c.creating {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c.plan.Entities = append(c.plan.Entities, *c.creating[n])
	}
}

// checkFilters checks each enabled entity mapping's downloadFilter against
// its external entity and its uploadFilter against its local entity as the
// plan leaves it (existing fields, planned fields and the system fields).
func checkFilters(in Integration, external, local []meta.Entity, plan LocalPlan) Problems {
	var ps Problems
	for i, e := range in.Entities {
		if e.Disabled {
			continue
		}
		if ext, ok := meta.FindEntity(external, e.External); ok {
			ps = append(ps, checkFilter(entityPath(i)+".downloadFilter", e.DownloadFilter, ext)...)
		}
		ps = append(ps, checkFilter(entityPath(i)+".uploadFilter", e.UploadFilter, plannedLocal(e.Local, local, plan))...)
	}
	return ps
}

// checkFilter parses text and checks it against ent, one Problem per error.
func checkFilter(path, text string, ent meta.Entity) Problems {
	var ps Problems
	x, err := filter.Parse(text)
	if err == nil {
		err = filter.Check(x, ent)
	}
	var list filter.Errors
	var one *filter.Error
	switch {
	case err == nil:
	case errors.As(err, &list):
		for _, fe := range list {
			ps.add(path, "%v", fe)
		}
	case errors.As(err, &one):
		ps.add(path, "%v", one)
	default:
		ps.add(path, "%v", err)
	}
	return ps
}

// plannedLocal is the local entity called name once plan is applied.
func plannedLocal(name string, local []meta.Entity, plan LocalPlan) meta.Entity {
	ent, ok := meta.FindEntity(local, name)
	if !ok {
		ent, _ = meta.FindEntity(plan.Entities, name)
		ent.Fields = append(slices.Clip(ent.Fields), localSystemFields...)
	}
	ent.Fields = slices.Clip(ent.Fields)
	for _, af := range plan.AddFields {
		if af.Entity == name {
			ent.Fields = append(ent.Fields, af.Field)
		}
	}
	return ent
}

// localSystemFields are the columns every local entity has besides its own (see core/store).
var localSystemFields = []meta.Field{
	{Name: "id", Type: meta.GUID}, {Name: "createdon", Type: meta.DateTime},
	{Name: "modifiedon", Type: meta.DateTime}, {Name: "versionnumber", Type: meta.Int},
}

// localFieldFor types the local field of f from the external field xf.
func localFieldFor(f FieldMapping, xf meta.Field) meta.Field {
	lf := meta.Field{Name: f.Local, Label: xf.Label, Type: xf.Type, MaxLength: xf.MaxLength, Precision: xf.Precision, Scale: xf.Scale, Nullable: true}
	if len(f.Values) > 0 || f.Constant != "" {
		// Mapped values and constants are the mapping's own text, not the external type.
		lf.Type, lf.MaxLength, lf.Precision, lf.Scale = meta.String, 0, 0, 0
	}
	if f.Lookup != "" {
		lf.Type, lf.Target, lf.MaxLength, lf.Precision, lf.Scale = meta.Lookup, f.Lookup, 0, 0, 0
	} else if xf.Type == meta.Lookup {
		// A navigation property without a local lookup target is kept as the target's key.
		lf.Type, lf.Target = meta.String, ""
	}
	return lf
}

// fits says why the existing local field lf cannot take values meant for want, or "".
func fits(lf, want meta.Field) string {
	if want.Type == meta.Lookup {
		if lf.Type != meta.Lookup || lf.Target != want.Target {
			return fmt.Sprintf("is %s, but the mapping makes it a lookup to %q: change the lookup or map another field", describe(lf), want.Target)
		}
		return ""
	}
	if !Convertible(want.Type, lf.Type) {
		return fmt.Sprintf("is %s and cannot hold %s values: map another field", describe(lf), want.Type)
	}
	return ""
}

// fitsFor is fits for the way values go: a download needs the external
// values to fit the local field, an upload the local values to fit the
// external field, a bidirectional mapping both. A field the system cannot
// type yet (meta.ExternalTypeUntyped) takes any value.
func fitsFor(lf, want, xf meta.Field, d Direction) string {
	if want.Type == meta.Lookup {
		return fits(lf, want)
	}
	if xf.ExternalType == meta.ExternalTypeUntyped {
		return ""
	}
	if d != Upload {
		if msg := fits(lf, want); msg != "" {
			return msg
		}
	}
	if d != Download && !Convertible(lf.Type, xf.Type) {
		return fmt.Sprintf("is %s, which the external %s field cannot hold: map another field", describe(lf), xf.Type)
	}
	return ""
}

func describe(f meta.Field) string {
	if f.Type == meta.Lookup {
		return fmt.Sprintf("a lookup to %q", f.Target)
	}
	return string(f.Type)
}

// Convertible reports whether values of type from can be stored in a field of type to without loss.
func Convertible(from, to meta.Type) bool {
	if from == to || to == meta.String {
		return true
	}
	switch from {
	case meta.Int:
		return to == meta.Decimal || to == meta.Double
	case meta.Decimal:
		return to == meta.Double
	case meta.Double:
		return to == meta.Decimal
	case meta.Date:
		return to == meta.DateTime
	case meta.Bool:
		return to == meta.Int
	}
	return false
}

func entityNames(list []meta.Entity) []string {
	names := make([]string, len(list))
	for i, e := range list {
		names[i] = e.Name
	}
	return names
}

// lookupPath finds the file path of the field mapping that asked for lf.
func lookupPath(in Integration, lf EntityField) string {
	for i, e := range in.Entities {
		if e.Local != lf.Entity {
			continue
		}
		for j, f := range e.Fields {
			if f.Local == lf.Field.Name {
				return fieldPath(i, j) + ".lookup"
			}
		}
	}
	return ""
}
