// Package engine moves records: import (external → workspace) and export
// (workspace → external), page by page, with preview, honest counts,
// per-record results and a run log. One page is one batch and one SQLite
// transaction: its writes, its counts and its failures commit together, and
// the next page is fetched while the current one is written.
package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"switchyard/core/connector"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/store"
)

// Direction is which way a run moves records.
type Direction string

// The run directions.
const (
	Import Direction = "import" // external → workspace, for download and bidirectional entities
	Export Direction = "export" // workspace → external, for upload and bidirectional entities
	// Sync keeps both sides in step: each entity downloads (import), uploads
	// (export) or both; its EntityResults say which with Import or Export.
	Sync Direction = "sync"
)

// Status is how a run ended.
type Status string

// The run statuses, as sy_integration_log stores them.
const (
	Succeeded Status = "succeeded"
	Partial   Status = "partial" // some records failed
	Failed    Status = "failed"  // the run stopped on an error
	Cancelled Status = "cancelled"
)

// Action is what happens, or would happen in a preview, to one record.
type Action string

// The record actions.
const (
	Create    Action = "create"
	Update    Action = "update"
	Unchanged Action = "unchanged"
	Fail      Action = "fail"
	// Delete removes a record: locally when the external system no longer
	// has it, externally when it was deleted locally (syncs only).
	Delete Action = "delete"
	// Warn is a record written with warnings (saved, but something was left
	// out, such as a lookup whose target is not in the workspace), or left
	// out by the mapping's choice (a lookup's missingParent "skip"); the
	// warning says which. Unlike a failure it is not retried and does not
	// make the run partial.
	Warn Action = "warn"
)

// DefaultPreviewLimit is how many records a preview shows per entity when Options.PreviewLimit is 0.
const DefaultPreviewLimit = 50

// DefaultPageSize is the number of records per page when Options.PageSize is 0.
const DefaultPageSize = 500

// Options say what to run.
type Options struct {
	Integration mapping.Integration
	Direction   Direction
	// Catalog is the external schema (the integration's snapshot); exports need it.
	Catalog []meta.Entity
	// Entities restricts the run to these external entities; every enabled one when empty.
	Entities []string
	// Preview plans without writing anything on either side.
	Preview      bool
	PreviewLimit int
	PageSize     int
	// Progress, when set, is called after every page.
	Progress func(Progress)
	// OnRecord, when set, is called for every record with its result, in
	// order (the report writer streams these). It is not called in previews:
	// their records are in EntityResult.Preview.
	OnRecord func(RecordResult)
}

// Progress reports how far a run has got.
type Progress struct {
	Entity string
	// Done is the number of records handled so far in this entity; Total is
	// the number the source announced, -1 when unknown.
	Done, Total int64
	Counts      Counts
}

