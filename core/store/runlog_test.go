package store

import (
	"context"
	"strings"
	"testing"

	"switchyard/core/mapping"
)

func TestRunLogDetails(t *testing.T) { eachBackend(t, testRunLogDetails) }

func testRunLogDetails(t *testing.T, s *Store, _ *clock) {
	ctx := context.Background()
	var err error
	if err := s.SaveIntegration(ctx, mapping.Integration{Name: "crm", Connector: "odata"}); err != nil {
		t.Fatal(err)
	}
	id, err := s.AddLog(ctx, LogEntry{Integration: "crm", Kind: "import", Direction: "download", Status: "running"})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx *Tx) error {
		if err := tx.SaveLogEntity(id, 1, LogEntity{Entity: "Contacts", LocalEntity: "contact", Direction: "import", All: 1}); err != nil {
			return err
		}
		if err := tx.SaveLogEntity(id, 0, LogEntity{Entity: "Accounts", LocalEntity: "account", Direction: "import", All: 3, Imported: 2, Failed: 1, Queries: []string{"GET Accounts?$select=ID"}}); err != nil {
			return err
		}
		// Saving again replaces: the engine saves an entity's running counts after every page.
		if err := tx.SaveLogEntity(id, 0, LogEntity{Entity: "Accounts", LocalEntity: "account", Direction: "import", All: 4, Imported: 3, Failed: 1, Queries: []string{"GET Accounts?$select=ID"}}); err != nil {
			return err
		}
		return tx.AddLogFailure(id, LogFailure{Entity: "Accounts", Key: "A-1", Error: "name is required"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishLog(ctx, LogEntry{ID: id, Status: "partial", All: 5, Imported: 3, Exported: 0, Failed: 1, Updated: 1}); err != nil {
		t.Fatal(err)
	}
	logs, err := s.Logs(ctx, "crm", 0)
	if err != nil || len(logs) != 1 || logs[0].Status != "partial" || logs[0].All != 5 || logs[0].Ended.IsZero() {
		t.Fatalf("Logs() = %+v, %v", logs, err)
	}
	ents, err := s.LogEntities(ctx, id)
	if err != nil || len(ents) != 2 || ents[0].Entity != "Accounts" || ents[0].All != 4 || ents[0].Queries[0] != "GET Accounts?$select=ID" {
		t.Fatalf("LogEntities() = %+v, %v", ents, err)
	}
	fails, err := s.LogFailures(ctx, id, 0)
	if err != nil || len(fails) != 1 || fails[0] != (LogFailure{Entity: "Accounts", Key: "A-1", Error: "name is required"}) {
		t.Fatalf("LogFailures() = %+v, %v", fails, err)
	}
	if err := s.FinishLog(ctx, LogEntry{ID: 999, Status: "failed"}); err == nil {
		t.Error("FinishLog of a missing run succeeded")
	}
	if err := s.DeleteIntegration(ctx, "crm"); err != nil {
		t.Fatal(err)
	}
	if ents, _ := s.LogEntities(ctx, id); len(ents) != 0 {
		t.Errorf("deleting the integration left %d entity logs", len(ents))
	}
	if fails, _ := s.LogFailures(ctx, id, 0); len(fails) != 0 {
		t.Errorf("deleting the integration left %d failures", len(fails))
	}
}

func TestFailInterruptedRuns(t *testing.T) { eachBackend(t, testFailInterruptedRuns) }

func testFailInterruptedRuns(t *testing.T, s *Store, _ *clock) {
	ctx := context.Background()
	var err error
	for _, name := range []string{"crm", "erp"} {
		if err := s.SaveIntegration(ctx, mapping.Integration{Name: name, Connector: "odata"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddLog(ctx, LogEntry{Integration: name, Kind: "import", Status: "running"}); err != nil {
			t.Fatal(err)
		}
	}
	done, _ := s.AddLog(ctx, LogEntry{Integration: "crm", Kind: "import", Status: "succeeded"})
	n, err := s.FailInterruptedRuns(ctx, "crm")
	if err != nil || n != 1 {
		t.Fatalf("FailInterruptedRuns() = %d, %v", n, err)
	}
	logs, _ := s.Logs(ctx, "", 0)
	for _, l := range logs {
		switch {
		case l.ID == done && l.Status != "succeeded":
			t.Errorf("a finished run changed: %+v", l)
		case l.Integration == "erp" && l.Status != "running":
			t.Errorf("another integration's run changed: %+v", l)
		case l.Integration == "crm" && l.ID != done && (l.Status != "failed" || l.Ended.IsZero() || !strings.HasPrefix(l.Message, "interrupted")):
			t.Errorf("the interrupted run = %+v", l)
		}
	}
}
