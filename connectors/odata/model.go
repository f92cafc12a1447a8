package odata

import (
	"fmt"
	"sort"
	"strings"

	"switchyard/core/meta"
)

// edmTypes maps the OData primitive types Switchyard handles to its own.
var edmTypes = map[string]meta.Type{
	"Edm.String":         meta.String,
	"Edm.Duration":       meta.String, // ISO 8601 duration text
	"Edm.Byte":           meta.Int,
	"Edm.SByte":          meta.Int,
	"Edm.Int16":          meta.Int,
	"Edm.Int32":          meta.Int,
	"Edm.Int64":          meta.Int,
	"Edm.Decimal":        meta.Decimal,
	"Edm.Double":         meta.Double,
	"Edm.Single":         meta.Double,
	"Edm.Boolean":        meta.Bool,
	"Edm.Date":           meta.Date,
	"Edm.DateTimeOffset": meta.DateTime,
	"Edm.TimeOfDay":      meta.Time,
	"Edm.Guid":           meta.GUID,
	"Edm.Binary":         meta.Binary,
}

// Skipped counts what Entities leaves out of the catalog for now.
type Skipped struct {
	// Collections counts collection-valued structural properties.
	Collections int
	// Complex counts complex-typed properties that could not be flattened
	// (nested too deep, or their names taken).
	Complex int
	// Other counts properties of types with no Switchyard counterpart; OtherTypes names those types.
	Other      int
	OtherTypes []string
	// Unbound counts single-valued navigation properties that lead to no entity set.
	Unbound int
}

// Details describes the skipped properties in lines for a connection report; nil when none were.
func (s Skipped) Details() []string {
	var out, parts []string
	if s.Collections > 0 {
		parts = append(parts, fmt.Sprintf("%d collection-valued", s.Collections))
	}
	if s.Complex > 0 {
		parts = append(parts, fmt.Sprintf("%d complex-typed", s.Complex))
	}
	if s.Other > 0 {
		parts = append(parts, fmt.Sprintf("%d other (%s)", s.Other, strings.Join(s.OtherTypes, ", ")))
	}
	if len(parts) > 0 {
		out = append(out, "properties not mapped yet: "+strings.Join(parts, ", "))
	}
	if s.Unbound > 0 {
		out = append(out, fmt.Sprintf("%d single-valued navigation properties lead to no entity set and are not offered as lookups", s.Unbound))
	}
	return out
}

func (s *Skipped) other(typ string) {
	s.Other++
	i := sort.SearchStrings(s.OtherTypes, typ)
	if i == len(s.OtherTypes) || s.OtherTypes[i] != typ {
		s.OtherTypes = append(s.OtherTypes, "")
		copy(s.OtherTypes[i+1:], s.OtherTypes[i:])
		s.OtherTypes[i] = typ
	}
}

