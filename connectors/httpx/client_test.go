package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fast returns a config for srv whose backoff waits are a millisecond.
func fast(srv *httptest.Server) Config {
	return Config{BaseURL: srv.URL + "/svc/", RetryWait: time.Millisecond, MaxRetryWait: 5 * time.Millisecond}
}

// sequence answers the i-th request with statuses[i] (the last one repeats) and counts requests.
func sequence(t *testing.T, header http.Header, statuses ...int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		status := statuses[min(i, len(statuses)-1)]
		for k, vs := range header {
			w.Header()[k] = vs
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if status >= 400 {
			_, _ = w.Write([]byte(`{"error":{"code":"` + http.StatusText(status) + `","message":"attempt ` + string(rune('1'+i)) + ` failed"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"value":[{"n":1.50}]}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestRetryOn503HonoursRetryAfter(t *testing.T) {
	srv, n := sequence(t, http.Header{"Retry-After": {"1"}}, 503, 200)
	c := New(Config{BaseURL: srv.URL, MaxRetryWait: 3 * time.Second})
	start := time.Now()
	resp, err := c.Get(context.Background(), "Accounts", nil)
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < 900*time.Millisecond || elapsed > 2500*time.Millisecond {
		t.Errorf("waited %v, want about the 1s that Retry-After asked for", elapsed)
	}
	if n.Load() != 2 || resp.Status != 200 {
		t.Errorf("requests = %d, status = %d; want 2 requests ending in 200", n.Load(), resp.Status)
	}
}

func TestRetryAfterCappedByMaxRetryWait(t *testing.T) {
	srv, n := sequence(t, http.Header{"Retry-After": {"120"}}, 429, 200)
	start := time.Now()
	if _, err := New(fast(srv)).Get(context.Background(), "x", nil); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > time.Second || n.Load() != 2 {
		t.Errorf("took %v over %d requests; want a wait capped at MaxRetryWait", elapsed, n.Load())
	}
}

func TestRetryStatuses(t *testing.T) {
	tests := []struct {
		name         string
		method       string
		statuses     []int
		wantRequests int32
		wantStatus   int // 0: success
	}{
		{"429 then ok", "GET", []int{429, 200}, 2, 0},
		{"502 and 504 then ok", "GET", []int{502, 504, 200}, 3, 0},
		{"503 until retries run out", "GET", []int{503}, 3, 503},
		{"400 is final", "GET", []int{400, 200}, 1, 400},
		{"404 is final", "GET", []int{404, 200}, 1, 404},
		{"GET retried on 500", "GET", []int{500, 200}, 2, 0},
		{"500 on a write is final", "PUT", []int{500, 200}, 1, 500},
		{"POST not retried on 502", "POST", []int{502, 200}, 1, 502},
		{"POST retried on 503", "POST", []int{503, 201}, 2, 0},
		{"PUT retried on 504", "PUT", []int{504, 200}, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, n := sequence(t, nil, tt.statuses...)
			cfg := fast(srv)
			cfg.Retries = 2
			resp, err := New(cfg).Do(context.Background(), Request{Method: tt.method, URL: "Things", Body: []byte(`{}`)})
			if n.Load() != tt.wantRequests {
				t.Errorf("requests = %d, want %d", n.Load(), tt.wantRequests)
			}
			if tt.wantStatus == 0 {
				if err != nil {
					t.Fatalf("Do() = %v, want success", err)
				}
				return
			}
			var he *Error
			if !errors.As(err, &he) || he.Status != tt.wantStatus {
				t.Fatalf("Do() error = %v, want *Error with status %d", err, tt.wantStatus)
			}
			if resp == nil || resp.Status != tt.wantStatus {
				t.Errorf("Do() response = %+v, want the failed response too", resp)
			}
			if !strings.Contains(he.Message, "failed") {
				t.Errorf("Message = %q, want the server's message", he.Message)
			}
		})
	}
}

func TestErrorCarriesServerMessage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(404)
		_, _ = w.Write([]byte(`{"error":{"code":"404","message":"Entity set 'Foo' not found"}}`))
	}))
	defer srv.Close()
	_, err := New(Config{BaseURL: srv.URL + "/odata/v4/crm"}).Get(context.Background(), "Foo", nil)
	want := "GET " + srv.URL + "/odata/v4/crm/Foo: 404 Not Found: Entity set 'Foo' not found"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
	if StatusOf(err) != 404 {
		t.Errorf("StatusOf() = %d", StatusOf(err))
	}
}

func TestRedactionInErrorsAndLogs(t *testing.T) {
	const password, token = "hunter2-pass", "tok-3f9a1c77"
	// The server echoes what it got, as careless servers do.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("bad request " + r.URL.RawQuery + " with " + r.Header.Get("Authorization")))
	}))
	defer srv.Close()

	for _, cfg := range []Config{
		{Auth: AuthBasic, Username: "bob", Password: password},
		{Auth: AuthBearer, Token: token},
	} {
		var logs bytes.Buffer
		cfg.BaseURL = srv.URL
		cfg.Retries, cfg.RetryWait, cfg.MaxRetryWait = 1, time.Millisecond, time.Millisecond
		cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		_, err := New(cfg).Get(context.Background(), "x?access_token="+token+"&client_secret="+password, url.Values{"$top": {"1"}})
		if err == nil {
			t.Fatal("Get() succeeded against a failing server")
		}
		for _, secret := range []string{password, token, "Basic Ym9i", "Bearer tok"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error shows %q: %v", secret, err)
			}
			if strings.Contains(logs.String(), secret) {
				t.Errorf("logs show %q: %s", secret, logs.String())
			}
		}
		if !strings.Contains(err.Error(), "access_token=REDACTED") || !strings.Contains(err.Error(), "$top=1") {
			t.Errorf("error = %v, want the redacted URL", err)
		}
		if !strings.Contains(logs.String(), "retrying HTTP request") {
			t.Errorf("logs = %q, want the retry logged", logs.String())
		}
	}
}

func TestAuthHeaders(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"none", Config{}, ""},
		{"explicit none", Config{Auth: AuthNone, Token: "ignored"}, ""},
		{"basic", Config{Auth: AuthBasic, Username: "alice", Password: "s3cret"}, "Basic YWxpY2U6czNjcmV0"},
		{"bearer", Config{Auth: AuthBearer, Token: "abc.def"}, "Bearer abc.def"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got, agent string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, agent = r.Header.Get("Authorization"), r.Header.Get("User-Agent")
			}))
			defer srv.Close()
			tt.cfg.BaseURL = srv.URL
			if _, err := New(tt.cfg).Get(context.Background(), "", nil); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Authorization = %q, want %q", got, tt.want)
			}
			if agent != "Switchyard/"+Version {
				t.Errorf("User-Agent = %q", agent)
			}
		})
	}
}

func TestQuerySentWithPercent20(t *testing.T) {
	var raw string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw = r.URL.RawQuery
		if strings.Contains(raw, "+") {
			w.WriteHeader(400) // as CAP does
		}
	}))
	defer srv.Close()
	_, err := New(Config{BaseURL: srv.URL}).Get(context.Background(), "Accounts", url.Values{"$filter": {"name eq 'A B' and x eq 1+2"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "$filter=name%20eq%20'A%20B'%20and%20x%20eq%201%2B2"; raw != want {
		t.Errorf("query sent = %q, want %q", raw, want)
	}
}

func TestGetJSON(t *testing.T) {
	srv, _ := sequence(t, nil, 200)
	var out struct {
		Value []map[string]any `json:"value"`
	}
	if _, err := New(fast(srv)).GetJSON(context.Background(), "Accounts", nil, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Value) != 1 || out.Value[0]["n"] != json.Number("1.50") {
		t.Errorf("decoded %v, want one record with n as json.Number 1.50", out.Value)
	}

	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>")) }))
	defer bad.Close()
	if _, err := New(Config{BaseURL: bad.URL}).GetJSON(context.Background(), "", nil, &out); err == nil || !strings.Contains(err.Error(), "decode JSON") {
		t.Errorf("GetJSON of HTML = %v, want a decode error", err)
	}
}

func TestConnectionRefusedIsRetriedAndTyped(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // nothing listens there now

	var logs bytes.Buffer
	cfg := Config{BaseURL: addr, Retries: 2, RetryWait: time.Millisecond, MaxRetryWait: time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	_, err := New(cfg).Get(context.Background(), "x", nil)
	var he *Error
	if !errors.As(err, &he) || he.Status != 0 || he.Err == nil {
		t.Fatalf("error = %#v, want *Error with Status 0 and a cause", err)
	}
	if !strings.Contains(err.Error(), "connection refused") || !strings.HasPrefix(err.Error(), "GET "+addr+"/x: ") {
		t.Errorf("error = %v", err)
	}
	if got := strings.Count(logs.String(), "retrying HTTP request"); got != 2 {
		t.Errorf("logged %d retries, want 2:\n%s", got, logs.String())
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	srv, n := sequence(t, http.Header{"Retry-After": {"30"}}, 503)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := New(Config{BaseURL: srv.URL, MaxRetryWait: time.Minute}).Get(ctx, "x", nil)
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("Get() = %v after %v; want a prompt failure", err, time.Since(start))
	}
	if n.Load() != 1 {
		t.Errorf("requests = %d, want 1", n.Load())
	}
}

// TestTimeoutSaysSo: a service slower than the client's timeout gets one
// plain message, whether or not the caller's context can be cancelled (Go's
// own wording differs between the two).
func TestTimeoutSaysSo(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	cancellable, cancel := context.WithCancel(context.Background())
	defer cancel()
	for name, ctx := range map[string]context.Context{"background": context.Background(), "cancellable": cancellable} {
		c := New(Config{BaseURL: srv.URL, Timeout: 100 * time.Millisecond, Retries: 1, RetryWait: time.Millisecond, MaxRetryWait: time.Millisecond})
		_, err := c.Get(ctx, "Items", nil)
		if err == nil || !strings.Contains(err.Error(), "Timeout: no answer within 100ms in 2 attempts: raise the timeout setting") {
			t.Errorf("%s context: error %v, want the timeout said plainly", name, err)
		}
	}
}
