package admin

import (
	"context"
	"errors"
	"strings"
	"testing"

	"switchyard/core/mapping"
	"switchyard/core/schedule"
	"switchyard/core/spec"
)

// TestSaveFromAStaleVersionSaysWhatChanged: two editors load the same
// version; the second to save, whatever it saves, is refused with a
// *ConflictError naming what the first changed, and nothing of it is written.
func TestSaveFromAStaleVersionSaysWhatChanged(t *testing.T) {
	ctx := context.Background()
	var down bool
	var opened spec.Values
	svc := newService(t, &down, &opened)
	if _, err := svc.ImportFile(ctx, strings.NewReader(memFile)); err != nil {
		t.Fatal(err)
	}
	mine, err := svc.LoadIntegration(ctx, "things")
	if err != nil || mine.Version.Number != 1 {
		t.Fatalf("LoadIntegration = %+v, %v; want version 1", mine.Version, err)
	}
	theirs := mine.Integration
	theirs.Settings = spec.Values{"url": "http://127.0.0.1:2/"}
	em := theirs.Entities[0]
	em.Fields = []mapping.FieldMapping{em.Fields[0]}
	theirs, _ = theirs.WithEntity(em)
	theirs.Schedules = []schedule.Schedule{{Every: "1h", Enabled: true}}
	saved, err := svc.SaveIntegrationFrom(ctx, mine, theirs)
	if err != nil || saved.Version.Number != 2 || saved.Integration.Secrets["password"] != "from-file" {
		t.Fatalf("their save = %+v, %v; want version 2 with the stored secret", saved, err)
	}

	draft := mine.Integration
	draft.Settings = spec.Values{"url": "http://mine/"}
	wantChanges := "settings url; entity Things: fields title; schedules"
	tests := []struct {
		name string
		save func() error
	}{
		{"integration", func() error { _, err := svc.SaveIntegrationFrom(ctx, mine, draft); return err }},
		{"rename", func() error { _, err := svc.RenameIntegrationFrom(ctx, mine, "mine"); return err }},
		{"schedules", func() error { _, err := svc.SaveSchedulesFrom(ctx, mine, nil); return err }},
		{"entity mapping", func() error {
			_, _, err := svc.SaveEntityMappingFrom(ctx, mine, mapping.EntityMapping{External: "Things", Local: "newthing", PrimaryKey: "externalid",
				Direction: mapping.Download, Fields: []mapping.FieldMapping{{External: "ID", Local: "externalid"}}})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.save()
			var ce *ConflictError
			if !errors.As(err, &ce) || !errors.Is(err, ErrChanged) {
				t.Fatalf("err = %v, want a *ConflictError", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "things was changed by another save at ") || !strings.Contains(msg, "(version 2, you started from 1): "+wantChanges) {
				t.Errorf("message = %q, want who won and %q", msg, wantChanges)
			}
			if ce.Current.Version.Number != 2 || ce.Current.Integration.Settings["url"] != "http://127.0.0.1:2/" {
				t.Errorf("Current = %+v, want their version 2", ce.Current)
			}
			now, err := svc.LoadIntegration(ctx, "things")
			if err != nil || now.Version.Number != 2 || len(mapping.Changes(now.Integration, saved.Integration)) != 0 {
				t.Errorf("stored = %+v, %v; want theirs unchanged", now, err)
			}
			if _, err := svc.Store.Entity(ctx, "newthing"); !errors.Is(err, ErrNotFound) {
				t.Errorf("the refused save created local entity newthing: %v", err)
			}
		})
	}

	// A new integration (nothing loaded) never replaces one created meanwhile.
	if _, err := svc.SaveIntegrationFrom(ctx, Loaded{}, draft); !errors.Is(err, ErrExists) {
		t.Errorf("creating things again: %v, want ErrExists", err)
	}

	// A headless import replaces whatever is stored, and is a new version.
	if _, err := svc.ImportFile(ctx, strings.NewReader(memFile)); err != nil {
		t.Fatal(err)
	}
	if now, _ := svc.LoadIntegration(ctx, "things"); now.Version.Number != 3 {
		t.Errorf("after the import: version %d, want 3", now.Version.Number)
	}
	if err := svc.Store.DeleteIntegration(ctx, "things"); err != nil {
		t.Fatal(err)
	}
	_, err = svc.SaveIntegrationFrom(ctx, saved, draft)
	if err == nil || err.Error() != "things was deleted by another save (you started from version 2)" {
		t.Errorf("a save after a delete: %v", err)
	}
}
