package engine

import (
	"context"
	"errors"
	"testing"

	"switchyard/core/store"
)

// TestRunStoppedForACause: a run whose context ends with a cause other than
// a person's cancel (its run lock was lost: store.ErrLockLost) fails with
// that cause in its result and its log, instead of reading "cancelled".
func TestRunStoppedForACause(t *testing.T) {
	st := newWorkspace(t)
	ctx, stop := context.WithCancelCause(context.Background())
	stop(store.ErrLockLost)
	res, err := (&Engine{Workspace: store.Ports[Tx](st)}).Run(ctx, newSystem(), Options{Integration: crm(), Direction: Import})
	if !errors.Is(err, store.ErrLockLost) || res.Status != Failed {
		t.Fatalf("Run() = %v, status %s; want ErrLockLost and failed", err, res.Status)
	}
	logs, _ := st.Logs(context.Background(), "crm", 1)
	if len(logs) == 1 && (logs[0].Status != string(Failed) || logs[0].Message != store.ErrLockLost.Error()) {
		t.Errorf("the log says %s: %q", logs[0].Status, logs[0].Message)
	}
}
