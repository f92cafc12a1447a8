package admin

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"switchyard/core/connector"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/core/store"
)

// crmCatalog is a small CRM whose catalog the tests change between calls.
func crmCatalog() []meta.Entity {
	return []meta.Entity{
		{Name: "Accounts", Key: []string{"ID"}, Fields: []meta.Field{
			{Name: "ID", Type: meta.GUID}, {Name: "name", Type: meta.String}, {Name: "phone", Type: meta.String},
			{Name: "telephone2", Type: meta.String}, {Name: "emailaddress1", Type: meta.String},
		}},
		{Name: "Contacts", Key: []string{"ID"}, Fields: []meta.Field{
			{Name: "ID", Type: meta.GUID}, {Name: "lastname", Type: meta.String},
			{Name: "account", Type: meta.Lookup, Target: "Accounts", ForeignKey: "account_ID"}, {Name: "account_ID", Type: meta.GUID},
		}},
	}
}

// newCatalogService returns a Service whose "cat" connector serves *catalog as it is at each call.
func newCatalogService(t *testing.T, catalog *[]meta.Entity) *Service {
	t.Helper()
	st, err := store.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	reg := connector.NewRegistry()
	if err := reg.Add(connector.Info{Name: "cat", Title: "Catalog", New: func(context.Context, spec.Values) (connector.Connector, error) {
		return catalogConnector{entities: *catalog}, nil
	}}); err != nil {
		t.Fatal(err)
	}
	svc := New(st, reg)
	svc.Getenv = func(string) string { return "" }
	return svc
}

const crmMapping = `{"format": "switchyard.integration/v1", "name": "crm", "connector": "cat", "settings": {},
 "entities": [
  {"external": "Accounts", "local": "account", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "name", "local": "name"}, {"external": "phone", "local": "phone"}]},
  {"external": "Contacts", "local": "contact", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "lastname", "local": "lastname"},
              {"external": "account_ID", "local": "account", "lookup": "account"}]}]}`

