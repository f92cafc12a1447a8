package odata

import (
	"context"
	"net/http"
	"testing"

	"switchyard/connectors/conntest"
	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/internal/testenv"
)

// bcClient opens a businesscentral client on the Business-Central-shaped
// service of the CAP server at root, for company.
func bcClient(t *testing.T, root, company string) *Client {
	t.Helper()
	c, err := New(context.Background(), spec.Values{"url": testenv.CAPBusinessCentral(root), "auth": "none",
		"preset": PresetBusinessCentral, "company": company})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestBusinessCentralShapeOnCAP reads and writes the Business-Central-shaped
// service of testdata/cap as the businesscentral preset does, under
// companies({company})/: the system is told by its schema namespace, each
// company sees its own records, and creates, lookups and ETag updates land in
// the company of the path.
func TestBusinessCentralShapeOnCAP(t *testing.T) {
	root := testenv.OwnCAP(t, "SWITCHYARD_CAP_STOP_ON_EOF=1")
	ctx := context.Background()
	c := bcClient(t, root, testenv.BCCompany)
	other := bcClient(t, root, testenv.BCOtherCompany)

	rep, err := c.Test(ctx)
	if err != nil || rep.System != SystemBusinessCentral {
		t.Fatalf("Test: %+v, %v; want %s", rep, err, SystemBusinessCentral)
	}
	cat, err := c.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	customers, _ := meta.FindEntity(cat, "customers")
	for _, name := range []string{"lastModifiedDateTime", "companyId"} {
		if f, ok := customers.Field(name); !ok || !f.ReadOnly {
			t.Errorf("customers.%s = %+v, want read-only", name, f)
		}
	}
	orders, _ := meta.FindEntity(cat, "salesOrders")
	if f, ok := orders.Field("customer"); !ok || f.Type != meta.Lookup || f.Target != "customers" || f.ForeignKey != "customerId" {
		t.Errorf("salesOrders.customer = %+v, want a lookup to customers by customerId", f)
	}

	count := func(c *Client, set string) int {
		t.Helper()
		recs, _ := conntest.ReadAll(ctx, t, c, connector.Query{Entity: set, Fields: []string{"id", "number"}})
		return len(recs)
	}
	for _, tt := range []struct {
		set         string
		mine, other int
	}{
		{"customers", testenv.BCCustomers, testenv.BCOtherCustomers},
		{"contacts", testenv.BCContacts, testenv.BCOtherContacts},
		{"salesOrders", testenv.BCSalesOrders, testenv.BCOtherSalesOrders},
	} {
		if got, gotOther := count(c, tt.set), count(other, tt.set); got != tt.mine || gotOther != tt.other {
			t.Errorf("%s: %d in CRONUS, %d in My Company; want %d and %d", tt.set, got, gotOther, tt.mine, tt.other)
		}
	}

	// A company the service does not have: 404, as Business Central answers.
	resp, err := http.Get(testenv.CAPBusinessCentral(root) + "companies(00000000-0000-0000-0000-000000000000)/customers")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("customers of an unknown company: %s, want 404", resp.Status)
	}

	// A customer and its order created under the company belong to it.
	res, err := c.Write(ctx, "customers", connector.Create, []meta.Record{{"number": "990000", "displayName": "Switchyard Test"}})
	if err != nil || res[0].Err != nil || res[0].ETag == "" {
		t.Fatalf("create customer: %+v, %v", res, err)
	}
	cust := res[0].Key
	res, err = c.Write(ctx, "salesOrders", connector.Create, []meta.Record{{"number": "S-ORD999001", "orderDate": "2024-06-01", "customer": cust}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("create sales order: %+v, %v", res, err)
	}
	if got, gotOther := count(c, "customers"), count(other, "customers"); got != testenv.BCCustomers+1 || gotOther != testenv.BCOtherCustomers {
		t.Errorf("after a create: %d customers in CRONUS, %d in My Company", got, gotOther)
	}
	recs, _ := conntest.ReadAll(ctx, t, c, connector.Query{Entity: "salesOrders", Filter: "number eq 'S-ORD999001'"})
	if len(recs) != 1 || recs[0]["customerId"] != cust {
		t.Fatalf("the created sales order: %v, want customerId %s", recs, cust)
	}
	// An update with the ETag (lastModifiedDateTime) goes through; a stale one is a conflict.
	recs, _ = conntest.ReadAll(ctx, t, c, connector.Query{Entity: "customers", Filter: "number eq '990000'"})
	if len(recs) != 1 {
		t.Fatalf("the created customer: %v", recs)
	}
	stale := recs[0][connector.ETagKey]
	if res, err := c.Write(ctx, "customers", connector.Update, []meta.Record{{"id": cust, "city": "Oslo", connector.ETagKey: stale}}); err != nil || res[0].Err != nil {
		t.Fatalf("update: %+v, %v", res, err)
	}
	if res, _ := c.Write(ctx, "customers", connector.Update, []meta.Record{{"id": cust, "city": "Bergen", connector.ETagKey: stale}}); res[0].Err == nil {
		t.Error("an update with a stale ETag went through")
	}
}
