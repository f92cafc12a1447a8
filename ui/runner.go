package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"

	"switchyard/core/admin"
	"switchyard/core/schedule"
)

// SetRunner hands the shell the in-app scheduler that cmd/ started: Sync
// queues on it, and its events are shown in the sidebar and refresh the
// screens. Without a runner, Sync runs the sync itself.
func (s *Shell) SetRunner(r *schedule.Runner) {
	s.runner = r
	// Every screen shows the next runs the runner follows.
	s.plan = r.Schedules()
	if s.page == nil {
		s.Show(s.current)
	}
	go func() {
		for ev := range r.Events() {
			fyne.Do(func() { s.runnerEvent(ev) })
		}
	}()
}

// runnerEvent shows one scheduler event; it runs on the UI goroutine.
func (s *Shell) runnerEvent(ev schedule.Event) {
	switch ev.Kind {
	case schedule.Started:
		s.setActivity(fmt.Sprintf("Syncing %s…", ev.Integration))
	case schedule.Skipped:
		s.setActivity(fmt.Sprintf("Sync of %s skipped: %v", ev.Integration, ev.Err))
	case schedule.Finished:
		s.setActivity(fmt.Sprintf("Sync of %s %s at %s", ev.Integration, ev.Status, ev.At.Local().Format("15:04")))
		s.refreshAfterRun()
		if s.page == nil {
			s.Show(s.current)
		}
	}
}

// setActivity shows what the scheduler does, under the sidebar.
func (s *Shell) setActivity(text string) {
	showMessage(s.activity, text)
}

// syncNow syncs the integration called name. It first counts, off the UI
// goroutine, the local rows the sync would remove because the external system
// no longer has them, and asks before going on when there are any.
func (s *Shell) syncNow(name string) {
	s.setActivity(fmt.Sprintf("Checking what a sync of %s would remove…", name))
	go func() {
		removals, err := s.svc.SyncRemovals(s.ctx(), name)
		fyne.Do(func() {
			s.setActivity("")
			if err != nil || len(removals) == 0 {
				s.startSync(name) // a failure to read the keys shows in the sync's own result
				return
			}
			s.lastNotice = removalText(removals)
			s.ask("Sync of "+name+" removes local records", removalText(removals)+"\n\nSync now?", "Sync", true,
				func(ok bool) {
					if ok {
						s.startSync(name)
					}
				})
		})
	}()
}

// removalText says what a sync would remove, entity by entity.
func removalText(removals []admin.Removal) string {
	var lines []string
	for _, r := range removals {
		line := fmt.Sprintf("%s: %d local %s record(s) that %s no longer has will be removed", r.Entity, r.Remove, r.LocalEntity, r.Entity)
		if r.Kept > 0 {
			line += fmt.Sprintf("; %d more with local changes waiting for upload are kept and logged as conflicts", r.Kept)
		}
		lines = append(lines, line+".")
	}
	return strings.Join(lines, "\n")
}

// startSync syncs the integration called name: queued on the scheduler when
// there is one, else run here off the UI goroutine with the result in a dialog.
func (s *Shell) startSync(name string) {
	if s.runner != nil {
		s.runner.RunNow(name)
		s.setActivity(fmt.Sprintf("Sync of %s queued", name))
		return
	}
	s.setActivity(fmt.Sprintf("Syncing %s…", name))
	go func() {
		res, err := s.svc.Sync(s.ctx(), name, admin.SyncOptions{}) // closing the window stops it after the page it writes
		fyne.Do(func() {
			s.setActivity("")
			if err != nil {
				s.showError("Sync of "+name+" failed", err, runFix(err))
			} else {
				s.inform("Sync of "+name+" "+string(res.Status), res.Summary())
			}
			s.refreshAfterRun()
			s.syncDone(name)
		})
	}()
}
