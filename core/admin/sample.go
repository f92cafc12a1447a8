package admin

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"switchyard/core/meta"
	"switchyard/core/store"
)

// The embedded default: a sample external workspace and a ready integration to it.
const (
	// SampleIntegration is the name of the sample integration.
	SampleIntegration = "sample-crm"
	// SampleFile is the file name of the sample external workspace, beside the workspace.
	SampleFile = "sample-crm.db"
	// SampleConnector is the connector the sample integration uses; the
	// registry given to the Service must hold it (connectors/workspace).
	SampleConnector = "workspace"
)

// EnsureSample sets up the embedded default on first run: when the workspace
// has no integration yet and dir holds no sample workspace, it writes a small
// CRM (accounts, contacts, sales orders) as a workspace file dir/SampleFile
// and imports the integration SampleIntegration to it, which creates the
// local entities account, contact and salesorder. A new user can then map,
// preview, import and sync without any server. It returns the integration's
// name when it made it, "" when there was nothing to do (an integration
// exists, or the sample file does: deleting the sample integration is
// respected). A half-made sample file is removed again on failure.
func EnsureSample(ctx context.Context, s *Service, dir string) (string, error) {
	path, err := filepath.Abs(filepath.Join(dir, SampleFile))
	if err != nil {
		return "", fmt.Errorf("set up the sample: %w", err)
	}
	if _, err := os.Stat(path); err == nil {
		return "", nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("set up the sample: %w", err)
	}
	existing, err := s.Store.Integrations(ctx)
	if err != nil {
		return "", fmt.Errorf("set up the sample: %w", err)
	}
	if len(existing) > 0 {
		return "", nil
	}
	if _, err := s.Registry.Lookup(SampleConnector); err != nil {
		return "", fmt.Errorf("set up the sample: %w: link the connectors (switchyard/connectors/all) into the binary", err)
	}
	if err := WriteSampleWorkspace(ctx, path); err != nil {
		os.Remove(path)
		return "", err
	}
	if _, err := s.ImportFile(ctx, strings.NewReader(SampleIntegrationFile(path))); err != nil {
		os.Remove(path)
		return "", fmt.Errorf("set up the sample: import its integration: %w", err)
	}
	return SampleIntegration, nil
}

