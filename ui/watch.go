package ui

import (
	"errors"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"switchyard/core/admin"
)

// The window sees what other processes and windows write to its workspace
// (a scheduled --run-sync, a headless import, another app window) without a
// restart: the shell watches the workspace (admin.Service.Watch, every
// admin.WatchEvery) with the window's context and, when something changed,
// refreshes the screen or page shown, if it shows that kind of thing. Lists
// refresh in place, keeping the selection and the scroll. Pages holding a
// draft (the integration editor, Map metadata, a download or upload) are not
// refreshed: they do not implement refresher. Other screens read their data
// again when shown, as always.

// refresher is a screen or page that reads its data again when the workspace
// changed elsewhere.
type refresher interface {
	// refresh reads the data again when c touches what it shows, keeping
	// the selection and the scroll; it runs on the UI goroutine.
	refresh(c admin.WorkspaceChange)
}

// changes are the workspace changes the watch reported and the UI goroutine
// has not taken yet: reports that arrive while a refresh is queued join it.
type changes struct {
	mu     sync.Mutex
	queued admin.WorkspaceChange
}

// watch watches the workspace until the window closes, looking once per
// value from ticks when it is set (tests), else every admin.WatchEvery. A
// private in-memory workspace is not watched.
func (s *Shell) watch(ticks <-chan time.Time) {
	ctx := s.base
	go func() {
		var err error
		if ticks != nil {
			err = s.svc.WatchTicks(ctx, ticks, s.noteChange)
		} else {
			err = s.svc.Watch(ctx, admin.WatchEvery, s.noteChange)
		}
		if err != nil && !errors.Is(err, admin.ErrNotWatchable) {
			slog.Warn("changes made elsewhere will show only when a screen is opened again", "err", err)
		}
	}()
}

// noteChange queues c for the UI goroutine, which refreshes what is shown;
// it runs on the watch's goroutine.
func (s *Shell) noteChange(c admin.WorkspaceChange) {
	s.changes.mu.Lock()
	wasQueued := s.changes.queued.Any()
	s.changes.queued = s.changes.queued.Or(c)
	s.changes.mu.Unlock()
	if wasQueued {
		return
	}
	s.pending.Add(1)
	fyne.Do(func() {
		defer s.pending.Done()
		s.changes.mu.Lock()
		c := s.changes.queued
		s.changes.queued = admin.WorkspaceChange{}
		s.changes.mu.Unlock()
		if s.base.Err() == nil {
			s.refreshShown(c)
		}
	})
}

// refreshShown refreshes the page shown, or else the section shown, when it
// is a refresher.
func (s *Shell) refreshShown(c admin.WorkspaceChange) {
	if r, ok := s.shown().(refresher); ok {
		r.refresh(c)
	}
}

// holdScroll remembers where the list is scrolled, for restoreScroll after
// a refresh.
func (r *rowList) holdScroll() {
	off := r.list.GetScrollOffset()
	r.held = &off
}

// restoreScroll scrolls the list back to where holdScroll found it, when it
// was called since the last restoreScroll.
func (r *rowList) restoreScroll() {
	if r.held != nil {
		r.list.ScrollToOffset(*r.held)
		r.held = nil
	}
}

// The screens' refreshes wait for their loads under way (loader.whenIdle).

func (sc *integrationsScreen) refresh(c admin.WorkspaceChange) {
	if c.Config || c.Runs {
		sc.loads.whenIdle(func() {
			sc.list.holdScroll()
			sc.reload()
		})
	}
}

func (sc *schedulesScreen) refresh(c admin.WorkspaceChange) {
	if c.Config || c.Runs { // a sync moves the next runs
		sc.loads.whenIdle(func() {
			sc.list.holdScroll()
			sc.reload()
		})
	}
}

func (sc *runsScreen) refresh(c admin.WorkspaceChange) {
	if !c.Runs {
		return
	}
	sc.loads.whenIdle(func() {
		if id := sc.list.list.selectedID(); id >= 0 && id < len(sc.items) {
			sc.want = sc.items[id].ID
		}
		sc.list.holdScroll()
		sc.reload()
	})
}

func (sc *localDataScreen) refresh(c admin.WorkspaceChange) {
	if c.LocalData || c.Runs { // a sync's deletes are not queued for upload: its run tells
		sc.loads.whenIdle(func() {
			sc.want = sc.selected.Name
			sc.entities.holdScroll()
			sc.reload()
		})
	}
}

func (d *runDetails) refresh(c admin.WorkspaceChange) {
	if c.Runs && d.run.Ended.IsZero() { // a finished run no longer changes
		d.reread()
	}
}