// Entities returns one entity per entity set, sorted by name: the set's name,
// its type's qualified name, its key and its fields with those of its base
// types first. Single-valued navigation properties become lookups to the
// entity set they are bound to (or, failing a binding, the set of their type).
// When the schemas name the system (Dataverse, Business Central), the fields
// that system computes itself are marked read-only as its preset says (see
// Presets), so that neither the engine nor the connector writes them.
func (md *Metadata) Entities() ([]meta.Entity, Skipped, error) {
	var sk Skipped
	out := make([]meta.Entity, 0, len(md.EntitySets))
	preset := Presets[md.systemPreset()]
	seen := make(map[string]bool, len(md.EntitySets))
	for i := range md.EntitySets {
		set := &md.EntitySets[i]
		if seen[set.Name] {
			continue // the same name in a second container
		}
		seen[set.Name] = true
		e, err := md.entity(set.Name, set.EntityType, set, &sk)
		if err != nil {
			return nil, sk, fmt.Errorf("read entity set %s: %w", set.Name, err)
		}
		out = append(out, preset.markReadOnly(e))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, sk, nil
}

// systemPreset names the preset of the system whose schemas md declares
// (dynamics for Dataverse, businesscentral for Business Central), "" when
// the schemas do not tell.
func (md *Metadata) systemPreset() string {
	switch detectSystem(nil, "", md) {
	case SystemDynamics:
		return PresetDynamics
	case SystemBusinessCentral:
		return PresetBusinessCentral
	}
	return ""
}

// Properties returns the structural properties of entity set name's type,
// base types included, when a response without $select brings exactly those:
// ok is false when the type is open or another type derives from it (its
// instances may carry more), or there is no such entity set.
func (md *Metadata) Properties(name string) (props []string, ok bool) {
	var typeName string
	for _, set := range md.EntitySets {
		if set.Name == name {
			typeName = set.EntityType
			break
		}
	}
	chain, err := md.chain(typeName)
	if typeName == "" || err != nil {
		return nil, false
	}
	own := chain[len(chain)-1] // the chain runs from the base type down
	for _, t := range md.types {
		base := md.types[t.baseType]
		for steps := 0; base != nil && steps < len(md.types); steps++ { // a cycle ends too
			if base == own {
				return nil, false // a derived type
			}
			base = md.types[base.baseType]
		}
	}
	for _, t := range chain {
		if t.open {
			return nil, false
		}
		for _, m := range t.members {
			if !m.nav {
				props = append(props, m.name)
			}
		}
	}
	return props, true
}

// EntityType returns the entity type called name (qualified by namespace or
// alias) resolved on its own, base types included: Name is the type's simple
// name, and lookups lead to the entity set of their type.
func (md *Metadata) EntityType(name string) (meta.Entity, error) {
	q := md.qualify(name)
	simple := q[strings.LastIndexByte(q, '.')+1:]
	var sk Skipped
	return md.entity(simple, q, nil, &sk)
}

// chain returns the entity type called name and its base types, the root first.
func (md *Metadata) chain(name string) ([]*entityType, error) {
	var chain []*entityType
	for n := name; n != ""; {
		t, ok := md.types[n]
		if !ok {
			if n == name {
				return nil, fmt.Errorf("entity type %s is not declared in the metadata", n)
			}
			return nil, fmt.Errorf("base type %s of %s is not declared in the metadata", n, chain[len(chain)-1].name)
		}
		for _, c := range chain {
			if c == t {
				return nil, fmt.Errorf("entity type %s derives from itself", name)
			}
		}
		chain = append(chain, t)
		n = t.baseType
	}
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	return chain, nil
}

func (md *Metadata) entity(name, typeName string, set *EntitySet, sk *Skipped) (meta.Entity, error) {
	chain, err := md.chain(typeName)
	if err != nil {
		return meta.Entity{}, err
	}
	e := meta.Entity{Name: name, TypeName: typeName, Fields: []meta.Field{}}
	for _, t := range chain {
		if len(t.key) > 0 {
			e.Key = append([]string(nil), t.key...)
			break
		}
	}
	isKey := make(map[string]bool, len(e.Key))
	for _, k := range e.Key {
		isKey[k] = true
	}
	for _, t := range chain {
		for i := range t.members {
			m := &t.members[i]
			if !m.nav && md.complexes[m.typ] != nil {
				md.addFlattened(&e, m, sk)
				continue
			}
			var f meta.Field
			var ok bool
			if m.nav {
				f, ok = md.lookup(t, m, set, sk)
			} else {
				f, ok = md.field(m, sk)
			}
			if !ok {
				continue
			}
			if isKey[f.Name] {
				f.Nullable = false
			}
			e.Fields = append(e.Fields, f)
		}
	}
	return e, nil
}

// field converts a structural property; false when its type is not handled yet.
func (md *Metadata) field(m *member, sk *Skipped) (meta.Field, bool) {
	if _, ok := collectionOf(m.typ); ok {
		sk.Collections++
		return meta.Field{}, false
	}
	edm := m.typ
	if u, ok := md.typedefs[edm]; ok {
		edm = u
	}
	f := meta.Field{
		Name:         m.name,
		Label:        m.label,
		ExternalType: m.typ,
		Nullable:     m.nullable,
		ReadOnly:     m.readOnly,
		CreateOnly:   m.createOnly,
	}
	switch t, ok := edmTypes[edm]; {
	case ok:
		f.Type = t
	case md.enums[edm]:
		f.Type = meta.String
		f.Enum = md.enumMembers[edm]
	case md.complex[edm]:
		sk.Complex++
		return meta.Field{}, false
	default:
		sk.other(edm)
		return meta.Field{}, false
	}
	switch f.Type {
	case meta.String, meta.Binary:
		f.MaxLength = m.maxLength
	case meta.Decimal:
		f.Precision, f.Scale = m.precision, m.scale
	case meta.DateTime:
		f.Precision = m.precision // fractional digits of a second
	}
	return f, true
}

// lookup converts a single-valued navigation property into a lookup field;
// false for collections and for navigation properties that lead to no entity set.
func (md *Metadata) lookup(declaring *entityType, m *member, set *EntitySet, sk *Skipped) (meta.Field, bool) {
	if _, ok := collectionOf(m.typ); ok {
		return meta.Field{}, false
	}
	target := ""
	if set != nil {
		target = md.bindingTarget(set, declaring.name, m.name)
	}
	if target == "" && !m.containsTarget {
		target = md.setOfType(m.typ)
	}
	if target == "" {
		sk.Unbound++
		return meta.Field{}, false
	}
	f := meta.Field{
		Name:         m.name,
		Type:         meta.Lookup,
		Target:       target,
		ExternalType: m.typ,
		Nullable:     m.nullable,
	}
	if len(m.constraints) == 1 {
		f.ForeignKey = m.constraints[0]
	}
	return f, true
}

// bindingTarget returns the entity set that set's binding for the navigation
// property nav (declared by type declaring) leads to, "" when there is none or
// it names no entity set of the metadata (e.g. a contained one).
func (md *Metadata) bindingTarget(set *EntitySet, declaring, nav string) string {
	target, ok := set.Bindings[nav]
	if !ok {
		target = set.Bindings[declaring+"/"+nav]
	}
	if md.setNames[target] {
		return target
	}
	// "Namespace.Container/Set" names a set of a (possibly other) container.
	if _, rest, ok := strings.Cut(target, "/"); ok && md.setNames[rest] {
		return rest
	}
	return ""
}

// setOfType returns the first entity set, in document order, whose type is typ.
func (md *Metadata) setOfType(typ string) string { return md.setByType[typ] }
