package admin

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"switchyard/connectors/odata"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

// bcCatalog is a catalog shaped as Business Central's API v2.0 (a few fields
// more than the defaults map, a navigation property customer on salesOrders).
func bcCatalog() []meta.Entity {
	guid := func(n string) meta.Field { return meta.Field{Name: n, Type: meta.GUID, ExternalType: "Edm.Guid"} }
	str := func(n string, l int) meta.Field {
		return meta.Field{Name: n, Type: meta.String, ExternalType: "Edm.String", MaxLength: l, Nullable: true}
	}
	stamp := meta.Field{Name: "lastModifiedDateTime", Type: meta.DateTime, ExternalType: "Edm.DateTimeOffset", ReadOnly: true, Nullable: true}
	return []meta.Entity{
		{Name: "companies", TypeName: "Microsoft.NAV.company", Key: []string{"id"}, Fields: []meta.Field{guid("id"), str("name", 30)}},
		{Name: "customers", TypeName: "Microsoft.NAV.customer", Key: []string{"id"}, Fields: []meta.Field{
			guid("id"), str("number", 20), str("displayName", 100), str("type", 20), str("addressLine1", 100), str("city", 30),
			str("country", 10), str("phoneNumber", 30), str("email", 80), stamp,
		}},
		{Name: "contacts", TypeName: "Microsoft.NAV.contact", Key: []string{"id"}, Fields: []meta.Field{
			guid("id"), str("number", 20), str("displayName", 100), str("companyNumber", 20), str("companyName", 100),
			str("phoneNumber", 30), str("email", 80), stamp,
		}},
		{Name: "salesOrders", TypeName: "Microsoft.NAV.salesOrder", Key: []string{"id"}, Fields: []meta.Field{
			guid("id"), str("number", 20), {Name: "orderDate", Type: meta.Date, ExternalType: "Edm.Date", Nullable: true},
			guid("customerId"), {Name: "customer", Type: meta.Lookup, Target: "customers", ForeignKey: "customerId"},
			str("status", 20), {Name: "totalAmountIncludingTax", Type: meta.Decimal, Precision: 19, Scale: 2, Nullable: true}, stamp,
		}},
	}
}

func bcIntegration() mapping.Integration {
	return mapping.Integration{Name: "bc", Connector: "odata", Settings: spec.Values{
		"url": "http://127.0.0.1:1/odata/v4/bc/", "auth": "none", "preset": "businesscentral", "company": "c1"}}
}

// fieldsOf lists em's field mappings as "external>local" and "external>local@lookup".
func fieldsOf(em mapping.EntityMapping) []string {
	var out []string
	for _, f := range em.Fields {
		s := f.External + ">" + f.Local
		if f.Lookup != "" {
			s += "@" + f.Lookup
		}
		out = append(out, s)
	}
	return out
}

func mappingOf(t *testing.T, res DefaultsResult, external string) mapping.EntityMapping {
	t.Helper()
	for _, em := range res.Entities {
		if em.External == external {
			return em
		}
	}
	t.Fatalf("no proposed mapping of %s in %+v", external, res.Entities)
	return mapping.EntityMapping{}
}

// checkLookupsByKey checks that every lookup of the proposal resolves by its
// target's external key: the target mapping's primary key maps that key.
func checkLookupsByKey(t *testing.T, in mapping.Integration, res DefaultsResult, catalog []meta.Entity) {
	t.Helper()
	all := append(slices.Clip(in.Entities), res.Entities...)
	for _, em := range res.Entities {
		for _, f := range em.Fields {
			if f.Lookup == "" {
				continue
			}
			var target mapping.EntityMapping
			for _, o := range all {
				if o.Local == f.Lookup {
					target = o
				}
			}
			ext, _ := meta.FindEntity(catalog, target.External)
			if by := externalOf(target, target.PrimaryKey); len(ext.Key) != 1 || by != ext.Key[0] {
				t.Errorf("lookup %s.%s → %s resolves by %q, not by the key %v of %s", em.External, f.External, f.Lookup, by, ext.Key, target.External)
			}
		}
	}
}

