package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"switchyard/core/mapping"
)

// TestLogNotes: on both backends, a run's notes come back in the order
// they were added, with their times to the millisecond; another run's are
// apart, and deleting the integration deletes them.
func TestLogNotes(t *testing.T) { eachBackend(t, testLogNotes) }

func testLogNotes(t *testing.T, s *Store, _ *clock) {
	ctx := context.Background()
	if err := s.SaveIntegration(ctx, mapping.Integration{Name: "crm", Connector: "odata"}); err != nil {
		t.Fatal(err)
	}
	var ids [2]int64
	for i := range ids {
		id, err := s.AddLog(ctx, LogEntry{Integration: "crm", Kind: "sync", Status: "succeeded"})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	notes := []LogNote{
		{At: t0.Add(2 * time.Second), Level: "WARN", Text: "retrying HTTP request status=503"},
		{At: t0.Add(time.Second + 123*time.Millisecond), Level: "INFO", Text: "signed in"},
		{At: t0.Add(3 * time.Second), Level: "ERROR", Text: "throttled: é ✓"},
	}
	if err := s.AddLogNotes(ctx, ids[0], notes); err != nil {
		t.Fatal(err)
	}
	if err := s.AddLogNotes(ctx, ids[1], nil); err != nil {
		t.Fatal(err)
	}
	if err := s.AddLogNotes(ctx, ids[1], notes[:1]); err != nil {
		t.Fatal(err)
	}
	got, err := s.LogNotes(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, notes) {
		t.Errorf("LogNotes =\n%+v\nwant\n%+v", got, notes)
	}
	if got, err := s.LogNotes(ctx, ids[1]); err != nil || len(got) != 1 {
		t.Errorf("the other run's notes: %+v, %v; want 1", got, err)
	}
	if err := s.DeleteIntegration(ctx, "crm"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sy_integration_log_note`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d notes left after deleting the integration (%v)", n, err)
	}
}
