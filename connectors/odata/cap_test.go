package odata

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/internal/testenv"
)

// These tests talk to the SAP CAP server of testdata/cap, started by
// scripts/testservers.sh start; they are skipped when it is not running.

func capClient(t *testing.T, url string) *Client {
	t.Helper()
	c, err := New(context.Background(), spec.Values{"url": url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestCAPCatalog(t *testing.T) {
	url := testenv.ODataURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	entities, err := capClient(t, url).Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entities {
		names = append(names, e.Name)
	}
	if !slices.Equal(names, []string{"Accounts", "Contacts", "WorkOrders"}) {
		t.Fatalf("entities = %v, want Accounts, Contacts, WorkOrders", names)
	}
	checkCatalogInvariants(t, entities)
	for _, e := range entities {
		if !slices.Equal(e.Key, []string{"ID"}) || e.TypeName != "CrmService."+e.Name {
			t.Errorf("%s key %v type %s; want key ID and type CrmService.%s", e.Name, e.Key, e.TypeName, e.Name)
		}
		checkFields(t, e, []fieldWant{
			{name: "ID", typ: meta.GUID, external: "Edm.Guid", nullable: no, readOnly: no},
			{name: "createdAt", typ: meta.DateTime, readOnly: yes, label: "Created On"},
			{name: "modifiedAt", typ: meta.DateTime, readOnly: yes, label: "Changed On"},
			{name: "createdBy", typ: meta.String, maxLength: 255, readOnly: yes},
		})
	}
	accounts := mustEntity(t, entities, "Accounts")
	checkFields(t, accounts, []fieldWant{
		{name: "name", typ: meta.String, maxLength: 100, nullable: no, readOnly: no},
		{name: "accountnumber", typ: meta.String, maxLength: 20, nullable: yes},
		{name: "revenue", typ: meta.Decimal, external: "Edm.Decimal", precision: 15, scale: 2},
		{name: "employees", typ: meta.Int, external: "Edm.Int32"},
		{name: "active", typ: meta.Bool},
		{name: "founded", typ: meta.Date},
		{name: "parent", typ: meta.Lookup, target: "Accounts", fk: "parent_ID", external: "CrmService.Accounts", nullable: yes},
		{name: "parent_ID", typ: meta.GUID},
		{name: "contacts", wantAbsent: true}, // to-many
	})
	checkFields(t, mustEntity(t, entities, "Contacts"), []fieldWant{
		{name: "lastname", typ: meta.String, maxLength: 50, nullable: no},
		{name: "firstname", typ: meta.String, maxLength: 50, nullable: yes},
		{name: "birthdate", typ: meta.Date},
		{name: "account", typ: meta.Lookup, target: "Accounts", fk: "account_ID"},
		{name: "account_ID", typ: meta.GUID},
	})
	checkFields(t, mustEntity(t, entities, "WorkOrders"), []fieldWant{
		{name: "title", typ: meta.String, maxLength: 200, nullable: no},
		{name: "description", typ: meta.String, checkNoLimit: true},
		{name: "status", typ: meta.String, maxLength: 20},
		{name: "priority", typ: meta.Int},
		{name: "due", typ: meta.DateTime, external: "Edm.DateTimeOffset"},
		{name: "estimate", typ: meta.Decimal, precision: 9, scale: 2},
		{name: "contact", typ: meta.Lookup, target: "Contacts", fk: "contact_ID"},
	})
}

func TestCAPTest(t *testing.T) {
	url := testenv.ODataURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := capClient(t, url).Test(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Version != "4.0" || rep.Entities != 3 || rep.System != SystemCAP {
		t.Errorf("report = %+v; want OData 4.0, 3 entity sets, system %s", rep, SystemCAP)
	}
	if len(rep.Details) == 0 || !strings.HasPrefix(rep.Details[0], "OData 4.0 service at ") ||
		!strings.Contains(strings.Join(rep.Details, "\n"), "service document lists 3 entity sets") {
		t.Errorf("details = %q", rep.Details)
	}
}

func TestCAPWrongPath(t *testing.T) {
	url := testenv.ODataURL(t)
	if !strings.HasSuffix(url, "/odata/v4/crm/") {
		t.Fatalf("$%s = %q, want a URL ending in /odata/v4/crm/", testenv.ODataURLVar, url)
	}
	tests := []struct{ name, url string }{
		{"unknown service", strings.TrimSuffix(url, "crm/") + "sales/"},
		{"unknown path", strings.TrimSuffix(url, "odata/v4/crm/") + "api/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := capClient(t, tt.url)
			_, err := c.Test(context.Background())
			if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "check the service root URL") || !strings.Contains(err.Error(), "404 Not Found") {
				t.Errorf("Test() error = %v, want the 404 message", err)
			}
			if _, err := c.Catalog(context.Background()); !errors.Is(err, ErrNotFound) {
				t.Errorf("Catalog() error = %v, want ErrNotFound", err)
			}
		})
	}
}
