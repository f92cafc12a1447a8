package admin

import (
	"context"
	"fmt"
	"time"

	"switchyard/core/store"
)

// WorkspaceChange says what kinds of things changed in the workspace since
// the watch last looked: integrations (with their mappings and schedules),
// runs, or local data.
type WorkspaceChange = store.Changed

// WatchEvery is how often Watch looks for changes when not told: every 2
// seconds. A look while nothing was committed costs one SQLite pragma on a
// connection kept open for it, so the app can afford it all day; a change
// shows within that time. On a PostgreSQL workspace a look is one round trip
// on a connection that LISTENs for the notifications its triggers send
// (store.Watch).
const WatchEvery = 2 * time.Second

// Watch looks every `every` (WatchEvery when 0 or less) for what other
// processes and windows — a scheduled --run-sync, a headless import, another
// app window, plain SQL — and this one committed to the workspace, and calls
// changed with it, until ctx ends; it then returns nil. See WatchTicks.
func (s *Service) Watch(ctx context.Context, every time.Duration, changed func(WorkspaceChange)) error {
	if every <= 0 {
		every = WatchEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	return s.WatchTicks(ctx, t.C, changed)
}

// WatchTicks is Watch looking once per value received from ticks instead of
// on a timer (tests drive it so). Each look reports every commit since the
// previous look as one WorkspaceChange, so a burst of writes between two looks
// calls changed once; nothing changed, no call. changed runs on the watch's
// goroutine and must not block: a send on ticks returns once the previous
// look, and its call, are done. A look that fails (the workspace busy past
// its timeout) is tried again on the next tick, losing nothing.
//
// It returns at once with an error wrapping store.ErrNotWatchable for a
// private in-memory workspace, which nothing else can write.
func (s *Service) WatchTicks(ctx context.Context, ticks <-chan time.Time, changed func(WorkspaceChange)) error {
	w, err := s.Store.Watch(ctx)
	if err != nil {
		return fmt.Errorf("watch the workspace: %w", err)
	}
	defer w.Close()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ticks:
		}
		c, err := w.Changed(ctx)
		if err == nil && c.Any() {
			changed(c)
		}
	}
}

// ErrNotWatchable is store.ErrNotWatchable: Watch refuses a private
// in-memory workspace, which nothing else can write.
var ErrNotWatchable = store.ErrNotWatchable
