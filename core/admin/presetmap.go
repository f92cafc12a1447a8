package admin

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"switchyard/core/mapping"
	"switchyard/core/meta"
)

// ErrNoDefaults is returned (inside a ConfigError) when an integration's
// preset has no default mappings, or its external system has none of the
// entities they map.
var ErrNoDefaults = errors.New("no default mappings")

// The presets with default mappings, as the odata connector's preset
// setting names them (see connectors/odata; core does not import connectors).
const (
	presetBusinessCentral = "businesscentral"
	presetDynamics        = "dynamics"
)

// defaultEntity is one entity mapping of a preset's defaults.
type defaultEntity struct {
	external, local string
	fields          []defaultField
}

// defaultField is one field mapping of a preset's defaults.
type defaultField struct {
	// external is the external field; the entity's key among them becomes the primary key.
	external string
	// local is the local field; "" for the external name in lower case (mapping.LocalName).
	local string
	// target, for a lookup, is the external entity whose key the field holds:
	// the local field becomes a lookup to the local entity that entity maps to,
	// resolved through that mapping's primary key, which must hold the target's key.
	target string
}

// presetDefaults are the default mappings of one preset.
type presetDefaults struct {
	system   string
	entities []defaultEntity
}

// bcKey is the local field that holds a Business Central record's id (its
// External Primary Key field): id is the workspace's own.
const bcKey = "bcid"

// defaultMappings are the default mappings by preset, in the order they run
// (lookup targets first). Only what the external catalog has is proposed.
var defaultMappings = map[string]presetDefaults{
	presetBusinessCentral: {system: "Business Central", entities: []defaultEntity{
		{external: "customers", local: "account", fields: []defaultField{
			{external: "id", local: bcKey}, {external: "number"}, {external: "displayName"}, {external: "email"},
			{external: "phoneNumber"}, {external: "addressLine1"}, {external: "city"}, {external: "country"},
			{external: "lastModifiedDateTime"},
		}},
		{external: "contacts", local: "contact", fields: []defaultField{
			{external: "id", local: bcKey}, {external: "number"}, {external: "displayName"}, {external: "email"},
			{external: "phoneNumber"}, {external: "companyNumber"}, {external: "companyName"},
			{external: "lastModifiedDateTime"},
		}},
		{external: "salesOrders", local: "salesorder", fields: []defaultField{
			{external: "id", local: bcKey}, {external: "number"}, {external: "orderDate"},
			{external: "customerId", target: "customers"}, {external: "status"}, {external: "totalAmountIncludingTax"},
			{external: "lastModifiedDateTime"},
		}},
	}},
	// Dataverse: lookups by the _x_value property holding the target's
	// unique identifier (never by a name: a record's name is not unique).
	presetDynamics: {system: "Dynamics 365 / Dataverse", entities: []defaultEntity{
		{external: "accounts", local: "account", fields: []defaultField{
			{external: "accountid"}, {external: "name"}, {external: "accountnumber"}, {external: "emailaddress1"},
			{external: "telephone1"}, {external: "address1_city"}, {external: "modifiedon"},
			{external: "_primarycontactid_value", target: "contacts"},
		}},
		{external: "contacts", local: "contact", fields: []defaultField{
			{external: "contactid"}, {external: "firstname"}, {external: "lastname"}, {external: "emailaddress1"},
			{external: "telephone1"}, {external: "_parentcustomerid_value", target: "accounts"}, {external: "modifiedon"},
		}},
	}},
}

// DefaultsResult is the default mappings proposed for an integration, and,
// once applied, what applying them did.
type DefaultsResult struct {
	Integration string `json:"integration"`
	// Preset is the preset whose defaults these are; System names its system.
	Preset string `json:"preset"`
	System string `json:"system"`
	// Entities are the entity mappings to add (or added), in the integration
	// file's form: they can be pasted into its "entities".
	Entities []mapping.EntityMapping `json:"entities"`
	// Kept are the external entities of the defaults that the integration
	// maps already: their mappings are left as they are.
	Kept []string `json:"kept"`
	// Notes say what was left out, and why.
	Notes []string `json:"notes"`
	// Applied is true when the mappings were added and the integration saved.
	Applied bool `json:"applied"`
	// CreatedEntities and AddedFields are the local entities and fields
	// ("entity.field") that applying creates, or created.
	CreatedEntities []string `json:"createdEntities"`
	AddedFields     []string `json:"addedFields"`

	external map[string]meta.Entity // by name, for ExternalField
	local    map[string]meta.Entity // the local schema once applied, for LocalField
	keys     map[string]string      // local entity → the primary key of the mapping to it, for MatchKey
}

