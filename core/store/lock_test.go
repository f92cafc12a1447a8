package store

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

// TestLockLeftByThisProcess checks that a lock row of this process that no
// run holds (its unlock could not write) is taken over, while a lock a run
// of this process holds is not.
func TestLockLeftByThisProcess(t *testing.T) {
	ctx := context.Background()
	s := stampWorkspace(t) // has integration "crm"
	host, _ := os.Hostname()
	now := formatTime(time.Now())
	_, err := s.db.ExecContext(ctx, `INSERT INTO sy_integration_lock (integration, holder, host, pid, acquired_at, heartbeat_at)
VALUES ('crm', 'left-behind', ?, ?, ?, ?)`, host, os.Getpid(), now, now)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := s.Lock(ctx, "crm")
	if err != nil {
		t.Fatalf("Lock() over a lock left by this process = %v, want it taken over", err)
	}
	defer unlock()
	if _, err := s.Lock(ctx, "crm"); !errors.Is(err, ErrLocked) {
		t.Errorf("Lock() while a run of this process holds it = %v, want ErrLocked", err)
	}
}
