package store

import (
	"context"
	"reflect"
	"testing"

	"switchyard/core/mapping"
)

func TestFieldExtrasRoundTrip(t *testing.T) { eachBackend(t, testFieldExtrasRoundTrip) }

func testFieldExtrasRoundTrip(t *testing.T, s *Store, _ *clock) {
	ctx := context.Background()
	lo, hi := 0.0, 99.5
	in := mapping.Integration{Name: "crm", Connector: "odata", Settings: map[string]string{}, Entities: []mapping.EntityMapping{{
		External: "Orders", Local: "order", PrimaryKey: "externalid", Direction: mapping.Download,
		Fields: []mapping.FieldMapping{
			{External: "ID", Local: "externalid", Rules: mapping.Rules{{Kind: mapping.RuleRequired, Message: "no key"}}},
			{External: "status", Local: "status", OtherValues: mapping.OtherKeep, Values: []mapping.ValueMap{
				{External: "1", Local: "new", Label: "New"}, {External: "2", Local: "done"}}},
			{Local: "source", Constant: "crm"},
			{External: "score", Local: "score", Default: "0", Rules: mapping.Rules{
				{Kind: mapping.RuleRange, Min: &lo, Max: &hi}, {Kind: mapping.RuleRange, Max: &hi},
				{Kind: mapping.RuleMaxLength, Length: 5}, {Kind: mapping.RulePattern, Pattern: `^\d+$`}, {Kind: mapping.RuleEmail}}},
		},
	}}}
	if err := s.SaveIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := s.Integration(ctx, "crm")
	if err != nil {
		t.Fatal(err)
	}
	got.Secrets = nil
	if !reflect.DeepEqual(got.Entities, in.Entities) {
		t.Fatalf("round trip:\n%+v\nwant\n%+v", got.Entities, in.Entities)
	}
	// Saving again replaces the value maps and rules; deleting the integration removes them.
	in.Entities[0].Fields[1].Values = in.Entities[0].Fields[1].Values[:1]
	if err := s.SaveIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	var values, rules int
	count := func() {
		t.Helper()
		if err := s.db.QueryRow(`SELECT (SELECT count(*) FROM sy_field_value_map), (SELECT count(*) FROM sy_field_rule)`).Scan(&values, &rules); err != nil {
			t.Fatal(err)
		}
	}
	if count(); values != 1 || rules != 6 {
		t.Errorf("after a second save: %d values, %d rules; want 1, 6", values, rules)
	}
	var dflt, constant any
	if err := s.db.QueryRow(`SELECT default_value, constant_value FROM sy_field_mapping WHERE local = 'externalid'`).Scan(&dflt, &constant); err != nil || dflt != nil || constant != nil {
		t.Errorf("an absent default and constant are stored as %v, %v (%v), want NULL", dflt, constant, err)
	}
	if err := s.DeleteIntegration(ctx, "crm"); err != nil {
		t.Fatal(err)
	}
	if count(); values != 0 || rules != 0 {
		t.Errorf("after delete: %d values, %d rules left", values, rules)
	}
}
