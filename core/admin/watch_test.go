package admin

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"switchyard/core/connector"
	"switchyard/core/mapping"
	"switchyard/core/spec"
	"switchyard/core/store"
)

// TestWatchTicks: driven by ticks, the watch calls back once per look that
// found commits — one call for a burst — with what kind changed, never while
// nothing changed, and returns when its context ends.
func TestWatchTicks(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := filepath.Join(t.TempDir(), "w.db")
	open := func() *store.Store {
		st, err := store.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	svc, other := New(open(), connector.NewRegistry()), open()
	if err := other.SaveIntegration(ctx, mapping.Integration{Name: "crm", Connector: "odata", Settings: spec.Values{}}); err != nil {
		t.Fatal(err)
	}
	ticks := make(chan time.Time)
	var got []WorkspaceChange // written by the watch's goroutine, read after a tick returned or it ended
	done := make(chan error)
	go func() { done <- svc.WatchTicks(ctx, ticks, func(c WorkspaceChange) { got = append(got, c) }) }()
	tick := func() {
		t.Helper()
		select {
		case ticks <- time.Time{}:
		case err := <-done:
			t.Fatalf("the watch ended: %v", err)
		}
	}
	tick() // the watch has opened: what follows is a change
	tick()
	for i := 0; i < 3; i++ { // a burst between two looks
		if _, err := other.AddLog(ctx, store.LogEntry{Integration: "crm", Kind: "sync", Status: "succeeded"}); err != nil {
			t.Fatal(err)
		}
	}
	tick()
	tick()
	if err := other.SaveIntegration(ctx, mapping.Integration{Name: "erp", Connector: "odata", Settings: spec.Values{}}); err != nil {
		t.Fatal(err)
	}
	tick()
	tick() // returns once the previous look, and its call, are done
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("WatchTicks = %v, want nil once its context ends", err)
	}
	// A send on ticks returns once the look before it is done, but the look it
	// starts runs on: the look started by the tick before the burst may see
	// part of the burst, and the next look the rest. So the burst comes as one
	// or two calls of runs alone (the store's TestWatch shows one look
	// reporting a whole burst once), then the one save as config alone.
	runs, config := WorkspaceChange{Runs: true}, WorkspaceChange{Config: true}
	if n := len(got); n < 2 || n > 3 || got[0] != runs || got[n-2] != runs || got[n-1] != config {
		t.Fatalf("changes = %+v, want %+v once or twice, then %+v", got, runs, config)
	}
}

// TestWatchMemory: an in-memory workspace cannot be watched.
func TestWatchMemory(t *testing.T) {
	st, err := store.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = New(st, connector.NewRegistry()).WatchTicks(context.Background(), nil, func(WorkspaceChange) {})
	if !errors.Is(err, store.ErrNotWatchable) {
		t.Fatalf("WatchTicks = %v, want ErrNotWatchable", err)
	}
}
