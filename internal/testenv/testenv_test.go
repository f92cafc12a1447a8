package testenv

import (
	"strings"
	"testing"
)

// recorder is a testing.TB that records Skip and Fatal instead of stopping.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()              {}
func (r *recorder) Skip(args ...any)     { r.skipped = args[0].(string) }
func (r *recorder) Fatal(args ...any)    { r.failed = args[0].(string) }
func (r *recorder) Skipf(string, ...any) {}

func TestODataURL(t *testing.T) {
	tests := []struct {
		name, url, require   string
		want                 string
		wantSkip, wantFailed bool
	}{
		{"set", "http://127.0.0.1:1/odata/v4/crm/", "", "http://127.0.0.1:1/odata/v4/crm/", false, false},
		{"set while required", "http://127.0.0.1:1/x/", "1", "http://127.0.0.1:1/x/", false, false},
		{"unset skips", "", "", "", true, false},
		{"unset fails when required", "", "1", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(ODataURLVar, tt.url)
			t.Setenv(RequireServersVar, tt.require)
			r := &recorder{TB: t}
			got := ODataURL(r)
			if got != tt.want {
				t.Errorf("ODataURL() = %q, want %q", got, tt.want)
			}
			if (r.skipped != "") != tt.wantSkip || (r.failed != "") != tt.wantFailed {
				t.Errorf("skipped %q, failed %q", r.skipped, r.failed)
			}
			for _, msg := range []string{r.skipped, r.failed} {
				if msg != "" && !strings.Contains(msg, "scripts/testservers.sh start") {
					t.Errorf("message %q does not say how to start the server", msg)
				}
			}
		})
	}
}
