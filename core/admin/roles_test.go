package admin_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"switchyard/core/admin"
	"switchyard/core/connector"
	"switchyard/core/engine"
	"switchyard/core/schedule"
	"switchyard/core/store"
	"switchyard/internal/pgtest"
)

// readerService returns a Service over a PostgreSQL workspace holding the
// sample integration, imported once by its owner, and a Service over the
// same workspace opened by a role granted deploy/postgres/roles.sql.
func readerService(t *testing.T) (owner, reader *admin.Service) {
	t.Helper()
	ctx := context.Background()
	schema := pgtest.NewSchema(t)
	open := func(url string) *admin.Service {
		st, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		svc := admin.New(st, connector.Default)
		svc.Getenv = func(string) string { return "" }
		return svc
	}
	owner = open(schema.URL)
	if _, err := admin.EnsureSample(ctx, owner, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Run(ctx, admin.SampleIntegration, admin.RunOptions{Direction: engine.Import}); err != nil {
		t.Fatal(err)
	}
	return owner, open(pgtest.Reader(t, schema))
}

// TestReadOnlyRole: a read-only role browses and previews a PostgreSQL
// workspace, leaving it as it was, and every use case that writes is
// refused up front with a configuration error naming the role and the fix.
func TestReadOnlyRole(t *testing.T) {
	ctx := context.Background()
	owner, svc := readerService(t)
	if owner.ReadOnly() || !svc.ReadOnly() || !strings.HasPrefix(svc.Role(), "reader_") {
		t.Fatalf("owner ReadOnly() %v; reader ReadOnly() %v, Role() %q", owner.ReadOnly(), svc.ReadOnly(), svc.Role())
	}
	const name = admin.SampleIntegration
	before, err := owner.LoadIntegration(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := owner.Runs(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	browse := map[string]func() error{
		"Integrations":        func() error { _, err := svc.Integrations(ctx); return err },
		"IntegrationStatuses": func() error { _, err := svc.IntegrationStatuses(ctx); return err },
		"ExportFile":          func() error { return svc.ExportFile(ctx, name, io.Discard) },
		"Check":               func() error { _, err := svc.Check(ctx, name); return err },
		"Catalog (refresh)":   func() error { _, err := svc.Catalog(ctx, name, true); return err },
		"LocalEntityCounts":   func() error { _, err := svc.LocalEntityCounts(ctx); return err },
		"LocalRows":           func() error { _, _, err := svc.LocalRows(ctx, "account", "", "", 10); return err },
		"Runs":                func() error { _, err := svc.Runs(ctx, name, 10); return err },
		"RunDetails":          func() error { _, err := svc.RunDetails(ctx, runs[0].ID, 10); return err },
		"Quarantine":          func() error { _, err := svc.Quarantine(ctx, name, true); return err },
		"LastSync":            func() error { _, err := svc.LastSync(ctx, name); return err },
	}
	for _, dir := range []engine.Direction{engine.Import, engine.Export} {
		browse["preview "+string(dir)] = func() error {
			res, err := svc.Run(ctx, name, admin.RunOptions{Direction: dir, Preview: true, PreviewLimit: 3})
			if err == nil && (res.LogID != 0 || len(res.Entities) == 0) {
				err = errors.New("the preview has a run log or no entities")
			}
			return err
		}
	}
	for what, fn := range browse {
		if err := fn(); err != nil {
			t.Errorf("%s as the reader: %v", what, err)
		}
	}

	for what, err := range refusals(ctx, svc, before) {
		if !admin.IsConfigError(err) || !errors.Is(err, store.ErrReadOnly) ||
			!strings.Contains(err.Error(), `the role "`+svc.Role()+`" may only read workspace`) || !strings.Contains(err.Error(), store.RolesDoc) {
			t.Errorf("%s as the reader: %v, want the read-only refusal", what, err)
		}
	}

	if mine, err := owner.Runner().Entries(ctx); err != nil || len(mine) != 1 {
		t.Errorf("the owner's scheduler has %d entries (%v), want 1", len(mine), err)
	}
	if theirs, err := svc.Runner().Entries(ctx); err != nil || len(theirs) != 0 {
		t.Errorf("the reader's scheduler has %d entries (%v), want none: it may not run", len(theirs), err)
	}

	after, err := owner.LoadIntegration(ctx, name)
	if err != nil || after.Version.Number != before.Version.Number {
		t.Errorf("the integration's version went from %d to %d (%v)", before.Version.Number, after.Version.Number, err)
	}
	if now, err := owner.Runs(ctx, "", 0); err != nil || len(now) != len(runs) {
		t.Errorf("the run log went from %d to %d runs (%v)", len(runs), len(now), err)
	}
}

// refusals calls, as the reader svc, every use case that writes, and
// returns their errors by name.
func refusals(ctx context.Context, svc *admin.Service, from admin.Loaded) map[string]error {
	name := from.Integration.Name
	em := from.Integration.Entities[0]
	var file bytes.Buffer
	errs := map[string]error{}
	errs["ExportFile"] = svc.ExportFile(ctx, name, &file)
	_, errs["ImportFile"] = svc.ImportFile(ctx, &file)
	_, errs["ImportEntity"] = svc.ImportEntity(ctx, name, strings.NewReader(`{}`))
	errs["SaveIntegration"] = svc.SaveIntegration(ctx, from.Integration)
	_, errs["SaveIntegrationFrom"] = svc.SaveIntegrationFrom(ctx, from, from.Integration)
	errs["RenameIntegration"] = svc.RenameIntegration(ctx, name, "other")
	_, errs["RenameIntegrationFrom"] = svc.RenameIntegrationFrom(ctx, from, "other")
	errs["DeleteIntegration"] = svc.DeleteIntegration(ctx, name)
	_, errs["SaveEntityMapping"] = svc.SaveEntityMapping(ctx, name, em)
	_, _, errs["SaveEntityMappingFrom"] = svc.SaveEntityMappingFrom(ctx, from, em)
	errs["SaveSchedules"] = svc.SaveSchedules(ctx, name, []schedule.Schedule{{Every: "1h", Enabled: true}})
	_, errs["SaveSchedulesFrom"] = svc.SaveSchedulesFrom(ctx, from, nil)
	_, errs["CleanUp"] = svc.CleanUp(ctx, name)
	_, errs["UpdateSchema"] = svc.UpdateSchema(ctx, name)
	_, errs["CreateLocalEntity"] = svc.CreateLocalEntity(ctx, name, em.External, "copy")
	_, errs["ApplyDefaults"] = svc.ApplyDefaults(ctx, name, false)
	_, errs["Run"] = svc.Run(ctx, name, admin.RunOptions{Direction: engine.Import})
	_, errs["Sync"] = svc.Sync(ctx, name, admin.SyncOptions{})
	errs["DismissQuarantine"] = svc.DismissQuarantine(ctx, name, 1)
	errs["SetSecret"] = svc.Store.SetSecret(ctx, name, "password", "x")
	if errs["ExportFile"] == nil {
		delete(errs, "ExportFile") // a read, here to feed ImportFile
	}
	return errs
}
