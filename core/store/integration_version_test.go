package store

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"switchyard/core/mapping"
	"switchyard/core/schedule"
	"switchyard/internal/pgtest"
)

// TestEverySaveAddsAVersion: each way an integration is written adds one to
// its version, stamped with the transaction's time.
func TestEverySaveAddsAVersion(t *testing.T) { eachBackend(t, testEverySaveAddsAVersion) }

func testEverySaveAddsAVersion(t *testing.T, s *Store, c *clock) {
	sealWithTestKey(t)
	ctx := context.Background()
	if err := s.SaveIntegration(ctx, crm()); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		save func() error
		at   string // the integration's name after the step
	}{
		{"save", func() error { return s.SaveIntegration(ctx, crm()) }, "crm"},
		{"secret", func() error { return s.SetSecret(ctx, "crm", "token", "t") }, "crm"},
		{"rename", func() error { return s.RenameIntegration(ctx, "crm", "dynamics") }, "dynamics"},
		{"save from", func() error {
			in, v, err := s.VersionedIntegration(ctx, "dynamics")
			if err != nil {
				return err
			}
			in.Schedules = []schedule.Schedule{{Every: "1h"}}
			_, err = s.SaveIntegrationFrom(ctx, in, v.Number)
			return err
		}, "dynamics"},
		{"rename from", func() error {
			_, v, err := s.VersionedIntegration(ctx, "dynamics")
			if err != nil {
				return err
			}
			_, err = s.RenameIntegrationFrom(ctx, "dynamics", "crm", v.Number)
			return err
		}, "crm"},
	}
	want := int64(1)
	for _, step := range steps {
		c.t = c.t.Add(time.Minute)
		if err := step.save(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		want++
		vs, err := s.IntegrationVersions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := vs[step.at]; got.Number != want || !got.SavedAt.Equal(c.t) {
			t.Errorf("after %s: version %+v, want %d saved at %s", step.name, got, want, c.t)
		}
	}
}

// TestSaveFromAStaleVersionIsRefused: a save or rename naming a version that
// is no longer stored is refused with a *ChangedError and writes nothing;
// from 0 (an explicit import) replaces whatever is stored.
func TestSaveFromAStaleVersionIsRefused(t *testing.T) {
	eachBackend(t, testSaveFromAStaleVersionIsRefused)
}

func testSaveFromAStaleVersionIsRefused(t *testing.T, s *Store, c *clock) {
	sealWithTestKey(t)
	ctx := context.Background()
	if err := s.SaveIntegration(ctx, crm()); err != nil {
		t.Fatal(err)
	}
	mine, v1, err := s.VersionedIntegration(ctx, "crm")
	if err != nil || v1.Number != 1 {
		t.Fatalf("VersionedIntegration = %+v, %v; want version 1", v1, err)
	}
	c.t = c.t.Add(time.Hour)
	theirs := crm()
	theirs.Settings["url"] = "https://other.example.com"
	if _, err := s.SaveIntegrationFrom(ctx, theirs, v1.Number); err != nil {
		t.Fatal(err)
	}
	mine.Settings["auth"] = "basic"
	tests := []struct {
		name string
		save func() error
	}{
		{"save", func() error { _, err := s.SaveIntegrationFrom(ctx, mine, v1.Number); return err }},
		{"rename", func() error { _, err := s.RenameIntegrationFrom(ctx, "crm", "x", v1.Number); return err }},
		{"same name", func() error { _, err := s.RenameIntegrationFrom(ctx, "crm", "crm", v1.Number); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.save()
			var ce *ChangedError
			if !errors.As(err, &ce) || !errors.Is(err, ErrChanged) {
				t.Fatalf("err = %v, want a *ChangedError", err)
			}
			if ce.From != 1 || ce.Current.Number != 2 || !ce.Current.SavedAt.Equal(c.t) {
				t.Errorf("ChangedError = %+v, want from 1, current 2 at %s", ce, c.t)
			}
			got, v, err := s.VersionedIntegration(ctx, "crm")
			if err != nil || v.Number != 2 || got.Settings["url"] != "https://other.example.com" || got.Settings["auth"] != "oauth2" {
				t.Errorf("stored = %v %+v %v, want theirs at version 2", got.Settings, v, err)
			}
		})
	}
	if v, err := s.SaveIntegrationFrom(ctx, mine, 0); err != nil || v.Number != 3 {
		t.Errorf("SaveIntegrationFrom(0) = %+v, %v; want version 3", v, err)
	}
	if err := s.DeleteIntegration(ctx, "crm"); err != nil {
		t.Fatal(err)
	}
	_, err = s.SaveIntegrationFrom(ctx, mine, 3)
	var ce *ChangedError
	if !errors.As(err, &ce) || ce.Current.Number != 0 {
		t.Errorf("save after delete: err = %v, want a *ChangedError with no current version", err)
	}
}

