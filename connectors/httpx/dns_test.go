package httpx

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestNoSuchHostFailsAtOnce: a host name that does not resolve is not tried
// again (waiting does not make it exist), and the error says so in a few words.
func TestNoSuchHostFailsAtOnce(t *testing.T) {
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		host, _, _ := net.SplitHostPort(addr)
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
	}}
	var logs bytes.Buffer
	c := New(Config{BaseURL: "http://crm.example.invalid/svc/", Retries: 4, RetryWait: time.Second, Transport: tr,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	start := time.Now()
	_, err := c.Get(context.Background(), "Accounts", nil)
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("took %v: a host that does not resolve was waited for", took)
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("dialled %d times, want 1", n)
	}
	var he *Error
	if !errors.As(err, &he) || he.Status != 0 {
		t.Fatalf("error = %#v, want *Error with Status 0", err)
	}
	if want := "GET http://crm.example.invalid/svc/Accounts: no such host crm.example.invalid: check the URL"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	var dns *net.DNSError
	if !errors.As(err, &dns) {
		t.Errorf("error %v does not unwrap to the *net.DNSError", err)
	}
	if strings.Contains(logs.String(), "retrying") {
		t.Errorf("logged a retry:\n%s", logs.String())
	}
}

// TestNoSuchHostRealResolver does the same through the system's resolver with
// a name that can never resolve (RFC 6761 reserves .invalid).
func TestNoSuchHostRealResolver(t *testing.T) {
	if _, err := net.DefaultResolver.LookupHost(context.Background(), "nonexistent.invalid"); err == nil {
		t.Skip("the resolver answers for nonexistent.invalid")
	} else if dns := (*net.DNSError)(nil); !errors.As(err, &dns) || !dns.IsNotFound {
		t.Skipf("the resolver does not say 'no such host' here: %v", err)
	}
	c := New(Config{BaseURL: "http://nonexistent.invalid/svc/", Retries: 4, RetryWait: time.Second})
	start := time.Now()
	_, err := c.Get(context.Background(), "$metadata", nil)
	if err == nil || !strings.HasSuffix(err.Error(), ": no such host nonexistent.invalid: check the URL") {
		t.Errorf("error = %v", err)
	}
	if took := time.Since(start); took > 900*time.Millisecond {
		t.Errorf("took %v, want a failure at once (no retries)", took)
	}
}

// TestRetriesAreNotWarnings: retries are logged at Info and requests at
// Debug, so that a logger at Warn (a command line without -v) stays quiet.
func TestRetriesAreNotWarnings(t *testing.T) {
	srv, n := sequence(t, nil, 503, 503, 200)
	for _, tt := range []struct {
		level slog.Level
		want  []string
		not   []string
	}{
		{slog.LevelWarn, nil, []string{"retrying", "HTTP request"}},
		{slog.LevelInfo, []string{`level=INFO msg="retrying HTTP request"`, "attempt=1", "attempt=2", "status=503"}, []string{"msg=\"HTTP request\""}},
		{slog.LevelDebug, []string{"retrying HTTP request", `level=DEBUG msg="HTTP request" method=GET url=` + srv.URL + "/svc/Accounts attempts=3 status=200"}, nil},
	} {
		n.Store(0)
		var logs bytes.Buffer
		cfg := fast(srv)
		cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: tt.level}))
		if _, err := New(cfg).Get(context.Background(), "Accounts", nil); err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(logs.String(), w) {
				t.Errorf("level %v: logs lack %q:\n%s", tt.level, w, logs.String())
			}
		}
		for _, w := range tt.not {
			if strings.Contains(logs.String(), w) {
				t.Errorf("level %v: logs show %q:\n%s", tt.level, w, logs.String())
			}
		}
	}
}

// TestRefusedConnectionStillRetried: unlike a missing host, a refused
// connection is tried again (the service may be restarting).
func TestRefusedConnectionStillRetried(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close()
	var logs bytes.Buffer
	cfg := Config{BaseURL: addr, Retries: 1, RetryWait: time.Millisecond, MaxRetryWait: time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	if _, err := New(cfg).Get(context.Background(), "x", nil); err == nil || strings.Contains(err.Error(), "no such host") {
		t.Fatalf("error = %v", err)
	}
	if got := strings.Count(logs.String(), "retrying HTTP request"); got != 1 {
		t.Errorf("logged %d retries, want 1", got)
	}
}
