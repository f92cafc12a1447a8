package ui

import (
	"strings"
	"testing"

	"switchyard/core/connector"
)

// TestSignInIsShown: a connector asking for a device-code sign-in through
// the UI's context reaches the admin in a dialog; retries do not.
func TestSignInIsShown(t *testing.T) {
	f := newFixture(t)
	log := connector.Logger(f.shell.ctx())
	log.Warn("retrying HTTP request", "attempt", 2)
	log.Warn("sign in to the OData service: open https://microsoft.com/devicelogin and enter the code ABCD-1234")
	waitFor(t, "the sign-in dialog", func() bool { return strings.Contains(f.shell.lastNotice, "ABCD-1234") })
	if !f.shows("Sign in to the service") || !f.shows("enter the code ABCD-1234") {
		t.Fatalf("the sign-in dialog is not on screen: %q", f.texts())
	}
	if strings.Contains(f.shell.lastNotice, "retrying") {
		t.Fatalf("a retry was shown: %q", f.shell.lastNotice)
	}
}
