package testenv

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// CAPSitesVar names the variable that makes testdata/cap's serve.js generate
// that many Sites and as many Inspections in its test service (none by
// default); serve.js describes the generated values.
const CAPSitesVar = "SWITCHYARD_CAP_SITES"

// CAPSites returns the environment entry for OwnCAP that generates n Sites
// and n Inspections, e.g. OwnCAP(t, CAPSites(20000)).
func CAPSites(n int) string { return fmt.Sprintf("%s=%d", CAPSitesVar, n) }

// CAPTestService returns the root of the test service (/odata/v4/test/, with
// Sites and Inspections) of the CAP server at u, which may be the server's
// root or any URL on it, such as the CRM service root that OwnCAP returns.
func CAPTestService(u string) string { return capURL(u, "/odata/v4/test/") }

// WriteStats are the writes a CAP test server of testdata/cap received since
// it started or was last reset (GET /test-stats/writes). POST, PATCH, PUT and
// DELETE requests count as writes, and so does each such operation inside a
// $batch, whatever the server answered; a $batch request itself counts only
// in Batches.
type WriteStats struct {
	Total    int            `json:"total"`
	ByMethod map[string]int `json:"byMethod"` // "PATCH": 3
	ByEntity map[string]int `json:"byEntity"` // entity set: "Sites": 2
	Batches  int            `json:"batches"`  // $batch requests
	Requests int            `json:"requests"` // all requests, reads too (not those to /test-stats/)
	MaxURL   int            `json:"maxUrl"`   // the longest request target (path and query as sent), in bytes
}

// CAPWrites returns the write counts of the CAP test server at base (its
// root, or any URL on it: only the scheme and host are used). Call it from
// the test's goroutine: it fails the test when the server does not answer.
func CAPWrites(t testing.TB, base string) WriteStats {
	t.Helper()
	var w WriteStats
	if err := json.Unmarshal(capStats(t, http.MethodGet, capURL(base, "/test-stats/writes")), &w); err != nil {
		t.Fatalf("the CAP write counts: %v", err)
	}
	return w
}

// ResetCAPWrites sets the write counts of the CAP test server at base (as for
// CAPWrites) to zero, and its MaxURL too.
func ResetCAPWrites(t testing.TB, base string) {
	t.Helper()
	capStats(t, http.MethodPost, capURL(base, "/test-stats/reset"))
}

func capStats(t testing.TB, method, u string) []byte {
	t.Helper()
	return statsRequest(t, "the CAP write counts", "testdata/cap", method, u)
}

// statsRequest sends a request to a test server's /test-stats/ endpoint and
// returns the body of its 200 answer; what names the counts and dir the
// server's folder, for the failure message.
func statsRequest(t testing.TB, what, dir, method, u string) []byte {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %s %s: %s %v: %.200s (is this %s's serve.js?)", what, method, u, resp.Status, err, body, dir)
	}
	return body
}

// capURL returns u with its path replaced by path and no query.
func capURL(u, path string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return strings.TrimRight(u, "/") + path
	}
	return (&url.URL{Scheme: p.Scheme, User: p.User, Host: p.Host, Path: path}).String()
}