// TestConcurrentSavesFromOneVersion: two Stores on one workspace (two app
// windows, the app and a headless import, or two machines on PostgreSQL)
// load the same version and save from it at once: exactly one save wins,
// the other is refused.
func TestConcurrentSavesFromOneVersion(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			sealWithTestKey(t)
			testConcurrentSavesFromOneVersion(t, twoStores(t, backend))
		})
	}
}

// twoStores opens one new workspace twice on backend: two processes or
// machines sharing it.
func twoStores(t *testing.T, backend string) [2]*Store {
	t.Helper()
	url := filepath.Join(t.TempDir(), "w.db")
	if backend != "sqlite" {
		url = pgtest.NewSchema(t).URL
	}
	return [2]*Store{openFile(t, url), openFile(t, url)}
}

func testConcurrentSavesFromOneVersion(t *testing.T, two [2]*Store) {
	ctx := context.Background()
	a, b := two[0], two[1]
	if err := a.SaveIntegration(ctx, crm()); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, 2*n)
	saves := make([]func() error, 2*n)
	for i := range saves { // every editor loads before any saves
		st := []*Store{a, b}[i%2]
		in, v, err := st.VersionedIntegration(ctx, "crm")
		if err != nil {
			t.Fatal(err)
		}
		in.Settings["who"] = string(rune('a' + i))
		saves[i] = func() error { _, err := st.SaveIntegrationFrom(ctx, in, v.Number); return err }
	}
	for i, save := range saves {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = save()
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, ErrChanged):
			t.Errorf("err = %v, want nil or ErrChanged", err)
		}
	}
	if won != 1 {
		t.Errorf("%d saves from version 1 won, want exactly 1", won)
	}
	if _, v, err := b.VersionedIntegration(ctx, "crm"); err != nil || v.Number != 2 {
		t.Errorf("version = %+v, %v; want 2", v, err)
	}
}

// TestCreateIntegrationRefusesATakenName: creating an integration never
// replaces one of the same name, created meanwhile by someone else.
func TestCreateIntegrationRefusesATakenName(t *testing.T) {
	eachBackend(t, testCreateIntegrationRefusesATakenName)
}

func testCreateIntegrationRefusesATakenName(t *testing.T, s *Store, _ *clock) {
	sealWithTestKey(t)
	ctx := context.Background()
	if v, err := s.CreateIntegration(ctx, crm()); err != nil || v.Number != 1 {
		t.Fatalf("CreateIntegration = %+v, %v; want version 1", v, err)
	}
	other := crm()
	other.Settings = map[string]string{"url": "https://other.example.com"}
	if _, err := s.CreateIntegration(ctx, other); !errors.Is(err, ErrExists) {
		t.Errorf("creating crm again: %v, want ErrExists", err)
	}
	if in, v, err := s.VersionedIntegration(ctx, "crm"); err != nil || v.Number != 1 || in.Settings["url"] != crm().Settings["url"] {
		t.Errorf("stored = %v version %d, %v; want the first one", in.Settings, v.Number, err)
	}
}

// TestConcurrentCreatesOfOneName: two Stores on one workspace create an
// integration of the same name at once, several times each, while one
// renames another integration to that name: exactly one of them has the
// name, the others are refused with ErrExists.
func TestConcurrentCreatesOfOneName(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			sealWithTestKey(t)
			ctx := context.Background()
			two := twoStores(t, backend)
			if err := two[0].SaveIntegration(ctx, mapping.Integration{Name: "other", Connector: "odata"}); err != nil {
				t.Fatal(err)
			}
			const n = 8
			errs := make(chan error, n)
			for i := range n {
				go func() {
					in := crm()
					in.Settings = map[string]string{"who": string(rune('a' + i))}
					var err error
					if i == n-1 { // one renames another to the name
						_, err = two[i%2].RenameIntegrationFrom(ctx, "other", "crm", 1)
					} else {
						_, err = two[i%2].CreateIntegration(ctx, in)
					}
					errs <- err
				}()
			}
			won := 0
			for range n {
				switch err := <-errs; {
				case err == nil:
					won++
				case !errors.Is(err, ErrExists):
					t.Errorf("CreateIntegration = %v, want nil or ErrExists", err)
				}
			}
			if won != 1 {
				t.Errorf("%d creates or renames won, want exactly 1", won)
			}
		})
	}
}
