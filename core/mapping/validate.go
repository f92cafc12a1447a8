package mapping

import (
	"fmt"
	"sort"
	"strings"

	"switchyard/core/filter"
	"switchyard/core/meta"
)

// FindingKind names what a validation finding is about.
type FindingKind string

// The kinds of finding Validate reports.
const (
	MissingExternalEntity FindingKind = "missing-external-entity" // clean-up removes the entity mapping
	MissingExternalField  FindingKind = "missing-external-field"  // clean-up removes the field mapping
	MissingLocalEntity    FindingKind = "missing-local-entity"    // pick another local entity
	MissingLocalField     FindingKind = "missing-local-field"     // pick another local field
	MissingPrimaryKey     FindingKind = "missing-primary-key"     // a warning: records cannot be matched
	ChangedType           FindingKind = "changed-type"            // retype the local field or map another
	UnmappedLookupTarget  FindingKind = "unmapped-lookup-target"  // clean-up drops the lookup, or map its target
	BadFilter             FindingKind = "bad-filter"              // correct the download or upload filter
	UnmappedPrimaryKey    FindingKind = "unmapped-primary-key"    // map a field to the primary key
	FilteredParent        FindingKind = "filtered-parent"         // a warning: a parent's filter can leave children without it
)

// Finding is one thing about an integration's mapping that no longer fits
// the external or the local schema.
type Finding struct {
	Kind FindingKind `json:"kind"`
	// Path is the place in the integration file, e.g. entities[1].fields[3].
	Path string `json:"path"`
	// Entity is the external entity; Field the external field, when the finding is about one.
	Entity string `json:"entity"`
	Field  string `json:"field,omitempty"`
	// Local is the local entity or "entity.field" concerned, when there is one.
	Local string `json:"local,omitempty"`
	Msg   string `json:"message"`
	// Warning is true for findings that do not stop a run.
	Warning bool `json:"warning,omitempty"`
	// CleanUp is true when CleanUp resolves the finding by removing the mapping.
	CleanUp bool `json:"cleanUp"`

	entity, field int // indexes into the integration, field -1 for the entity
}

func (f Finding) String() string {
	s := f.Path + ": " + f.Msg
	if f.Warning {
		s = "warning: " + s
	}
	return s
}

// Validate checks the mapping of in against the external catalog and the
// local schema and reports, in file order: external entities and fields that
// no longer exist (clean-up removes their mappings), local entities and
// fields that do not exist (pick others), entity mappings whose primary key
// is not mapped from the external key (a warning), and local fields that can
// no longer hold the external field's values (a changed type). Disabled
// entity mappings are skipped; a disabled field mapping is only checked for
// its external field, so that clean-up removes it too.
func Validate(in Integration, external, local []meta.Entity) []Finding {
	var out []Finding
	for i, e := range in.Entities {
		if e.Disabled {
			continue
		}
		p := entityPath(i)
		ext, ok := meta.FindEntity(external, e.External)
		if !ok {
			out = append(out, Finding{Kind: MissingExternalEntity, Path: p, Entity: e.External, CleanUp: true, entity: i, field: -1,
				Msg: fmt.Sprintf("external entity %q no longer exists: clean up to remove its mapping", e.External)})
			continue
		}
		loc, locOK := meta.FindEntity(local, e.Local)
		if !locOK {
			out = append(out, Finding{Kind: MissingLocalEntity, Path: p + ".local", Entity: e.External, Local: e.Local, entity: i, field: -1,
				Msg: fmt.Sprintf("local entity %q does not exist: pick another local entity or import the mapping again to create it", e.Local)})
		}
		pkMapped := false
		for j, f := range e.Fields {
			fp := fieldPath(i, j)
			if f.Local == e.PrimaryKey && !f.Disabled && f.External != "" {
				pkMapped = contains(ext.Key, f.External)
			}
			if f.External == "" {
				continue
			}
			xf, ok := ext.Field(f.External)
			if !ok {
				fd := Finding{Kind: MissingExternalField, Path: fp, Entity: e.External, Field: f.External, Local: e.Local + "." + f.Local, CleanUp: true, entity: i, field: j,
					Msg: fmt.Sprintf("field %q of external entity %q no longer exists: clean up to remove its mapping", f.External, e.External)}
				if f.Local == e.PrimaryKey {
					fd.CleanUp = false
					fd.Msg = fmt.Sprintf("field %q of external entity %q no longer exists, and it fills the primary key %q: map the new external key to it", f.External, e.External, e.PrimaryKey)
				}
				out = append(out, fd)
				continue
			}
			if f.Disabled || !locOK {
				continue
			}
			lf, ok := loc.Field(f.Local)
			if !ok {
				out = append(out, Finding{Kind: MissingLocalField, Path: fp + ".local", Entity: e.External, Field: f.External, Local: e.Local + "." + f.Local, entity: i, field: j,
					Msg: fmt.Sprintf("local field %q of entity %q does not exist: pick another local field or import the mapping again to create it", f.Local, e.Local)})
				continue
			}
			if len(f.Values) > 0 || f.Constant != "" {
				continue
			}
			if msg := fitsFor(lf, localFieldFor(f, xf), xf, e.Direction); msg != "" {
				out = append(out, Finding{Kind: ChangedType, Path: fp, Entity: e.External, Field: f.External, Local: e.Local + "." + f.Local, entity: i, field: j,
					Msg: fmt.Sprintf("external field %q is %s; local field %q %s", f.External, describe(xf), f.Local, msg)})
			}
		}
		out = append(out, filterFindings(i, e, ext, loc, locOK)...)
		if locOK {
			out = append(out, lookupFindings(in, i, e, loc)...)
		}
		if !mapsPrimaryKey(e) {
			out = append(out, Finding{Kind: UnmappedPrimaryKey, Path: p + ".primaryKey", Entity: e.External, Local: e.Local, entity: i, field: -1,
				Msg: fmt.Sprintf("the primary key %q is not an enabled field mapping: map the external key to it", e.PrimaryKey)})
			continue
		}
		if !pkMapped {
			msg := fmt.Sprintf("the primary key %q is not filled from the key of %q (%s): records cannot be matched; map the external key to it", e.PrimaryKey, e.External, knownList(ext.Key))
			if len(ext.Key) == 0 {
				msg = fmt.Sprintf("external entity %q has no key: records cannot be matched, so every run creates them anew", e.External)
			}
			out = append(out, Finding{Kind: MissingPrimaryKey, Path: p + ".primaryKey", Entity: e.External, Local: e.Local, Warning: true, entity: i, field: -1, Msg: msg})
		}
	}
	return out
}

