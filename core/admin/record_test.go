package admin

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/store"
)

// TestRecordView: a record downloaded by a run shows every field, its
// external key in the integration, and the run that wrote it; a results
// row's key finds it; the entity's name field gives the primary names.
func TestRecordView(t *testing.T) {
	st, err := store.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := New(st, nil)
	ctx := context.Background()
	if err := st.CreateEntity(ctx, meta.Entity{Name: "account", Fields: []meta.Field{
		{Name: "externalid", Type: meta.String}, {Name: "code", Type: meta.String}, {Name: "accountname", Type: meta.String}, {Name: "revenue", Type: meta.Decimal},
	}}); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveIntegration(ctx, mapping.Integration{Name: "crm", Connector: "odata", Entities: []mapping.EntityMapping{
		{External: "Accounts", Local: "account", PrimaryKey: "externalid", Direction: mapping.Download},
	}}); err != nil {
		t.Fatal(err)
	}
	started := time.Now().Add(-time.Minute).UTC()
	logID, err := st.AddLog(ctx, store.LogEntry{Integration: "crm", Kind: "import", Direction: "download", Status: "running", Started: started})
	if err != nil {
		t.Fatal(err)
	}
	var id string
	err = st.Apply(ctx, func(tx *store.Tx) error {
		id, err = tx.Insert("account", map[string]any{"externalid": "A-1", "code": "C1", "accountname": "Contoso", "revenue": 12.5})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishLog(ctx, store.LogEntry{ID: logID, Status: "succeeded", Ended: time.Now().Add(time.Second).UTC()}); err != nil {
		t.Fatal(err)
	}

	v, err := svc.RecordByKey(ctx, "crm", "Accounts", "A-1")
	if err != nil {
		t.Fatal(err)
	}
	if v.ID != id || v.Values["accountname"] != "Contoso" || v.Values["revenue"] == nil {
		t.Errorf("record = %+v", v)
	}
	if len(v.Keys) != 1 || v.Keys[0] != (RecordKey{"crm", "Accounts", "externalid", "A-1"}) {
		t.Errorf("keys = %+v", v.Keys)
	}
	if v.LastRun == nil || v.LastRun.ID != logID || v.Modified.IsZero() {
		t.Errorf("last run = %+v, modified %v", v.LastRun, v.Modified)
	}
	if fs := v.SortedFields(); len(fs) < 5 || fs[0].Name != "externalid" || !fs[len(fs)-1].ReadOnly {
		t.Errorf("fields in order: %+v", fs)
	}
	if _, err := svc.RecordByKey(ctx, "crm", "Accounts", "nope"); !errors.Is(err, ErrNoRecord) || !strings.Contains(err.Error(), "preview") {
		t.Errorf("a missing record: %v", err)
	}
	names, err := svc.PrimaryNames(ctx, "crm", "Accounts", []string{"A-1", "nope"})
	if err != nil || len(names) != 1 || names["A-1"] != "Contoso" {
		t.Errorf("primary names = %v, %v", names, err)
	}
}

func TestPrimaryNameField(t *testing.T) {
	tests := []struct {
		fields []meta.Field
		want   string
	}{
		{[]meta.Field{{Name: "code", Type: meta.String}, {Name: "title", Type: meta.String}, {Name: "Name", Type: meta.String}}, "Name"},
		{[]meta.Field{{Name: "fullname", Type: meta.String}}, "fullname"},
		{[]meta.Field{{Name: "displayName", Type: meta.String}}, "displayName"},
		{[]meta.Field{{Name: "accountname", Type: meta.String}}, "accountname"},
		{[]meta.Field{{Name: "name", Type: meta.Int}, {Name: "code", Type: meta.String}}, ""},
	}
	for _, tt := range tests {
		if got := PrimaryNameField(meta.Entity{Fields: tt.fields}); got != tt.want {
			t.Errorf("PrimaryNameField(%+v) = %q, want %q", tt.fields, got, tt.want)
		}
	}
}

func TestFieldValues(t *testing.T) {
	st, err := store.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := New(st, nil)
	ctx := context.Background()
	if err := st.CreateEntity(ctx, meta.Entity{Name: "site", Fields: []meta.Field{{Name: "city", Type: meta.String}}}); err != nil {
		t.Fatal(err)
	}
	err = st.Apply(ctx, func(tx *store.Tx) error {
		for _, c := range []any{"Berlin", "Paris", "Berlin", nil, "Oslo", "Berlin", "Paris"} {
			if _, err := tx.Insert("site", map[string]any{"city": c}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.FieldValues(ctx, "site", "city", 2)
	if err != nil || strings.Join(got, ",") != "Berlin,Paris" {
		t.Errorf("FieldValues = %v, %v", got, err)
	}
	if _, err := svc.FieldValues(ctx, "site", "nope", 2); err == nil {
		t.Error("values of a missing field")
	}
}
