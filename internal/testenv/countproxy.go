package testenv

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Counter is a reverse proxy in front of a test server that counts the
// requests passing through it, for servers that count nothing themselves
// (json-server). Start one with CountRequests.
type Counter struct {
	// URL is the proxy's root URL, with the target's path: use it in place of the target's.
	URL   string
	mu    sync.Mutex
	stats RequestStats
}

// CountRequests starts a reverse proxy in front of target (a root URL such as
// OwnREST returns) for the calling test; it stops when the test ends. The
// proxy passes the client's Host header on, so that the links a server
// writes (json-server's Link header) point to the proxy.
func CountRequests(t testing.TB, target string) *Counter {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	c := &Counter{}
	c.stats = RequestStats{ByMethod: map[string]int{}, ByService: map[string]int{}}
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(&url.URL{Scheme: u.Scheme, Host: u.Host})
		r.Out.Host = r.In.Host
	}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.note(r)
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c.URL = srv.URL + u.EscapedPath()
	if !strings.HasSuffix(c.URL, "/") {
		c.URL += "/"
	}
	return c
}

func (c *Counter) note(r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	target := r.URL.RequestURI()
	c.stats.Requests++
	c.stats.ByMethod[r.Method]++
	seg, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	c.stats.ByService[seg]++
	c.stats.MaxURL = max(c.stats.MaxURL, len(target))
	c.stats.Recent = append(c.stats.Recent, r.Method+" "+target)
	if len(c.stats.Recent) > 500 {
		c.stats.Recent = c.stats.Recent[1:]
	}
}

// Stats returns a copy of the counts so far.
func (c *Counter) Stats() RequestStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.ByMethod, s.ByService = map[string]int{}, map[string]int{}
	for k, v := range c.stats.ByMethod {
		s.ByMethod[k] = v
	}
	for k, v := range c.stats.ByService {
		s.ByService[k] = v
	}
	s.Recent = append([]string(nil), c.stats.Recent...)
	return s
}

// Reset sets the counts to zero.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats = RequestStats{ByMethod: map[string]int{}, ByService: map[string]int{}}
}
