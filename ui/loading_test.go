package ui

import (
	"context"
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// bodyText is the text of the first label in o (a screen's body: its
// loading state, empty state or list), "" when it holds none.
func bodyText(o fyne.CanvasObject) string {
	switch x := o.(type) {
	case *widget.Label:
		return x.Text
	case *fyne.Container:
		for _, c := range x.Objects {
			if t := bodyText(c); t != "" {
				return t
			}
		}
	}
	return ""
}

// TestScreensLoadOffTheUIGoroutine: a list screen shows "Loading…" until its
// data, read off the UI goroutine, arrives; then its list or its empty state.
// The test holds the UI goroutine's turn, so nothing the load reads reaches
// the screen before it lets go (settle).
func TestScreensLoadOffTheUIGoroutine(t *testing.T) {
	tests := []struct {
		section string
		body    func(s *Shell) *fyne.Container
		empty   string
	}{
		{SectionRuns, func(s *Shell) *fyne.Container { return s.sections[2].screen.(*runsScreen).body }, emptyRuns},
		{SectionLocalData, func(s *Shell) *fyne.Container { return s.sections[1].screen.(*localDataScreen).body }, emptyLocalData},
		{SectionSchedules, func(s *Shell) *fyne.Container { return s.sections[3].screen.(*schedulesScreen).body }, noIntegrationsForSchedules},
	}
	for _, tt := range tests {
		t.Run(tt.section, func(t *testing.T) {
			f := newFixture(t)
			f.shell.Show(tt.section)
			if got := bodyText(tt.body(f.shell)); got != "Loading…" {
				t.Errorf("before its data arrives the screen shows %q, want Loading…", got)
			}
			f.settle()
			if got := bodyText(tt.body(f.shell)); got != tt.empty {
				t.Errorf("after loading the screen shows %q, want %q", got, tt.empty)
			}
		})
	}
}

// TestClosingTheWindowDropsLoads: what a load reads after the window closed
// (its context cancelled) is not shown.
func TestClosingTheWindowDropsLoads(t *testing.T) {
	f := newFixture(t)
	f.shell.Show(SectionRuns)
	f.shell.stop() // what closing the window does
	f.settle()
	runs := f.shell.sections[2].screen.(*runsScreen)
	if got := bodyText(runs.body); got != "Loading…" {
		t.Errorf("a load ended after the window closed shows %q", got)
	}
}

// TestFilterCountStopsWhenTheWindowCloses: a filter editor's count, which
// may wait on the external system, is cancelled when the window closes.
func TestFilterCountStopsWhenTheWindowCloses(t *testing.T) {
	f := newFixture(t)
	started := make(chan struct{})
	count := f.shell.windowCounter(func(ctx context.Context, _ string) (int64, error) {
		close(started)
		<-ctx.Done()
		return 0, ctx.Err()
	})
	errc := make(chan error, 1)
	go func() {
		_, err := count(context.Background(), "name eq 'x'")
		errc <- err
	}()
	<-started
	f.shell.stop() // what closing the window does
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("the count ended with %v, want it cancelled", err)
	}
}
