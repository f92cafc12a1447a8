package odata

import (
	"net/url"
	"strings"
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
	LookupsAuto = "auto" // the foreign-key field when it is writable, else @odata.bind
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

// Presets are the known systems' defaults by preset name.
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
