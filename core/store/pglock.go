package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"time"
)

// The run lock of a PostgreSQL workspace is a session advisory lock, keyed
// by the workspace's schema and the integration, so that one run of an
// integration goes at a time across every machine that shares the
// workspace (issue 19; docs/deploy.md). It is held by one connection set
// aside for the run's length: PostgreSQL releases it when that connection
// ends, so a run that dies (killed, its machine gone) holds nothing.

// pgLockKey is the advisory lock's 64-bit key of the integration bound as
// the first parameter, within the current schema: advisory locks are the
// database's, shared by its schemas. The schema's length first, so that no
// schema and integration name make another pair's text.
const pgLockKey = `hashtextextended(length(current_schema()) || ':' || current_schema() || '/' || ?, 0)`

// pgLockBeat is how often a held lock's connection asks the server whether
// it still holds the lock: it keeps the session from idling out
// (idle_session_timeout) and finds a session the server ended. A variable
// for tests.
var pgLockBeat = 10 * time.Second

// pgLock is Lock on PostgreSQL; lost is told when the lock's session ends
// before unlock.
func (s *Store) pgLock(ctx context.Context, integration string, lost func(error)) (unlock func(), held runLock, err error) {
	err = s.inReadTx(ctx, func(tx *sql.Tx) error { return requireIntegration(ctx, tx, integration) })
	if err != nil {
		return nil, runLock{}, fmt.Errorf("lock integration %q: %w", integration, err)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, runLock{}, fmt.Errorf("lock integration %q: %w", integration, err)
	}
	var got bool
	var pid int64
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(`+pgLockKey+`), pg_backend_pid()`, integration).Scan(&got, &pid); err != nil {
		conn.Close()
		return nil, runLock{}, fmt.Errorf("lock integration %q: %w", integration, err)
	}
	if !got {
		holder := pgLockHolder(ctx, conn, integration)
		conn.Close()
		return nil, runLock{}, fmt.Errorf("lock integration %q: %w (%s): wait for it to finish", integration, ErrLocked, holder)
	}
	stop := pgBeat(conn, runLock{integration: integration, pid: pid}, lost)
	var once sync.Once
	return func() {
		once.Do(func() {
			stop()
			_, err := conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(`+pgLockKey+`)`, integration)
			if err != nil {
				// Never hand a connection that may still hold the lock back
				// to the pool: ending it releases the lock.
				conn.Raw(func(any) error { return driver.ErrBadConn })
			}
			conn.Close()
		})
	}, runLock{db: s.db, integration: integration, pid: pid}, nil
}

// pgLockHolder describes the session that holds the integration's lock, as
// far as the server tells (another role may not see it).
func pgLockHolder(ctx context.Context, conn *sql.Conn, integration string) string {
	var pid int64
	var client, since sql.NullString
	err := conn.QueryRowContext(ctx, `SELECT a.pid, host(a.client_addr), a.backend_start
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
	AND ((l.classid::bigint << 32) | l.objid::bigint) = `+pgLockKey, integration).Scan(&pid, &client, &since)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err != nil:
		return "held by another PostgreSQL session"
	case client.Valid:
		return fmt.Sprintf("held by PostgreSQL session %d from %s since %s", pid, client.String, since.String)
	}
	return fmt.Sprintf("held by PostgreSQL session %d (a local connection) since %s", pid, since.String)
}

// pgBeat asks, every pgLockBeat until stop is called, whether conn still
// holds the integration's lock, and tells lost once when it does not (its
// session ended, or the server cannot be asked: a lock that cannot be
// vouched for is taken as lost). stop waits for a question under way, so
// that conn is free for the unlock.
func pgBeat(conn *sql.Conn, held runLock, lost func(error)) (stop func()) {
	return every(pgLockBeat, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), pgLockBeat)
		defer cancel()
		var ok bool
		err := conn.QueryRowContext(ctx, pgHeldBy, held.pid, held.integration).Scan(&ok)
		if err == nil && ok {
			return true
		}
		why := "the server says this session no longer holds it"
		if err != nil {
			why = err.Error()
		}
		lost(fmt.Errorf("%w: the PostgreSQL session holding the lock of %q ended (%s): another run of it may have started", ErrLockLost, held.integration, why))
		return false
	})
}
