// Package testenv tells tests where the project's test servers run.
//
// scripts/testservers.sh start launches them on 127.0.0.1 and prints the
// environment to export. A test that needs a server asks here: when the
// variable is unset the test is skipped, unless SWITCHYARD_REQUIRE_SERVERS=1
// (as in CI), which makes it fail instead.
package testenv

import (
	"os"
	"testing"
)

// Environment variables read by this package.
const (
	ODataURLVar       = "SWITCHYARD_ODATA_URL"
	RequireServersVar = "SWITCHYARD_REQUIRE_SERVERS"
)

// ODataURL returns the service root of the SAP CAP OData test server, from
// $SWITCHYARD_ODATA_URL. When it is unset the test is skipped, or fails when
// SWITCHYARD_REQUIRE_SERVERS=1.
func ODataURL(t testing.TB) string {
	t.Helper()
	return require(t, ODataURLVar, "the CAP OData test server")
}

func require(t testing.TB, name, what string) string {
	t.Helper()
	if v := os.Getenv(name); v != "" {
		return v
	}
	msg := "$" + name + " is not set: " + what + " is not running; start it with scripts/testservers.sh start"
	if os.Getenv(RequireServersVar) == "1" {
		t.Fatal(msg + " (" + RequireServersVar + "=1 makes this a failure)")
		return ""
	}
	t.Skip(msg)
	return ""
}