// SampleIntegrationFile is the integration file of the sample, for the
// sample workspace at path: accounts and contacts both ways, sales orders
// downloaded, lookups resolved through the external ids.
func SampleIntegrationFile(path string) string {
	quoted := strings.ReplaceAll(strings.ReplaceAll(path, `\`, `\\`), `"`, `\"`)
	return `{"format": "switchyard.integration/v1", "name": "` + SampleIntegration + `", "connector": "` + SampleConnector + `",
 "settings": {"path": "` + quoted + `"},
 "entities": [
  {"external": "account", "local": "account", "primaryKey": "externalid", "direction": "bidirectional", "downloadFilter": "", "uploadFilter": "",
   "fields": [{"external": "id", "local": "externalid"}, {"external": "name", "local": "name"}, {"external": "accountnumber", "local": "accountnumber"},
              {"external": "industry", "local": "industry"}, {"external": "revenue", "local": "revenue"}, {"external": "website", "local": "website"},
              {"external": "founded", "local": "founded"}, {"external": "active", "local": "active"}]},
  {"external": "contact", "local": "contact", "primaryKey": "externalid", "direction": "bidirectional", "downloadFilter": "", "uploadFilter": "",
   "fields": [{"external": "id", "local": "externalid"}, {"external": "firstname", "local": "firstname"}, {"external": "lastname", "local": "lastname"},
              {"external": "email", "local": "emailaddress1"}, {"external": "phone", "local": "telephone1"}, {"external": "birthdate", "local": "birthdate"},
              {"external": "accountid", "local": "parentcustomerid", "lookup": "account"}]},
  {"external": "salesorder", "local": "salesorder", "primaryKey": "externalid", "direction": "download", "downloadFilter": "", "uploadFilter": "",
   "fields": [{"external": "id", "local": "externalid"}, {"external": "ordernumber", "local": "ordernumber"}, {"external": "orderdate", "local": "orderdate"},
              {"external": "total", "local": "totalamount"}, {"external": "status", "local": "status"}, {"external": "shippedon", "local": "shippedon"},
              {"external": "accountid", "local": "customerid", "lookup": "account"}, {"external": "contactid", "local": "contactid", "lookup": "contact"}]}],
 "schedules": []}`
}

// The sample's size.
const (
	sampleAccounts = 25
	sampleContacts = 60
	sampleOrders   = 120
)

// sampleEntities are the sample CRM's entities.
var sampleEntities = []meta.Entity{
	{Name: "account", Label: "Account", Fields: []meta.Field{
		{Name: "name", Label: "Name", Type: meta.String}, {Name: "accountnumber", Label: "Account number", Type: meta.String},
		{Name: "industry", Label: "Industry", Type: meta.String}, {Name: "revenue", Label: "Annual revenue", Type: meta.Decimal},
		{Name: "website", Label: "Website", Type: meta.String}, {Name: "founded", Label: "Founded", Type: meta.Date},
		{Name: "active", Label: "Active", Type: meta.Bool}}},
	{Name: "contact", Label: "Contact", Fields: []meta.Field{
		{Name: "firstname", Label: "First name", Type: meta.String}, {Name: "lastname", Label: "Last name", Type: meta.String},
		{Name: "email", Label: "E-mail", Type: meta.String}, {Name: "phone", Label: "Phone", Type: meta.String},
		{Name: "birthdate", Label: "Birthday", Type: meta.Date}, {Name: "accountid", Label: "Account", Type: meta.Lookup, Target: "account"}}},
	{Name: "salesorder", Label: "Sales order", Fields: []meta.Field{
		{Name: "ordernumber", Label: "Order number", Type: meta.String}, {Name: "orderdate", Label: "Order date", Type: meta.Date},
		{Name: "total", Label: "Total", Type: meta.Decimal}, {Name: "status", Label: "Status", Type: meta.String},
		{Name: "shippedon", Label: "Shipped on", Type: meta.DateTime},
		{Name: "accountid", Label: "Account", Type: meta.Lookup, Target: "account"},
		{Name: "contactid", Label: "Contact", Type: meta.Lookup, Target: "contact"}}},
}

// WriteSampleWorkspace writes the sample CRM as a new workspace file at path:
// 25 accounts, 60 contacts (most with an account) and 120 sales orders, the
// same every time (a fixed random seed).
func WriteSampleWorkspace(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("write the sample workspace: %s exists already: remove it or choose another folder", path)
	}
	st, err := store.Open(ctx, path)
	if err != nil {
		return fmt.Errorf("write the sample workspace: %w", err)
	}
	defer st.Close()
	for _, e := range sampleEntities {
		if err := st.CreateEntity(ctx, e); err != nil {
			return fmt.Errorf("write the sample workspace: %w", err)
		}
	}
	g := sampleGenerator{rnd: rand.New(rand.NewPCG(7, 2026))}
	err = st.Update(ctx, func(tx *store.Tx) error {
		accounts, err := g.accounts(tx)
		if err != nil {
			return err
		}
		contacts, err := g.contacts(tx, accounts)
		if err != nil {
			return err
		}
		return g.orders(tx, accounts, contacts)
	})
	if err != nil {
		return fmt.Errorf("write the sample workspace: %w", err)
	}
	return nil
}

// sampleGenerator makes the sample CRM's records from one seeded source.
type sampleGenerator struct{ rnd *rand.Rand }

// samplePerson is a sample contact: its id and its account's ("" for none).
type samplePerson struct{ id, account string }

func (g sampleGenerator) pick(list []string) string { return list[g.rnd.IntN(len(list))] }

// accounts inserts the sample accounts and returns their ids.
func (g sampleGenerator) accounts(tx *store.Tx) ([]string, error) {
	rnd := g.rnd
	accounts := make([]string, 0, sampleAccounts)
	for i := 1; i <= sampleAccounts; i++ {
		name := g.pick(sampleCompanyWords) + " " + g.pick(sampleCompanyKinds)
		if i%5 == 0 {
			name = g.pick(sampleCompanyWords) + " & " + g.pick(sampleCompanyWords)
		}
		id, err := tx.Insert("account", map[string]any{
			"name": name, "accountnumber": fmt.Sprintf("AC-%04d", 1000+i), "industry": g.pick(sampleIndustries),
			"revenue": fmt.Sprintf("%d.%02d", 50_000+rnd.IntN(9_950_000), rnd.IntN(100)),
			"website": "https://www." + strings.ToLower(strings.NewReplacer(" ", "", "&", "").Replace(name)) + ".example",
			"founded": fmt.Sprintf("%d-%02d-%02d", 1950+rnd.IntN(70), 1+rnd.IntN(12), 1+rnd.IntN(28)), "active": int64(boolInt(i%7 != 0)),
		})
		if err != nil {
			return nil, err
		}
		accounts = append(accounts, id)
	}
	return accounts, nil
}

// contacts inserts the sample contacts, most with one of accounts.
func (g sampleGenerator) contacts(tx *store.Tx, accounts []string) ([]samplePerson, error) {
	rnd := g.rnd
	contacts := make([]samplePerson, 0, sampleContacts)
	for i := 1; i <= sampleContacts; i++ {
		first, last := g.pick(sampleFirstNames), g.pick(sampleLastNames)
		var account any
		p := samplePerson{}
		if i%8 != 0 {
			p.account = accounts[rnd.IntN(len(accounts))]
			account = p.account
		}
		var birth any
		if i%6 != 0 {
			birth = fmt.Sprintf("%d-%02d-%02d", 1955+rnd.IntN(45), 1+rnd.IntN(12), 1+rnd.IntN(28))
		}
		id, err := tx.Insert("contact", map[string]any{
			"firstname": first, "lastname": last,
			"email": strings.ReplaceAll(strings.ToLower(first+"."+last), " ", "") + fmt.Sprintf("%d@example.com", i), "phone": fmt.Sprintf("+31 20 555 %04d", rnd.IntN(10000)),
			"birthdate": birth, "accountid": account,
		})
		if err != nil {
			return nil, err
		}
		p.id = id
		contacts = append(contacts, p)
	}
	return contacts, nil
}

// orders inserts the sample sales orders, each of a contact and an account.
func (g sampleGenerator) orders(tx *store.Tx, accounts []string, contacts []samplePerson) error {
	rnd := g.rnd
	statuses := []string{"draft", "confirmed", "shipped", "shipped", "invoiced", "cancelled"}
	for i := 1; i <= sampleOrders; i++ {
		c := contacts[rnd.IntN(len(contacts))]
		account := any(c.account)
		if c.account == "" {
			account = accounts[rnd.IntN(len(accounts))]
		}
		month, day := 1+rnd.IntN(12), 1+rnd.IntN(28)
		status := g.pick(statuses)
		var shipped any
		if status == "shipped" || status == "invoiced" {
			shipped = fmt.Sprintf("2025-%02d-%02dT%02d:%02d:00.000Z", month, day, 8+rnd.IntN(9), rnd.IntN(60))
		}
		_, err := tx.Insert("salesorder", map[string]any{
			"ordernumber": fmt.Sprintf("SO-%05d", 20000+i), "orderdate": fmt.Sprintf("2025-%02d-%02d", month, day),
			"total": fmt.Sprintf("%d.%02d", 20+rnd.IntN(4980), rnd.IntN(100)), "status": status, "shippedon": shipped,
			"accountid": account, "contactid": c.id,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

var (
	sampleCompanyWords = []string{"Northwind", "Contoso", "Fabrikam", "Tailspin", "Adventure", "Litware", "Proseware", "Wingtip", "Alpine", "Coho", "Lucerne", "Margie"}
	sampleCompanyKinds = []string{"Traders", "Logistics", "Bikes", "Foods", "Systems", "Partners", "Retail", "Works"}
	sampleIndustries   = []string{"Retail", "Manufacturing", "Logistics", "Food", "Software", "Consulting", "Healthcare"}
	sampleFirstNames   = []string{"Anna", "Bram", "Chloé", "Daan", "Eva", "Femke", "Gijs", "Hanna", "Isa", "Jens", "Kim", "Lotte", "Milan", "Noor", "Olaf", "Petra"}
	sampleLastNames    = []string{"de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "de Boer", "Bos", "Vos", "Peters", "Hendriks"}
)
