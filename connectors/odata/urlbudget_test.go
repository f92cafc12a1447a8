package odata

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchyard/core/connector"
	"switchyard/core/spec"
)

// longFilter names ids 1..n of Items: about 5 characters an id.
func longFilter(n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = strconv.Itoa(i + 1)
	}
	return "ID in (" + strings.Join(ids, ",") + ")"
}

// TestLongReadGoesThroughBatch: a read whose URL is over maxurl (here over
// Node's 16 KB header limit too, which CAP answers with 431 when sent as a
// plain GET) goes through $batch and reads every page; without a batch
// format it fails with one line that names the entity and the settings,
// quoting no more than a short piece of the URL.
func TestLongReadGoesThroughBatch(t *testing.T) {
	ctx := context.Background()
	filter := longFilter(4000) // ~19,000 characters
	c := ownClient(t, nil)
	defer c.Close()
	q := connector.Query{Entity: "Bulk", Fields: []string{"ID", "name"}, Filter: filter, PageSize: 1000}
	got := 0
	first := ""
	for token := ""; ; {
		pg, err := c.ReadPage(ctx, q, token)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if first == "" {
			first = pg.Request
		}
		got += len(pg.Records)
		if token = pg.Next; token == "" {
			break
		}
	}
	if got != 4000 {
		t.Errorf("read %d records through $batch, want 4000", got)
	}
	if !strings.HasPrefix(first, "GET /odata/v4/test/Bulk?") || !strings.Contains(first, "(in a $batch") || !strings.Contains(first, "4000") {
		t.Errorf("the request as logged = %q", connector.ShortRequest(first))
	}

	none := ownClient(t, spec.Values{"batch": "none"})
	defer none.Close()
	_, err := none.ReadPage(ctx, q, "")
	if err == nil || !strings.Contains(err.Error(), "maxurl") || !strings.Contains(err.Error(), "Bulk") || len(err.Error()) > 700 {
		t.Errorf("a read too long without $batch: %v", err)
	}
}

// TestFilterRoom: a filter of exactly the room FilterRoom gives is sent as a
// plain GET; the reads by key of the engine rely on it.
func TestFilterRoom(t *testing.T) {
	ctx := context.Background()
	c := ownClient(t, spec.Values{"maxurl": "2000"})
	defer c.Close()
	q := connector.Query{Entity: "Bulk", Fields: []string{"ID", "name"}, PageSize: 500}
	room, measure, err := c.FilterRoom(ctx, q)
	if err != nil || room < 1000 || room > 2000 {
		t.Fatalf("FilterRoom = %d, %v", room, err)
	}
	f := "ID in (1"
	for i := 2; measure(f+","+strconv.Itoa(i)+")") <= room; i++ {
		f += "," + strconv.Itoa(i)
	}
	q.Filter = f + ")"
	pg, err := c.ReadPage(ctx, q, "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(pg.Request, "$batch") || len(pg.Records) == 0 {
		t.Errorf("a filter that fits the room: %d records, request %q", len(pg.Records), connector.ShortRequest(pg.Request))
	}
	if n := len(pg.Request) - len("GET ") + len("http://127.0.0.1:65535"); n > 2000 {
		t.Errorf("the URL is %d characters, over maxurl", n)
	}
}

// TestCappedCountIsNoTotal: Dataverse stops counting at 5,000 and says so;
// such a count is a lower bound, and the page reports no total, so that no
// check takes 5,000 for the number of records to read.
func TestCappedCountIsNoTotal(t *testing.T) {
	for _, tt := range []struct {
		body string
		want int64
	}{
		{`{"@odata.count":5000,"@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded":true,"value":[{"accountid":"0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0001"}]}`, -1},
		{`{"@odata.count":5000,"@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded":false,"value":[]}`, 5000},
		{`{"@odata.count":12,"value":[]}`, 12},
	} {
		srv := odataServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tt.body) })
		c := quickClient(t, srv, nil, time.Second)
		pg, err := c.ReadPage(context.Background(), connector.Query{Entity: "accounts", Count: true}, "")
		if err != nil || pg.Total != tt.want {
			t.Errorf("%s: total %d, %v; want %d", tt.body, pg.Total, err, tt.want)
		}
	}
}
