package odata

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"switchyard/core/connector"
)

func TestGuessNextLink(t *testing.T) {
	tests := []struct {
		name, body, want string
		ok               bool
	}{
		{"at the end", `{"value":[{"a":1}],"@odata.nextLink":"accounts?$skiptoken=2"}`, "accounts?$skiptoken=2", true},
		{"spaced", "{\"value\":[],\n  \"@odata.nextLink\" :\t \"x?y=1\"\n}", "x?y=1", true},
		{"escaped", `{"value":[],"@odata.nextLink":"https:\/\/h\/accounts?$top=2\u0026$skip=4"}`, "https://h/accounts?$top=2&$skip=4", true},
		{"the last one counts", `{"value":[{"n":{"@odata.nextLink":"no"}}],"@odata.nextLink":"yes"}`, "yes", true},
		{"at the start", `{"@odata.context":"$metadata#Items","@odata.nextLink":"Items?%24skiptoken=50","value":[{"n":{"@odata.nextLink":"no"}}]}`, "Items?%24skiptoken=50", true},
		{"far from both ends", `{"value":["` + strings.Repeat("x", nextLinkWindow) + `",{"@odata.nextLink":"no"},"` + strings.Repeat("x", nextLinkWindow) + `"]}`, "", false},
		{"an expanded collection's link is not the page's", `{"value":[{"Orders@odata.nextLink":"orders?x"}]}`, "", false},
		{"none", `{"value":[]}`, "", false},
		{"null", `{"value":[],"@odata.nextLink":null}`, "", false},
		{"cut off", `{"value":[],"@odata.nextLink":"accounts?$skip`, "", false},
		{"not a member", `{"value":["@odata.nextLink"]}`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := guessNextLink([]byte(tt.body))
			if got != tt.want || ok != tt.ok {
				t.Fatalf("guessNextLink = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// chainServer serves accounts in pages 0..last, page n linking to n+1
// (through link, which may lie), and tells every page asked on asked.
func chainServer(t *testing.T, last int, body func(n int) string) (*Client, chan int) {
	asked := make(chan int, 100)
	srv := odataServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := 0
		if s := r.URL.Query().Get("$skiptoken"); s != "" {
			if _, err := fmt.Sscan(s, &n); err != nil {
				http.Error(w, "bad token", http.StatusBadRequest)
				return
			}
		}
		asked <- n
		fmt.Fprint(w, body(n))
	})
	return quickClient(t, srv, nil, time.Millisecond), asked
}

// record is the one record of page n.
func record(n int) string {
	return fmt.Sprintf(`{"accountid":"0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d%04d"}`, n)
}

// expectAsked waits for the service to be asked for want, in that order.
func expectAsked(t *testing.T, asked chan int, want ...int) {
	t.Helper()
	for _, w := range want {
		select {
		case got := <-asked:
			if got != w {
				t.Fatalf("the service was asked for page %d, want %d", got, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("the service was not asked for page %d", w)
		}
	}
}

// expectQuiet fails if the service is asked for anything within a moment.
func expectQuiet(t *testing.T, asked chan int) {
	t.Helper()
	select {
	case got := <-asked:
		t.Fatalf("the service was asked for page %d", got)
	case <-time.After(100 * time.Millisecond):
	}
}

// readAll reads every page from the first and returns page n's record ids.
func readAll(t *testing.T, c *Client) []string {
	t.Helper()
	var ids []string
	token := ""
	for {
		p, err := c.ReadPage(context.Background(), connector.Query{Entity: "accounts"}, token)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Records {
			ids = append(ids, r["accountid"].(string))
		}
		if p.Next == "" {
			return ids
		}
		token = p.Next
	}
}

func TestPagesAskedAheadInAChain(t *testing.T) {
	const last = aheadLimit + 4
	pages := func(n int) string {
		if n == last {
			return `{"value":[` + record(n) + `]}`
		}
		return fmt.Sprintf(`{"value":[%s],"@odata.nextLink":"accounts?$skiptoken=%d"}`, record(n), n+1)
	}
	c, asked := chainServer(t, last, pages)
	q := connector.Query{Entity: "accounts"}
	read := func(token string, n int) string {
		t.Helper()
		p, err := c.ReadPage(context.Background(), q, token)
		if err != nil || len(p.Records) != 1 || p.Records[0]["accountid"] != fmt.Sprintf("0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d%04d", n) {
			t.Fatalf("page %d = %+v, %v", n, p, err)
		}
		return p.Next
	}
	// The first two pages: one page ahead of the read, as a preview that
	// stops there would want.
	next := read("", 0)
	expectAsked(t, asked, 0, 1)
	expectQuiet(t, asked)
	next = read(next, 1)
	expectAsked(t, asked, 2)
	expectQuiet(t, asked)
	// From the third on, aheadLimit pages ahead, each asked as soon as the
	// one before is answered; the next when a ReadPage takes one.
	next = read(next, 2)
	for n := 3; n < 3+aheadLimit; n++ {
		expectAsked(t, asked, n)
	}
	expectQuiet(t, asked)
	read(next, 3)
	expectAsked(t, asked, 3+aheadLimit)

	// Read through from the start: every page once, in order.
	c, asked = chainServer(t, last, pages)
	ids := readAll(t, c)
	if len(ids) != last+1 {
		t.Fatalf("read %d records, want %d: %v", len(ids), last+1, ids)
	}
	for i, id := range ids {
		if want := fmt.Sprintf("0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d%04d", i); id != want {
			t.Fatalf("record %d = %s, want %s", i, id, want)
		}
	}
	for n := 0; n <= last; n++ {
		expectAsked(t, asked, n)
	}
	expectQuiet(t, asked)
}

func TestWrongGuessCostsOneRequest(t *testing.T) {
	// The last page has no next link, but its last record ends with a member
	// that spells one, to page 9: the guess is wrong.
	c, asked := chainServer(t, 3, func(n int) string {
		switch n {
		case 3:
			return `{"value":[{"accountid":"0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0003","x":{"@odata.nextLink":"accounts?$skiptoken=9"}}]}`
		case 9:
			return `{"value":[` + record(n) + `]}`
		default:
			return fmt.Sprintf(`{"value":[%s],"@odata.nextLink":"accounts?$skiptoken=%d"}`, record(n), n+1)
		}
	})
	ids := readAll(t, c)
	want := []string{"0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0000", "0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0001",
		"0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0002", "0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0003"}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Fatalf("read %v, want %v", ids, want)
	}
	// Page 3, asked ahead once the chain runs, made the client ask for page 9
	// too; the read ends at page 3 all the same, and Close drops page 9.
	expectAsked(t, asked, 0, 1, 2, 3, 9)
	c.Close()
	expectQuiet(t, asked)
}

func TestLargePagesGoOneAhead(t *testing.T) {
	// Pages of more than aheadBytes: only the next one is asked for ahead, as
	// ReadPage always does, however long the caller holds a page.
	big := strings.Repeat("x", aheadBytes)
	c, asked := chainServer(t, 5, func(n int) string {
		return fmt.Sprintf(`{"value":[{"accountid":"0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d%04d","name":"%s"}],"@odata.nextLink":"accounts?$skiptoken=%d"}`, n, big, n+1)
	})
	q := connector.Query{Entity: "accounts"}
	first, err := c.ReadPage(context.Background(), q, "")
	if err != nil {
		t.Fatal(err)
	}
	expectAsked(t, asked, 0, 1)
	expectQuiet(t, asked)
	if _, err := c.ReadPage(context.Background(), q, first.Next); err != nil {
		t.Fatal(err)
	}
	expectAsked(t, asked, 2)
	expectQuiet(t, asked)
}
