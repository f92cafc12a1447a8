package httpx

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestReuseBody: with ReuseBody the body arrives whole, a connection that
// drops halfway through a body is retried as before, a 503 is retried too,
// and after Release the next response reuses the buffer.
func TestReuseBody(t *testing.T) {
	page := strings.Repeat(`{"name":"A line of text"},`, 2000)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1: // half a body, then the connection drops
			w.Header().Set("Content-Length", fmt.Sprint(len(page)))
			w.Write([]byte(page[:len(page)/2]))
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
		case 2:
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			fmt.Fprint(w, page+r.URL.Query().Get("n"))
		}
	}))
	t.Cleanup(srv.Close)
	c := New(fast(srv))
	ctx := context.Background()
	first, err := c.Do(ctx, Request{URL: "Items?n=1", ReuseBody: true})
	if err != nil {
		t.Fatal(err)
	}
	if string(first.Body) != page+"1" || n.Load() != 3 {
		t.Fatalf("after %d requests: body of %d bytes, want %d", n.Load(), len(first.Body), len(page)+1)
	}
	buf := &first.Body[0]
	first.Release()
	first.Release() // twice does no harm
	if first.Body != nil {
		t.Error("Body still set after Release")
	}
	second, err := c.Do(ctx, Request{URL: "Items?n=2", ReuseBody: true})
	if err != nil {
		t.Fatal(err)
	}
	if string(second.Body) != page+"2" {
		t.Errorf("second body of %d bytes, want %d", len(second.Body), len(page)+1)
	}
	if &second.Body[0] != buf {
		t.Error("the second response did not reuse the buffer given back")
	}
	plain, err := c.Do(ctx, Request{URL: "Items?n=3"})
	if err != nil || string(plain.Body) != page+"3" {
		t.Errorf("without ReuseBody: %d bytes, %v", len(plain.Body), err)
	}
	plain.Release() // nothing to give back
}
