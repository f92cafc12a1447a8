package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// Changed says what kinds of things changed in a workspace since a Watch last
// looked (Watch.Changed). Each is a cheap fingerprint that moved, not a list
// of rows: enough for a screen to know whether to read its data again.
type Changed struct {
	// Config: an integration was added, saved, renamed or deleted (its
	// settings, mappings and schedules are saved with it), or a schedule's
	// counting changed.
	Config bool
	// Runs: a run started, made progress, ended or was deleted.
	Runs bool
	// LocalData: a local entity or field was added, changed or dropped, or a
	// local row was written, or a local change was queued for upload.
	LocalData bool
}

// Any reports whether anything changed.
func (c Changed) Any() bool { return c.Config || c.Runs || c.LocalData }

// Or is c with what o says changed too, for coalescing several looks.
func (c Changed) Or(o Changed) Changed {
	return Changed{Config: c.Config || o.Config, Runs: c.Runs || o.Runs, LocalData: c.LocalData || o.LocalData}
}

// ErrNotWatchable is returned by Store.Watch for a private in-memory
// workspace, which no other connection can write.
var ErrNotWatchable = errors.New("a private in-memory workspace cannot be watched")

// Watch notices commits to the workspace made since it last looked, by any
// connection: another process (a scheduled --run-sync, a headless import,
// another app window, the sqlite3 shell) or this Store's own writers.
//
// It keeps one read connection of its own and asks it SQLite's
// PRAGMA data_version, which a connection sees change when another connection
// committed, and only then (https://www.sqlite.org/pragma.html#pragma_data_version).
// The Store's writers are other connections, so its own writes move it too.
// When it moved, the Watch reads a few cheap aggregates (fingerprint) and
// compares them with the last ones, to tell what kind of thing changed. So a
// look while nothing was committed costs one pragma on an open connection.
//
// On a PostgreSQL workspace it listens for the notifications that triggers
// send at commit instead (pg_watch.go).
// A Watch is safe for use by one goroutine at a time.
type Watch struct {
	mu      sync.Mutex
	conn    *sql.Conn
	version int64
	last    fingerprint
	pg      *pgWatchState // PostgreSQL: conn listens (pg_watch.go)
}

// Watch opens a Watch on s, holding one read connection until Close. Its
// first Changed reports what changed since Watch returned. A private
// in-memory workspace is refused with ErrNotWatchable.
func (s *Store) Watch(ctx context.Context) (*Watch, error) {
	if s.path == memoryPath {
		return nil, ErrNotWatchable
	}
	if s.d.postgres() {
		return s.pgWatch(ctx)
	}
	conn, err := s.rdb.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("watch workspace %s: %w", s.path, err)
	}
	w := &Watch{conn: conn}
	if w.version, err = w.dataVersion(ctx); err == nil {
		w.last, err = readFingerprint(ctx, conn)
	}
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("watch workspace %s: %w", s.path, err)
	}
	return w, nil
}

// Changed reports what changed since the last look (or since Watch opened).
// An error leaves the last look as it was, so the next Changed reports the
// changes again.
func (w *Watch) Changed(ctx context.Context) (Changed, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pg != nil {
		return w.pgChanged(ctx)
	}
	v, err := w.dataVersion(ctx)
	if err != nil {
		return Changed{}, fmt.Errorf("look for workspace changes: %w", err)
	}
	if v == w.version {
		return Changed{}, nil
	}
	// A commit after the pragma and before the aggregates shows in the
	// aggregates now and moves the version again: the next look finds the
	// aggregates as they are and reports nothing twice.
	fp, err := readFingerprint(ctx, w.conn)
	if err != nil {
		return Changed{}, fmt.Errorf("look for workspace changes: %w", err)
	}
	c := Changed{Config: fp.config != w.last.config, Runs: fp.runs != w.last.runs, LocalData: fp.local != w.last.local}
	w.version, w.last = v, fp
	return c, nil
}

// Close releases the Watch's connection.
func (w *Watch) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pg != nil {
		return w.pgClose()
	}
	return w.conn.Close()
}

func (w *Watch) dataVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := w.conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read data_version: %w", err)
	}
	return v, nil
}

// fingerprint is a workspace's aggregates by kind, each one row of text.
type fingerprint struct{ config, runs, local string }

// The aggregates of each kind. Config: integrations are saved whole
// (settings, mappings, schedules) and stamped with updated_at; deleting one
// changes the count; a schedule's counting_since moves apart. Runs: a new run
// raises max(id), progress raises the counts' total, an end stamps ended_at,
// a cleanup lowers count(*). Local data: every local write takes a
// versionnumber (or, for a delete, queues a row for upload), and tables and
// fields are listed in sy_entity and sy_field. The log tables are scanned
// whole; they hold thousands of rows, not millions, and are read only when
// data_version moved.
const (
	configAggregates = `SELECT (SELECT count(*) || '/' || coalesce(max(updated_at), '') || '/' || total(length(settings)) FROM sy_integration)
	|| '|' || (SELECT count(*) || '/' || total(enabled) || '/' || coalesce(max(counting_since), '') || '/' || coalesce(group_concat(cron || every, ','), '') FROM sy_schedule)`
	runAggregates = `SELECT count(*) || '/' || coalesce(max(id), 0) || '/' || count(ended_at) || '/' || coalesce(max(ended_at), '')
	|| '/' || total(count_all + count_imported + count_updated + count_unchanged + count_failed) FROM sy_integration_log`
	localAggregates = `SELECT coalesce((SELECT value FROM sy_sequence WHERE name = 'versionnumber'), 0)
	|| '|' || (SELECT count(*) || '/' || coalesce(max(created_at), '') || '/' || coalesce(group_concat(name, ','), '') FROM sy_entity)
	|| '|' || (SELECT count(*) || '/' || total(position + max_length + precision + scale) || '/' || coalesce(group_concat(type, ','), '') FROM sy_field)
	|| '|' || (SELECT coalesce(max(id), 0) FROM sy_integration_transaction)`
)

// readFingerprint reads the aggregates in one read transaction on conn, so
// that they come from one snapshot.
func readFingerprint(ctx context.Context, conn *sql.Conn) (fingerprint, error) {
	var fp fingerprint
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fp, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	for _, q := range []struct {
		sql  string
		into *string
	}{{configAggregates, &fp.config}, {runAggregates, &fp.runs}, {localAggregates, &fp.local}} {
		var v sql.NullString
		if err := tx.QueryRowContext(ctx, q.sql).Scan(&v); err != nil {
			return fp, fmt.Errorf("read the workspace's aggregates: %w", err)
		}
		*q.into = v.String
	}
	return fp, nil
}
