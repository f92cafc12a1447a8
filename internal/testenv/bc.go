package testenv

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// The Business-Central-shaped service of testdata/cap (db/bc.cds, srv/bc-service.cds): entity sets
// customers, contacts and salesOrders named and typed as Business Central's API v2.0 names them, in
// the schema namespace Microsoft.NAV, read and written under companies(<id>)/.

// BCCompany is the id of CRONUS International Ltd., the company of the Business-Central-shaped
// service that holds most of its seed data (the businesscentral preset's company setting).
const BCCompany = "5d115c9c-44e3-ea11-bb43-000d3a2feca1"

// BCOtherCompany is the id of My Company, a second company with a few records of its own, so that
// a read that ignores the company reads too many.
const BCOtherCompany = "6e226dad-55f4-fb22-cc54-111e4b3fdfb2"

// The seed rows of the Business-Central-shaped service per company (db/data/bc-*.csv): every
// sales order's customerId is a customer of its own company.
const (
	BCCustomers   = 30 // in BCCompany
	BCContacts    = 30
	BCSalesOrders = 40

	BCOtherCustomers   = 3 // in BCOtherCompany
	BCOtherContacts    = 2
	BCOtherSalesOrders = 2
)

// CAPBusinessCentral returns the root of the Business-Central-shaped service (/odata/v4/bc/) of
// the CAP server at u, which may be the server's root or any URL on it, such as the CRM service
// root that OwnCAP returns. Entity sets are read under companies(BCCompany)/ from there.
func CAPBusinessCentral(u string) string { return capURL(u, "/odata/v4/bc/") }

// BCRecords reads entity set (one page) under BCCompany of the
// Business-Central-shaped service at root, with $select, as text values by field.
func BCRecords(t testing.TB, root, set, selectFields string) []map[string]string {
	t.Helper()
	resp, err := http.Get(root + "companies(" + BCCompany + ")/" + set + "?$select=" + selectFields)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Value []map[string]any `json:"value"`
		Next  string           `json:"@odata.nextLink"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != http.StatusOK || page.Next != "" {
		t.Fatalf("GET %s: %s, %v (next link %q)", set, resp.Status, err, page.Next)
	}
	out := make([]map[string]string, len(page.Value))
	for i, v := range page.Value {
		out[i] = map[string]string{}
		for k, x := range v {
			out[i][k] = fmt.Sprint(x)
		}
	}
	return out
}
