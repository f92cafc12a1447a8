package odata

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"switchyard/core/meta"
)

// shapes is a small CSDL document with the features real services use
// sparingly: aliases, type definitions, out-of-line annotations, abstract
// bases, composite foreign keys, cast binding paths and unbound navigation.
const shapes = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.01" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="https://example/Core.xml">
    <edmx:Include Alias="Core" Namespace="Org.OData.Core.V1"/>
  </edmx:Reference>
  <edmx:Reference Uri="https://example/Common.xml">
    <edmx:Include Alias="Common" Namespace="com.sap.vocabularies.Common.v1"/>
  </edmx:Reference>
  <edmx:DataServices>
    <Schema Namespace="Shop.Model" Alias="m" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <TypeDefinition Name="Money" UnderlyingType="Edm.Decimal" Precision="12" Scale="2"/>
      <EnumType Name="Colour"><Member Name="Red"/><Member Name="Blue"/></EnumType>
      <ComplexType Name="Address"><Property Name="City" Type="Edm.String"/></ComplexType>
      <EntityType Name="Base" Abstract="true">
        <Key><PropertyRef Name="id"/></Key>
        <Property Name="id" Type="Edm.Int64"/>
        <Property Name="stamp" Type="Edm.DateTimeOffset"/>
      </EntityType>
      <EntityType Name="Item" BaseType="m.Base">
        <Property Name="price" Type="m.Money"/>
        <Property Name="colour" Type="m.Colour" Nullable="false"/>
        <Property Name="where" Type="m.Address"/>
        <Property Name="spot" Type="Edm.GeographyPoint"/>
        <Property Name="tags" Type="Collection(Edm.String)"/>
        <Property Name="opens" Type="Edm.TimeOfDay"/>
        <Property Name="tiny" Type="Edm.Byte"/>
        <Property Name="ratio" Type="Edm.Double"/>
        <Property Name="picture" Type="Edm.Stream"/>
        <Property Name="code" Type="Edm.String" MaxLength="8">
          <Annotation Term="Core.Computed" Qualifier="ignored" Bool="true"/>
        </Property>
        <NavigationProperty Name="order" Type="m.Order">
          <ReferentialConstraint Property="order_year" ReferencedProperty="year"/>
          <ReferentialConstraint Property="order_no" ReferencedProperty="no"/>
        </NavigationProperty>
        <Property Name="order_year" Type="Edm.Int32"/>
        <Property Name="order_no" Type="Edm.Int32"/>
        <NavigationProperty Name="maker" Type="Shop.Model.Maker" Nullable="false"/>
        <NavigationProperty Name="secret" Type="m.Hidden"/>
      </EntityType>
      <EntityType Name="Order">
        <Key><PropertyRef Name="year"/><PropertyRef Name="no"/></Key>
        <Property Name="year" Type="Edm.Int32" Nullable="false"/>
        <Property Name="no" Type="Edm.Int32" Nullable="false"/>
      </EntityType>
      <EntityType Name="Maker">
        <Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Guid" Nullable="false"/>
      </EntityType>
      <EntityType Name="Hidden">
        <Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Guid" Nullable="false"/>
      </EntityType>
      <Function Name="Cheapest"><ReturnType Type="m.Item"/></Function>
      <EntityContainer Name="Shop">
        <EntitySet Name="Items" EntityType="m.Item">
          <NavigationPropertyBinding Path="m.Item/order" Target="Orders"/>
          <NavigationPropertyBinding Path="maker" Target="Shop.Model.Shop/MakersA"/>
        </EntitySet>
        <EntitySet Name="Orders" EntityType="Shop.Model.Order"/>
        <EntitySet Name="MakersB" EntityType="m.Maker"/>
        <EntitySet Name="MakersA" EntityType="m.Maker"/>
        <FunctionImport Name="Cheapest" Function="m.Cheapest"/>
      </EntityContainer>
      <Annotations Target="m.Base/stamp">
        <Annotation Term="Core.Computed"/>
        <Annotation Term="Common.Label" String="Last changed"/>
      </Annotations>
      <Annotations Target="Shop.Model.Item/tiny">
        <Annotation Term="Core.Permissions"><EnumMember>Core.Permission/Read</EnumMember></Annotation>
      </Annotations>
      <Annotations Target="m.Shop/Items">
        <Annotation Term="Core.Description" String="container targets are ignored"/>
      </Annotations>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`

func TestParseShapes(t *testing.T) {
	md, err := ParseMetadata(strings.NewReader(shapes))
	if err != nil {
		t.Fatal(err)
	}
	if md.Version != "4.01" || md.Schemas[0] != (Schema{Namespace: "Shop.Model", Alias: "m"}) {
		t.Errorf("version %q, schemas %+v", md.Version, md.Schemas)
	}
	entities, sk, err := md.Entities()
	if err != nil {
		t.Fatal(err)
	}
	checkCatalogInvariants(t, entities)
	items := mustEntity(t, entities, "Items")
	if items.TypeName != "Shop.Model.Item" || !slices.Equal(items.Key, []string{"id"}) {
		t.Errorf("Items type %s key %v", items.TypeName, items.Key)
	}
	wantNames := []string{"id", "stamp", "price", "colour", "where_City", "opens", "tiny", "ratio", "code", "order", "order_year", "order_no", "maker"}
	if got := items.FieldNames(); !slices.Equal(got, wantNames) {
		t.Errorf("Items fields = %v, want %v", got, wantNames)
	}
	checkFields(t, items, []fieldWant{
		{name: "id", typ: meta.Int, external: "Edm.Int64", nullable: no},
		{name: "stamp", typ: meta.DateTime, readOnly: yes, label: "Last changed"},
		{name: "price", typ: meta.Decimal, external: "Shop.Model.Money"},
		{name: "colour", typ: meta.String, external: "Shop.Model.Colour", nullable: no},
		{name: "opens", typ: meta.Time},
		{name: "tiny", typ: meta.Int, readOnly: yes},
		{name: "ratio", typ: meta.Double},
		{name: "code", typ: meta.String, maxLength: 8, readOnly: no},
		{name: "order", typ: meta.Lookup, target: "Orders", external: "Shop.Model.Order", checkNoFK: true},
		{name: "maker", typ: meta.Lookup, target: "MakersA", nullable: no},
		{name: "where_City", typ: meta.String, external: "Edm.String", nullable: yes, label: "City"}, // flattened from the complex property where
	})
	if p := md.Flattened("Items"); len(p) != 1 || !slices.Equal(p["where_City"], []string{"where", "City"}) {
		t.Errorf("flattened = %v, want where_City → where/City", p)
	}
	if sk.Collections != 1 || sk.Complex != 0 || sk.Other != 2 || !slices.Equal(sk.OtherTypes, []string{"Edm.GeographyPoint", "Edm.Stream"}) || sk.Unbound != 1 {
		t.Errorf("skipped = %+v", sk)
	}
	wantDetails := []string{
		"properties not mapped yet: 1 collection-valued, 2 other (Edm.GeographyPoint, Edm.Stream)",
		"1 single-valued navigation properties lead to no entity set and are not offered as lookups",
	}
	if d := sk.Details(); !slices.Equal(d, wantDetails) {
		t.Errorf("details = %q", d)
	}
	// Resolved on its own, a navigation property falls back to the first set of its type.
	item, err := md.EntityType("m.Item")
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := item.Field("maker"); f.Target != "MakersB" {
		t.Errorf("maker of the type alone leads to %q, want MakersB", f.Target)
	}
}

func TestParseErrors(t *testing.T) {
	const head = `<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>`
	tests := []struct {
		name, doc   string
		wantNotCSDL bool
		wantText    string
	}{
		{"HTML page", "<!DOCTYPE html><html><body>Welcome</body></html>", true, "<html>"},
		{"JSON", `{"@odata.context":"$metadata","value":[]}`, true, "empty or has no XML elements"},
		{"empty", "", true, "empty"},
		{"other XML", `<?xml version="1.0"?><feed/>`, true, "<feed>"},
		{"edmx without schema", head + `</edmx:DataServices></edmx:Edmx>`, true, "no Schema"},
		{"truncated", head + `<Schema Namespace="A"><EntityType Name="X"><Key>`, false, "parse CSDL"},
		{"foreign encoding", `<?xml version="1.0" encoding="ISO-8859-1"?><edmx:Edmx/>`, false, "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMetadata(strings.NewReader(tt.doc))
			if err == nil {
				t.Fatal("ParseMetadata succeeded")
			}
			if errors.Is(err, ErrNotCSDL) != tt.wantNotCSDL || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error = %v; want ErrNotCSDL %v and text %q", err, tt.wantNotCSDL, tt.wantText)
			}
		})
	}
}

func TestEntitiesErrors(t *testing.T) {
	doc := func(types, sets string) string {
		return `<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="N" xmlns="http://docs.oasis-open.org/odata/ns/edm">` + types +
			`<EntityContainer Name="C">` + sets + `</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`
	}
	tests := []struct{ name, doc, want string }{
		{"missing type", doc(``, `<EntitySet Name="S" EntityType="N.T"/>`), "entity type N.T is not declared"},
		{"missing base", doc(`<EntityType Name="T" BaseType="N.B"/>`, `<EntitySet Name="S" EntityType="N.T"/>`), "base type N.B of N.T is not declared"},
		{"cycle", doc(`<EntityType Name="T" BaseType="N.U"/><EntityType Name="U" BaseType="N.T"/>`, `<EntitySet Name="S" EntityType="N.T"/>`), "derives from itself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md, err := ParseMetadata(strings.NewReader(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := md.Entities(); err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "entity set S") {
				t.Errorf("Entities() error = %v, want one naming set S and %q", err, tt.want)
			}
		})
	}
}
