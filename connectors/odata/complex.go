package odata

import (
	"strings"

	"switchyard/core/meta"
)

// maxComplexDepth bounds how deep complex properties are flattened.
const maxComplexDepth = 4

// owner returns the entity or complex type whose properties are being read.
func (p *parser) owner() *entityType {
	if p.typ != nil {
		return p.typ
	}
	return p.cplx
}

// allTypes returns the entity and complex types by qualified name, for out-of-line annotations.
func (md *Metadata) allTypes() map[string]*entityType {
	out := make(map[string]*entityType, len(md.types)+len(md.complexes))
	for k, t := range md.types {
		out[k] = t
	}
	for k, t := range md.complexes {
		out[k] = t
	}
	return out
}

// complexMembers returns the properties of complex type name, those of its base types first.
func (md *Metadata) complexMembers(name string) []member {
	var chain []*entityType
	for n := name; n != "" && len(chain) < 16; {
		t := md.complexes[n]
		if t == nil {
			break
		}
		chain = append([]*entityType{t}, chain...)
		n = t.baseType
	}
	var out []member
	for _, t := range chain {
		out = append(out, t.members...)
	}
	return out
}

// addFlattened adds the structural properties of the complex property m to
// e as fields named m_sub (m_sub_subsub for nested ones), and records their
// property paths so that reads and writes can nest and unnest them.
func (md *Metadata) addFlattened(e *meta.Entity, m *member, sk *Skipped) {
	var walk func(prefix, label string, path []string, typ string, readOnly, nullable bool, depth int)
	walk = func(prefix, label string, path []string, typ string, readOnly, nullable bool, depth int) {
		if depth > maxComplexDepth {
			sk.Complex++
			return
		}
		for _, sub := range md.complexMembers(typ) {
			if sub.nav {
				continue
			}
			name := prefix + "_" + sub.name
			subPath := append(append([]string(nil), path...), sub.name)
			subLabel := sub.label
			if subLabel == "" {
				subLabel = sub.name
			}
			if label != "" {
				subLabel = label + ": " + subLabel
			}
			if md.complexes[sub.typ] != nil {
				walk(name, subLabel, subPath, sub.typ, readOnly || sub.readOnly, nullable || sub.nullable, depth+1)
				continue
			}
			f, ok := md.field(&sub, sk)
			if !ok {
				continue
			}
			if _, taken := e.Field(name); taken {
				sk.Complex++
				continue
			}
			f.Name, f.Label = name, subLabel
			f.ReadOnly = f.ReadOnly || readOnly
			f.Nullable = f.Nullable || nullable
			e.Fields = append(e.Fields, f)
			if md.flat[e.Name] == nil {
				md.flat[e.Name] = map[string][]string{}
			}
			md.flat[e.Name][name] = subPath
		}
	}
	walk(m.name, m.label, []string{m.name}, m.typ, m.readOnly, m.nullable, 1)
}

// Flattened returns, for the entity called name, each field flattened from
// a complex property with its property path (e.g. "Location_City_Name" →
// Location, City, Name); nil when it has none.
func (md *Metadata) Flattened(name string) map[string][]string { return md.flat[name] }

// unflatten sets value at path inside body, creating the nested objects.
func unflatten(body map[string]any, path []string, value any) {
	for _, p := range path[:len(path)-1] {
		next, ok := body[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			body[p] = next
		}
		body = next
	}
	body[path[len(path)-1]] = value
}

// flattenInto decodes the nested object obj of property prefix into rec as
// the entity's flattened fields; properties the catalog lacks are dropped.
func flattenInto(e meta.Entity, rec meta.Record, prefix string, obj map[string]any) error {
	for k, v := range obj {
		if strings.Contains(k, "@") {
			continue
		}
		name := prefix + "_" + k
		if nested, ok := v.(map[string]any); ok {
			if err := flattenInto(e, rec, name, nested); err != nil {
				return err
			}
			continue
		}
		f, ok := e.Field(name)
		if !ok {
			continue
		}
		x, err := decodeValue(f.Type, v)
		if err != nil {
			return err
		}
		rec[name] = x
	}
	return nil
}
