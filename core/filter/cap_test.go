package filter_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"switchyard/core/filter"
	"switchyard/core/meta"
	"switchyard/internal/testenv"
)

// The live tests send filters to the SAP CAP server of testdata/cap (started
// by scripts/testservers.sh start; skipped when it is not running) and
// compare the rows it returns, and counts, with Eval over every row.

// capEntities are the entities of testdata/cap as the OData connector types them.
var capEntities = map[string]meta.Entity{
	"Accounts": {Name: "Accounts", Fields: capFields(
		"name", meta.String, "accountnumber", meta.String, "email", meta.String, "phone", meta.String,
		"website", meta.String, "revenue", meta.Decimal, "employees", meta.Int, "active", meta.Bool,
		"founded", meta.Date, "parent_ID", meta.GUID)},
	"Contacts": {Name: "Contacts", Fields: capFields(
		"firstname", meta.String, "lastname", meta.String, "email", meta.String, "phone", meta.String,
		"birthdate", meta.Date, "account_ID", meta.GUID)},
	"WorkOrders": {Name: "WorkOrders", Fields: capFields(
		"title", meta.String, "description", meta.String, "status", meta.String, "priority", meta.Int,
		"due", meta.DateTime, "estimate", meta.Decimal, "contact_ID", meta.GUID)},
}

func capFields(pairs ...any) []meta.Field {
	fields := []meta.Field{{Name: "ID", Type: meta.GUID}, {Name: "createdAt", Type: meta.DateTime},
		{Name: "modifiedAt", Type: meta.DateTime}, {Name: "createdBy", Type: meta.String}, {Name: "modifiedBy", Type: meta.String}}
	for i := 0; i < len(pairs); i += 2 {
		fields = append(fields, meta.Field{Name: pairs[i].(string), Type: pairs[i+1].(meta.Type)})
	}
	return fields
}

// capCases are filters whose meaning CAP and OData agree on. CAP departs
// from OData in two places, which these avoid: `not` over a comparison with
// an empty value (CAP gives SQL's unknown, so such rows never match either
// way) and `in` lists holding null (CAP never matches the empty rows).
var capCases = []struct{ entity, filter string }{
	{"Accounts", "name eq 'O''Brien \"Quality\" Builders'"},
	{"Accounts", "contains(name,'o')"},
	{"Accounts", "contains(name,'ö') or contains(name,'ó')"},
	{"Accounts", "startswith(tolower(name),'c') or endswith(name,'Inc.')"},
	{"Accounts", "tolower(name) eq 'café crème sarl' or toupper(name) eq 'ΩMEGA ANALYTICS'"},
	{"Accounts", "employees ge 800 and active eq true"},
	{"Accounts", "not (active eq true) or website eq null"},
	{"Accounts", "revenue gt 50000000.5 or founded lt 1960-01-01"},
	{"Accounts", "parent_ID eq AEA00B94-3481-5DF7-B7E1-89EC3DA7558F"},
	{"Accounts", "parent_ID eq null"},
	{"Accounts", "parent_ID ne aea00b94-3481-5df7-b7e1-89ec3da7558f"},
	{"Accounts", "name in ('Contoso Ltd','Fabrikam, Inc.','nobody')"},
	{"Accounts", "createdAt ge 2024-01-05T02:00:00+02:00"},
	{"Accounts", "modifiedAt lt now() sub duration'P1D' and employees lt 100"},
	{"Contacts", "lastname eq 'Smith' or firstname eq 'Anna'"},
	{"Contacts", "birthdate ge 1970-01-01 and birthdate lt 1980-01-01"},
	{"Contacts", "account_ID eq aea00b94-3481-5df7-b7e1-89ec3da7558f and startswith(email,'a')"},
	{"WorkOrders", "status in ('new','in_progress')"},
	{"WorkOrders", "priority le 2 and estimate gt 30"},
	{"WorkOrders", "due ge 2024-02-15T00:00:00Z"},
	{"WorkOrders", "due lt 2024-03-01T10:00:00+01:00 and status ne 'done'"},
	{"WorkOrders", "contains(description,'router') or not contains(title,'#1')"},
}

func TestCAPFiltersAgree(t *testing.T) {
	base := testenv.ODataURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	all := map[string][]meta.Record{}
	for name := range capEntities {
		recs, _, err := fetchCAP(ctx, base, name, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			t.Fatalf("%s has no rows: is the CAP server seeded from testdata/cap/db/data?", name)
		}
		all[name] = recs
	}
	partial := 0
	for _, tc := range capCases {
		t.Run(tc.entity+" "+tc.filter, func(t *testing.T) {
			e, err := filter.Parse(tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if err := filter.Check(e, capEntities[tc.entity]); err != nil {
				t.Fatal(err)
			}
			e = filter.Resolve(e, time.Now())
			text := filter.ToOData(e)
			recs, count, err := fetchCAP(ctx, base, tc.entity, text)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(recs)
			if count != len(got) {
				t.Errorf("$filter=%s: @odata.count %d, but %d rows came", text, count, len(got))
			}
			var want []string
			for _, r := range all[tc.entity] {
				ok, err := filter.Eval(e, r)
				if err != nil {
					t.Fatal(err)
				}
				if ok {
					want = append(want, r["ID"].(string))
				}
			}
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("$filter=%s: CAP returned %d rows %v, Eval matched %d %v", text, len(got), got, len(want), want)
			}
			if len(want) > 0 && len(want) < len(all[tc.entity]) {
				partial++
			}
		})
	}
	if partial < len(capCases)/2 {
		t.Errorf("only %d of %d filters matched some but not all rows: the cases no longer test much", partial, len(capCases))
	}
}

// fetchCAP reads every page of entity matching the OData filter text ("" for
// all), following @odata.nextLink, and returns the rows and @odata.count.
func fetchCAP(ctx context.Context, base, entity, text string) ([]meta.Record, int, error) {
	q := "$count=true"
	if text != "" {
		// Spaces as %20: CAP answers 400 to "+".
		q += "&$filter=" + strings.ReplaceAll(url.QueryEscape(text), "+", "%20")
	}
	next := strings.TrimSuffix(base, "/") + "/" + entity + "?" + q
	var out []meta.Record
	count := -1
	for next != "" {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, next, nil)
		if err != nil {
			return nil, 0, err
		}
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, 0, fmt.Errorf("get %s: %w", next, err)
		}
		var page struct {
			Count int           `json:"@odata.count"`
			Next  string        `json:"@odata.nextLink"`
			Value []meta.Record `json:"value"`
		}
		dec := json.NewDecoder(resp.Body)
		dec.UseNumber()
		err = dec.Decode(&page)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, 0, fmt.Errorf("get %s: %s", next, resp.Status)
		}
		if err != nil {
			return nil, 0, fmt.Errorf("decode %s: %w", next, err)
		}
		if count < 0 {
			count = page.Count
		}
		out = append(out, page.Value...)
		next = ""
		if page.Next != "" {
			u, err := url.Parse(base)
			if err != nil {
				return nil, 0, err
			}
			ref, err := u.Parse(page.Next)
			if err != nil {
				return nil, 0, err
			}
			next = ref.String()
		}
	}
	return out, count, nil
}

func ids(recs []meta.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r["ID"].(string)
	}
	sort.Strings(out)
	return out
}