func TestCheckUpdateSchemaCleanUp(t *testing.T) {
	ctx := context.Background()
	catalog := crmCatalog()
	svc := newCatalogService(t, &catalog)
	if _, err := svc.ImportFile(ctx, strings.NewReader(crmMapping)); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Check(ctx, "crm")
	if err != nil || len(res.Findings) != 0 {
		t.Fatalf("Check() of a fresh import = %+v, %v", res, err)
	}

	// The external system drops Contacts and Accounts.phone, and adds Leads.
	catalog = crmCatalog()[:1]
	catalog[0].Fields = append(catalog[0].Fields[:2:2], catalog[0].Fields[3:]...)
	catalog = append(catalog, meta.Entity{Name: "Leads", Key: []string{"ID"}})
	// Check works on the cached schema: nothing changed yet.
	if res, _ := svc.Check(ctx, "crm"); len(res.Findings) != 0 {
		t.Fatalf("Check() before update-schema = %+v", res.Findings)
	}
	diff, err := svc.UpdateSchema(ctx, "crm")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(diff.AddedEntities, ",") != "Leads" || strings.Join(diff.RemovedEntities, ",") != "Contacts" ||
		len(diff.Changed) != 1 || strings.Join(diff.Changed[0].RemovedFields, ",") != "phone" {
		t.Fatalf("UpdateSchema() = %+v", diff)
	}
	res, err = svc.Check(ctx, "crm")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.String())
	}
	want := []string{
		`entities[0].fields[2]: field "phone" of external entity "Accounts" no longer exists: clean up to remove its mapping`,
		`entities[1]: external entity "Contacts" no longer exists: clean up to remove its mapping`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("Check() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	res, err = svc.CleanUp(ctx, "crm")
	if err != nil || len(res.CleanedUp) != 2 || len(res.Findings) != 0 {
		t.Fatalf("CleanUp() = %+v, %v", res, err)
	}
	in, _ := svc.Store.Integration(ctx, "crm")
	if len(in.Entities) != 1 || len(in.Entities[0].Fields) != 2 {
		t.Fatalf("after clean-up: %+v", in.Entities)
	}
	if res, _ := svc.Check(ctx, "crm"); len(res.Findings) != 0 {
		t.Errorf("Check() after clean-up = %+v", res.Findings)
	}
	// The local data is kept: the contact entity and the account.phone field still exist.
	if _, err := svc.Store.Entity(ctx, "contact"); err != nil {
		t.Errorf("clean-up removed a local entity: %v", err)
	}
	if diff, _ := svc.UpdateSchema(ctx, "crm"); !diff.Empty() {
		t.Errorf("a second UpdateSchema() = %+v, want no changes", diff)
	}
	if _, err := svc.Check(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Check() of a missing integration = %v", err)
	}
}

// TestCleanUpDropsLookupsToUnmappedEntities: when the parent entity is gone
// from the external system, clean-up removes its mapping and then the
// children's lookups to it, so that check is clean and a run can start
// (check and the engine judge alike).
func TestCleanUpDropsLookupsToUnmappedEntities(t *testing.T) {
	ctx := context.Background()
	catalog := crmCatalog()
	svc := newCatalogService(t, &catalog)
	if _, err := svc.ImportFile(ctx, strings.NewReader(crmMapping)); err != nil {
		t.Fatal(err)
	}
	catalog = crmCatalog()[1:] // Accounts is gone
	if _, err := svc.UpdateSchema(ctx, "crm"); err != nil {
		t.Fatal(err)
	}
	res, err := svc.CleanUp(ctx, "crm")
	if err != nil || len(res.CleanedUp) != 2 || len(res.Findings) != 0 {
		t.Fatalf("CleanUp() = %+v, %v", res, err)
	}
	if res.CleanedUp[1].Kind != mapping.UnmappedLookupTarget || !strings.Contains(res.CleanedUp[1].Msg, `lookup "account" points to local entity "account"`) {
		t.Errorf("the second clean-up = %+v", res.CleanedUp[1])
	}
	if res, _ := svc.Check(ctx, "crm"); len(res.Findings) != 0 {
		t.Errorf("Check() after clean-up = %+v", res.Findings)
	}
	// The run's own checks pass (this test connector cannot read records, which is the next thing a run finds).
	if _, err := svc.Run(ctx, "crm", RunOptions{Direction: "import", Preview: true}); err == nil || strings.Contains(err.Error(), "lookup") {
		t.Errorf("a run after clean-up: %v", err)
	}
}

func TestEntityFileRoundTrip(t *testing.T) {
	ctx := context.Background()
	catalog := crmCatalog()
	svc := newCatalogService(t, &catalog)
	if _, err := svc.ImportFile(ctx, strings.NewReader(crmMapping)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := svc.ExportEntity(ctx, "crm", "Accounts", &buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"format": "switchyard.entity-mapping/v1"`) {
		t.Fatalf("ExportEntity() =\n%s", buf.String())
	}
	// Edit the file: a new field with a value map, into a new local field.
	file := strings.Replace(buf.String(), `"fields": [`, `"fields": [
    {"external": "telephone2", "local": "phone2", "rules": [{"rule": "maxLength", "length": 20}]},`, 1)
	res, err := svc.ImportEntity(ctx, "crm", strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Replaced || len(res.AddedFields) != 1 || res.AddedFields[0] != "account.phone2" || !strings.Contains(res.Summary(), `mapping of "Accounts" replaced in integration "crm"`) {
		t.Fatalf("ImportEntity() = %+v", res)
	}
	in, _ := svc.Store.Integration(ctx, "crm")
	if em, _ := in.Entity("Accounts"); len(em.Fields) != 4 || em.Fields[0].Rules[0].Length != 20 || len(in.Entities) != 2 {
		t.Fatalf("after ImportEntity: %+v", in.Entities)
	}

	tests := []struct {
		name, edit, want string
	}{
		{"unknown external field", `"external": "name"`, `fields[2].external: unknown field "nmae" in external entity "Accounts"; did you mean "name"?`},
		{"bad primary key", `"primaryKey": "externalid"`, `primaryKey: "code" is not among the mapped local fields`},
		{"unknown entity", `"external": "Accounts"`, `external: unknown external entity "Acounts"; did you mean "Accounts"?`},
	}
	replacements := map[string]string{`"external": "name"`: `"external": "nmae"`, `"primaryKey": "externalid"`: `"primaryKey": "code"`, `"external": "Accounts"`: `"external": "Acounts"`}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.ImportEntity(ctx, "crm", strings.NewReader(strings.Replace(file, tt.edit, replacements[tt.edit], 1)))
			if err == nil || !IsConfigError(err) || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "entities[") {
				t.Fatalf("ImportEntity() = %v, want a configuration error containing %q", err, tt.want)
			}
		})
	}
	if err := svc.ExportEntity(ctx, "crm", "Leads", &buf); err == nil || !strings.Contains(err.Error(), "it maps Accounts, Contacts") {
		t.Errorf("ExportEntity() of an unmapped entity = %v", err)
	}
}

func TestCreateLocalEntityAndSuggest(t *testing.T) {
	ctx := context.Background()
	catalog := crmCatalog()
	svc := newCatalogService(t, &catalog)
	only := strings.Replace(crmMapping, `{"external": "phone", "local": "phone"}]},`, `{"external": "phone", "local": "phone"}]}]}`, 1)
	only = only[:strings.Index(only, `]}]}`)+4]
	if _, err := svc.ImportFile(ctx, strings.NewReader(only)); err != nil {
		t.Fatalf("import: %v\n%s", err, only)
	}
	res, err := svc.CreateLocalEntity(ctx, "crm", "Contacts", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.CreatedEntities) != 1 || res.CreatedEntities[0] != "contacts" || strings.Join(res.AddedFields, ",") != "contacts.account_id" {
		t.Fatalf("CreateLocalEntity() = %+v", res)
	}
	e, err := svc.Store.Entity(ctx, "contacts")
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := e.Field("account_id"); f.Type != meta.Lookup || f.Target != "account" {
		t.Errorf("contacts.account_id = %+v, want a lookup to account", f)
	}
	if _, err := svc.CreateLocalEntity(ctx, "crm", "Contacts", "account"); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateLocalEntity() onto an existing entity = %v", err)
	}
	if _, err := svc.CreateLocalEntity(ctx, "crm", "Leads", ""); err == nil || !strings.Contains(err.Error(), `no external entity "Leads"`) {
		t.Errorf("CreateLocalEntity() of an unknown entity = %v", err)
	}

	// Suggestions for Accounts against account: the unmapped telephone2 and emailaddress1 find nothing
	// to take them yet; after adding local fields, map all suggested maps them.
	if err := svc.Store.AddField(ctx, "account", meta.Field{Name: "email", Type: meta.String}); err != nil {
		t.Fatal(err)
	}
	sr, err := svc.Suggest(ctx, "crm", "Accounts")
	if err != nil || sr.Local != "account" || len(sr.Suggestions) != 5 {
		t.Fatalf("Suggest() = %+v, %v", sr, err)
	}
	added, err := svc.MapAllSuggested(ctx, "crm", "Accounts", mapping.SuggestThreshold)
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 1 || added[0].External != "emailaddress1" || added[0].Local != "email" || added[0].Lookup != "" {
		t.Fatalf("MapAllSuggested() = %+v", added)
	}
	if again, _ := svc.MapAllSuggested(ctx, "crm", "Accounts", mapping.SuggestThreshold); len(again) != 0 {
		t.Errorf("a second MapAllSuggested() added %+v", again)
	}
	if _, err := svc.Suggest(ctx, "crm", "Leads"); err == nil || !IsConfigError(err) {
		t.Errorf("Suggest() of an unmapped entity = %v", err)
	}
}
