package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// ErrLocked is returned by Lock when another run holds the integration's lock.
var ErrLocked = errors.New("another run of the integration is in progress")

// ErrLockLost is the cause of the end of a run whose lock was lost before
// the run ended (LockRun): another run of the integration may have started.
var ErrLockLost = errors.New("the run lock was lost")

// Lock timing: the holder refreshes its heartbeat every lockBeat (a
// variable for tests); a lock whose heartbeat is older than lockStale is
// taken over (its holder died on another host, or hangs).
var lockBeat = 10 * time.Second

const lockStale = 60 * time.Second

// heldLocks are the holders of the locks this process's runs hold now.
var heldLocks sync.Map

// Lock takes the run lock of integration (sy_integration_lock), so that one
// sync of it runs at a time across processes and hosts sharing the
// workspace. A lock whose holder process is gone (same host), whose
// heartbeat stopped, or that this process left behind (its unlock could not
// write) is taken over. It fails with ErrLocked, naming the
// holder, when the lock is held. Call the returned unlock when the run ends.
// On PostgreSQL it is an advisory lock instead (pglock.go). A read-only
// workspace refuses it with a *ReadOnlyError: only runs take it.
func (s *Store) Lock(ctx context.Context, integration string) (unlock func(), err error) {
	unlock, _, err = s.lock(ctx, integration, func(error) {})
	return unlock, err
}

// LockRun is Lock for a run: the context it returns is ctx's, and ends, with
// a cause wrapping ErrLockLost, when the lock is lost before unlock: on
// PostgreSQL when the session holding it ended (a server restart, its
// idle_session_timeout, pg_terminate_backend); on SQLite when another
// process took the lock over because its heartbeat had stopped. Run with
// it, a run stops at its next page (what it wrote stays) instead of going on
// beside another run of the integration. Every Apply and Update with that
// context also makes sure, before it commits, that the lock is still the
// run's (a check in the transaction; heldLock), so that no page is written
// once another run may have the lock, between two of the heartbeat's looks.
func (s *Store) LockRun(ctx context.Context, integration string) (context.Context, func(), error) {
	runCtx, cancel := context.WithCancelCause(ctx)
	unlock, held, err := s.lock(ctx, integration, cancel)
	if err != nil {
		cancel(nil)
		return nil, nil, err
	}
	runCtx = context.WithValue(runCtx, runLockKey{}, held)
	return runCtx, func() {
		unlock()
		cancel(nil)
	}, nil
}

// lock is Lock, telling lost when the lock is lost before unlock (once at
// most, from another goroutine).
func (s *Store) lock(ctx context.Context, integration string, lost func(error)) (unlock func(), held runLock, err error) {
	if s.readOnly {
		return nil, runLock{}, s.readOnlyError()
	}
	if s.d.postgres() {
		return s.pgLock(ctx, integration, lost)
	}
	return s.sqliteLock(ctx, integration, lost)
}

// sqliteLock is Lock on SQLite: the row of sy_integration_lock, kept alive
// by a heartbeat.
func (s *Store) sqliteLock(ctx context.Context, integration string, lost func(error)) (unlock func(), held runLock, err error) {
	host, _ := os.Hostname()
	pid := os.Getpid()
	b := make([]byte, 8)
	rand.Read(b)
	holder := fmt.Sprintf("%s:%d:%s", host, pid, hex.EncodeToString(b))
	err = s.inTxAt(ctx, func(tx *sql.Tx, at time.Time) error {
		if err := requireIntegration(ctx, tx, integration); err != nil {
			return err
		}
		var (
			oldHolder, oldHost, beat string
			oldPid                   int
		)
		err := tx.QueryRowContext(ctx, `SELECT holder, host, pid, heartbeat_at FROM sy_integration_lock WHERE integration = ?`, integration).
			Scan(&oldHolder, &oldHost, &oldPid, &beat)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			last, perr := parseTime(beat)
			stale := perr != nil || at.Sub(last) > lockStale
			gone := oldHost == host && oldPid != pid && !processAlive(oldPid)
			// A lock of this very process that no run holds: its unlock could not
			// write (a full disk), so it was left behind.
			_, running := heldLocks.Load(oldHolder)
			leftover := oldHost == host && oldPid == pid && !running
			if !stale && !gone && !leftover {
				return fmt.Errorf("%w (process %d on %s since its heartbeat at %s): wait for it to finish", ErrLocked, oldPid, oldHost, beat)
			}
		}
		now := formatTime(at)
		_, err = tx.ExecContext(ctx, `INSERT INTO sy_integration_lock (integration, holder, host, pid, acquired_at, heartbeat_at)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (integration) DO UPDATE SET holder = excluded.holder, host = excluded.host,
	pid = excluded.pid, acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
			integration, holder, host, pid, now, now)
		return err
	})
	if err != nil {
		return nil, runLock{}, fmt.Errorf("lock integration %q: %w", integration, err)
	}
	heldLocks.Store(holder, struct{}{})
	stop := every(lockBeat, func() bool {
		if s.beat(integration, holder) {
			return true
		}
		lost(fmt.Errorf("%w: another process took the lock of %q over, its heartbeat having stopped for %s", ErrLockLost, integration, lockStale))
		return false
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			stop()
			heldLocks.Delete(holder)
			s.inTx(context.Background(), func(tx *sql.Tx) error {
				_, err := tx.Exec(`DELETE FROM sy_integration_lock WHERE integration = ? AND holder = ?`, integration, holder)
				return err
			})
		})
	}, runLock{db: s.db, integration: integration, holder: holder}, nil
}

// beat refreshes the heartbeat of the SQLite lock of integration held by
// holder; it reports false when the lock is no longer holder's (taken over),
// true when it is, or when the write failed (the next beat tries again).
func (s *Store) beat(integration, holder string) bool {
	held := true
	s.inTxAt(context.Background(), func(tx *sql.Tx, now time.Time) error {
		res, err := tx.Exec(`UPDATE sy_integration_lock SET heartbeat_at = ? WHERE integration = ? AND holder = ?`,
			formatTime(now), integration, holder)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			held = false
		}
		return nil
	})
	return held
}

// every runs beat every period, on a goroutine of its own, until beat
// returns false or stop is called; stop waits for a beat under way.
func every(period time.Duration, beat func() bool) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if !beat() {
					return
				}
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}
