package store

import (
	"context"
	"testing"
	"time"
)

// rowCounter is a port of one Tx method, as a user of the workspace defines it.
type rowCounter interface {
	CountKeyed(entity, field string) (int64, error)
}

// TestPorts: a TxPorts hands its callbacks the transaction as the user's
// interface, uses the store's clock, and refuses an interface *Tx does not implement.
func TestPorts(t *testing.T) { eachBackend(t, testPorts) }

func testPorts(t *testing.T, s *Store, _ *clock) {
	ctx := context.Background()
	p := Ports[rowCounter](s)
	if err := p.Apply(ctx, func(tx rowCounter) error {
		_, err := tx.CountKeyed("sy_integration", "name")
		return err
	}); err != nil {
		t.Errorf("Apply: %v", err)
	}
	if err := p.View(ctx, func(tx rowCounter) error {
		_, err := tx.CountKeyed("sy_integration", "name")
		return err
	}); err != nil {
		t.Errorf("View: %v", err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s.Now = func() time.Time { return at }
	if got := p.Now(); !got.Equal(at) {
		t.Errorf("Now() = %v, want the store's %v", got, at)
	}
	defer func() {
		if recover() == nil {
			t.Error("Ports of an interface *Tx does not implement did not panic")
		}
	}()
	Ports[interface{ NotATxMethod() }](s)
}