// MatchKey returns the primary key (match key) of the integration's mapping,
// proposed or existing, whose local entity is local: the local field a
// lookup to local is resolved through.
func (r DefaultsResult) MatchKey(local string) string { return r.keys[local] }

// ExternalField returns the external field called field of the external entity called entity.
func (r DefaultsResult) ExternalField(entity, field string) (meta.Field, bool) {
	return r.external[entity].Field(field)
}

// LocalField returns the local field called field of the local entity called
// entity, as it is or as applying the defaults makes it.
func (r DefaultsResult) LocalField(entity, field string) (meta.Field, bool) {
	return r.local[entity].Field(field)
}

// DefaultMappings proposes the default entity mappings of in's preset (the
// odata connector's businesscentral or dynamics; auto is told by the
// catalog's type names, Microsoft.NAV or Microsoft.Dynamics.CRM) for the
// entities of catalog that in does not map yet: download mappings of the
// preset's fields that catalog has, each with an External Primary Key field
// (a local field holding the external key, the mapping's primary key), and
// lookups mapped to local lookups that resolve through the target mapping's
// primary key, which holds the target's external key (a lookup is left out,
// with a note, when it would not resolve by that key). Local names are
// lower case; local types come from the catalog, as mapping.CheckSchemas
// plans them against local, the workspace's schema: a field whose local
// field exists and cannot take it is left out with a note. The mappings in
// has are never replaced. The error is a ConfigError wrapping
// ErrNoDefaults when the preset has no defaults or the catalog has none of
// their entities.
func DefaultMappings(in mapping.Integration, catalog, local []meta.Entity) (DefaultsResult, error) {
	res := DefaultsResult{Integration: in.Name, Entities: []mapping.EntityMapping{}, Kept: []string{}, Notes: []string{},
		CreatedEntities: []string{}, AddedFields: []string{}}
	preset, err := presetOf(in, catalog)
	if err != nil {
		return res, err
	}
	defs := defaultMappings[preset]
	res.Preset, res.System = preset, defs.system
	res.external = map[string]meta.Entity{}
	for _, e := range catalog {
		res.external[e.Name] = e
	}

	p := proposer{in: in, catalog: catalog, defs: defs, leftOut: map[string]string{}}
	var plan mapping.LocalPlan
	// Leaving out what the schemas refuse can leave a lookup without its
	// target: propose again until the proposal checks clean.
	for range len(defs.entities)*8 + 8 {
		p.notes = nil
		proposed, kept := p.propose()
		trial := in
		trial.Entities = append(slices.Clip(in.Entities), proposed...)
		var ps mapping.Problems
		plan, ps = mapping.CheckSchemas(trial, catalog, local)
		ps = append(trial.Check(), ps...)
		if !p.leaveOut(ps, len(in.Entities), proposed) {
			res.Entities = append(res.Entities, proposed...)
			res.Kept = append(res.Kept, kept...)
			break
		}
	}
	res.Notes = append(res.Notes, p.notes...)
	res.Notes = append(res.Notes, p.refused...)
	if len(res.Entities) == 0 && len(res.Kept) == 0 {
		names := make([]string, len(defs.entities))
		for i, d := range defs.entities {
			names[i] = d.external
		}
		why := "has none of them"
		if slices.ContainsFunc(defs.entities, func(d defaultEntity) bool { _, ok := res.external[d.external]; return ok }) {
			why = "offers none that can be mapped: " + strings.Join(res.Notes, "; ")
		}
		return res, configError(fmt.Errorf("integration %q: %w: the %s preset maps %s, and the external system %s",
			in.Name, ErrNoDefaults, preset, strings.Join(names, ", "), why))
	}
	if len(res.Entities) == 0 {
		plan = mapping.LocalPlan{} // nothing to add: applying changes nothing
	}
	res.plan(plan, local)
	res.keys = map[string]string{}
	for _, em := range append(slices.Clip(in.Entities), res.Entities...) {
		if _, seen := res.keys[em.Local]; !seen && !em.Disabled {
			res.keys[em.Local] = em.PrimaryKey
		}
	}
	return res, nil
}

// plan records what applying plan creates, and the local schema it leaves.
func (r *DefaultsResult) plan(plan mapping.LocalPlan, local []meta.Entity) {
	r.local = map[string]meta.Entity{}
	for _, e := range local {
		r.local[e.Name] = e
	}
	for _, e := range plan.Entities {
		r.local[e.Name] = e
		r.CreatedEntities = append(r.CreatedEntities, e.Name)
	}
	for _, f := range plan.AddFields {
		e := r.local[f.Entity]
		e.Name = f.Entity
		e.Fields = append(slices.Clip(e.Fields), f.Field)
		r.local[f.Entity] = e
		r.AddedFields = append(r.AddedFields, f.Entity+"."+f.Field.Name)
	}
}