// Counts are the record counts of an entity or a run.
type Counts struct {
	All       int `json:"all"`
	Imported  int `json:"imported"`
	Exported  int `json:"exported"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Failed    int `json:"failed"`
	// Deleted counts the records a sync deleted (on the side the entity's direction writes).
	Deleted int `json:"deleted"`
	// Warnings counts the records written with warnings, or skipped (Warn).
	Warnings int `json:"warnings"`
}

func (c *Counts) add(o Counts) {
	c.All += o.All
	c.Imported += o.Imported
	c.Exported += o.Exported
	c.Updated += o.Updated
	c.Unchanged += o.Unchanged
	c.Failed += o.Failed
	c.Deleted += o.Deleted
	c.Warnings += o.Warnings
}

// count adds one record with action a in direction d.
func (c *Counts) count(d Direction, a Action) {
	c.All++
	switch a {
	case Create:
		if d == Export {
			c.Exported++
		} else {
			c.Imported++
		}
	case Update:
		c.Updated++
	case Unchanged:
		c.Unchanged++
	case Fail:
		c.Failed++
	case Delete:
		c.Deleted++
	case Warn:
		c.Warnings++
	}
}

// Change is one field that a record's write changes.
type Change struct {
	Field string `json:"field"`
	Old   any    `json:"old"`
	New   any    `json:"new"`
}

// RecordResult is what happened (or, in a preview, would happen) to one record.
type RecordResult struct {
	Entity string `json:"entity"`
	// Key is the record's primary key value (the external key), "" when it has none yet.
	Key     string   `json:"key"`
	Action  Action   `json:"action"`
	Changes []Change `json:"changes,omitempty"`
	Error   string   `json:"error,omitempty"`
	// Warning says what a record written with warnings (Warn) left out.
	Warning string `json:"warning,omitempty"`
}

// EntityResult is the outcome of one entity.
type EntityResult struct {
	Entity      string        `json:"entity"`
	LocalEntity string        `json:"localEntity"`
	Direction   Direction     `json:"direction"`
	Counts      Counts        `json:"counts"`
	Duration    time.Duration `json:"-"`
	// Queries are the reads sent for the entity, as the log keeps them.
	Queries []string `json:"queries,omitempty"`
	// Check is how far the entity's read got against the count the external
	// system gave (nil when it gave none): every record it counted, at the end
	// of a complete read; a sample of them in a preview; fewer in a run that
	// stopped.
	Check *CountCheck `json:"countCheck,omitempty"`
	// Preview holds the planned records of a preview.
	Preview []RecordResult `json:"preview,omitempty"`
}

// Result is the outcome of a run.
type Result struct {
	Integration string
	Direction   Direction
	Preview     bool
	Status      Status
	// LogID is the run's row in sy_integration_log, 0 for a preview.
	LogID    int64
	Started  time.Time
	Ended    time.Time
	Entities []EntityResult
	// Err is why the run failed or was cancelled, nil otherwise.
	Err error
}

// Totals adds up the counts of every entity.
func (r *Result) Totals() Counts {
	var c Counts
	for _, e := range r.Entities {
		c.add(e.Counts)
	}
	return c
}

// Summary is the results line, e.g.
// `RESULTS: ALL (15) : IMPORTED (13); UPDATED (2); UNCHANGED (0); FAILED (0); WARNINGS (0)`.
// A preview's says what would happen, and of how many records; a run that
// failed or was cancelled says so before its counts.
func (r *Result) Summary() string {
	c := r.Totals()
	if r.Preview {
		return r.previewSummary(c)
	}
	prefix := "RESULTS"
	switch r.Status {
	case Failed, Cancelled:
		how := "failed"
		if r.Status == Cancelled {
			how = "was cancelled"
		}
		prefix = fmt.Sprintf("RESULTS (INCOMPLETE: the run %s after %d records%s)", how, c.All, r.ofCounted())
	}
	return prefix + r.countsLine(c)
}

// countsLine is the part of the results line after "RESULTS".
func (r *Result) countsLine(c Counts) string {
	if r.Direction == Sync {
		return fmt.Sprintf(": ALL (%d) : IMPORTED (%d); EXPORTED (%d); UPDATED (%d); UNCHANGED (%d); DELETED (%d); FAILED (%d); WARNINGS (%d)",
			c.All, c.Imported, c.Exported, c.Updated, c.Unchanged, c.Deleted, c.Failed, c.Warnings)
	}
	created, n := "IMPORTED", c.Imported
	if r.Direction == Export {
		created, n = "EXPORTED", c.Exported
	}
	return fmt.Sprintf(": ALL (%d) : %s (%d); UPDATED (%d); UNCHANGED (%d); FAILED (%d); WARNINGS (%d)",
		c.All, created, n, c.Updated, c.Unchanged, c.Failed, c.Warnings)
}

// previewSummary is a preview's results line: what would happen to the
// records it looked at, how many those were, and how many the system counts.
func (r *Result) previewSummary(c Counts) string {
	created, n := "IMPORT", c.Imported
	if r.Direction == Export {
		created, n = "EXPORT", c.Exported
	}
	return fmt.Sprintf("PREVIEW, NOTHING WRITTEN (%d records looked at%s): WOULD %s (%d); WOULD UPDATE (%d); UNCHANGED (%d); WOULD FAIL (%d); WITH WARNINGS (%d)",
		c.All, r.ofCounted(), created, n, c.Updated, c.Unchanged, c.Failed, c.Warnings)
}

// ofCounted says how many records the external system counted for the
// entities read, when it counted them all: " of 1200".
func (r *Result) ofCounted() string {
	var counted int64
	for _, e := range r.Entities {
		if e.Check == nil {
			if e.Direction != Export {
				return ""
			}
			continue
		}
		counted += e.Check.Counted
	}
	if counted == 0 {
		return ""
	}
	return fmt.Sprintf(" of %d", counted)
}

// Engine runs imports and exports against one workspace.
type Engine struct {
	// Workspace is the workspace the runs read and write: a *store.Store
	// adapted by store.Ports[engine.Tx] (admin.NewEngine).
	Workspace Workspace
	// Now returns the current time; the workspace's Now when nil.
	Now func() time.Time
}

// now is the engine's clock: its own Now, else the workspace's, so that a
// test that sets the store's clock sets the run's too.
func (e *Engine) now() time.Time {
	switch {
	case e.Now != nil:
		return e.Now()
	case e.Workspace != nil:
		return e.Workspace.Now()
	}
	return time.Now()
}

// Run runs opt against the external system c. Records that fail are
// reported in the result and the run goes on; the returned error (also in
// Result.Err) is for what stopped the run: a bad configuration, the external
// system failing, or cancellation (the page being written completes first).
func (e *Engine) Run(ctx context.Context, c connector.Connector, opt Options) (*Result, error) {
	res := &Result{Integration: opt.Integration.Name, Direction: opt.Direction, Preview: opt.Preview, Started: e.now()}
	plans, err := e.plan(ctx, opt)
	if err != nil {
		return e.finish(ctx, res, err)
	}
	if !opt.Preview {
		kind := string(opt.Direction)
		res.LogID, err = e.Workspace.AddLog(ctx, store.LogEntry{Integration: res.Integration, Kind: kind, Direction: kind, Status: "running", Started: res.Started})
		if err != nil {
			return e.finish(ctx, res, err)
		}
	}
	r := &run{engine: e, opt: opt, res: res, conn: c, plans: plans}
	err = r.do(ctx)
	return e.finish(ctx, res, err)
}

// finish sets the run's status and end, and records them in the log.
func (e *Engine) finish(ctx context.Context, res *Result, err error) (*Result, error) {
	res.Ended = e.now()
	if cause := context.Cause(ctx); errors.Is(err, context.Canceled) && cause != nil && !errors.Is(cause, context.Canceled) {
		err = cause // the run was stopped for a reason (its run lock was lost), not cancelled by a person
	}
	res.Err = err
	totals := res.Totals()
	switch {
	case err != nil && errors.Is(err, context.Canceled):
		res.Status = Cancelled
	case err != nil:
		res.Status = Failed
	case totals.Failed > 0:
		res.Status = Partial
	default:
		res.Status = Succeeded
	}
	if res.LogID != 0 {
		msg := res.Summary()
		if err != nil {
			msg = err.Error()
		}
		logErr := e.Workspace.FinishLog(context.WithoutCancel(ctx), store.LogEntry{ID: res.LogID, Status: string(res.Status), Ended: res.Ended,
			All: totals.All, Imported: totals.Imported, Exported: totals.Exported, Updated: totals.Updated,
			Unchanged: totals.Unchanged, Failed: totals.Failed, Warnings: totals.Warnings, Message: msg})
		if err == nil && logErr != nil {
			res.Err, res.Status = logErr, Failed
			return res, logErr
		}
	}
	return res, err
}

// ConfigError is a run that cannot start because of what was configured.
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return e.Msg }

func configErrorf(format string, args ...any) error {
	return &ConfigError{Msg: fmt.Sprintf(format, args...)}
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
