package testenv

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"switchyard/internal/nodeserver"
)

// RESTURLVar names the variable that holds the json-server REST test server's root URL.
const RESTURLVar = "SWITCHYARD_REST_URL"

// RESTURL returns the root URL (ending in "/") of the shared json-server REST
// test server of testdata/rest, from $SWITCHYARD_REST_URL. When it is unset
// the test is skipped, or fails when SWITCHYARD_REQUIRE_SERVERS=1. The shared
// server must stay as seeded: tests that write use OwnREST.
func RESTURL(t testing.TB) string {
	t.Helper()
	u := require(t, RESTURLVar, "the json-server REST test server")
	if u != "" && !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// OwnREST starts a fresh json-server of testdata/rest for the calling test
// alone, on a free port, with a fresh copy of its seed data, and returns its
// root URL. Use it for tests that write. The server stops when the test ends
// (or, should the test process die, when its standard input closes). Like
// RESTURL, it skips the test unless the test servers are set up, since it
// needs testdata/rest's node_modules that scripts/testservers.sh installs.
func OwnREST(t testing.TB) string {
	t.Helper()
	RESTURL(t)
	_, file, _, _ := runtime.Caller(0)
	srv, err := nodeserver.Start(filepath.Join(filepath.Dir(file), "..", "..", "testdata", "rest"), 60*time.Second, "SWITCHYARD_REST_STOP_ON_EOF=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv.URL
}