// presetOf returns the preset of in whose defaults apply.
func presetOf(in mapping.Integration, catalog []meta.Entity) (string, error) {
	noDefaults := func(why string) error {
		return configError(fmt.Errorf("integration %q: %w: %s; default mappings come with the odata connector's presets %s and %s",
			in.Name, ErrNoDefaults, why, presetBusinessCentral, presetDynamics))
	}
	if in.Connector != "odata" {
		return "", noDefaults(fmt.Sprintf("it uses the %s connector", in.Connector))
	}
	preset := strings.ToLower(strings.TrimSpace(in.Settings["preset"]))
	if preset == "" || preset == "auto" {
		preset = presetOfCatalog(catalog)
		if preset == "" {
			return "", noDefaults("its preset is auto, and the service is neither Business Central nor Dataverse")
		}
	}
	if _, ok := defaultMappings[preset]; !ok {
		return "", noDefaults(fmt.Sprintf("its preset %s has none", preset))
	}
	return preset, nil
}

// presetOfCatalog tells the system from the catalog's entity type names (the
// schema namespaces the odata connector also detects systems by), "" when
// they do not tell.
func presetOfCatalog(catalog []meta.Entity) string {
	for _, e := range catalog {
		switch {
		case strings.HasPrefix(e.TypeName, "Microsoft.NAV."):
			return presetBusinessCentral
		case strings.HasPrefix(e.TypeName, "Microsoft.Dynamics.CRM."):
			return presetDynamics
		}
	}
	return ""
}

// proposer builds the proposal of one preset's defaults for one integration.
type proposer struct {
	in      mapping.Integration
	catalog []meta.Entity
	defs    presetDefaults
	// leftOut holds what the schemas refused, by external entity ("customers")
	// or field ("customers.email"), with the reason.
	leftOut map[string]string
	// notes are the current proposal's; refused those of the schemas' refusals.
	notes, refused []string
}

func (p *proposer) note(format string, args ...any) {
	p.notes = append(p.notes, fmt.Sprintf(format, args...))
}

// propose returns the entity mappings to add, and the defaults' entities the integration maps already.
func (p *proposer) propose() (proposed []mapping.EntityMapping, kept []string) {
	locals := map[string]string{} // local entity → the external entity mapped to it
	for _, em := range p.in.Entities {
		locals[em.Local] = em.External
	}
	var lookups [][]defaultField // per proposed mapping, its lookups, set once all mappings are known
	for _, d := range p.defs.entities {
		if em, ok := p.in.Entity(d.external); ok {
			kept = append(kept, d.external)
			p.note("%s is mapped already (to %s): its mapping is kept as it is", d.external, em.Local)
			continue
		}
		if _, refused := p.leftOut[d.external]; refused {
			continue
		}
		ext, ok := meta.FindEntity(p.catalog, d.external)
		if !ok {
			p.note("the external system has no entity %s: not mapped", d.external)
			continue
		}
		if other, taken := locals[d.local]; taken {
			p.note("%s is not mapped: local entity %s is the target of %s's mapping already", d.external, d.local, other)
			continue
		}
		em, ls, ok := p.entity(d, ext)
		if !ok {
			continue
		}
		locals[d.local] = d.external
		proposed = append(proposed, em)
		lookups = append(lookups, ls)
	}
	mapped := func(external string) (mapping.EntityMapping, bool) {
		if em, ok := p.in.Entity(external); ok && !em.Disabled {
			return em, true
		}
		for _, em := range proposed {
			if em.External == external {
				return em, true
			}
		}
		return mapping.EntityMapping{}, false
	}
	for i := range proposed {
		ext, _ := meta.FindEntity(p.catalog, proposed[i].External)
		for _, f := range lookups[i] {
			if fm, ok := p.lookup(proposed[i], ext, f, mapped); ok {
				proposed[i].Fields = append(proposed[i].Fields, fm)
			}
		}
	}
	// Lookups were added last: put every field back in the defaults' order.
	for i, em := range proposed {
		d := p.defaultOf(em.External)
		slices.SortStableFunc(em.Fields, func(a, b mapping.FieldMapping) int {
			return d.position(a.External) - d.position(b.External)
		})
		proposed[i] = em
	}
	return proposed, kept
}

func (p *proposer) defaultOf(external string) defaultEntity {
	for _, d := range p.defs.entities {
		if d.external == external {
			return d
		}
	}
	return defaultEntity{}
}

