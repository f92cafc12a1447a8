package odata

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"switchyard/core/connector"
	"switchyard/core/filter"
	"switchyard/core/meta"
)

const complexCSDL = `<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="T" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<ComplexType Name="Geo"><Property Name="lat" Type="Edm.Double"/></ComplexType>
<ComplexType Name="Address"><Property Name="city" Type="Edm.String"/><Property Name="since" Type="Edm.Date"/><Property Name="geo" Type="T.Geo"/></ComplexType>
<EntityType Name="customer"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/>
<Property Name="address" Type="T.Address"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="customers" EntityType="T.customer"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`

// TestComplexPropertiesFlattened reads a nested complex property as
// address_city-style fields, selects the property, and writes it nested again.
func TestComplexPropertiesFlattened(t *testing.T) {
	var query, body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/svc/$metadata":
			_, _ = io.WriteString(w, complexCSDL)
		case r.Method == http.MethodGet:
			query = r.URL.RawQuery
			_, _ = io.WriteString(w, `{"value":[{"id":1,"address":{"city":"Lyon","since":"2020-02-29","geo":{"lat":45.76},"extra":"x"}}]}`)
		default:
			b, _ := io.ReadAll(r.Body)
			body = string(b)
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	t.Cleanup(srv.Close)
	c := quickClient(t, srv, nil, time.Millisecond)
	ctx := context.Background()
	entities, err := c.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkFields(t, entities[0], []fieldWant{
		{name: "address_city", typ: meta.String}, {name: "address_since", typ: meta.Date}, {name: "address_geo_lat", typ: meta.Double},
	})
	page, err := c.ReadPage(ctx, connector.Query{Entity: "customers", Fields: []string{"address_city", "address_geo_lat"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	r := page.Records[0]
	if r["address_city"] != "Lyon" || r["address_since"] != "2020-02-29" || r["address_geo_lat"] != 45.76 || r["id"] != int64(1) || len(r) != 4 {
		t.Errorf("record = %v", r)
	}
	// The flattened fields select their property: with the key that is every
	// property of the type, so no $select is sent (TestSelectLeftOutForAll).
	if strings.Contains(query, "$select") {
		t.Errorf("query = %s, want no $select", query)
	}
	// A client given the catalog (a schema snapshot) instead reads them too.
	snap := quickClient(t, srv, nil, time.Millisecond)
	snap.SetCatalog(entities)
	page, err = snap.ReadPage(ctx, connector.Query{Entity: "customers", Fields: []string{"address_city"}}, "")
	if err != nil || page.Records[0]["address_city"] != "Lyon" || page.Records[0]["address_geo_lat"] != 45.76 {
		t.Errorf("record read with a snapshot catalog = %v, %v", page.Records, err)
	}
	res, err := c.Write(ctx, "customers", connector.Update, []meta.Record{{"id": int64(1), "address_city": "Paris", "address_geo_lat": 48.85}})
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res[0].Err)
	}
	if body != `{"address":{"city":"Paris","geo":{"lat":48.85}}}` {
		t.Errorf("PATCH body = %s", body)
	}
}

func TestPropertyPaths(t *testing.T) {
	flat := map[string][]string{"Location_City_Name": {"Location", "City", "Name"}, "Location_Address": {"Location", "Address"}}
	tests := []struct{ in, want string }{
		{"Location_City_Name eq 'Berlin' and Name ne 'x'", "Location/City/Name eq 'Berlin' and Name ne 'x'"},
		{"startswith(Location_Address, 'Main')", "startswith(Location/Address,'Main')"},
		{"Name eq 'untouched  spacing'", "Name eq 'untouched  spacing'"},
		{"not a filter (", "not a filter ("},
	}
	for _, tt := range tests {
		if got := propertyPaths(connector.Query{Filter: tt.in}, flat); got != tt.want {
			t.Errorf("propertyPaths(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := propertyPaths(connector.Query{Filter: "a eq 1"}, nil); got != "a eq 1" {
		t.Errorf("without flattened fields = %q", got)
	}
}

// TestPropertyPathsOfWhere checks that a query's parsed filter (SetWhere)
// is renamed, not parsed again from its text, and that the caller's tree
// keeps its names for the next page and for the workspace.
func TestPropertyPathsOfWhere(t *testing.T) {
	flat := map[string][]string{"Location_City_Name": {"Location", "City", "Name"}}
	var q connector.Query
	q.SetWhere(filter.MustParse("Location_City_Name eq 'Berlin' and Name ne 'x'"))
	q.Filter = "a text that does not parse (" // the expression wins
	for range 2 {
		if got, want := propertyPaths(q, flat), "Location/City/Name eq 'Berlin' and Name ne 'x'"; got != want {
			t.Errorf("propertyPaths = %q, want %q", got, want)
		}
	}
	if got := filter.Fields(q.Where); got[0] != "Location_City_Name" {
		t.Errorf("the query's Where was changed: fields %v", got)
	}
}
