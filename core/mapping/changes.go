package mapping

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"switchyard/core/spec"
)

// Changes describes, part by part, what differs between two versions of an
// integration, old and new, in words an admin reads: "connector",
// "settings url, auth", "secrets password" (names only, never values),
// "entity accounts added", "entity leads removed", "entity accounts: fields
// name, email", "entity contacts: direction, conflict", "schedules". It is
// empty when they are the same.
func Changes(old, new Integration) []string {
	var out []string
	if old.Connector != new.Connector {
		out = append(out, "connector")
	}
	if keys := changedKeys(old.Settings, new.Settings); len(keys) > 0 {
		out = append(out, "settings "+strings.Join(keys, ", "))
	}
	if keys := changedKeys(old.Secrets, new.Secrets); len(keys) > 0 {
		out = append(out, "secrets "+strings.Join(keys, ", "))
	}
	out = append(out, entityChanges(old.Entities, new.Entities)...)
	if len(old.Schedules)+len(new.Schedules) > 0 && !sameJSON(old.Schedules, new.Schedules) {
		out = append(out, "schedules")
	}
	return out
}

// changedKeys returns the keys, sorted, whose values differ between a and b
// (a key missing on one side differs).
func changedKeys(a, b spec.Values) []string {
	var keys []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			keys = append(keys, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// entityChanges describes the entity mappings added, removed and changed
// from old to new, by external name, in new's order then old's.
func entityChanges(old, new []EntityMapping) []string {
	before := map[string]EntityMapping{}
	for _, em := range old {
		before[em.External] = em
	}
	var out []string
	seen := map[string]bool{}
	for _, em := range new {
		seen[em.External] = true
		o, ok := before[em.External]
		if !ok {
			out = append(out, fmt.Sprintf("entity %s added", em.External))
			continue
		}
		if parts := entityParts(o, em); len(parts) > 0 {
			out = append(out, fmt.Sprintf("entity %s: %s", em.External, strings.Join(parts, ", ")))
		}
	}
	for _, em := range old {
		if !seen[em.External] {
			out = append(out, fmt.Sprintf("entity %s removed", em.External))
		}
	}
	if len(out) == 0 && !slices.EqualFunc(old, new, func(a, b EntityMapping) bool { return a.External == b.External }) {
		out = append(out, "entity order")
	}
	return out
}

// entityParts names what differs between two versions of one entity
// mapping: its own settings, then its fields by external name.
func entityParts(o, n EntityMapping) []string {
	var out []string
	for _, p := range []struct {
		name string
		a, b any
	}{
		{"local entity", o.Local, n.Local},
		{"primary key", o.PrimaryKey, n.PrimaryKey},
		{"direction", o.Direction, n.Direction},
		{"download filter", o.DownloadFilter, n.DownloadFilter},
		{"upload filter", o.UploadFilter, n.UploadFilter},
		{"disabled", o.Disabled, n.Disabled},
		{"conflict", o.Conflict, n.Conflict},
	} {
		if p.a != p.b {
			out = append(out, p.name)
		}
	}
	if fields := changedFields(o.Fields, n.Fields); len(fields) > 0 {
		out = append(out, "fields "+strings.Join(fields, ", "))
	} else if !slices.EqualFunc(o.Fields, n.Fields, func(a, b FieldMapping) bool { return a.External == b.External }) {
		out = append(out, "field order")
	}
	return out
}

// changedFields returns the external names of the field mappings added,
// removed or changed from old to new.
func changedFields(old, new []FieldMapping) []string {
	before := map[string]FieldMapping{}
	for _, f := range old {
		before[f.External] = f
	}
	var out []string
	seen := map[string]bool{}
	for _, f := range new {
		seen[f.External] = true
		if o, ok := before[f.External]; !ok || !sameJSON(o, f) {
			out = append(out, f.External)
		}
	}
	for _, f := range old {
		if !seen[f.External] {
			out = append(out, f.External)
		}
	}
	return out
}

// sameJSON reports whether a and b encode alike, the integration file's
// notion of equal (an empty list and none are the same).
func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
