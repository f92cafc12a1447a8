package odata

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"switchyard/core/meta"
)

// fixture reads a $metadata document from ../shared/fixtures beside the
// repository, skipping the test where that folder is absent.
func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	path := filepath.Join("..", "..", "..", "shared", "fixtures", name)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		tb.Skipf("fixture %s is absent (the shared/ folder beside the repository holds it)", path)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// parseFixture parses a fixture and builds its entities.
func parseFixture(tb testing.TB, name string) (*Metadata, []meta.Entity, Skipped) {
	tb.Helper()
	md, err := ParseMetadata(bytes.NewReader(fixture(tb, name)))
	if err != nil {
		tb.Fatalf("ParseMetadata(%s): %v", name, err)
	}
	entities, sk, err := md.Entities()
	if err != nil {
		tb.Fatalf("Entities(%s): %v", name, err)
	}
	return md, entities, sk
}

// mustEntity returns the entity called name or fails.
func mustEntity(t *testing.T, entities []meta.Entity, name string) meta.Entity {
	t.Helper()
	e, ok := meta.FindEntity(entities, name)
	if !ok {
		t.Fatalf("entity %s is missing", name)
	}
	return e
}

// fieldWant is what a test expects of one field; zero values are not checked
// except Nullable and ReadOnly when the check flags say so.
type fieldWant struct {
	name         string
	typ          meta.Type
	external     string
	target, fk   string
	maxLength    int
	precision    int
	scale        int
	nullable     *bool
	readOnly     *bool
	label        string
	wantAbsent   bool
	checkNoFK    bool
	checkNoLimit bool
}

var yes, no = ptr(true), ptr(false)

func ptr(b bool) *bool { return &b }

func checkFields(t *testing.T, e meta.Entity, wants []fieldWant) {
	t.Helper()
	for _, w := range wants {
		f, ok := e.Field(w.name)
		if w.wantAbsent {
			if ok {
				t.Errorf("%s.%s is present (%+v), want it left out", e.Name, w.name, f)
			}
			continue
		}
		if !ok {
			t.Errorf("%s.%s is missing", e.Name, w.name)
			continue
		}
		if f.Type != w.typ {
			t.Errorf("%s.%s type = %s, want %s", e.Name, w.name, f.Type, w.typ)
		}
		if w.external != "" && f.ExternalType != w.external {
			t.Errorf("%s.%s external type = %s, want %s", e.Name, w.name, f.ExternalType, w.external)
		}
		if f.Target != w.target {
			t.Errorf("%s.%s target = %q, want %q", e.Name, w.name, f.Target, w.target)
		}
		if (w.fk != "" || w.checkNoFK) && f.ForeignKey != w.fk {
			t.Errorf("%s.%s foreign key = %q, want %q", e.Name, w.name, f.ForeignKey, w.fk)
		}
		if (w.maxLength != 0 || w.checkNoLimit) && f.MaxLength != w.maxLength {
			t.Errorf("%s.%s max length = %d, want %d", e.Name, w.name, f.MaxLength, w.maxLength)
		}
		if w.precision != 0 && (f.Precision != w.precision || f.Scale != w.scale) {
			t.Errorf("%s.%s precision, scale = %d, %d; want %d, %d", e.Name, w.name, f.Precision, f.Scale, w.precision, w.scale)
		}
		if w.nullable != nil && f.Nullable != *w.nullable {
			t.Errorf("%s.%s nullable = %v, want %v", e.Name, w.name, f.Nullable, *w.nullable)
		}
		if w.readOnly != nil && f.ReadOnly != *w.readOnly {
			t.Errorf("%s.%s read-only = %v, want %v", e.Name, w.name, f.ReadOnly, *w.readOnly)
		}
		if w.label != "" && f.Label != w.label {
			t.Errorf("%s.%s label = %q, want %q", e.Name, w.name, f.Label, w.label)
		}
	}
}

