package admin

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "switchyard/connectors/odata" // the odata connector, for the CAP server
	"switchyard/core/connector"
	"switchyard/core/engine"
	"switchyard/core/meta"
	"switchyard/core/store"
	"switchyard/internal/testenv"
)

// bcFile is a minimal integration file for the Business-Central-shaped
// service at root: the businesscentral preset with a company, no entities.
func bcFile(root string) string {
	return `{"format": "switchyard.integration/v1", "name": "bc", "connector": "odata",
 "settings": {"url": "` + root + `", "auth": "none", "preset": "businesscentral", "company": "` + testenv.BCCompany + `"},
 "entities": [], "schedules": []}`
}

// TestDefaultMappingsAgainstBusinessCentralShape proposes and applies the
// businesscentral defaults against the Business-Central-shaped service of a
// private CAP server, then imports with them: every record of the company
// (and none of the other company's) arrives, and each sales order's customer
// is the account whose External Primary Key is the order's customerId.
func TestDefaultMappingsAgainstBusinessCentralShape(t *testing.T) {
	root := testenv.CAPBusinessCentral(testenv.OwnCAP(t, "SWITCHYARD_CAP_STOP_ON_EOF=1"))
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := New(st, connector.Default)
	svc.Getenv = func(string) string { return "" }
	if _, err := svc.ImportFile(ctx, strings.NewReader(bcFile(root))); err != nil {
		t.Fatal(err)
	}

	res, err := svc.ProposeDefaults(ctx, "bc", false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied || len(res.Entities) != 3 || len(res.Notes) != 0 {
		t.Fatalf("proposal: %+v", res)
	}
	for i, want := range []string{"customers>account", "contacts>contact", "salesOrders>salesorder"} {
		if got := res.Entities[i].External + ">" + res.Entities[i].Local; got != want || res.Entities[i].PrimaryKey != "bcid" {
			t.Errorf("entities[%d] = %s key %s, want %s key bcid", i, got, res.Entities[i].PrimaryKey, want)
		}
	}
	if got := fieldsOf(res.Entities[2]); !slices.Contains(got, "customerId>customerid@account") {
		t.Errorf("salesOrders fields %v", got)
	}
	// The service's own types, and its read-only stamp (Microsoft.NAV tells the system).
	if xf, _ := res.ExternalField("customers", "lastModifiedDateTime"); xf.Type != meta.DateTime || !xf.ReadOnly {
		t.Errorf("customers.lastModifiedDateTime = %+v, want a read-only datetime", xf)
	}
	if lf, _ := res.LocalField("account", "displayname"); lf.Type != meta.String || lf.MaxLength != 100 {
		t.Errorf("account.displayname = %+v, want string(100)", lf)
	}
	if in, _ := st.Integration(ctx, "bc"); len(in.Entities) != 0 {
		t.Fatalf("a proposal saved %d mappings", len(in.Entities))
	}

	res, err = svc.ApplyDefaults(ctx, "bc", false)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Applied || !slices.Equal(res.CreatedEntities, []string{"account", "contact", "salesorder"}) ||
		!slices.Equal(res.AddedFields, []string{"salesorder.customerid"}) {
		t.Fatalf("apply: %+v", res)
	}
	in, err := st.Integration(ctx, "bc")
	if err != nil || len(in.Entities) != 3 {
		t.Fatalf("saved integration: %+v, %v", in.Entities, err)
	}
	if f, _ := mustLocal(t, st, "salesorder").Field("customerid"); f.Type != meta.Lookup || f.Target != "account" {
		t.Errorf("salesorder.customerid = %+v", f)
	}
	if f, _ := mustLocal(t, st, "account").Field("bcid"); f.Type != meta.GUID {
		t.Errorf("account.bcid = %+v", f)
	}

	// Again: nothing to add, nothing replaced.
	again, err := svc.ApplyDefaults(ctx, "bc", false)
	if err != nil || again.Applied || len(again.Entities) != 0 || len(again.Kept) != 3 {
		t.Fatalf("apply again: %+v, %v", again, err)
	}

	run, err := svc.Run(ctx, "bc", RunOptions{Direction: engine.Import})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]engine.Counts{}
	for _, e := range run.Entities {
		counts[e.Entity] = e.Counts
	}
	for entity, want := range map[string]int{"customers": testenv.BCCustomers, "contacts": testenv.BCContacts, "salesOrders": testenv.BCSalesOrders} {
		if c := counts[entity]; c.All != want || c.Imported != want || c.Failed != 0 || c.Warnings != 0 {
			t.Errorf("%s: %+v, want %d imported", entity, c, want)
		}
	}
	// The service's own answer: each sales order's customerId.
	customerOf := map[string]string{}
	for _, o := range testenv.BCRecords(t, root, "salesOrders", "id,customerId") {
		customerOf[o["id"]] = o["customerId"]
	}
	accounts := map[string]string{} // local id → bcid
	orders := 0
	err = st.View(ctx, func(tx *store.Tx) error {
		rows, err := tx.Scan("account", []string{"bcid"}, nil, "", 1000)
		for _, r := range rows {
			accounts[r.ID] = r.Values["bcid"].(string)
		}
		if err != nil {
			return err
		}
		rows, err = tx.Scan("salesorder", []string{"bcid", "customerid"}, nil, "", 1000)
		for _, r := range rows {
			orders++
			bcid := anyText(r.Values["bcid"])
			if got, want := accounts[anyText(r.Values["customerid"])], customerOf[bcid]; got != want || want == "" {
				t.Errorf("sales order %s: its customer is the account of customer %q, want %q", bcid, got, want)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(accounts) != testenv.BCCustomers || orders != testenv.BCSalesOrders {
		t.Errorf("workspace: %d accounts, %d sales orders", len(accounts), orders)
	}
}

func mustLocal(t *testing.T, st *store.Store, name string) meta.Entity {
	t.Helper()
	e, err := st.Entity(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func anyText(v any) string {
	s, _ := v.(string)
	return s
}
