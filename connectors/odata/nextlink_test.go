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

// TestFetchPageHints: an answer fetched and not decoded shows the next
// link it carries (the engine asks for it ahead), decoding it gives the
// page ReadPage gives, and a wrong guess is told by the decoded page.
func TestFetchPageHints(t *testing.T) {
	c, asked := chainServer(t, 3, func(n int) string {
		switch n {
		case 3: // the last page: no next link, but a member that spells one
			return `{"value":[{"accountid":"0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0003","x":{"@odata.nextLink":"accounts?$skiptoken=9"}}]}`
		case 2: // Dataverse writes the next link after the value
			return `{"value":[` + record(n) + `],"@odata.nextLink":"accounts?$skiptoken=3"}`
		default:
			return fmt.Sprintf(`{"@odata.nextLink":"accounts?$skiptoken=%d","value":[%s]}`, n+1, record(n))
		}
	})
	ctx, q := context.Background(), connector.Query{Entity: "accounts"}
	token := ""
	for n, want := range []struct {
		hint string
		ok   bool
		next string
	}{{"accounts?$skiptoken=1", true, "accounts?$skiptoken=1"}, {"accounts?$skiptoken=2", true, "accounts?$skiptoken=2"},
		{"accounts?$skiptoken=3", true, "accounts?$skiptoken=3"}, {"accounts?$skiptoken=9", true, ""}} {
		f, err := c.FetchPage(ctx, q, token)
		if err != nil {
			t.Fatal(err)
		}
		expectAsked(t, asked, n)
		if f.Size() <= 0 {
			t.Errorf("page %d: size %d", n, f.Size())
		}
		hint, ok := f.NextHint()
		if hint != want.hint || ok != want.ok {
			t.Errorf("page %d: hint %q %v, want %q %v", n, hint, ok, want.hint, want.ok)
		}
		p, err := f.Decode()
		if err != nil || p.Next != want.next || len(p.Records) != 1 || p.Records[0]["accountid"] != fmt.Sprintf("0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d%04d", n) {
			t.Fatalf("page %d = %+v, %v", n, p, err)
		}
		token = p.Next
	}
	if ids := readAll(t, c); len(ids) != 4 {
		t.Fatalf("ReadPage read %v", ids)
	}
}
