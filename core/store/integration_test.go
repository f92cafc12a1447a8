package store

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/schedule"
	"switchyard/core/spec"
)

// crm is a full integration for tests.
func crm() mapping.Integration {
	return mapping.Integration{
		Name:      "crm",
		Connector: "odata",
		Settings:  spec.Values{"url": "https://crm.example.com/api/data/v9.2", "auth": "oauth2"},
		Secrets:   spec.Values{"client_secret": "s3cret", "password": "pw"},
		Entities: []mapping.EntityMapping{
			{
				External: "accounts", Local: "account", PrimaryKey: "accountid", Direction: mapping.Bidirectional,
				DownloadFilter: "statecode eq 0", UploadFilter: "name ne null",
				Fields: []mapping.FieldMapping{
					{External: "name", Local: "name"},
					{External: "accountid", Local: "accountid"},
					{External: "parentaccountid", Local: "parent", Lookup: "account"},
					{External: "revenue", Local: "revenue", Disabled: true},
				},
			},
			{External: "contacts", Local: "contact", PrimaryKey: "contactid", Direction: mapping.Download, Disabled: true},
			{External: "leads", Local: "lead", Direction: mapping.Upload,
				Fields: []mapping.FieldMapping{{External: "subject", Local: "topic"}, {External: "a", Local: "b"}}},
		},
		Schedules: []schedule.Schedule{
			{Cron: "0 2 * * *", Enabled: true},
			{Every: "15m"},
		},
	}
}

func TestIntegrationRoundTrip(t *testing.T) { eachBackend(t, testIntegrationRoundTrip) }