func (d defaultEntity) position(external string) int {
	for i, f := range d.fields {
		if f.external == external {
			return i
		}
	}
	return len(d.fields)
}

// entity builds the mapping of d's plain fields that ext has, and returns
// d's lookups that ext has; false when ext cannot be mapped by its key.
func (p *proposer) entity(d defaultEntity, ext meta.Entity) (mapping.EntityMapping, []defaultField, bool) {
	if len(ext.Key) != 1 {
		p.note("%s is not mapped: its key has %d fields, and a default mapping matches by a key of one", d.external, len(ext.Key))
		return mapping.EntityMapping{}, nil, false
	}
	key := ext.Key[0]
	em := mapping.EntityMapping{External: d.external, Local: d.local, Direction: mapping.Download}
	var lookups []defaultField
	used := map[string]bool{}
	for _, f := range d.fields {
		if f.external == key {
			em.PrimaryKey = p.localName(f, used)
		}
	}
	if em.PrimaryKey == "" {
		p.note("%s is not mapped: its key is %s, which the %s defaults do not map", d.external, key, p.defs.system)
		return mapping.EntityMapping{}, nil, false
	}
	for _, f := range d.fields {
		xf, ok := ext.Field(f.external)
		switch _, refused := p.leftOut[d.external+"."+f.external]; {
		case refused:
			continue
		case !ok || xf.Type == meta.Lookup:
			p.note("%s has no field %s: not mapped", d.external, f.external)
			continue
		case f.target != "":
			lookups = append(lookups, f)
			continue
		}
		local := em.PrimaryKey
		if f.external != key {
			local = p.localName(f, used)
		}
		em.Fields = append(em.Fields, mapping.FieldMapping{External: f.external, Local: local})
	}
	return em, lookups, true
}