// mapsPrimaryKey reports whether an enabled field mapping of e fills its primary key.
func mapsPrimaryKey(e EntityMapping) bool {
	for _, f := range e.Fields {
		if f.Local == e.PrimaryKey && !f.Disabled {
			return true
		}
	}
	return false
}

// filterFindings checks the download filter of e against the external
// entity and its upload filter against the local one, as a run does before it starts.
func filterFindings(i int, e EntityMapping, ext, loc meta.Entity, locOK bool) []Finding {
	var out []Finding
	check := func(path, which, text string, against meta.Entity) {
		if strings.TrimSpace(text) == "" {
			return
		}
		x, err := filter.Parse(text)
		if err == nil {
			err = filter.Check(x, against)
		}
		if err != nil {
			out = append(out, Finding{Kind: BadFilter, Path: entityPath(i) + path, Entity: e.External, Local: e.Local, entity: i, field: -1,
				Msg: fmt.Sprintf("%s filter of %s %q: %v", which, e.External, text, err)})
		}
	}
	check(".downloadFilter", "download", e.DownloadFilter, ext)
	if locOK {
		check(".uploadFilter", "upload", e.UploadFilter, loc)
	}
	return out
}

// lookupFindings checks the lookups of e: each must point to a local entity
// that an enabled entity of in maps (its key resolves the lookup), and a
// download filter on that entity can leave records without their target.
func lookupFindings(in Integration, i int, e EntityMapping, loc meta.Entity) []Finding {
	var out []Finding
	for j, f := range e.Fields {
		if f.Disabled {
			continue
		}
		lf, ok := loc.Field(f.Local)
		if !ok || lf.Type != meta.Lookup {
			continue
		}
		var target *EntityMapping
		for k := range in.Entities {
			if in.Entities[k].Local == lf.Target && !in.Entities[k].Disabled {
				target = &in.Entities[k]
				break
			}
		}
		if target == nil {
			out = append(out, Finding{Kind: UnmappedLookupTarget, Path: fieldPath(i, j), Entity: e.External, Field: f.External,
				Local: e.Local + "." + f.Local, CleanUp: true, entity: i, field: j,
				Msg: fmt.Sprintf("lookup %q points to local entity %q, which no enabled entity of integration %q maps, so its keys cannot be resolved: "+
					"map an external entity to %q (by its key), or clean up to drop the lookup", f.Local, lf.Target, in.Name, lf.Target)})
			continue
		}
		if strings.TrimSpace(target.DownloadFilter) != "" && target.Direction != Upload && f.MissingParent.Policy() != MissingSkip {
			what := "written without it, with a warning"
			if f.MissingParent == MissingFail {
				what = "failed"
			}
			out = append(out, Finding{Kind: FilteredParent, Path: fieldPath(i, j), Entity: e.External, Field: f.External,
				Local: e.Local + "." + f.Local, Warning: true, entity: i, field: j,
				Msg: fmt.Sprintf("the download filter of %s (%q) can leave out the %s that %s points to: those records are %s (missingParent)",
					target.External, target.DownloadFilter, lf.Target, f.Local, what)})
		}
	}
	return out
}

// CleanUp returns in without the mappings that the findings marked CleanUp
// point to (entity mappings of missing external entities, field mappings of
// missing external fields), and the findings it resolved. The findings must
// come from Validate on this in.
func CleanUp(in Integration, findings []Finding) (Integration, []Finding) {
	dropEntity := map[int]bool{}
	dropField := map[int]map[int]bool{}
	var done []Finding
	for _, f := range findings {
		if !f.CleanUp || f.entity < 0 || f.entity >= len(in.Entities) {
			continue
		}
		done = append(done, f)
		if f.field < 0 {
			dropEntity[f.entity] = true
			continue
		}
		if dropField[f.entity] == nil {
			dropField[f.entity] = map[int]bool{}
		}
		dropField[f.entity][f.field] = true
	}
	out := in
	out.Entities = nil
	for i, e := range in.Entities {
		if dropEntity[i] {
			continue
		}
		if drop := dropField[i]; len(drop) > 0 {
			var kept []FieldMapping
			for j, f := range e.Fields {
				if !drop[j] {
					kept = append(kept, f)
				}
			}
			e.Fields = kept
		}
		out.Entities = append(out.Entities, e)
	}
	sort.SliceStable(done, func(a, b int) bool { return done[a].entity < done[b].entity })
	return out, done
}
