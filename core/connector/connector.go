// Package connector holds the ports every connector implements and the
// Registry through which connectors make themselves known.
//
// A connector has one small required interface, Connector; everything else
// (Tester, Reader, Writer) is an optional capability found by type assertion.
package connector

import (
	"context"

	"switchyard/core/meta"
	"switchyard/core/spec"
)

// Connector talks to one external system.
type Connector interface {
	// Catalog returns the external entities with their fields, keys and lookups.
	Catalog(ctx context.Context) ([]meta.Entity, error)
	// Close releases the connection.
	Close() error
}

// Report is what a connection test found.
type Report struct {
	// System names the detected system, e.g. "SAP CAP", "Dynamics 365".
	System string `json:"system,omitempty"`
	// Version is the detected protocol or product version.
	Version string `json:"version,omitempty"`
	// Entities is how many external entities the system exposes.
	Entities int `json:"entities"`
	// Details lists further findings, one line each.
	Details []string `json:"details,omitempty"`
}

// Tester is implemented by connectors that can check their connection ("Test connection").
type Tester interface {
	Test(ctx context.Context) (Report, error)
}

// Query asks a Reader for records of one external entity.
type Query struct {
	Entity   string
	Fields   []string // the fields to return; all when empty
	Filter   string   // an OData $filter expression; none when empty
	OrderBy  []string
	PageSize int // a hint; 0 leaves it to the connector
}

// Page is one page of records and the token of the next, "" on the last page.
type Page struct {
	Records []meta.Record
	Next    string
	// Total is the number of records the query matches, -1 when unknown.
	Total int64
}

// Reader is implemented by connectors that can read records page by page.
type Reader interface {
	// ReadPage returns the page that token names; "" is the first page.
	ReadPage(ctx context.Context, q Query, token string) (Page, error)
}

// Op is a write operation.
type Op string

// The write operations.
const (
	Create Op = "create"
	Update Op = "update"
	Delete Op = "delete"
)

// Result is the outcome of writing one record, in the order the records were given.
type Result struct {
	// Key is the external key of the record written (assigned by the system on create).
	Key string
	// Err is why the record failed, nil when it succeeded.
	Err error
}

// Writer is implemented by connectors that can write records in batches;
// one record's failure is reported in its Result and does not fail the batch.
type Writer interface {
	Write(ctx context.Context, entity string, op Op, recs []meta.Record) ([]Result, error)
}

// Info declares a connector: its name, its options and its constructor.
type Info struct {
	// Name is the connector's identifier in integration files, e.g. "odata".
	Name string
	// Title is what people see, e.g. "OData v4".
	Title string
	// Description says in one sentence what the connector talks to.
	Description string
	// Options declares the connector's settings.
	Options spec.Options
	// New opens a connector from validated values (defaults applied, secrets included).
	New func(ctx context.Context, v spec.Values) (Connector, error)
}
