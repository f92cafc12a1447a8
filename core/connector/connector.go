// Package connector holds the ports every connector implements and the
// Registry through which connectors make themselves known.
//
// A connector has one small required interface, Connector; everything else
// (Tester, Reader, Writer) is an optional capability found by type assertion.
package connector

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"switchyard/core/filter"
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
//
// Values arrive in meta.Record as these Go types, by the field's meta.Type
// (nil for an empty value): String, Time (text "15:04:05"), Binary (base64
// text) → string; GUID → string in lower case; Date → string "YYYY-MM-DD",
// never a time.Time, so that a date cannot drift by a day; DateTime →
// time.Time in UTC; Int → int64; Decimal → json.Number, which keeps every
// digit; Double → float64; Bool → bool; Lookup → the target record's key as
// a string (one field) or as KeyString formats it (composite). Fields the
// catalog does not know come as decoded JSON (json.Number for numbers).
// Writers accept the same types, and also any Go integer or float for Int,
// Decimal and Double, json.Number for Int and Double, a time.Time for Date
// (its calendar date as written, not converted to UTC) and text in
// RFC 3339 for DateTime.
type Query struct {
	Entity   string
	Fields   []string // the fields to return; all when empty
	Filter   string   // an OData $filter expression; none when empty
	OrderBy  []string
	PageSize int // a hint; 0 leaves it to the connector
	// Limit, when above 0, asks for at most that many records in all (a
	// preview's sample): a connector that can say so to the system
	// (OData's $top) does, so that the system does not send a full page.
	Limit int
	// Where is Filter parsed, with now() resolved, for connectors that
	// evaluate the filter themselves rather than send its text: set both
	// with SetWhere. Read it with Condition, which parses Filter when a
	// caller set the text alone.
	Where filter.Expr

	// CursorField names the change cursor of an incremental read: a
	// timestamp field the system sets on every change (e.g. modifiedon).
	// Empty picks the connector's default, when it has one.
	CursorField string
	// Since, when not zero, reads only records whose cursor is at or after
	// Since minus Overlap, ordered by cursor and then key, so that records
	// sharing one timestamp across a page boundary are never lost. The
	// caller keeps the greatest cursor it saw as the next Since.
	Since time.Time
	// Overlap widens Since backwards to catch changes committed late with
	// an earlier timestamp; records read twice are the caller's to skip.
	Overlap time.Duration
	// Count asks for the number of matching records in Page.Total.
	Count bool
	// Track asks a DeltaReader to start change tracking: the last page
	// carries Page.Delta.
	Track bool
	// Delta, when set, reads only the changes since the read whose last
	// page returned this token (see DeltaReader); Filter and Since are
	// then ignored, the system applies those of the first read.
	Delta string
}

// SetWhere narrows q to the records cond matches: cond as Where, for the
// connectors that evaluate it, and its OData text as Filter, for those that
// send it. A nil cond clears both.
func (q *Query) SetWhere(cond filter.Expr) {
	q.Where, q.Filter = cond, ""
	if cond != nil {
		q.Filter = filter.ToOData(cond)
	}
}

// Condition is the filter of q as an expression: Where when set, else
// Filter parsed (nil when empty). The error is a filter that does not parse.
func (q Query) Condition() (filter.Expr, error) {
	if q.Where != nil || strings.TrimSpace(q.Filter) == "" {
		return q.Where, nil
	}
	return filter.Parse(q.Filter)
}

// Page is one page of records and the token of the next, "" on the last page.
type Page struct {
	Records []meta.Record
	Next    string
	// Total is the number of records the query matches, -1 when unknown.
	Total int64
	// Deleted holds, on a delta read, the records deleted since the last
	// read: only their key fields are set.
	Deleted []meta.Record
	// Delta is set on the last page of a read with Query.Track or
	// Query.Delta: the token for the next delta read.
	Delta string
	// Problems are the records of this page's stretch of the source that the
	// reader left out of Records because it could not read them whole (a CSV
	// row that does not fit its header, a key an earlier record has): each
	// counts as a failed record of the run, with its reason, and the run goes on.
	Problems []RecordProblem
	// Request is what was sent for the page, exactly ("GET path?query",
	// shortened in the middle when very long; see ShortRequest), "" when the
	// connector does not say. The run log keeps it.
	Request string
}

// RecordProblem is a record a Reader left out of a page (Page.Problems).
type RecordProblem struct {
	// Key is the record's key as KeyString formats it, "" when unknown.
	Key string
	// Row locates it in the source: a file's row number (the header being
	// row 1; a sheet's row in a workbook), 0 when the source has none.
	Row int
	// Err says what is wrong.
	Err error
}

// maxShown is how many characters of a request or URL messages and logs show.
const maxShown = 300

// ShortRequest shortens a request line or URL longer than 300 characters in
// the middle, saying how many characters it left out, so that an error
// message or a log line stays readable when a request carries a long filter.
func ShortRequest(s string) string {
	if len(s) <= maxShown {
		return s
	}
	cut, from := 220, len(s)-60
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	for from < len(s) && !utf8.RuneStart(s[from]) {
		from++
	}
	head, tail := s[:cut], s[from:]
	return fmt.Sprintf("%s…(%d characters left out)…%s", head, len(s)-len(head)-len(tail), tail)
}

// Reader is implemented by connectors that can read records page by page.
type Reader interface {
	// ReadPage returns the page that token names; "" is the first page.
	ReadPage(ctx context.Context, q Query, token string) (Page, error)
}

// FilterSizer is implemented by readers whose requests carry the query in a
// URL of limited length (most HTTP servers refuse a request line or header
// over 8–32 KB). A caller that reads records by a list of keys asks it how
// much filter text fits, and splits the list so that no request grows with
// the data.
type FilterSizer interface {
	Reader
	// FilterRoom returns how many characters of filter text a read of q can
	// carry besides what q asks already (its Filter included), as measure
	// counts them (the text encoded as the connector sends it); room is
	// below 1 when not even q fits.
	FilterRoom(ctx context.Context, q Query) (room int, measure func(text string) int, err error)
}

// Recycler is implemented by readers that can reuse the records of pages
// they returned once the caller is done with them: a large read then makes
// few new records for the garbage collector. The caller must hold no
// reference to the records, nor to the maps they are, after Recycle.
type Recycler interface {
	Recycle(records []meta.Record)
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
	// Key is the external key of the record written (assigned by the system
	// on create), formatted as KeyString does.
	Key string
	// Err is why the record failed, nil when it succeeded. It wraps
	// ErrDeleted, ErrConflict or ErrUnsupported where those apply.
	Err error
	// ETag is the record's new version tag after the write, "" when the
	// system sends none; keep it in the record under ETagKey.
	ETag string
	// Created is true when an Upsert created the record rather than updated it.
	Created bool
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
