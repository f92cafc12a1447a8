package admin

import (
	"context"
	"strings"
	"testing"
	"time"

	"switchyard/core/mapping"
	"switchyard/core/schedule"
	"switchyard/core/spec"
	"switchyard/core/store"
)

// TestIntegrationStatuses: every integration with its latest run, its
// latest sync and since when its schedules count, in one call.
func TestIntegrationStatuses(t *testing.T) {
	var down bool
	var opened spec.Values
	svc := newService(t, &down, &opened)
	ctx := context.Background()
	saved := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	svc.Store.Now = func() time.Time { return saved }
	for _, in := range []mapping.Integration{
		{Name: "crm", Connector: "mem", Schedules: []schedule.Schedule{{Every: "15m", Enabled: true}, {Every: "1h"}}},
		{Name: "idle", Connector: "mem"},
	} {
		if err := svc.SaveIntegration(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	at := saved.Add(time.Hour)
	for i, kind := range []string{"sync", "import"} {
		if _, err := svc.Store.AddLog(ctx, Run{Integration: "crm", Kind: kind, Status: "succeeded", Started: at.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := svc.IntegrationStatuses(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("IntegrationStatuses = %+v, %v", list, err)
	}
	tests := []struct {
		got            IntegrationStatus
		name, lastKind string
		lastSync       time.Time
		since          []time.Time
	}{
		{list[0], "crm", "import", at, []time.Time{saved, {}}},
		{list[1], "idle", "", time.Time{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got.Integration.Name != tt.name || tt.got.LastRun.Kind != tt.lastKind || !tt.got.LastSync.Equal(tt.lastSync) {
				t.Errorf("status = %+v", tt.got)
			}
			if len(tt.got.Since) != len(tt.since) {
				t.Fatalf("since = %v, want %v", tt.got.Since, tt.since)
			}
			for i := range tt.since {
				if !tt.got.Since[i].Equal(tt.since[i]) {
					t.Errorf("since = %v, want %v", tt.got.Since, tt.since)
				}
			}
		})
	}
}

// TestLocalEntityCountsAndRunDetails: the Local data screen's entities with
// their row counts, and a run's entities and failures read at once.
func TestLocalEntityCountsAndRunDetails(t *testing.T) {
	var down bool
	var opened spec.Values
	svc := newService(t, &down, &opened)
	ctx := context.Background()
	if _, err := svc.ImportFile(ctx, strings.NewReader(memFile)); err != nil {
		t.Fatal(err)
	}
	logID, err := svc.Store.AddLog(ctx, Run{Integration: "things", Kind: "import", Status: "partial"})
	if err != nil {
		t.Fatal(err)
	}
	err = svc.Store.Update(ctx, func(tx *store.Tx) error {
		for _, title := range []string{"a", "b", "c"} {
			if _, err := tx.Insert("thing", map[string]any{"title": title}); err != nil {
				return err
			}
		}
		if err := tx.SaveLogEntity(logID, 0, RunEntity{Entity: "Things", LocalEntity: "thing", All: 4, Failed: 1}); err != nil {
			return err
		}
		return tx.AddLogFailure(logID, RunFailure{Entity: "Things", Key: "4", Error: "too long"})
	})
	if err != nil {
		t.Fatal(err)
	}
	counts, err := svc.LocalEntityCounts(ctx)
	if err != nil || len(counts) != 1 || counts[0].Entity.Name != "thing" || counts[0].Rows != 3 || counts[0].Err != nil {
		t.Errorf("LocalEntityCounts = %+v, %v; want thing with 3 rows", counts, err)
	}
	d, err := svc.RunDetails(ctx, logID, 10)
	if err != nil || len(d.Entities) != 1 || d.Entities[0].Failed != 1 || len(d.Failures) != 1 || d.Failures[0].Key != "4" {
		t.Errorf("RunDetails = %+v, %v", d, err)
	}
}