// checkCatalogInvariants checks what must hold for any catalog: sorted unique
// names, keys that name fields, lookups that lead to entities of the catalog.
func checkCatalogInvariants(t *testing.T, entities []meta.Entity) {
	t.Helper()
	if !slices.IsSortedFunc(entities, func(a, b meta.Entity) int { return cmpString(a.Name, b.Name) }) {
		t.Error("entities are not sorted by name")
	}
	for i, e := range entities {
		if i > 0 && entities[i-1].Name == e.Name {
			t.Errorf("entity %s appears twice", e.Name)
		}
		if e.TypeName == "" {
			t.Errorf("%s has no type name", e.Name)
		}
		for _, k := range e.Key {
			if f, ok := e.Field(k); !ok || f.Nullable {
				t.Errorf("%s: key %s is missing or nullable (%+v)", e.Name, k, f)
			}
		}
		for _, f := range e.Fields {
			if !f.Type.Valid() {
				t.Errorf("%s.%s has invalid type %q", e.Name, f.Name, f.Type)
			}
			if f.Type == meta.Lookup {
				if _, ok := meta.FindEntity(entities, f.Target); !ok {
					t.Errorf("%s.%s leads to %q, which is not in the catalog", e.Name, f.Name, f.Target)
				}
				if f.ForeignKey != "" {
					if _, ok := e.Field(f.ForeignKey); !ok {
						t.Errorf("%s.%s names foreign key %s, which is not a field", e.Name, f.Name, f.ForeignKey)
					}
				}
			}
		}
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestDynamicsFixture(t *testing.T) {
	raw := fixture(t, "dynamics-crm-webapi-v8.xml")

	// Parsing and building the catalog of this 3.8 MB document must stay well under a second.
	best := time.Hour
	for range 3 {
		start := time.Now()
		md, err := ParseMetadata(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := md.Entities(); err != nil {
			t.Fatal(err)
		}
		best = min(best, time.Since(start))
	}
	t.Logf("parse and catalog of %d bytes: best of 3 took %v", len(raw), best)
	if best > time.Second {
		t.Errorf("parsing the Dynamics metadata took %v, want under a second", best)
	}

	md, entities, sk := parseFixture(t, "dynamics-crm-webapi-v8.xml")
	if md.Version != "4.0" || len(md.Schemas) != 1 || md.Schemas[0] != (Schema{Namespace: "Microsoft.Dynamics.CRM", Alias: "mscrm"}) {
		t.Errorf("version %q, schemas %+v", md.Version, md.Schemas)
	}
	if len(md.EntitySets) != 237 || len(entities) != 237 || len(md.types) != 265 {
		t.Errorf("%d entity sets, %d entities, %d entity types; want 237, 237, 265", len(md.EntitySets), len(entities), len(md.types))
	}
	if got := detectSystem(nil, "", md); got != SystemDynamics {
		t.Errorf("system = %q, want %q", got, SystemDynamics)
	}
	checkCatalogInvariants(t, entities)

	accounts := mustEntity(t, entities, "accounts")
	if !slices.Equal(accounts.Key, []string{"accountid"}) || accounts.TypeName != "Microsoft.Dynamics.CRM.account" {
		t.Errorf("accounts key %v, type %s", accounts.Key, accounts.TypeName)
	}
	checkFields(t, accounts, []fieldWant{
		{name: "accountid", typ: meta.GUID, external: "Edm.Guid", nullable: no},
		{name: "name", typ: meta.String, external: "Edm.String", nullable: yes, checkNoLimit: true},
		{name: "revenue", typ: meta.Decimal, external: "Edm.Decimal"}, // Scale="Variable" gives no scale
		{name: "numberofemployees", typ: meta.Int, external: "Edm.Int32"},
		{name: "createdon", typ: meta.DateTime, external: "Edm.DateTimeOffset"},
		{name: "versionnumber", typ: meta.Int, external: "Edm.Int64"},
		{name: "openrevenue", typ: meta.Decimal, readOnly: yes},
		{name: "_parentaccountid_value", typ: meta.GUID, readOnly: yes},
		{name: "parentaccountid", typ: meta.Lookup, external: "Microsoft.Dynamics.CRM.account", target: "accounts", fk: "_parentaccountid_value"},
		{name: "primarycontactid", typ: meta.Lookup, external: "Microsoft.Dynamics.CRM.contact", target: "contacts", fk: "_primarycontactid_value"},
		{name: "ownerid", wantAbsent: true},                // bound to "owners", which the document does not declare
		{name: "account_parent_account", wantAbsent: true}, // a collection
	})
	if f, _ := accounts.Field("revenue"); f.Precision != 0 || f.Scale != 0 {
		t.Errorf("revenue precision, scale = %d, %d; want 0, 0 for Scale=\"Variable\"", f.Precision, f.Scale)
	}
	contacts := mustEntity(t, entities, "contacts")
	checkFields(t, contacts, []fieldWant{
		{name: "parentcustomerid_account", typ: meta.Lookup, target: "accounts", fk: "_parentcustomerid_value"},
		{name: "birthdate", typ: meta.Date, external: "Edm.Date"},
	})
	if sk.Unbound == 0 || sk.Complex != 0 {
		t.Errorf("skipped = %+v; want the ownerid navigations (bound to the undeclared set owners) counted and every complex property flattened", sk)
	}
	// Complex properties are flattened: BooleanManagedProperty {Value, CanBeChanged, ManagedPropertyLogicalName}.
	checkFields(t, mustEntity(t, entities, "roles"), []fieldWant{
		{name: "iscustomizable_Value", typ: meta.Bool, external: "Edm.Boolean"},
		{name: "iscustomizable_CanBeChanged", typ: meta.Bool},
		{name: "iscustomizable_ManagedPropertyLogicalName", typ: meta.String},
		{name: "iscustomizable", wantAbsent: true},
	})
}

func TestNorthwindFixture(t *testing.T) {
	md, entities, _ := parseFixture(t, "northwind-v4.xml")
	if len(md.Schemas) != 2 || md.Schemas[0].Namespace != "NorthwindModel" || md.Schemas[1].Namespace != "ODataWebExperimental.Northwind.Model" {
		t.Errorf("schemas = %+v, want NorthwindModel and ODataWebExperimental.Northwind.Model", md.Schemas)
	}
	if len(entities) != 29 || md.EntitySets[0].Container != "NorthwindEntities" {
		t.Errorf("%d entities (container %q), want 29 in NorthwindEntities", len(entities), md.EntitySets[0].Container)
	}
	checkCatalogInvariants(t, entities)

	details := mustEntity(t, entities, "Order_Details")
	if !slices.Equal(details.Key, []string{"OrderID", "ProductID"}) || details.TypeName != "NorthwindModel.Order_Detail" {
		t.Errorf("Order_Details key %v, type %s; want composite key OrderID, ProductID", details.Key, details.TypeName)
	}
	if got := details.FieldNames(); !slices.Equal(got, []string{"OrderID", "ProductID", "UnitPrice", "Quantity", "Discount", "Order", "Product"}) {
		t.Errorf("Order_Details fields = %v", got)
	}
	checkFields(t, details, []fieldWant{
		{name: "UnitPrice", typ: meta.Decimal, precision: 19, scale: 4, nullable: no},
		{name: "Quantity", typ: meta.Int, external: "Edm.Int16"},
		{name: "Discount", typ: meta.Double, external: "Edm.Single"},
		{name: "Order", typ: meta.Lookup, target: "Orders", fk: "OrderID", nullable: no},
		{name: "Product", typ: meta.Lookup, target: "Products", fk: "ProductID"},
	})
	checkFields(t, mustEntity(t, entities, "Employees"), []fieldWant{
		{name: "Superior", typ: meta.Lookup, target: "Employees", fk: "ReportsTo", nullable: yes},
		{name: "Notes", typ: meta.String, checkNoLimit: true}, // MaxLength="max"
		{name: "LastName", typ: meta.String, maxLength: 20, nullable: no},
		{name: "Subordinates", wantAbsent: true},
	})
	checkFields(t, mustEntity(t, entities, "Orders"), []fieldWant{
		{name: "Shipper", typ: meta.Lookup, target: "Shippers", fk: "ShipVia"},
		{name: "ShippedDateTimeOffset", typ: meta.DateTime},
		{name: "Freight", typ: meta.Decimal, precision: 19, scale: 4},
	})
	checkFields(t, mustEntity(t, entities, "Categories"), []fieldWant{
		{name: "Picture", typ: meta.Binary, external: "Edm.Binary"},
	})
	guid := mustEntity(t, entities, "TypeWithGuidKey")
	checkFields(t, guid, []fieldWant{{name: "Key", typ: meta.GUID, nullable: no}})
	mustEntity(t, entities, "prefix/project2")

	// Abstract base type: the key and properties of Transport come first.
	ships, err := md.EntityType("NorthwindModel.Ships")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ships.Key, []string{"TransportID"}) || !slices.Equal(ships.FieldNames(), []string{"TransportID", "ShipName"}) {
		t.Errorf("Ships key %v, fields %v; want TransportID inherited from the abstract Transport", ships.Key, ships.FieldNames())
	}
}

func TestTripPinFixture(t *testing.T) {
	md, entities, sk := parseFixture(t, "trippin-v4.xml")
	if got := []string{entities[0].Name, entities[1].Name, entities[2].Name, entities[3].Name}; len(entities) != 4 ||
		!slices.Equal(got, []string{"Airlines", "Airports", "People", "Photos"}) {
		t.Errorf("entities = %v, want Airlines, Airports, People, Photos", got)
	}
	if md.Singletons != 1 {
		t.Errorf("singletons = %d, want 1 (Me)", md.Singletons)
	}
	checkCatalogInvariants(t, entities)

	people := mustEntity(t, entities, "People")
	if got := people.FieldNames(); !slices.Equal(got, []string{"UserName", "FirstName", "LastName", "Gender", "Concurrency", "Photo"}) {
		t.Errorf("People fields = %v; want collections and collection navigations left out", got)
	}
	checkFields(t, people, []fieldWant{
		{name: "UserName", typ: meta.String, readOnly: yes, nullable: no},
		{name: "FirstName", typ: meta.String, readOnly: no},
		{name: "Gender", typ: meta.String, external: "Microsoft.OData.SampleService.Models.TripPin.PersonGender"},
		{name: "Concurrency", typ: meta.Int, readOnly: yes},
		{name: "Photo", typ: meta.Lookup, target: "Photos", checkNoFK: true},
	})
	gender, _ := people.Field("Gender")
	if want := []meta.EnumMember{{Name: "Male", Value: "0"}, {Name: "Female", Value: "1"}, {Name: "Unknown", Value: "2"}}; !slices.Equal(gender.Enum, want) {
		t.Errorf("Gender enum = %v, want %v", gender.Enum, want)
	}
	airports := mustEntity(t, entities, "Airports")
	if iata, _ := airports.Field("IataCode"); !iata.CreateOnly || iata.ReadOnly {
		t.Errorf("IataCode = %+v, want create-only (Core.Immutable), not read-only", iata)
	}
	if icao, _ := airports.Field("IcaoCode"); icao.CreateOnly {
		t.Errorf("IcaoCode is create-only")
	}
	checkFields(t, airports, []fieldWant{
		{name: "IcaoCode", typ: meta.String},
		{name: "Location", wantAbsent: true}, // complex: flattened
		{name: "Location_Address", typ: meta.String, nullable: no},
		{name: "Location_City_Name", typ: meta.String, label: "City: Name"},
		{name: "Location_City_CountryRegion", typ: meta.String},
	})
	if p := md.Flattened("Airports"); !slices.Equal(p["Location_City_Region"], []string{"Location", "City", "Region"}) {
		t.Errorf("flattened paths = %v", p)
	}
	if sk.Collections != 2 || sk.Complex != 0 || sk.Other != 1 || sk.Unbound != 0 {
		t.Errorf("skipped = %+v, want 2 collections (Emails, AddressInfo) and the GeographyPoint of AirportLocation", sk)
	}
	if d := sk.Details(); len(d) != 1 || d[0] != "properties not mapped yet: 2 collection-valued, 1 other (Edm.GeographyPoint)" {
		t.Errorf("details = %q", d)
	}

	// Flight derives from PublicTransportation, which derives from PlanItem.
	flight, err := md.EntityType("Microsoft.OData.SampleService.Models.TripPin.Flight")
	if err != nil {
		t.Fatal(err)
	}
	wantFields := []string{"PlanItemId", "ConfirmationCode", "StartsAt", "EndsAt", "Duration", "SeatNumber", "FlightNumber", "From", "To", "Airline"}
	if flight.Name != "Flight" || !slices.Equal(flight.Key, []string{"PlanItemId"}) || !slices.Equal(flight.FieldNames(), wantFields) {
		t.Errorf("Flight = %s key %v fields %v; want key PlanItemId and fields %v", flight.Name, flight.Key, flight.FieldNames(), wantFields)
	}
	checkFields(t, flight, []fieldWant{
		{name: "PlanItemId", typ: meta.Int, readOnly: yes, nullable: no},
		{name: "Duration", typ: meta.String, external: "Edm.Duration"},
		{name: "From", typ: meta.Lookup, target: "Airports", nullable: no},
		{name: "Airline", typ: meta.Lookup, target: "Airlines"},
	})
	if _, err := md.EntityType("Microsoft.OData.SampleService.Models.TripPin.Nope"); err == nil {
		t.Error("EntityType of an undeclared type succeeded")
	}
}

// BenchmarkCatalogDynamics measures parsing the 3.8 MB Dynamics CRM metadata
// and building its catalog.
func BenchmarkCatalogDynamics(b *testing.B) {
	raw := fixture(b, "dynamics-crm-webapi-v8.xml")
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		md, err := ParseMetadata(bytes.NewReader(raw))
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := md.Entities(); err != nil {
			b.Fatal(err)
		}
	}
}
