// Package mapping holds integrations and their entity and field mappings,
// and reads and writes them as integration files.
package mapping

import (
	"switchyard/core/schedule"
	"switchyard/core/spec"
)

// Direction is which way an entity's records travel.
type Direction string

// The sync directions.
const (
	Download      Direction = "download"      // external → local
	Upload        Direction = "upload"        // local → external
	Bidirectional Direction = "bidirectional" // both ways
)

// Directions lists every valid Direction.
var Directions = []Direction{Download, Upload, Bidirectional}

// Valid reports whether d is one of Directions.
func (d Direction) Valid() bool {
	return d == Download || d == Upload || d == Bidirectional
}

// Integration is a named connection to one external system with its mappings.
type Integration struct {
	Name      string      `json:"name"`
	Connector string      `json:"connector"`
	Settings  spec.Values `json:"settings"`
	// Secrets are kept in the workspace only; they never appear in a file.
	Secrets   spec.Values         `json:"-"`
	Entities  []EntityMapping     `json:"entities"`
	Schedules []schedule.Schedule `json:"schedules"`
}

// Values returns the settings and secrets together, as a connector takes them.
func (in Integration) Values() spec.Values {
	v := in.Settings.Clone()
	for k, x := range in.Secrets {
		v[k] = x
	}
	return v
}

// Entity returns the mapping of the external entity called external.
func (in Integration) Entity(external string) (EntityMapping, bool) {
	for _, e := range in.Entities {
		if e.External == external {
			return e, true
		}
	}
	return EntityMapping{}, false
}

// EntityMapping maps one external entity to one local entity.
type EntityMapping struct {
	External string `json:"external"`
	Local    string `json:"local"`
	// PrimaryKey names the local field that holds the external key and matches records.
	PrimaryKey     string    `json:"primaryKey"`
	Direction      Direction `json:"direction"`
	DownloadFilter string    `json:"downloadFilter"`
	UploadFilter   string    `json:"uploadFilter"`
	Disabled       bool      `json:"disabled,omitempty"`
	// Conflict says which side wins when a bidirectional sync finds a record
	// changed on both sides: ConflictExternal (the default when empty),
	// ConflictLocal or ConflictNewest.
	Conflict Conflict       `json:"conflict,omitempty"`
	Fields   []FieldMapping `json:"fields"`
}

// Conflict is the conflict policy of a bidirectional entity mapping.
type Conflict string

// The conflict policies.
const (
	ConflictExternal Conflict = "external" // the external system's version wins (the default)
	ConflictLocal    Conflict = "local"    // the local version wins and is uploaded
	ConflictNewest   Conflict = "newest"   // the version changed last wins
)

// Valid reports whether c is empty (the default, external) or one of the policies.
func (c Conflict) Valid() bool {
	return c == "" || c == ConflictExternal || c == ConflictLocal || c == ConflictNewest
}

// Policy returns c, or ConflictExternal when c is empty.
func (c Conflict) Policy() Conflict {
	if c == "" {
		return ConflictExternal
	}
	return c
}

// FieldMapping maps one external field to one local field.
type FieldMapping struct {
	// External names the external field; it may be empty when Constant is set.
	External string `json:"external"`
	Local    string `json:"local"`
	// Lookup names the local entity a lookup field points to; empty for plain fields.
	Lookup   string `json:"lookup,omitempty"`
	Disabled bool   `json:"disabled,omitempty"`
	// Values maps external values to local ones, for option sets and enums (see Apply).
	Values []ValueMap `json:"values,omitempty"`
	// OtherValues says what becomes of a value Values does not list:
	// OtherFail (the default), OtherKeep or OtherEmpty.
	OtherValues string `json:"otherValues,omitempty"`
	// Default is the local value written when the external value is empty.
	Default string `json:"default,omitempty"`
	// Constant, when set, is the local value written on every record, whatever the external value.
	Constant string `json:"constant,omitempty"`
	// Rules are the data-quality rules a value must pass to reach the other side.
	Rules Rules `json:"rules,omitempty"`
	// KeepWhenEmpty leaves the target field as it is when the source value is
	// empty (nil or ""), instead of clearing it; a Default still applies first.
	KeepWhenEmpty bool `json:"keepWhenEmpty,omitempty"`
	// MissingParent says, for a lookup, what becomes of a record whose
	// target is not in the workspace: MissingWarn (the default: the record
	// is written without the lookup, with a warning), MissingFail or MissingSkip.
	MissingParent Missing `json:"missingParent,omitempty"`
}

// Missing is what a lookup does when its target is missing.
type Missing string

// The values of FieldMapping.MissingParent.
const (
	MissingWarn Missing = "warn" // write the record without the lookup, with a warning (the default)
	MissingFail Missing = "fail" // fail the record
	MissingSkip Missing = "skip" // leave the record out, with a warning
)

// Policy returns m, or MissingWarn when it is empty.
func (m Missing) Policy() Missing {
	if m == "" {
		return MissingWarn
	}
	return m
}
