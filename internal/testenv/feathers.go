package testenv

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"switchyard/internal/nodeserver"
)

// FeathersURLVar names the variable that holds the Feathers REST test server's root URL.
const FeathersURLVar = "SWITCHYARD_FEATHERS_URL"

// The variables of testdata/feathers's serve.js, for OwnFeathers (serve.js describes them).
const (
	FeathersItemsVar    = "SWITCHYARD_FEATHERS_ITEMS"    // how many items (406 by default)
	FeathersAccountsVar = "SWITCHYARD_FEATHERS_ACCOUNTS" // how many accounts (10,000 by default)
	FeathersMaxVar      = "SWITCHYARD_FEATHERS_MAX"      // the pagination cap (50 by default)
	FeathersDropVar     = "SWITCHYARD_FEATHERS_DROP"     // items: records dropped from the page that ends the list
)

// FeathersURL returns the root URL (ending in "/") of the shared Feathers
// REST test server of testdata/feathers, from $SWITCHYARD_FEATHERS_URL. When
// it is unset the test is skipped, or fails when SWITCHYARD_REQUIRE_SERVERS=1.
// The shared server must stay as seeded: tests that write use OwnFeathers.
func FeathersURL(t testing.TB) string {
	t.Helper()
	u := require(t, FeathersURLVar, "the Feathers REST test server")
	if u != "" && !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// OwnFeathers starts a fresh Feathers server of testdata/feathers for the
// calling test alone, on a free port, with its seed data, and returns its
// root URL. env adds variables for serve.js (e.g. FeathersEnv(FeathersDropVar, 3)).
// The server stops when the test ends (or, should the test process die, when
// its standard input closes). Like FeathersURL, it skips the test unless the
// test servers are set up, since it needs testdata/feathers's node_modules
// that scripts/testservers.sh installs.
func OwnFeathers(t testing.TB, env ...string) string {
	t.Helper()
	FeathersURL(t)
	_, file, _, _ := runtime.Caller(0)
	srv, err := nodeserver.Start(filepath.Join(filepath.Dir(file), "..", "..", "testdata", "feathers"), 60*time.Second,
		append([]string{"SWITCHYARD_FEATHERS_STOP_ON_EOF=1"}, env...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv.URL
}

// FeathersEnv returns the environment entry name=n for OwnFeathers.
func FeathersEnv(name string, n int) string { return fmt.Sprintf("%s=%d", name, n) }

// RequestStats are the requests a test server received since it started or
// was last reset (requests to its statistics not counted).
type RequestStats struct {
	Requests  int            `json:"requests"`
	ByMethod  map[string]int `json:"byMethod"`  // "GET": 12
	ByService map[string]int `json:"byService"` // the first path segment: "accounts": 12
	MaxURL    int            `json:"maxUrl"`    // the longest request target (path and query as sent), in bytes
	Recent    []string       `json:"recent"`    // the last request lines, "GET /items?$limit=50&$skip=0"
}

// FeathersStats returns the request counts of the Feathers test server at
// base (its root URL). Call it from the test's goroutine: it fails the test
// when the server does not answer.
func FeathersStats(t testing.TB, base string) RequestStats {
	t.Helper()
	var s RequestStats
	if err := json.Unmarshal(feathersStats(t, http.MethodGet, strings.TrimRight(base, "/")+"/test-stats"), &s); err != nil {
		t.Fatalf("the Feathers request counts: %v", err)
	}
	return s
}

// ResetFeathersStats sets the request counts of the Feathers test server at base to zero.
func ResetFeathersStats(t testing.TB, base string) {
	t.Helper()
	feathersStats(t, http.MethodPost, strings.TrimRight(base, "/")+"/test-stats/reset")
}

func feathersStats(t testing.TB, method, u string) []byte {
	t.Helper()
	return statsRequest(t, "the Feathers request counts", "testdata/feathers", method, u)
}
