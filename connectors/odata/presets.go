package odata

import (
	"net/url"
	"strings"

	"switchyard/core/meta"
)

// The values of the preset option.
const (
	PresetAuto            = "auto"
	PresetGeneric         = "generic"
	PresetCAP             = "cap"
	PresetDynamics        = "dynamics"
	PresetBusinessCentral = "businesscentral"
)

// The values of the lookups option: how a lookup is written.
const (
	LookupsAuto = "auto" // the foreign-key field when it is writable and not named _x_value (Dataverse), else @odata.bind
	LookupsBind = "bind" // "nav@odata.bind": "/Set(key)", as Dataverse expects
	LookupsFK   = "fk"   // the foreign-key field, e.g. CAP's account_ID
)

// The values of the batch option.
const (
	BatchNone      = "none"
	BatchJSON      = "json"      // OData 4.01 JSON batch
	BatchMultipart = "multipart" // OData 4.0 multipart/mixed batch
)

// The values of the paging option.
const (
	PagingServer = "server" // follow @odata.nextLink, asking with Prefer: odata.maxpagesize
	PagingClient = "client" // $top and $skip, for services that cut results without a next link
)

// MaxBatch is the most operations Switchyard puts in one $batch request
// (Business Central's limit; Dataverse allows 1000).
const MaxBatch = 100

// Preset holds the defaults one kind of system needs.
type Preset struct {
	// Name is the preset option's value; System names the system for people.
	Name, System string
	// CursorField is the default change cursor for incremental reads.
	CursorField string
	// Lookups is the default lookup convention.
	Lookups string
	// PageSize is the default page size.
	PageSize int
	// Batch is the default $batch format; BatchSize the default operations per batch.
	Batch     string
	BatchSize int
	// Delta is true when the system tracks changes with delta links.
	Delta bool
	// BatchAbsoluteURLs writes absolute URLs in multipart $batch parts
	// (Dataverse); otherwise they are relative to the service root (SAP CAP).
	BatchAbsoluteURLs bool
	// Scope is the default OAuth2 scope; "" asks for the service host's
	// default scope (https://{host}/.default), as Entra ID resources expect.
	Scope string
}

// Presets are the known systems' defaults by preset name. Besides the
// settings' defaults, each system's preset knows the fields the system
// computes itself (computedFields), which the catalog marks read-only:
//
//   - dynamics (Dataverse): createdon, modifiedon, createdby, modifiedby,
//     createdonbehalfby, modifiedonbehalfby and versionnumber
//     (overriddencreatedon stays writable: a create may set it). A
//     _x_value property holds the key of the lookups (navigation properties)
//     whose ForeignKey it is; it is written through their @odata.bind, never
//     as a plain property, and is read-only when no writable navigation
//     property has it as its foreign key.
//   - cap (SAP CAP): the managed aspect's createdAt, createdBy, modifiedAt
//     and modifiedBy.
//   - businesscentral: lastModifiedDateTime and the system fields
//     systemCreatedAt, systemCreatedBy, systemModifiedAt, systemModifiedBy
//     and systemRowVersion.
//   - generic: none.
var Presets = map[string]Preset{
	PresetGeneric: {Name: PresetGeneric, System: "OData v4", Lookups: LookupsAuto, PageSize: 1000,
		Batch: BatchMultipart, BatchSize: MaxBatch},
	PresetCAP: {Name: PresetCAP, System: SystemCAP, CursorField: "modifiedAt", Lookups: LookupsFK, PageSize: 1000,
		Batch: BatchJSON, BatchSize: MaxBatch},
	PresetDynamics: {Name: PresetDynamics, System: SystemDynamics, CursorField: "modifiedon", Lookups: LookupsBind, PageSize: 5000,
		Batch: BatchMultipart, BatchSize: MaxBatch, Delta: true, BatchAbsoluteURLs: true},
	PresetBusinessCentral: {Name: PresetBusinessCentral, System: SystemBusinessCentral, CursorField: "lastModifiedDateTime", Lookups: LookupsFK,
		PageSize: 1000, Batch: BatchJSON, BatchSize: MaxBatch,
		Scope: "https://api.businesscentral.dynamics.com/.default"},
}

// computedFields are the fields each preset's system sets itself on every
// entity that has them, by preset name (see Presets).
var computedFields = map[string]map[string]bool{
	PresetDynamics: fieldSet("createdon", "modifiedon", "createdby", "modifiedby", "createdonbehalfby", "modifiedonbehalfby",
		"versionnumber"),
	PresetCAP: fieldSet("createdAt", "createdBy", "modifiedAt", "modifiedBy"),
	PresetBusinessCentral: fieldSet("lastModifiedDateTime", "systemCreatedAt", "systemCreatedBy", "systemModifiedAt",
		"systemModifiedBy", "systemRowVersion"),
}

func fieldSet(names ...string) map[string]bool {
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out
}

// isValueProperty reports whether name is named like Dataverse's lookup
// value properties, _x_value (such as _parentcustomerid_value).
func isValueProperty(name string) bool {
	return len(name) > len("__value") && strings.HasPrefix(name, "_") && strings.HasSuffix(name, "_value")
}

// markReadOnly returns e with the fields p's system computes marked
// read-only (see Presets); e itself when there are none, else a copy, so
// that a catalog shared with others is never changed.
func (p Preset) markReadOnly(e meta.Entity) meta.Entity {
	computed := computedFields[p.Name]
	values := p.Name == PresetDynamics
	if len(computed) == 0 && !values {
		return e
	}
	readOnly := func(f meta.Field) bool { return f.ReadOnly || computed[f.Name] }
	// writableFK: the foreign keys of lookups that may be written.
	var writableFK map[string]bool
	if values {
		writableFK = map[string]bool{}
		for _, f := range e.Fields {
			if f.Type == meta.Lookup && f.ForeignKey != "" && !readOnly(f) {
				writableFK[f.ForeignKey] = true
			}
		}
	}
	copied := false
	for i, f := range e.Fields {
		if f.ReadOnly {
			continue
		}
		mark := computed[f.Name] || (values && f.Type != meta.Lookup && isValueProperty(f.Name) && !writableFK[f.Name])
		if !mark {
			continue
		}
		if !copied {
			e.Fields = append([]meta.Field(nil), e.Fields...)
			copied = true
		}
		e.Fields[i].ReadOnly = true
	}
	return e
}

// DetectPreset names the preset a service root URL looks like:
// https://{org}.crm*.dynamics.com/api/data/v9.x/ is Dataverse,
// https://api.businesscentral.dynamics.com/v2.0/... is Business Central, a
// path under /odata/v4/ is SAP CAP's convention; anything else is generic.
func DetectPreset(root string) string {
	u, err := url.Parse(root)
	if err != nil {
		return PresetGeneric
	}
	host := strings.ToLower(u.Hostname())
	path := strings.ToLower(u.Path)
	switch {
	case strings.HasSuffix(host, ".dynamics.com") && strings.Contains(host, ".crm") && strings.Contains(path, "/api/data/"):
		return PresetDynamics
	case host == "api.businesscentral.dynamics.com" || strings.HasSuffix(host, ".businesscentral.dynamics.com"):
		return PresetBusinessCentral
	case strings.HasPrefix(path, "/odata/v4/"):
		return PresetCAP
	}
	return PresetGeneric
}
