package store

import (
	"database/sql"
	"fmt"
)

// runLock is the run lock LockRun took, as its context carries it: the
// workspace it is of (its writers' pool: a run's context also reaches the
// stores of other workspaces, such as the workspace connector's), the
// integration, and who holds it (the SQLite row's holder, the PostgreSQL
// session's backend pid).
type runLock struct {
	db          *sql.DB
	integration string
	holder      string
	pid         int64
}

// runLockKey is the context key of a run's runLock.
type runLockKey struct{}

// pgHeldBy asks whether the session with the pid bound first holds the
// lock of the integration bound second.
const pgHeldBy = `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = ? AND locktype = 'advisory' AND granted
	AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = ` + pgLockKey + `)`

// heldLock returns nil when t's context holds no run lock, or when the lock
// it holds is still the run's, asked in t itself before it commits; else an
// error wrapping ErrLockLost, and t rolls back: another run may have the
// lock since, and the two would write beside each other.
func (t *Tx) heldLock() error {
	l, ok := t.ctx.Value(runLockKey{}).(runLock)
	if !ok || l.db != t.db {
		return nil
	}
	var held bool
	var err error
	if t.pg {
		err = t.tx.QueryRowContext(t.ctx, pgHeldBy, l.pid, l.integration).Scan(&held)
	} else {
		err = t.tx.QueryRowContext(t.ctx, `SELECT EXISTS (SELECT 1 FROM sy_integration_lock WHERE integration = ? AND holder = ?)`,
			l.integration, l.holder).Scan(&held)
	}
	if err != nil {
		return fmt.Errorf("make sure the run still holds the lock of %q: %w", l.integration, err)
	}
	if !held {
		return fmt.Errorf("%w: the lock of %q is no longer this run's (another run of it may have started): this page was not written", ErrLockLost, l.integration)
	}
	return nil
}
