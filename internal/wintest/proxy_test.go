package wintest

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"switchyard/internal/nodeserver"
)

// startCAP starts the CAP server of testdata/cap for this test alone.
func startCAP(t *testing.T, dir string) string {
	t.Helper()
	srv, err := nodeserver.Start(dir, 90*time.Second, "SWITCHYARD_CAP_STOP_ON_EOF=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv.URL
}

// gate is a reverse proxy in front of the CAP server that asks for basic
// authentication (CAP's test service asks for none), so that a run only
// succeeds with the sealed password opened again, and that can slow down or
// hold the reads of records, so that a run holds its lock while another starts.
type gate struct {
	user, password string
	srv            *httptest.Server

	mu    sync.Mutex
	delay time.Duration
	hold  chan struct{} // while not nil, reads of records wait until it is closed
	seen  int           // record reads that reached the gate
}

// newGate starts a gate in front of the CAP server whose CRM service root is root,
// and returns it with the root to give Switchyard.
func newGate(t *testing.T, root, user, password string) (*gate, string) {
	t.Helper()
	u, err := url.Parse(root)
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{user: user, password: password}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name, pw, ok := r.BasicAuth(); !ok || name != g.user || pw != g.password {
			w.Header().Set("WWW-Authenticate", `Basic realm="switchyard wintest"`)
			http.Error(w, "401 Unauthorized: wrong or no password", http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodGet && !strings.Contains(r.URL.Path, "$metadata") && strings.Trim(r.URL.Path, "/") != strings.Trim(u.Path, "/") {
			g.mu.Lock()
			d, hold := g.delay, g.hold
			g.seen++
			g.mu.Unlock()
			if hold != nil {
				select {
				case <-hold:
				case <-r.Context().Done():
					return
				}
			}
			time.Sleep(d)
		}
		r.Header.Del("Authorization")
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		g.release()
		g.srv.Close()
	})
	return g, g.srv.URL + u.Path
}

// slow makes every read of records take d more.
func (g *gate) slow(d time.Duration) {
	g.mu.Lock()
	g.delay = d
	g.mu.Unlock()
}

// block makes reads of records wait until release; it returns the count of reads seen so far.
func (g *gate) block() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.hold == nil {
		g.hold = make(chan struct{})
	}
	return g.seen
}

// reads returns how many reads of records reached the gate.
func (g *gate) reads() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.seen
}

// release lets held reads go on and stops holding new ones.
func (g *gate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.hold != nil {
		close(g.hold)
		g.hold = nil
	}
}
