package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Reading changes by versionnumber on PostgreSQL (ScanVersions).
//
// A sequence hands out numbers in the order they are taken, not committed:
// with two writers at once, a row numbered 10 can commit after one numbered
// 11, and a reader that saw 11 and goes on from "after 11" would never read
// 10. So ScanVersions reads only up to a bound below which every number has
// been settled: each writer of a local entity table holds a shared
// transaction advisory lock of the table (its statement-level trigger
// sy_version_gate, pgGateSQL, takes it before the statement takes any
// number, and it is held until the writer commits or rolls back). Before it
// reads, ScanVersions takes that lock exclusively on a connection of its own,
// which waits for the writers in progress, reads the counter there (the
// bound) and lets go at once: every number up to the bound was taken by a
// transaction that has ended. Writers that come later take larger numbers.
//
// The rows are then read in the caller's transaction, whose snapshot must see
// those transactions: a read-only transaction (View) takes its snapshot at
// its first statement, which ScanVersions normally is. When the snapshot is
// older (the transaction read something first, and a writer committed
// between), the bound cannot be trusted with it, and ScanVersions reads
// nothing new: a later read, in a transaction of its own, goes on from the
// same place. In a write transaction (Update, which reads with a snapshot per
// statement) the lock is taken in the transaction itself, where its own
// writes do not block it, and held until it ends.
//
// Advisory locks need no privilege, so a read-only role can read changes.
// A number taken apart from the write that uses it (SELECT
// nextval('sy_versionnumber'), then an INSERT with that versionnumber) is not
// covered: the store never does that, and plain SQL should not.

// pgGateTrigger names the trigger of every local entity table that takes
// the table's version gate.
const pgGateTrigger = "sy_version_gate"

// pgGateKey is the advisory lock key of a table's version gate: the schema
// and the table (seed 3, apart from the run locks', the migrations' and the
// integration names').
const pgGateKey = `hashtextextended(length(current_schema()) || ':' || current_schema() || '/' || ?, 3)`

// pgGateSQL returns the statement that makes the writers of a local entity
// table take its version gate, shared, before a statement takes numbers.
func pgGateSQL(name string) string {
	return fmt.Sprintf("CREATE TRIGGER %s BEFORE INSERT OR UPDATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION sy_version_gate()",
		pgGateTrigger, quote(name))
}

// pgVersionBound returns the highest versionnumber up to which ScanVersions
// may read entity in t, reading rows after after: after itself when t's
// snapshot is older than the bound.
func (t *Tx) pgVersionBound(entity string, after int64) (int64, error) {
	var readOnly string
	// SHOW takes no snapshot: the transaction's is still to come.
	if err := t.tx.QueryRowContext(t.ctx, `SHOW transaction_read_only`).Scan(&readOnly); err != nil {
		return 0, fmt.Errorf("read changes of %s: %w", entity, err)
	}
	if readOnly != "on" {
		return t.pgGateInTx(entity)
	}
	bound, settled, err := pgSettledVersion(t.ctx, t.db, entity)
	if err != nil {
		return 0, fmt.Errorf("read changes of %s: %w", entity, err)
	}
	var fresh bool
	err = t.tx.QueryRowContext(t.ctx, `SELECT pg_snapshot_xmax(c) >= pg_snapshot_xmax(a)
	AND NOT EXISTS (SELECT FROM pg_snapshot_xip(c) x WHERE pg_visible_in_snapshot(x, a))
FROM (SELECT pg_current_snapshot() AS c, ?::pg_snapshot AS a) s`, settled).Scan(&fresh)
	if err != nil {
		return 0, fmt.Errorf("read changes of %s: %w", entity, err)
	}
	if !fresh {
		return after, nil
	}
	return bound, nil
}

// pgSettledVersion waits, on a connection of its own, for the writers of
// entity in progress to end, and returns the counter then and a snapshot
// (pg_snapshot text) that sees every transaction that had ended.
func pgSettledVersion(ctx context.Context, db *sql.DB, entity string) (bound int64, settled string, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, "", fmt.Errorf("wait for its writers: %w", err)
	}
	defer tx.Rollback()
	if _, err = tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(`+pgGateKey+`)`, entity); err == nil {
		err = tx.QueryRowContext(ctx, `SELECT value, pg_current_snapshot()::text FROM sy_sequence`).Scan(&bound, &settled)
	}
	if err == nil {
		err = tx.Commit() // lets the gate go
	}
	if err != nil {
		return 0, "", fmt.Errorf("wait for its writers: %w", err)
	}
	return bound, settled, nil
}

// pgGateInTx takes entity's version gate in t, a write transaction, which
// holds it until it ends, and returns the counter read after it.
func (t *Tx) pgGateInTx(entity string) (int64, error) {
	var bound int64
	_, err := t.tx.ExecContext(t.ctx, `SELECT pg_advisory_xact_lock(`+pgGateKey+`)`, entity)
	if err == nil {
		err = t.tx.QueryRowContext(t.ctx, `SELECT value FROM sy_sequence`).Scan(&bound)
	}
	if err != nil {
		return 0, fmt.Errorf("read changes of %s: wait for its writers: %w", entity, err)
	}
	return bound, nil
}
