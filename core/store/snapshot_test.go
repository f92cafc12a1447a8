package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"switchyard/core/meta"
)

func TestSnapshotsNewestFirst(t *testing.T) { eachBackend(t, testSnapshotsNewestFirst) }

func testSnapshotsNewestFirst(t *testing.T, s *Store, c *clock) {
	sealWithTestKey(t)
	ctx := context.Background()
	if err := s.SaveIntegration(ctx, crm()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Snapshot(ctx, "crm"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Snapshot before any save: error = %v, want ErrNotFound", err)
	}
	v1 := []meta.Entity{{Name: "accounts", Key: []string{"accountid"}, Fields: []meta.Field{
		{Name: "accountid", Type: meta.GUID}, {Name: "name", Type: meta.String, MaxLength: 160, ExternalType: "Edm.String"}}}}
	v2 := append(append([]meta.Entity{}, v1...), meta.Entity{Name: "contacts", Fields: []meta.Field{
		{Name: "parentcustomerid", Type: meta.Lookup, Target: "accounts", ForeignKey: "_parentcustomerid_value"}}})
	tests := []struct {
		name     string
		at       time.Time
		entities []meta.Entity
		want     Snapshot
	}{
		{"first", t0, v1, Snapshot{Entities: v1, TakenAt: t0}},
		{"later wins", t0.Add(time.Hour), v2, Snapshot{Entities: v2, TakenAt: t0.Add(time.Hour)}},
		{"same time: the last saved wins", t0.Add(time.Hour), v1, Snapshot{Entities: v1, TakenAt: t0.Add(time.Hour)}},
		{"a clock set back does not hide the newest", t0.Add(-time.Hour), v2, Snapshot{Entities: v1, TakenAt: t0.Add(time.Hour)}},
		{"empty catalog", t0.Add(2 * time.Hour), nil, Snapshot{Entities: []meta.Entity{}, TakenAt: t0.Add(2 * time.Hour)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.t = tt.at
			if err := s.SaveSnapshot(ctx, "crm", tt.entities); err != nil {
				t.Fatal(err)
			}
			got, err := s.Snapshot(ctx, "crm")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Snapshot =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM sy_schema_snapshot WHERE integration = 'crm'`).Scan(&n); err != nil || n != len(tests) {
		t.Errorf("kept %d snapshots, %v; want every one (%d)", n, err, len(tests))
	}
	for _, name := range []string{"nope", ""} {
		if err := s.SaveSnapshot(ctx, name, v1); !errors.Is(err, ErrNotFound) {
			t.Errorf("SaveSnapshot(%q) error = %v, want ErrNotFound", name, err)
		}
		if _, err := s.Snapshot(ctx, name); !errors.Is(err, ErrNotFound) {
			t.Errorf("Snapshot(%q) error = %v, want ErrNotFound", name, err)
		}
	}
}
