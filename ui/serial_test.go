package ui

import (
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// Fyne's test driver has no UI goroutine: its DoFromGoroutine runs a
// function at once, on the goroutine that asks. Screens that load off the UI
// goroutine would then update widgets while the test reads and taps them, and
// Fyne's text shaping is not made for that (a rare panic in harfbuzz, and the
// race detector's reports). uiTurn stands in for the UI goroutine: a fixture's
// test holds it, as code on the UI goroutine would, and lets it go only while
// it waits (waitFor, tap's wait for an enabled button, await); the driver's
// DoFromGoroutine takes it meanwhile.
var uiTurn reentrantMutex

// reentrantMutex is a mutex its holder may take again (a tap runs handlers
// that may ask the driver to run something on the UI goroutine), and let go
// of for a while (pause).
type reentrantMutex struct {
	mu    sync.Mutex
	owner atomic.Uint64 // goroutine id of the holder, 0 when free
	depth int           // holder only
}

func (m *reentrantMutex) lock() {
	id := goroutineID()
	if m.owner.Load() == id {
		m.depth++
		return
	}
	m.mu.Lock()
	m.owner.Store(id)
	m.depth = 1
}

func (m *reentrantMutex) unlock() {
	m.depth--
	if m.depth == 0 {
		m.owner.Store(0)
		m.mu.Unlock()
	}
}

func (m *reentrantMutex) do(fn func()) {
	m.lock()
	defer m.unlock()
	fn()
}

// pause runs wait with the mutex let go, when the running goroutine holds it.
func (m *reentrantMutex) pause(wait func()) {
	if m.owner.Load() != goroutineID() {
		wait()
		return
	}
	depth := m.depth
	m.depth = 0
	m.owner.Store(0)
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.owner.Store(goroutineID())
		m.depth = depth
	}()
	wait()
}

// goroutineID is the running goroutine's number, from its stack header
// ("goroutine 12 [running]:"); for tests only.
func goroutineID() uint64 {
	var buf [32]byte
	n := runtime.Stack(buf[:], false)
	fields := strings.Fields(string(buf[:n]))
	if len(fields) < 2 {
		return 0
	}
	id, _ := strconv.ParseUint(fields[1], 10, 64)
	return id
}

// serialApp is the test app with a driver that runs DoFromGoroutine in the
// UI's turn.
type serialApp struct{ fyne.App }

func (a serialApp) Driver() fyne.Driver { return serialDriver{a.App.Driver()} }

type serialDriver struct{ fyne.Driver }

func (d serialDriver) DoFromGoroutine(fn func(), wait bool) {
	uiTurn.do(func() {
		d.Driver.DoFromGoroutine(fn, wait)
		uiTurns.taken()
	})
}

// uiTurns tells a test waiting for work off the UI goroutine that some of it
// had a turn on the UI goroutine: every change the screens show is made there.
var uiTurns turnSignal

// turnSignal is closed, and made again, at each UI turn.
type turnSignal struct {
	mu sync.Mutex
	ch chan struct{}
}

// next returns a channel closed at the next UI turn.
func (s *turnSignal) next() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

// taken tells the waiters that a UI turn ran.
func (s *turnSignal) taken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}

// untilTurn waits, with the UI's turn let go, until cond holds on the UI's
// turn: cond is checked again after each UI turn that work off the UI
// goroutine takes. It reports false when timeout passes first.
func untilTurn(timeout time.Duration, cond func() bool) bool {
	deadline := time.After(timeout)
	for {
		next := uiTurns.next() // before cond: a turn taken after cond closes it
		if cond() {
			return true
		}
		passed := false
		uiTurn.pause(func() {
			select {
			case <-next:
			case <-deadline:
				passed = true
			}
		})
		if passed {
			return cond()
		}
	}
}

// newSerialApp makes the current app a test app whose UI work takes turns
// with the test, and gives the turn to the test until it ends (see uiTurn).
func newSerialApp(t testing.TB) fyne.App {
	a := serialApp{test.NewTempApp(t)}
	fyne.SetCurrentApp(a)
	uiTurn.lock()
	t.Cleanup(uiTurn.unlock)
	return a
}

// await waits for ch to be closed or to send, letting the screens' work off
// the UI goroutine have its turns meanwhile.
func await[T any](t testing.TB, what string, ch <-chan T) T {
	t.Helper()
	var v T
	var ok bool
	uiTurn.pause(func() {
		select {
		case v = <-ch:
			ok = true
		case <-time.After(10 * time.Second):
		}
	})
	if !ok {
		t.Fatalf("timed out waiting for %s", what)
	}
	return v
}
