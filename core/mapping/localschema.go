package mapping

import (
	"fmt"
	"regexp"
	"strings"

	"switchyard/core/meta"
)

// ExternalKeyField is the local field that FromExternal makes to hold the external key.
const ExternalKeyField = "externalid"

// invalidLocal matches what a local name may not hold.
var invalidLocal = regexp.MustCompile(`[^a-z0-9_]+`)

// LocalName turns an external name into a valid local entity or field name:
// lower case, other characters as _, without the leading _ and the _value
// suffix of Dynamics key fields (_primarycontactid_value → primarycontactid).
func LocalName(external string) string {
	s := strings.ToLower(external)
	if strings.HasPrefix(s, "_") && strings.HasSuffix(s, "_value") && len(s) > len("__value") {
		s = s[1 : len(s)-len("_value")]
	}
	s = strings.Trim(invalidLocal.ReplaceAllString(s, "_"), "_")
	switch {
	case s == "":
		s = "field"
	case s[0] >= '0' && s[0] <= '9':
		s = "f_" + s
	}
	if strings.HasPrefix(s, "sy_") || strings.HasPrefix(s, "sqlite_") {
		s = "x_" + s
	}
	if len(s) > 63 {
		s = s[:63]
	}
	return s
}

// FromExternal designs, in one step, a local entity called local for the
// external entity ext, and the entity mapping between them: a field
// ExternalKeyField holding the external key (the mapping's primary key),
// then one field per external field, typed from it. A field holding the key
// of an entity that mapped names (external entity → local entity) becomes a
// lookup to that local entity; navigation properties are left out (their
// key fields carry them). Names that clash with the workspace's system
// fields get the prefix ext_. The returned entity lists the plain fields;
// lookups come as fields too and the caller creates them once their targets
// exist (CheckSchemas plans that). It fails when ext has no single-field key.
func FromExternal(ext meta.Entity, local string, mapped map[string]string) (meta.Entity, EntityMapping, error) {
	if len(ext.Key) != 1 {
		return meta.Entity{}, EntityMapping{}, fmt.Errorf("external entity %q has %d key fields: a local entity can be made for an entity with a key of one field; map it by hand", ext.Name, len(ext.Key))
	}
	if !ValidLocalName(local) {
		return meta.Entity{}, EntityMapping{}, fmt.Errorf("%q cannot name a local entity: use lower-case letters, digits and _, not starting with sy_", local)
	}
	navs := map[string]string{}
	for _, f := range ext.Fields {
		if f.Type == meta.Lookup && f.ForeignKey != "" {
			if _, seen := navs[f.ForeignKey]; !seen {
				navs[f.ForeignKey] = f.Target
			}
		}
	}
	e := meta.Entity{Name: local, Label: ext.Label}
	em := EntityMapping{External: ext.Name, Local: local, PrimaryKey: ExternalKeyField, Direction: Download}
	used := map[string]bool{}
	add := func(fm FieldMapping, xf meta.Field) {
		used[fm.Local] = true
		em.Fields = append(em.Fields, fm)
		e.Fields = append(e.Fields, localFieldFor(fm, xf))
	}
	key, _ := ext.Field(ext.Key[0])
	add(FieldMapping{External: key.Name, Local: ExternalKeyField}, key)
	for _, xf := range ext.Fields {
		if xf.Name == key.Name || xf.Type == meta.Lookup {
			continue
		}
		name := LocalName(xf.Name)
		if isSystemField(name) || name == ExternalKeyField || reservedName(name) {
			name = LocalName("ext_" + name)
		}
		for i := 2; used[name]; i++ {
			name = fmt.Sprintf("%s_%d", strings.TrimRight(LocalName(xf.Name), "_"), i)
		}
		fm := FieldMapping{External: xf.Name, Local: name}
		if target := mapped[navs[xf.Name]]; target != "" {
			fm.Lookup = target
		}
		add(fm, xf)
	}
	return e, em, nil
}

// reservedName reports names SQLite keeps for the rowid.
func reservedName(s string) bool { return s == "rowid" || s == "oid" || s == "_rowid_" }
