package testenv

import (
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"switchyard/internal/nodeserver"
)

// OwnCAP starts a fresh CAP OData server of testdata/cap for the calling
// test alone, with its seed data, and returns its CRM service root. Use it
// for tests that write: the shared server must stay as seeded. env adds
// variables for serve.js (e.g. "CDS_QUERY_LIMIT_DEFAULT=50"). The server is
// stopped when the test ends. Like ODataURL, it skips the test unless the
// test servers are set up (SWITCHYARD_REQUIRE_SERVERS=1 makes that a failure),
// since it needs testdata/cap's node_modules that scripts/testservers.sh installs.
func OwnCAP(t testing.TB, env ...string) string {
	t.Helper()
	ODataURL(t)
	_, file, _, _ := runtime.Caller(0)
	srv, err := nodeserver.Start(filepath.Join(filepath.Dir(file), "..", "..", "testdata", "cap"), 90*time.Second, env...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv.URL
}
