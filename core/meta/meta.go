// Package meta describes data shapes shared by both sides of an integration:
// field types, fields, entities and records.
package meta

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Type is the portable type of a field, as Switchyard stores it locally.
type Type string

// The field types. Every connector maps its own types onto these.
const (
	String   Type = "string"
	Int      Type = "int"
	Decimal  Type = "decimal"
	Double   Type = "double"
	Bool     Type = "bool"
	Date     Type = "date"
	DateTime Type = "datetime"
	Time     Type = "time"
	GUID     Type = "guid"
	Binary   Type = "binary"
	Lookup   Type = "lookup"
)

// Types lists every valid Type, in the order a picker shows them.
var Types = []Type{String, Int, Decimal, Double, Bool, Date, DateTime, Time, GUID, Binary, Lookup}

// Widen returns the type that holds values of both a and b, as a connector
// that infers types from sampled values needs it: "" (no value seen yet)
// gives the other; int and decimal give decimal; date and datetime give
// datetime; any other mix gives string.
func Widen(a, b Type) Type {
	switch {
	case a == "" || a == b:
		return b
	case b == "":
		return a
	case (a == Int && b == Decimal) || (a == Decimal && b == Int):
		return Decimal
	case (a == Date && b == DateTime) || (a == DateTime && b == Date):
		return DateTime
	}
	return String
}

// Valid reports whether t is one of Types.
func (t Type) Valid() bool {
	for _, v := range Types {
		if v == t {
			return true
		}
	}
	return false
}

// ParseType returns the Type named s (case-insensitive), or an error listing the valid names.
func ParseType(s string) (Type, error) {
	t := Type(strings.ToLower(strings.TrimSpace(s)))
	if !t.Valid() {
		names := make([]string, len(Types))
		for i, v := range Types {
			names[i] = string(v)
		}
		return "", fmt.Errorf("unknown field type %q: use one of %s", s, strings.Join(names, ", "))
	}
	return t, nil
}

// ExternalTypeUntyped is the ExternalType of a field whose type the system
// cannot tell yet (a file column without values): it takes any value.
const ExternalTypeUntyped = "untyped"

// Field is one field of an entity.
type Field struct {
	Name  string `json:"name"`
	Label string `json:"label,omitempty"`
	Type  Type   `json:"type"`
	// Target names the entity a Lookup field points to.
	Target string `json:"target,omitempty"`
	// ExternalType is the field's type as the external system names it (e.g. "Edm.Decimal").
	ExternalType string `json:"externalType,omitempty"`
	// Nullable is true when the field may be empty.
	Nullable bool `json:"nullable,omitempty"`
	// MaxLength is the maximum length of a string field, 0 when unbounded.
	MaxLength int `json:"maxLength,omitempty"`
	// Precision and Scale describe decimal fields, 0 when unknown; for a
	// datetime field, Precision is how many fractional digits of a second
	// the system keeps (OData's Precision facet), 0 when it does not say.
	Precision int `json:"precision,omitempty"`
	Scale     int `json:"scale,omitempty"`
	// ReadOnly is true when the external system computes the field.
	ReadOnly bool `json:"readOnly,omitempty"`
	// ForeignKey names, for a Lookup, the scalar field that holds the target's key (e.g. "account_ID").
	ForeignKey string `json:"foreignKey,omitempty"`
	// CreateOnly is true when the field can be set as a record is created but
	// not changed afterwards (OData Core.Immutable).
	CreateOnly bool `json:"createOnly,omitempty"`
	// Enum lists the allowed values of an enumeration or option set, with their names.
	Enum []EnumMember `json:"enum,omitempty"`
}

// Equal reports whether f and g describe the same field in every respect.
func (f Field) Equal(g Field) bool {
	if !slices.Equal(f.Enum, g.Enum) {
		return false
	}
	f.Enum, g.Enum = nil, nil
	return reflect.DeepEqual(f, g)
}

// EnumMember is one value of an enumeration: its name and its value, as the
// external system writes them (e.g. "Female", "1").
type EnumMember struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Entity is a named set of records with fields and a key.
type Entity struct {
	Name  string `json:"name"`
	Label string `json:"label,omitempty"`
	// Key names the fields that identify a record; more than one for a composite key.
	Key    []string `json:"key,omitempty"`
	Fields []Field  `json:"fields"`
	// TypeName is the external system's name for the entity's type (e.g. "CrmService.Accounts").
	TypeName string `json:"typeName,omitempty"`
}

// Field returns the field called name, matched exactly.
func (e Entity) Field(name string) (Field, bool) {
	for _, f := range e.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// FieldNames returns the names of the entity's fields in order.
func (e Entity) FieldNames() []string {
	names := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		names[i] = f.Name
	}
	return names
}

// Lookups returns the entity's lookup fields.
func (e Entity) Lookups() []Field {
	var out []Field
	for _, f := range e.Fields {
		if f.Type == Lookup {
			out = append(out, f)
		}
	}
	return out
}

// FindEntity returns the entity called name from list.
func FindEntity(list []Entity, name string) (Entity, bool) {
	for _, e := range list {
		if e.Name == name {
			return e, true
		}
	}
	return Entity{}, false
}

// Record is one record: field name to value. Values are nil, string, bool,
// int64, float64, json.Number (decimals keep their digits) or time.Time.
type Record map[string]any