func TestDefaultMappingsBusinessCentral(t *testing.T) {
	in, catalog := bcIntegration(), bcCatalog()
	res, err := DefaultMappings(in, catalog, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Preset != "businesscentral" || res.System != "Business Central" || len(res.Entities) != 3 {
		t.Fatalf("proposal: %+v", res)
	}
	want := map[string][]string{
		"customers": {"id>bcid", "number>number", "displayName>displayname", "email>email", "phoneNumber>phonenumber",
			"addressLine1>addressline1", "city>city", "country>country", "lastModifiedDateTime>lastmodifieddatetime"},
		"contacts": {"id>bcid", "number>number", "displayName>displayname", "email>email", "phoneNumber>phonenumber",
			"companyNumber>companynumber", "companyName>companyname", "lastModifiedDateTime>lastmodifieddatetime"},
		"salesOrders": {"id>bcid", "number>number", "orderDate>orderdate", "customerId>customerid@account", "status>status",
			"totalAmountIncludingTax>totalamountincludingtax", "lastModifiedDateTime>lastmodifieddatetime"},
	}
	locals := map[string]string{"customers": "account", "contacts": "contact", "salesOrders": "salesorder"}
	for i, external := range []string{"customers", "contacts", "salesOrders"} {
		em := res.Entities[i]
		if em.External != external || em.Local != locals[external] || em.PrimaryKey != "bcid" || em.Direction != mapping.Download {
			t.Errorf("entities[%d] = %s → %s key %s %s, want %s → %s key bcid download", i, em.External, em.Local, em.PrimaryKey, em.Direction, external, locals[external])
		}
		if got := fieldsOf(em); !slices.Equal(got, want[external]) {
			t.Errorf("%s fields:\n got %v\nwant %v", external, got, want[external])
		}
	}
	checkLookupsByKey(t, in, res, catalog)
	if !slices.Equal(res.CreatedEntities, []string{"account", "contact", "salesorder"}) || !slices.Equal(res.AddedFields, []string{"salesorder.customerid"}) {
		t.Errorf("plan: created %v, added %v", res.CreatedEntities, res.AddedFields)
	}
	// Local types come from the catalog.
	for _, tt := range []struct {
		entity, field string
		typ           meta.Type
		maxLength     int
		target        string
	}{
		{"account", "bcid", meta.GUID, 0, ""}, {"account", "displayname", meta.String, 100, ""},
		{"account", "lastmodifieddatetime", meta.DateTime, 0, ""}, {"salesorder", "orderdate", meta.Date, 0, ""},
		{"salesorder", "customerid", meta.Lookup, 0, "account"}, {"salesorder", "totalamountincludingtax", meta.Decimal, 0, ""},
	} {
		f, ok := res.LocalField(tt.entity, tt.field)
		if !ok || f.Type != tt.typ || f.MaxLength != tt.maxLength || f.Target != tt.target {
			t.Errorf("local %s.%s = %+v (%v), want %s max %d target %q", tt.entity, tt.field, f, ok, tt.typ, tt.maxLength, tt.target)
		}
	}
	if xf, ok := res.ExternalField("salesOrders", "customerId"); !ok || xf.Type != meta.GUID {
		t.Errorf("ExternalField(salesOrders, customerId) = %+v, %v", xf, ok)
	}
	// The proposal passes the import's own checks.
	in.Entities = res.Entities
	if ps := in.Check(); len(ps) > 0 {
		t.Errorf("Check: %v", ps)
	}
	if _, ps := mapping.CheckSchemas(in, catalog, nil); len(ps) > 0 {
		t.Errorf("CheckSchemas: %v", ps)
	}
}

func TestDefaultMappingsOnlyWhatTheCatalogHas(t *testing.T) {
	catalog := bcCatalog()
	// No salesOrders; customers without email and city.
	catalog = slices.DeleteFunc(catalog, func(e meta.Entity) bool { return e.Name == "salesOrders" })
	catalog[1].Fields = slices.DeleteFunc(slices.Clone(catalog[1].Fields), func(f meta.Field) bool { return f.Name == "email" || f.Name == "city" })
	res, err := DefaultMappings(bcIntegration(), catalog, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entities) != 2 || res.Entities[0].External != "customers" || res.Entities[1].External != "contacts" {
		t.Fatalf("entities %+v", res.Entities)
	}
	if got := fieldsOf(res.Entities[0]); slices.Contains(got, "email>email") || slices.Contains(got, "city>city") || len(got) != 7 {
		t.Errorf("customers fields %v", got)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{"no entity salesOrders", "customers has no field email", "customers has no field city"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}
}

func TestDefaultMappingsKeepExistingMappings(t *testing.T) {
	catalog := bcCatalog()
	in := bcIntegration()
	// The integration maps customers already, to its own local entity, by the key.
	in.Entities = []mapping.EntityMapping{{External: "customers", Local: "customer", PrimaryKey: "externalid", Direction: mapping.Bidirectional,
		Fields: []mapping.FieldMapping{{External: "id", Local: "externalid"}, {External: "displayName", Local: "name"}}}}
	res, err := DefaultMappings(in, catalog, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entities) != 2 || !slices.Equal(res.Kept, []string{"customers"}) {
		t.Fatalf("entities %+v, kept %v", res.Entities, res.Kept)
	}
	// The sales order's customer is a lookup to the local entity customers is mapped to.
	if got := fieldsOf(mappingOf(t, res, "salesOrders")); !slices.Contains(got, "customerId>customerid@customer") {
		t.Errorf("salesOrders fields %v", got)
	}
	checkLookupsByKey(t, in, res, catalog)

	// Matched by number, the existing mapping cannot resolve a lookup by key: it is left out.
	in.Entities[0].PrimaryKey = "number"
	in.Entities[0].Fields = append(in.Entities[0].Fields, mapping.FieldMapping{External: "number", Local: "number"})
	res, err = DefaultMappings(in, catalog, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := fieldsOf(mappingOf(t, res, "salesOrders")); slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "customerId") }) {
		t.Errorf("salesOrders fields %v: the lookup resolves by number", got)
	}
	if notes := strings.Join(res.Notes, "\n"); !strings.Contains(notes, "lookup salesOrders.customerId is not mapped") || !strings.Contains(notes, "never by another field") {
		t.Errorf("notes %q", notes)
	}

	// Everything mapped: nothing to add, no error.
	in.Entities = append(in.Entities,
		mapping.EntityMapping{External: "contacts", Local: "person", PrimaryKey: "externalid", Direction: mapping.Download, Fields: []mapping.FieldMapping{{External: "id", Local: "externalid"}}},
		mapping.EntityMapping{External: "salesOrders", Local: "order", PrimaryKey: "externalid", Direction: mapping.Download, Fields: []mapping.FieldMapping{{External: "id", Local: "externalid"}}})
	res, err = DefaultMappings(in, catalog, nil)
	if err != nil || len(res.Entities) != 0 || len(res.Kept) != 3 {
		t.Errorf("all mapped: %+v, %v", res, err)
	}
}

