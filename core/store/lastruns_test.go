package store

import (
	"context"
	"testing"
	"time"

	"switchyard/core/mapping"
)

// TestLastRuns: each integration's latest run of any kind and its latest
// sync's start, read at once; the last of runs started together is the one
// recorded last, as Logs orders them.
func TestLastRuns(t *testing.T) { eachBackend(t, testLastRuns) }

func testLastRuns(t *testing.T, s *Store, _ *clock) {
	ctx := context.Background()
	for _, name := range []string{"crm", "erp", "idle"} {
		if err := s.SaveIntegration(ctx, mapping.Integration{Name: name, Connector: "odata"}); err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]int64{}
	for _, e := range []LogEntry{
		{Integration: "crm", Kind: "sync", Status: "succeeded", Started: t0},
		{Integration: "crm", Kind: "sync", Status: "failed", Started: t0.Add(time.Hour)},
		{Integration: "crm", Kind: "import", Status: "succeeded", Started: t0.Add(2 * time.Hour)},
		{Integration: "erp", Kind: "export", Status: "partial", Started: t0},
		{Integration: "erp", Kind: "test", Status: "failed", Started: t0}, // recorded later at the same time
	} {
		id, err := s.AddLog(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		ids[e.Integration+" "+e.Kind] = id
	}
	last, lastSync, err := s.LastRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		lastID   int64 // 0: never ran
		lastSync time.Time
	}{
		{"crm", ids["crm import"], t0.Add(time.Hour)},
		{"erp", ids["erp test"], time.Time{}},
		{"idle", 0, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := last[tt.name]; got.ID != tt.lastID {
				t.Errorf("last run = %d (%+v), want %d", got.ID, got, tt.lastID)
			}
			if got := lastSync[tt.name]; !got.Equal(tt.lastSync) {
				t.Errorf("last sync = %v, want %v", got, tt.lastSync)
			}
		})
	}
	if len(last) != 2 || len(lastSync) != 1 {
		t.Errorf("LastRuns = %d runs, %d syncs; want 2 and 1", len(last), len(lastSync))
	}
}
