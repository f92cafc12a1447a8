package meta

import (
	"fmt"
	"sort"
	"strings"
)

// SchemaDiff is the difference between two catalogs of the same system.
type SchemaDiff struct {
	// AddedEntities and RemovedEntities name whole entities, sorted.
	AddedEntities   []string `json:"addedEntities"`
	RemovedEntities []string `json:"removedEntities"`
	// Changed lists the entities present in both whose key or fields differ, sorted by name.
	Changed []EntityDiff `json:"changed"`
}

// EntityDiff is how one entity differs between two catalogs.
type EntityDiff struct {
	Entity string `json:"entity"`
	// OldKey and NewKey are set when the key changed.
	OldKey []string `json:"oldKey,omitempty"`
	NewKey []string `json:"newKey,omitempty"`
	// AddedFields and RemovedFields name fields, in the order of their catalog.
	AddedFields   []string `json:"addedFields,omitempty"`
	RemovedFields []string `json:"removedFields,omitempty"`
	// ChangedFields are fields present in both whose description differs.
	ChangedFields []FieldChange `json:"changedFields,omitempty"`
}

// FieldChange is one field present in both catalogs whose description changed.
type FieldChange struct {
	Field string `json:"field"`
	Old   Field  `json:"old"`
	New   Field  `json:"new"`
}

// TypeChanged reports whether the field's type or lookup target changed, the
// changes that can break a mapping; a new length or label does not.
func (c FieldChange) TypeChanged() bool {
	return c.Old.Type != c.New.Type || c.Old.Target != c.New.Target
}

// Empty reports whether the two catalogs are the same.
func (d SchemaDiff) Empty() bool {
	return len(d.AddedEntities) == 0 && len(d.RemovedEntities) == 0 && len(d.Changed) == 0
}

// Diff compares the catalog old with the catalog new: the entities added,
// removed and changed, and for each changed entity its added, removed and
// changed fields and a changed key. Entities and fields are matched by exact name.
func Diff(old, new []Entity) SchemaDiff {
	d := SchemaDiff{AddedEntities: []string{}, RemovedEntities: []string{}, Changed: []EntityDiff{}}
	oldBy := byName(old)
	newBy := byName(new)
	for name := range newBy {
		if _, ok := oldBy[name]; !ok {
			d.AddedEntities = append(d.AddedEntities, name)
		}
	}
	for name, o := range oldBy {
		n, ok := newBy[name]
		if !ok {
			d.RemovedEntities = append(d.RemovedEntities, name)
			continue
		}
		if ed, changed := diffEntity(o, n); changed {
			d.Changed = append(d.Changed, ed)
		}
	}
	sort.Strings(d.AddedEntities)
	sort.Strings(d.RemovedEntities)
	sort.Slice(d.Changed, func(i, j int) bool { return d.Changed[i].Entity < d.Changed[j].Entity })
	return d
}

func byName(list []Entity) map[string]Entity {
	m := make(map[string]Entity, len(list))
	for _, e := range list {
		m[e.Name] = e
	}
	return m
}

// diffEntity compares two versions of one entity.
func diffEntity(o, n Entity) (EntityDiff, bool) {
	ed := EntityDiff{Entity: n.Name}
	if strings.Join(o.Key, "\x00") != strings.Join(n.Key, "\x00") {
		ed.OldKey, ed.NewKey = o.Key, n.Key
	}
	oldFields := make(map[string]Field, len(o.Fields))
	for _, f := range o.Fields {
		oldFields[f.Name] = f
	}
	newFields := make(map[string]bool, len(n.Fields))
	for _, f := range n.Fields {
		newFields[f.Name] = true
		of, ok := oldFields[f.Name]
		switch {
		case !ok:
			ed.AddedFields = append(ed.AddedFields, f.Name)
		case !of.Equal(f):
			ed.ChangedFields = append(ed.ChangedFields, FieldChange{Field: f.Name, Old: of, New: f})
		}
	}
	for _, f := range o.Fields {
		if !newFields[f.Name] {
			ed.RemovedFields = append(ed.RemovedFields, f.Name)
		}
	}
	changed := ed.OldKey != nil || ed.NewKey != nil || len(ed.AddedFields) > 0 || len(ed.RemovedFields) > 0 || len(ed.ChangedFields) > 0
	return ed, changed
}

// String describes d in lines for a terminal: "+ entity", "- entity",
// "~ entity: + field, - field, ~ field (string → int)".
func (d SchemaDiff) String() string {
	if d.Empty() {
		return "no changes\n"
	}
	var b strings.Builder
	for _, e := range d.AddedEntities {
		fmt.Fprintf(&b, "+ %s (new entity)\n", e)
	}
	for _, e := range d.RemovedEntities {
		fmt.Fprintf(&b, "- %s (entity removed)\n", e)
	}
	for _, c := range d.Changed {
		fmt.Fprintf(&b, "~ %s\n", c.Entity)
		if c.OldKey != nil || c.NewKey != nil {
			fmt.Fprintf(&b, "    key: %s → %s\n", strings.Join(c.OldKey, ", "), strings.Join(c.NewKey, ", "))
		}
		for _, f := range c.AddedFields {
			fmt.Fprintf(&b, "    + %s\n", f)
		}
		for _, f := range c.RemovedFields {
			fmt.Fprintf(&b, "    - %s\n", f)
		}
		for _, f := range c.ChangedFields {
			fmt.Fprintf(&b, "    ~ %s (%s)\n", f.Field, describeChange(f))
		}
	}
	return b.String()
}

// describeChange says what changed in a field, briefly.
func describeChange(c FieldChange) string {
	var parts []string
	if c.TypeChanged() {
		parts = append(parts, fmt.Sprintf("%s → %s", typeText(c.Old), typeText(c.New)))
	}
	if c.Old.MaxLength != c.New.MaxLength {
		parts = append(parts, fmt.Sprintf("max length %d → %d", c.Old.MaxLength, c.New.MaxLength))
	}
	if c.Old.Precision != c.New.Precision || c.Old.Scale != c.New.Scale {
		parts = append(parts, fmt.Sprintf("precision %d,%d → %d,%d", c.Old.Precision, c.Old.Scale, c.New.Precision, c.New.Scale))
	}
	if c.Old.Nullable != c.New.Nullable {
		parts = append(parts, fmt.Sprintf("nullable %v → %v", c.Old.Nullable, c.New.Nullable))
	}
	if len(parts) == 0 {
		parts = append(parts, "details")
	}
	return strings.Join(parts, ", ")
}

func typeText(f Field) string {
	if f.Type == Lookup {
		return "lookup → " + f.Target
	}
	return string(f.Type)
}