func TestDefaultMappingsFitTheLocalSchema(t *testing.T) {
	catalog := bcCatalog()
	local := []meta.Entity{
		// An account from another integration: email is an int here, bcid is new.
		{Name: "account", Fields: []meta.Field{{Name: "externalid", Type: meta.String}, {Name: "email", Type: meta.Int}, {Name: "displayname", Type: meta.String}}},
		// A contact whose bcid cannot hold a GUID: the key cannot be mapped, so contacts is left out.
		{Name: "contact", Fields: []meta.Field{{Name: "bcid", Type: meta.Int}}},
	}
	res, err := DefaultMappings(bcIntegration(), catalog, local)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entities) != 2 || res.Entities[0].External != "customers" || res.Entities[1].External != "salesOrders" {
		t.Fatalf("entities %+v; notes %v", res.Entities, res.Notes)
	}
	if got := fieldsOf(res.Entities[0]); slices.Contains(got, "email>email") || !slices.Contains(got, "displayName>displayname") {
		t.Errorf("customers fields %v", got)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{"customers.email is not mapped: local field \"email\" of entity \"account\" is int", "contacts is not mapped"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}
	if !slices.Equal(res.CreatedEntities, []string{"salesorder"}) || !slices.Contains(res.AddedFields, "account.bcid") {
		t.Errorf("plan: created %v, added %v", res.CreatedEntities, res.AddedFields)
	}
}

func TestDefaultMappingsNone(t *testing.T) {
	for _, tt := range []struct {
		name     string
		in       func(mapping.Integration) mapping.Integration
		catalog  []meta.Entity
		contains string
	}{
		{"cap preset", func(in mapping.Integration) mapping.Integration { in.Settings["preset"] = "cap"; return in }, bcCatalog(), "its preset cap has none"},
		{"rest connector", func(in mapping.Integration) mapping.Integration { in.Connector = "rest"; return in }, bcCatalog(), "it uses the rest connector"},
		{"auto, not a known system", func(in mapping.Integration) mapping.Integration { in.Settings["preset"] = "auto"; return in },
			[]meta.Entity{{Name: "Things", TypeName: "Svc.Things", Key: []string{"ID"}, Fields: []meta.Field{{Name: "ID", Type: meta.Int}}}}, "neither Business Central nor Dataverse"},
		{"no such entities", func(in mapping.Integration) mapping.Integration { return in },
			[]meta.Entity{{Name: "items", TypeName: "Microsoft.NAV.item", Key: []string{"id"}, Fields: []meta.Field{{Name: "id", Type: meta.GUID}}}},
			"the businesscentral preset maps customers, contacts, salesOrders, and the external system has none of them"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DefaultMappings(tt.in(bcIntegration()), tt.catalog, nil)
			if !errors.Is(err, ErrNoDefaults) || !IsConfigError(err) || !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("err = %v, want a ConfigError with ErrNoDefaults saying %q", err, tt.contains)
			}
		})
	}
	// auto: the catalog's type names tell Business Central.
	in := bcIntegration()
	in.Settings["preset"] = "auto"
	if res, err := DefaultMappings(in, bcCatalog(), nil); err != nil || res.Preset != "businesscentral" {
		t.Errorf("auto: %+v, %v", res, err)
	}
}

