package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/internal/pgtest"
)

// lostWithin waits up to d for ctx to end and returns its cause, nil when
// it did not end.
func lostWithin(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-time.After(d):
		return nil
	}
}

// TestLockRunLostOnPostgres: a run's lock whose PostgreSQL session ends (the
// server ended it: a restart, idle_session_timeout, pg_terminate_backend)
// ends the run's context with ErrLockLost within a beat; another machine
// can lock meanwhile, so the run must stop. A lock released by its unlock
// ends the context without that cause.
func TestLockRunLostOnPostgres(t *testing.T) {
	defer func(b time.Duration) { pgLockBeat = b }(pgLockBeat)
	pgLockBeat = 20 * time.Millisecond
	ctx := context.Background()
	schema := pgtest.NewSchema(t)
	s, err := Open(ctx, schema.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.SaveIntegration(ctx, mapping.Integration{Name: "crm", Connector: "odata"}); err != nil {
		t.Fatal(err)
	}

	runCtx, unlock, err := s.LockRun(ctx, "crm")
	if err != nil {
		t.Fatal(err)
	}
	if cause := lostWithin(runCtx, 5*pgLockBeat); cause != nil {
		t.Fatalf("a held lock ended the run: %v", cause)
	}
	unlock()
	if cause := context.Cause(runCtx); errors.Is(cause, ErrLockLost) {
		t.Errorf("unlock gave the cause %v", cause)
	}

	runCtx, unlock, err = s.LockRun(ctx, "crm")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	admin := pgtest.Connect(t, pgtest.URL(t))
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid, 10000) FROM pg_locks
WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = hashtextextended(length($1) || ':' || $1 || '/crm', 0)`,
		schema.Name); err != nil {
		t.Fatal(err)
	}
	cause := lostWithin(runCtx, 10*time.Second)
	if !errors.Is(cause, ErrLockLost) {
		t.Fatalf("the run's context after its lock's session ended: cause %v, want ErrLockLost", cause)
	}
	t.Log(cause)
}

// TestLockRunTakenOverOnSQLite: a run whose heartbeat stopped long enough
// for another process to take its lock over (the other's clock says a
// minute and more went by) ends with ErrLockLost at its next beat.
func TestLockRunTakenOverOnSQLite(t *testing.T) {
	defer func(b time.Duration) { lockBeat = b }(lockBeat)
	lockBeat = 20 * time.Millisecond
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	open := func() *Store {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	if err := a.SaveIntegration(ctx, mapping.Integration{Name: "crm", Connector: "odata"}); err != nil {
		t.Fatal(err)
	}
	runCtx, unlock, err := a.LockRun(ctx, "crm")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if cause := lostWithin(runCtx, 5*lockBeat); cause != nil {
		t.Fatalf("a held lock ended the run: %v", cause)
	}
	b.Now = func() time.Time { return time.Now().Add(lockStale + time.Minute) }
	unlockB, err := b.Lock(ctx, "crm")
	if err != nil {
		t.Fatalf("the other process could not take the stale lock over: %v", err)
	}
	defer unlockB()
	if cause := lostWithin(runCtx, 10*time.Second); !errors.Is(cause, ErrLockLost) {
		t.Fatalf("the run's context after its lock was taken over: cause %v, want ErrLockLost", cause)
	}
}

// TestPageNotWrittenOnceLockLost: a run's write (Apply, Update with
// LockRun's context) commits while the run holds its lock, and is refused,
// with nothing written, once the lock is no longer the run's — before the
// heartbeat has noticed (it looks once an hour here): on PostgreSQL the
// lock's session ended, on SQLite another process took the lock over.
func TestPageNotWrittenOnceLockLost(t *testing.T) {
	defer func(b, p time.Duration) { lockBeat, pgLockBeat = b, p }(lockBeat, pgLockBeat)
	lockBeat, pgLockBeat = time.Hour, time.Hour
	ctx := context.Background()
	write := func(s *Store, runCtx context.Context, code string) error {
		return s.Apply(runCtx, func(tx *Tx) error {
			_, err := tx.Insert("account", map[string]any{"code": code})
			return err
		})
	}
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			var a, b *Store
			var loseLock func()
			if backend == "postgres" {
				schema := pgtest.NewSchema(t)
				a = openURL(t, schema.URL)
				loseLock = func() {
					admin := pgtest.Connect(t, pgtest.URL(t))
					if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid, 10000) FROM pg_locks
WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = hashtextextended(length($1) || ':' || $1 || '/crm', 0)`,
						schema.Name); err != nil {
						t.Fatal(err)
					}
				}
			} else {
				path := filepath.Join(t.TempDir(), "w.db")
				a, b = openURL(t, path), openURL(t, path)
				loseLock = func() {
					b.Now = func() time.Time { return time.Now().Add(lockStale + time.Minute) }
					if _, err := b.Lock(ctx, "crm"); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := a.SaveIntegration(ctx, mapping.Integration{Name: "crm", Connector: "odata"}); err != nil {
				t.Fatal(err)
			}
			if err := a.CreateEntity(ctx, entity("account", meta.Field{Name: "code", Type: meta.String})); err != nil {
				t.Fatal(err)
			}
			runCtx, unlock, err := a.LockRun(ctx, "crm")
			if err != nil {
				t.Fatal(err)
			}
			defer unlock()
			if err := write(a, runCtx, "A"); err != nil {
				t.Fatalf("a write while the run holds its lock: %v", err)
			}
			loseLock()
			if err := write(a, runCtx, "B"); !errors.Is(err, ErrLockLost) {
				t.Fatalf("a write after the lock was lost = %v, want ErrLockLost", err)
			}
			if n, err := a.CountRows(ctx, "account"); err != nil || n != 1 {
				t.Errorf("account holds %d rows (%v), want only the one written under the lock", n, err)
			}
		})
	}
}

// openURL opens the workspace at path (a file or a URL) and closes it when t ends.
func openURL(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
