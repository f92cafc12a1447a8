package ui

import "testing"

// TestLoaderWhenIdle: a refresh asked for while loads are under way runs
// once, the latest asked, when the last of them is done; at once otherwise.
func TestLoaderWhenIdle(t *testing.T) {
	var l loader
	var ran []string
	l.whenIdle(func() { ran = append(ran, "idle") })
	if len(ran) != 1 {
		t.Fatalf("an idle loader put the refresh off: %v", ran)
	}
	l.inFlight = 2 // two loads under way, as load counts them
	l.whenIdle(func() { ran = append(ran, "first") })
	l.whenIdle(func() { ran = append(ran, "second") })
	l.done()
	if len(ran) != 1 {
		t.Fatalf("ran %v with a load still under way", ran)
	}
	l.done()
	if len(ran) != 2 || ran[1] != "second" {
		t.Fatalf("ran %v; want the latest refresh once the loads were done", ran)
	}
	l.inFlight = 1
	l.done()
	if len(ran) != 2 {
		t.Errorf("a refresh ran twice: %v", ran)
	}
}