// dataverseCatalog parses the Dataverse $metadata fixture in ../shared/fixtures
// with the odata connector's parser, skipping the test where it is absent.
func dataverseCatalog(t *testing.T) []meta.Entity {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "fixtures", "dynamics-crm-webapi-v8.xml")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("fixture %s is absent (the shared/ folder beside the repository holds it)", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	md, err := odata.ParseMetadata(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	entities, _, err := md.Entities()
	if err != nil {
		t.Fatal(err)
	}
	return entities
}

func TestDefaultMappingsDataverse(t *testing.T) {
	catalog := dataverseCatalog(t)
	in := mapping.Integration{Name: "crm", Connector: "odata", Settings: spec.Values{
		"url": "https://contoso.crm4.dynamics.com/api/data/v9.2/", "auth": "oauth2", "preset": "dynamics"}}
	res, err := DefaultMappings(in, catalog, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Preset != "dynamics" || len(res.Entities) != 2 {
		t.Fatalf("proposal %+v", res)
	}
	accounts, contacts := res.Entities[0], res.Entities[1]
	if accounts.External != "accounts" || accounts.Local != "account" || accounts.PrimaryKey != "accountid" ||
		contacts.External != "contacts" || contacts.Local != "contact" || contacts.PrimaryKey != "contactid" {
		t.Fatalf("entities %+v", res.Entities)
	}
	if got, want := fieldsOf(accounts), []string{"accountid>accountid", "name>name", "accountnumber>accountnumber", "emailaddress1>emailaddress1",
		"telephone1>telephone1", "address1_city>address1_city", "modifiedon>ext_modifiedon", "_primarycontactid_value>primarycontactid@contact"}; !slices.Equal(got, want) {
		t.Errorf("accounts fields:\n got %v\nwant %v", got, want)
	}
	if got, want := fieldsOf(contacts), []string{"contactid>contactid", "firstname>firstname", "lastname>lastname", "emailaddress1>emailaddress1",
		"telephone1>telephone1", "_parentcustomerid_value>parentcustomerid@account", "modifiedon>ext_modifiedon"}; !slices.Equal(got, want) {
		t.Errorf("contacts fields:\n got %v\nwant %v", got, want)
	}
	// Lookups resolve by the target's unique identifier (accountid, contactid), never by a name.
	checkLookupsByKey(t, in, res, catalog)
	for _, tt := range []struct {
		entity, field string
		typ           meta.Type
		target        string
	}{
		{"account", "accountid", meta.GUID, ""}, {"account", "name", meta.String, ""}, {"account", "ext_modifiedon", meta.DateTime, ""},
		{"contact", "parentcustomerid", meta.Lookup, "account"}, {"account", "primarycontactid", meta.Lookup, "contact"},
	} {
		if f, ok := res.LocalField(tt.entity, tt.field); !ok || f.Type != tt.typ || f.Target != tt.target {
			t.Errorf("local %s.%s = %+v (%v), want %s %q", tt.entity, tt.field, f, ok, tt.typ, tt.target)
		}
	}
	// The fixture's own types: the lookup holds an Edm.Guid, as the key it resolves by.
	if xf, _ := res.ExternalField("contacts", "_parentcustomerid_value"); xf.ExternalType != "Edm.Guid" {
		t.Errorf("contacts._parentcustomerid_value is %+v, want an Edm.Guid", xf)
	}
	// auto tells Dataverse from the schema namespace.
	in.Settings["preset"] = "auto"
	if res, err := DefaultMappings(in, catalog, nil); err != nil || res.Preset != "dynamics" {
		t.Errorf("auto: %v, %v", res.Preset, err)
	}
	in.Entities = res.Entities
	if _, ps := mapping.CheckSchemas(in, catalog, nil); len(ps) > 0 {
		t.Errorf("CheckSchemas: %v", ps)
	}
}
