package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"switchyard/core/mapping"
)

func TestLogsNewestFirst(t *testing.T) { eachBackend(t, testLogsNewestFirst) }

func testLogsNewestFirst(t *testing.T, s *Store, c *clock) {
	ctx := context.Background()
	for _, name := range []string{"crm", "erp"} {
		if err := s.SaveIntegration(ctx, mapping.Integration{Name: name, Connector: "odata"}); err != nil {
			t.Fatal(err)
		}
	}
	entries := []LogEntry{
		{Integration: "crm", Kind: "import", Direction: "download", Status: "succeeded",
			Started: t0, Ended: t0.Add(time.Minute), All: 10, Imported: 7, Updated: 2, Unchanged: 1},
		{Integration: "erp", Kind: "export", Direction: "upload", Status: "partial",
			Started: t0.Add(time.Hour), Ended: t0.Add(time.Hour + time.Second), All: 3, Updated: 2, Failed: 1, Message: "1 record failed"},
		{Integration: "crm", Kind: "sync", Direction: "bidirectional", Status: "running", Started: t0.Add(2 * time.Hour)},
		{Integration: "crm", Kind: "test", Status: "failed", Message: "401 Unauthorized"}, // Started defaults to now
	}
	c.t = t0.Add(3 * time.Hour)
	var ids []int64
	for _, e := range entries {
		id, err := s.AddLog(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	want := make([]LogEntry, len(entries))
	for i, e := range entries {
		e.ID = ids[i]
		if e.Started.IsZero() {
			e.Started = c.t
		}
		want[i] = e
	}
	tests := []struct {
		name        string
		integration string
		limit       int
		want        []LogEntry
	}{
		{"all", "", 0, []LogEntry{want[3], want[2], want[1], want[0]}},
		{"one integration", "crm", 0, []LogEntry{want[3], want[2], want[0]}},
		{"limited", "crm", 2, []LogEntry{want[3], want[2]}},
		{"all limited", "", 1, []LogEntry{want[3]}},
		{"other", "erp", -1, []LogEntry{want[1]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Logs(ctx, tt.integration, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Logs(%q, %d) =\n%+v\nwant\n%+v", tt.integration, tt.limit, got, tt.want)
			}
		})
	}
	// A running entry has no end.
	var ended any
	if err := s.db.QueryRow(`SELECT ended_at FROM sy_integration_log WHERE id = ?`, ids[2]).Scan(&ended); err != nil || ended != nil {
		t.Errorf("ended_at of a running entry = %v, %v; want NULL", ended, err)
	}
	if _, err := s.AddLog(ctx, LogEntry{Integration: "nope", Kind: "sync", Status: "failed"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("AddLog for a missing integration: error = %v, want ErrNotFound", err)
	}
	if _, err := s.Logs(ctx, "nope", 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("Logs of a missing integration: error = %v, want ErrNotFound", err)
	}
}