func testIntegrationRoundTrip(t *testing.T, s *Store, _ *clock) {
	sealWithTestKey(t)
	ctx := context.Background()
	tests := []struct {
		name string
		in   mapping.Integration
	}{
		{"full", crm()},
		{"bare", mapping.Integration{Name: "files", Connector: "file", Settings: spec.Values{}, Secrets: spec.Values{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.SaveIntegration(ctx, tt.in); err != nil {
				t.Fatal(err)
			}
			got, err := s.Integration(ctx, tt.in.Name)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.in) {
				t.Errorf("Integration(%q) =\n%+v\nwant\n%+v", tt.in.Name, got, tt.in)
			}
		})
	}
	all, err := s.Integrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Name != "crm" || all[1].Name != "files" {
		t.Fatalf("Integrations = %+v, want crm, files", all)
	}
	if !reflect.DeepEqual(all[0], crm()) {
		t.Errorf("Integrations()[0] differs from what was saved")
	}
	// Settings and secrets live in their own places.
	var settings string
	if err := s.db.QueryRow(`SELECT settings FROM sy_integration WHERE name = 'crm'`).Scan(&settings); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(settings, "s3cret") {
		t.Errorf("sy_integration.settings holds a secret: %s", settings)
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM sy_integration_secret WHERE integration = 'crm'`).Scan(&n); err != nil || n != 2 {
		t.Errorf("sy_integration_secret rows = %d, %v; want 2", n, err)
	}
}

func TestSaveIntegrationReplaces(t *testing.T) {
	for _, b := range backends {
		t.Run(b, func(t *testing.T) { testSaveIntegrationReplaces(t, b) })
	}
}

func testSaveIntegrationReplaces(t *testing.T, backend string) {
	sealWithTestKey(t)
	ctx := context.Background()
	tests := []struct {
		name        string
		secrets     spec.Values
		wantSecrets spec.Values
	}{
		{"nil secrets keep the stored ones", nil, crm().Secrets},
		{"a map replaces them", spec.Values{"token": "t"}, spec.Values{"token": "t"}},
		{"an empty map clears them", spec.Values{}, spec.Values{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openBackend(t, backend)
			if err := s.SaveIntegration(ctx, crm()); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AddLog(ctx, LogEntry{Integration: "crm", Kind: "sync", Status: "succeeded"}); err != nil {
				t.Fatal(err)
			}
			next := mapping.Integration{
				Name:      "crm",
				Connector: "rest",
				Settings:  spec.Values{"base": "http://127.0.0.1:3000"},
				Secrets:   tt.secrets,
				Entities: []mapping.EntityMapping{{External: "posts", Local: "post", Direction: mapping.Download,
					Fields: []mapping.FieldMapping{{External: "title", Local: "title"}}}},
			}
			if err := s.SaveIntegration(ctx, next); err != nil {
				t.Fatal(err)
			}
			got, err := s.Integration(ctx, "crm")
			if err != nil {
				t.Fatal(err)
			}
			want := next
			want.Secrets = tt.wantSecrets
			if !reflect.DeepEqual(got, want) {
				t.Errorf("after replace =\n%+v\nwant\n%+v", got, want)
			}
			// Replacing is not deleting: the run log survives.
			if logs, err := s.Logs(ctx, "crm", 0); err != nil || len(logs) != 1 {
				t.Errorf("logs after replace = %d, %v; want 1", len(logs), err)
			}
			var n int
			if err := s.db.QueryRow(`SELECT count(*) FROM sy_field_mapping`).Scan(&n); err != nil || n != 1 {
				t.Errorf("sy_field_mapping rows = %d, %v; want 1 (old ones removed)", n, err)
			}
		})
	}
}

func TestSaveIntegrationErrors(t *testing.T) { eachBackend(t, testSaveIntegrationErrors) }

func testSaveIntegrationErrors(t *testing.T, s *Store, _ *clock) {
	sealWithTestKey(t)
	ctx := context.Background()
	tests := []struct {
		name string
		in   mapping.Integration
		want string
	}{
		{"no name", mapping.Integration{Connector: "odata"}, "the name is empty"},
		{"no connector", mapping.Integration{Name: "x"}, `save integration "x": no connector`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.SaveIntegration(ctx, tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestRenameIntegration(t *testing.T) { eachBackend(t, testRenameIntegration) }

func testRenameIntegration(t *testing.T, s *Store, _ *clock) {
	sealWithTestKey(t)
	ctx := context.Background()
	other := mapping.Integration{Name: "erp", Connector: "odata"}
	for _, in := range []mapping.Integration{crm(), other} {
		if err := s.SaveIntegration(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveSnapshot(ctx, "crm", []meta.Entity{{Name: "accounts"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddLog(ctx, LogEntry{Integration: "crm", Kind: "import", Status: "succeeded"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, to string
		wantIs         error
	}{
		{"missing", "nope", "x", ErrNotFound},
		{"taken", "crm", "erp", ErrExists},
		{"empty", "crm", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.RenameIntegration(ctx, tt.from, tt.to)
			if err == nil {
				t.Fatal("RenameIntegration succeeded")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
		})
	}

	if err := s.RenameIntegration(ctx, "crm", "dynamics"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Integration(ctx, "crm"); !errors.Is(err, ErrNotFound) {
		t.Errorf("old name still found: %v", err)
	}
	got, err := s.Integration(ctx, "dynamics")
	if err != nil {
		t.Fatal(err)
	}
	want := crm()
	want.Name = "dynamics"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("renamed integration =\n%+v\nwant\n%+v", got, want)
	}
	if _, err := s.Snapshot(ctx, "dynamics"); err != nil {
		t.Errorf("snapshot did not follow the rename: %v", err)
	}
	if logs, err := s.Logs(ctx, "dynamics", 0); err != nil || len(logs) != 1 {
		t.Errorf("logs after rename = %d, %v; want 1", len(logs), err)
	}
	if err := s.RenameIntegration(ctx, "dynamics", "dynamics"); err != nil {
		t.Errorf("renaming to the same name: %v", err)
	}
}

// integrationTables lists the sy_ tables with a column naming an integration.
func integrationTables(t *testing.T, s *Store) []string {
	t.Helper()
	q := `SELECT m.name FROM sqlite_schema m JOIN pragma_table_info(m.name) c
WHERE m.type = 'table' AND m.name LIKE 'sy\_%' ESCAPE '\' AND c.name = 'integration' ORDER BY m.name`
	if s.d.postgres() {
		q = `SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables m USING (table_schema, table_name)
WHERE m.table_type = 'BASE TABLE' AND c.table_schema = current_schema() AND c.table_name LIKE 'sy\_%' AND c.column_name = 'integration'
ORDER BY c.table_name COLLATE "C"`
	}
	rows, err := s.db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func TestDeleteIntegrationCascades(t *testing.T) { eachBackend(t, testDeleteIntegrationCascades) }

func testDeleteIntegrationCascades(t *testing.T, s *Store, _ *clock) {
	sealWithTestKey(t)
	ctx := context.Background()
	keep := mapping.Integration{Name: "keep", Connector: "file",
		Entities: []mapping.EntityMapping{{External: "a", Local: "a", Fields: []mapping.FieldMapping{{External: "x", Local: "x"}}}}}
	for _, in := range []mapping.Integration{crm(), keep} {
		if err := s.SaveIntegration(ctx, in); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveSnapshot(ctx, in.Name, []meta.Entity{{Name: "e"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddLog(ctx, LogEntry{Integration: in.Name, Kind: "sync", Status: "failed"}); err != nil {
			t.Fatal(err)
		}
		// Anchors and transactions are written by later code; write them as it will.
		if _, err := s.db.Exec(`INSERT INTO sy_integration_syncanchor (integration, entity, direction, anchor) VALUES (?, 'account', 'download', '2026-01-01')`, in.Name); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.Exec(`INSERT INTO sy_integration_transaction (integration, entity, record_id, operation, versionnumber) VALUES (?, 'account', 'r1', 'update', 7)`, in.Name); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`INSERT INTO sy_integration_quarantine (integration, entity, direction, record_key, reason, first_at, last_at) VALUES (?, 'Accounts', 'download', 'k1', 'bad', '2026-01-01', '2026-01-01')`,
			`INSERT INTO sy_integration_conflict (integration, entity, record_key, policy, winner, local, external, at) VALUES (?, 'Accounts', 'k1', 'external', 'external', '{}', '{}', '2026-01-01')`,
			`INSERT INTO sy_integration_lock (integration, holder, host, pid, acquired_at, heartbeat_at) VALUES (?, 'h:1:x', 'h', 1, '2026-01-01', '2026-01-01')`,
			`INSERT INTO sy_integration_seen (integration, entity, record_key) VALUES (?, 'Accounts', 'k1')`,
		} {
			if _, err := s.db.Exec(q, in.Name); err != nil {
				t.Fatal(err)
			}
		}
	}
	tables := integrationTables(t, s)
	for _, want := range []string{"sy_entity_mapping", "sy_integration_log", "sy_integration_secret", "sy_integration_syncanchor",
		"sy_integration_transaction", "sy_schedule", "sy_schema_snapshot"} {
		found := false
		for _, tb := range tables {
			found = found || tb == want
		}
		if !found {
			t.Errorf("table %s has no integration column (found %v)", want, tables)
		}
	}
	count := func(table string) int {
		var n int
		if err := s.db.QueryRow(`SELECT count(*) FROM ` + quote(table) + ` WHERE integration = 'crm'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tb := range tables {
		if count(tb) == 0 {
			t.Errorf("setup: %s has no row of crm", tb)
		}
	}

	if err := s.DeleteIntegration(ctx, "crm"); err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if n := count(tb); n != 0 {
			t.Errorf("%s keeps %d rows of the deleted integration", tb, n)
		}
	}
	var orphans int
	if err := s.db.QueryRow(`SELECT count(*) FROM sy_field_mapping WHERE entity_mapping NOT IN (SELECT id FROM sy_entity_mapping)`).Scan(&orphans); err != nil || orphans != 0 {
		t.Errorf("orphan field mappings = %d, %v", orphans, err)
	}
	if !s.d.postgres() { // PostgreSQL always enforces its foreign keys
		rows, err := s.db.Query(`PRAGMA foreign_key_check`)
		if err != nil {
			t.Fatal(err)
		}
		if rows.Next() {
			t.Error("PRAGMA foreign_key_check reports violations")
		}
		rows.Close()
	}
	// The other integration is untouched.
	if got, err := s.Integration(ctx, "keep"); err != nil || len(got.Entities) != 1 || len(got.Entities[0].Fields) != 1 {
		t.Errorf("Integration(keep) = %+v, %v", got, err)
	}
	if err := s.DeleteIntegration(ctx, "crm"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete error = %v, want ErrNotFound", err)
	}
	if _, err := s.Integration(ctx, "crm"); err == nil || err.Error() != `integration "crm": not found` {
		t.Errorf("Integration(crm) error = %v, want integration \"crm\": not found", err)
	}
}
