package mapping

import (
	"fmt"
	"strings"
)

// Check reports what is wrong with in on its own, without any schema: missing
// names, invalid local names, unknown directions, duplicate mappings, a
// primary key that is not mapped, and malformed schedules.
func (in Integration) Check() Problems {
	var ps Problems
	switch {
	case strings.TrimSpace(in.Name) == "":
		ps.add("name", "missing: give the integration a name")
	case len(in.Name) > 100 || strings.ContainsAny(in.Name, "/\\\n\t"):
		ps.add("name", "%q: use at most 100 characters and no slashes, tabs or line breaks", in.Name)
	}
	if in.Connector == "" {
		ps.add("connector", "missing: name the connector, e.g. \"odata\"")
	}
	seen := map[string]int{}
	for i, e := range in.Entities {
		p := entityPath(i)
		if e.External == "" {
			ps.add(p+".external", "missing: name the external entity")
		} else if first, dup := seen[e.External]; dup {
			ps.add(p+".external", "%q is already mapped by entities[%d]: map each external entity once", e.External, first)
		} else {
			seen[e.External] = i
		}
		if !ValidLocalName(e.Local) {
			ps.add(p+".local", "%q: a local entity name uses lower-case letters, digits and _ and does not start with sy_", e.Local)
		}
		if !e.Direction.Valid() {
			ps.add(p+".direction", "%q: use download, upload or bidirectional", e.Direction)
		}
		if !e.Conflict.Valid() {
			ps.add(p+".conflict", "%q: use external, local or newest", e.Conflict)
		}
		locals := map[string]int{}
		for j, f := range e.Fields {
			fp := fieldPath(i, j)
			if f.External == "" && f.Constant == "" {
				ps.add(fp+".external", "missing: name the external field, or give the local field a constant")
			}
			checkValues(&ps, fp, f)
			switch {
			case !ValidLocalName(f.Local):
				ps.add(fp+".local", "%q: a local field name uses lower-case letters, digits and _ and does not start with sy_", f.Local)
			case isSystemField(f.Local):
				ps.add(fp+".local", "%q is a system field that Switchyard maintains: map to another field", f.Local)
			default:
				if first, dup := locals[f.Local]; dup {
					ps.add(fp+".local", "%q is already the target of fields[%d]: map each local field once", f.Local, first)
				} else {
					locals[f.Local] = j
				}
			}
			if f.Lookup != "" && !ValidLocalName(f.Lookup) {
				ps.add(fp+".lookup", "%q is not a local entity name", f.Lookup)
			}
		}
		if e.PrimaryKey == "" {
			ps.add(p+".primaryKey", "missing: name the local field that holds the external key")
		} else if j, ok := locals[e.PrimaryKey]; !ok {
			ps.add(p+".primaryKey", "%q is not among the mapped local fields: map the external key to it in fields", e.PrimaryKey)
		} else if e.Fields[j].Disabled {
			ps.add(p+".primaryKey", "%q is mapped by a disabled field: enable fields[%d]", e.PrimaryKey, j)
		}
	}
	for k, s := range in.Schedules {
		if err := s.Validate(); err != nil {
			ps.add(schedulePath(k), "%v", err)
		}
	}
	return ps
}

// systemFields are the columns every local entity has.
var systemFields = []string{"id", "createdon", "modifiedon", "versionnumber"}

func isSystemField(name string) bool { return contains(systemFields, name) }

func knownList(names []string) string {
	if len(names) > 12 {
		return strings.Join(names[:12], ", ") + fmt.Sprintf(" and %d more", len(names)-12)
	}
	return strings.Join(names, ", ")
}
