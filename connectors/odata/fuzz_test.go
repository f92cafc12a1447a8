package odata

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// fuzzSeedsCSDL are small CSDL documents that reach the parser's branches:
// aliases, base types, complex types, enums, type definitions, navigation
// with referential constraints, annotations in and out of line.
var fuzzSeedsCSDL = []string{
	`<?xml version="1.0"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="S" Alias="A" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EnumType Name="Color"><Member Name="Red" Value="1"/><Member Name="Blue"/></EnumType>
<TypeDefinition Name="Money" UnderlyingType="Edm.Decimal"/>
<ComplexType Name="Address"><Property Name="city" Type="Edm.String"/><Property Name="geo" Type="A.Geo"/></ComplexType>
<ComplexType Name="Geo"><Property Name="lat" Type="Edm.Double"/></ComplexType>
<EntityType Name="Base" Abstract="true"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Guid" Nullable="false"/></EntityType>
<EntityType Name="Account" BaseType="A.Base"><Property Name="name" Type="Edm.String" MaxLength="80">
<Annotation Term="Org.OData.Core.V1.Computed" Bool="true"/></Property>
<Property Name="revenue" Type="A.Money" Precision="18" Scale="2"/><Property Name="color" Type="A.Color"/>
<Property Name="address" Type="A.Address"/><Property Name="tags" Type="Collection(Edm.String)"/>
<Property Name="parent_ID" Type="Edm.Guid"/>
<NavigationProperty Name="parent" Type="A.Account"><ReferentialConstraint Property="parent_ID" ReferencedProperty="ID"/></NavigationProperty>
</EntityType>
<EntityContainer Name="C"><EntitySet Name="Accounts" EntityType="A.Account"><NavigationPropertyBinding Path="parent" Target="Accounts"/></EntitySet>
<Singleton Name="Me" Type="A.Account"/></EntityContainer>
<Annotations Target="A.Account/revenue"><Annotation Term="Org.OData.Core.V1.Immutable" Bool="true"/>
<Annotation Term="com.sap.vocabularies.Common.v1.Label" String="Revenue"/></Annotations>
</Schema></edmx:DataServices></edmx:Edmx>`,
	`<edmx:Edmx Version="4.01" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:Reference Uri="x"><edmx:Include Namespace="Org.OData.Core.V1" Alias="Core"/></edmx:Reference>
<edmx:DataServices><Schema Namespace="N" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="T"><Key><PropertyRef Name="k"/></Key>
<Property Name="k" Type="Edm.Int32"/><Property Name="d" Type="Edm.DateTimeOffset"><Annotation Term="Core.Permissions" EnumMember="Core.Permission/Read"/></Property></EntityType>
<EntityContainer Name="E"><EntitySet Name="Ts" EntityType="N.T"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`,
	`<edmx:Edmx Version="1.0"></edmx:Edmx>`,
	`<edmx:Edmx Version="4.0"><edmx:DataServices><Schema Namespace="N"><EntityType Name="T" BaseType="N.T"/></Schema>`,
	"\xef\xbb\xbf<?xml version=\"1.0\"?><a/>",
	"",
	"<",
	`<Schema Namespace="N"><EntityType Name="T"><Key><PropertyRef Name="missing"/></Key></EntityType><EntityContainer Name="C"><EntitySet Name="S" EntityType="N.T"/></EntityContainer></Schema>`,
}

// FuzzParseMetadata checks that ParseMetadata and the catalog built from what
// it accepts never panic or hang, whatever the document: truncated, with
// cycles in base types, unknown types or keys naming nothing.
func FuzzParseMetadata(f *testing.F) {
	for _, s := range fuzzSeedsCSDL {
		f.Add([]byte(s))
	}
	// The real services' documents, when the shared fixtures are there; not
	// while fuzzing, where mutating documents of hundreds of kilobytes slows
	// the fuzzer to a crawl.
	fuzzing := flag.Lookup("test.fuzz") != nil && flag.Lookup("test.fuzz").Value.String() != ""
	for _, name := range []string{"trippin-v4.xml", "northwind-v4.xml"} {
		if fuzzing {
			break
		}
		if data, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "fixtures", name)); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		md, err := ParseMetadata(bytes.NewReader(data))
		if err != nil {
			if md != nil {
				t.Fatalf("ParseMetadata returned both a document and the error %v", err)
			}
			return
		}
		entities, _, err := md.Entities()
		if err != nil {
			return
		}
		for _, e := range entities {
			if e.Name == "" {
				t.Fatalf("an entity without a name in %+v", entities)
			}
			md.Flattened(e.Name)
			_, _ = md.EntityType(e.Name)
		}
	})
}