// localName is the local field of f: its own, or its external name in lower
// case; a system field's name gets the prefix ext_ (modifiedon →
// ext_modifiedon), and a name taken already a number.
func (p *proposer) localName(f defaultField, used map[string]bool) string {
	name := f.local
	if name == "" {
		name = mapping.LocalName(f.external)
		if slices.Contains([]string{"id", "createdon", "modifiedon", "versionnumber", "rowid", "oid"}, name) {
			name = mapping.LocalName("ext_" + name)
		}
	}
	base := name
	for i := 2; used[name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	used[name] = true
	return name
}

// lookup maps the lookup f of em (external entity ext) to a local lookup,
// when it resolves by the key of its target: the target entity is mapped
// (proposed or already), that mapping's primary key holds the target's key,
// the types agree, and ext's navigation properties on f lead there.
func (p *proposer) lookup(em mapping.EntityMapping, ext meta.Entity, f defaultField, mapped func(string) (mapping.EntityMapping, bool)) (mapping.FieldMapping, bool) {
	what := em.External + "." + f.external
	target, ok := meta.FindEntity(p.catalog, f.target)
	if !ok || len(target.Key) != 1 {
		p.note("lookup %s is not mapped: the external system has no entity %s with a key of one field", what, f.target)
		return mapping.FieldMapping{}, false
	}
	tm, ok := mapped(f.target)
	if !ok {
		p.note("lookup %s is not mapped: %s, the entity it points to, is not mapped", what, f.target)
		return mapping.FieldMapping{}, false
	}
	if by := externalOf(tm, tm.PrimaryKey); by != target.Key[0] {
		p.note("lookup %s is not mapped: it holds the key %s of %s, but the mapping of %s matches records by %s (local %s): a lookup resolves by its target's key, never by another field",
			what, target.Key[0], f.target, f.target, noField(by), tm.PrimaryKey)
		return mapping.FieldMapping{}, false
	}
	xf, _ := ext.Field(f.external)
	if tk, _ := target.Field(target.Key[0]); xf.Type != tk.Type {
		p.note("lookup %s is not mapped: it is %s, the key %s of %s is %s", what, xf.Type, tk.Name, f.target, tk.Type)
		return mapping.FieldMapping{}, false
	}
	var navTargets []string
	for _, nav := range ext.Fields {
		if nav.Type == meta.Lookup && nav.ForeignKey == f.external {
			navTargets = append(navTargets, nav.Target)
		}
	}
	if len(navTargets) > 0 && !slices.Contains(navTargets, f.target) {
		p.note("lookup %s is not mapped: the external system says it leads to %s, not %s", what, strings.Join(navTargets, ", "), f.target)
		return mapping.FieldMapping{}, false
	}
	used := map[string]bool{}
	for _, fm := range em.Fields {
		used[fm.Local] = true
	}
	return mapping.FieldMapping{External: f.external, Local: p.localName(f, used), Lookup: tm.Local}, true
}

// externalOf returns the external field that em maps to the local field local, "" when none does.
func externalOf(em mapping.EntityMapping, local string) string {
	for _, f := range em.Fields {
		if f.Local == local && !f.Disabled {
			return f.External
		}
	}
	return ""
}

func noField(s string) string {
	if s == "" {
		return "no mapped field"
	}
	return s
}

// problemPath matches the path of a Problem in an entity mapping: its index and, within a field mapping, the field's.
var problemPath = regexp.MustCompile(`^entities\[(\d+)\](?:\.fields\[(\d+)\])?`)

// leaveOut records, from ps (the problems of the integration with proposed
// appended after its first existing mappings), the proposed fields and
// entities the schemas refuse, and reports whether there were any.
func (p *proposer) leaveOut(ps mapping.Problems, existing int, proposed []mapping.EntityMapping) bool {
	any := false
	for _, pr := range ps {
		m := problemPath.FindStringSubmatch(pr.Path)
		if m == nil {
			continue
		}
		i, _ := strconv.Atoi(m[1])
		j := -1 // the entity mapping itself
		if m[2] != "" {
			j, _ = strconv.Atoi(m[2])
		}
		if i < existing || i >= existing+len(proposed) {
			continue // the integration's own mappings: applying reports them
		}
		em := proposed[i-existing]
		if j < 0 || j >= len(em.Fields) || em.Fields[j].Local == em.PrimaryKey {
			if _, done := p.leftOut[em.External]; !done {
				p.leftOut[em.External] = pr.Msg
				p.refused = append(p.refused, fmt.Sprintf("%s is not mapped: %s", em.External, pr.Msg))
			}
			any = true
			continue
		}
		key := em.External + "." + em.Fields[j].External
		if _, done := p.leftOut[key]; !done {
			p.leftOut[key] = pr.Msg
			p.refused = append(p.refused, fmt.Sprintf("%s.%s is not mapped: %s", em.External, em.Fields[j].External, pr.Msg))
		}
		any = true
	}
	return any
}

// ProposeDefaults proposes the default mappings of the integration called
// name (see DefaultMappings) against its cached external schema (read and
// cached first when there is none, or when refresh is set) and the workspace's schema.
func (s *Service) ProposeDefaults(ctx context.Context, name string, refresh bool) (DefaultsResult, error) {
	res, _, _, _, err := s.proposeDefaults(ctx, name, refresh)
	return res, err
}

func (s *Service) proposeDefaults(ctx context.Context, name string, refresh bool) (DefaultsResult, mapping.Integration, []meta.Entity, []meta.Entity, error) {
	in, err := s.Store.Integration(ctx, name)
	if err != nil {
		return DefaultsResult{Integration: name}, in, nil, nil, err
	}
	catalog, err := s.Catalog(ctx, name, refresh)
	if err != nil {
		return DefaultsResult{Integration: name}, in, nil, nil, err
	}
	local, err := s.Store.Entities(ctx)
	if err != nil {
		return DefaultsResult{Integration: name}, in, nil, nil, err
	}
	res, err := DefaultMappings(in, catalog, local)
	return res, in, catalog, local, err
}

// ApplyDefaults adds the default mappings of the integration called name
// that it lacks (see ProposeDefaults; its own mappings are never replaced),
// creates the local entities and fields they need, as importing an
// integration file does (mapping.CheckSchemas, then the plan), and saves the
// integration. With nothing to add it changes nothing.
func (s *Service) ApplyDefaults(ctx context.Context, name string, refresh bool) (DefaultsResult, error) {
	if err := s.mayWrite(); err != nil {
		return DefaultsResult{}, err
	}
	res, in, catalog, local, err := s.proposeDefaults(ctx, name, refresh)
	if err != nil || len(res.Entities) == 0 {
		return res, err
	}
	in.Entities = append(slices.Clip(in.Entities), res.Entities...)
	if ps := in.Check(); len(ps) > 0 {
		return res, configError(ps)
	}
	plan, ps := mapping.CheckSchemas(in, catalog, local)
	if len(ps) > 0 {
		return res, configError(ps)
	}
	var done ImportResult
	err = s.applyPlan(ctx, plan, &done)
	res.CreatedEntities, res.AddedFields = nonNil(done.CreatedEntities), nonNil(done.AddedFields)
	if err != nil {
		return res, err
	}
	if err := s.Store.SaveIntegration(ctx, in); err != nil {
		return res, err
	}
	res.Applied = true
	return res, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
