package httpx

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// writeCA writes the TLS test server's certificate as a PEM bundle and returns its path.
func writeCA(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTLSVerificationAndCABundle(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, `{"ok": true}`)
	}))
	defer srv.Close()
	ca := writeCA(t, srv)
	notPEM := filepath.Join(t.TempDir(), "ca.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		caFile  string
		wantErr string
		wantHit bool
	}{
		{"verified by default: a self-signed server is refused", "", "certificate is not trusted", false},
		{"the CA bundle trusts it", ca, "", true},
		{"a missing CA bundle", filepath.Join(t.TempDir(), "none.pem"), "no such file", false},
		{"a CA bundle without certificates", notPEM, "holds no PEM certificate", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits.Store(0)
			c := New(Config{BaseURL: srv.URL, CAFile: tt.caFile, Retries: 3, RetryWait: time.Millisecond})
			resp, err := c.Get(context.Background(), "x", nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
			} else if err != nil || resp.Status != 200 {
				t.Fatalf("GET: %v", err)
			}
			// A refused certificate is final: the handshake is not retried and no request reaches the handler.
			if got := hits.Load() > 0; got != tt.wantHit {
				t.Errorf("handler reached: %v, want %v", got, tt.wantHit)
			}
		})
	}
}

func TestNewTransportDefaults(t *testing.T) {
	tr, err := NewTransport("")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Proxy == nil {
		t.Error("the transport does not take proxies from the environment")
	}
	if tr.TLSClientConfig == nil || tr.TLSClientConfig.InsecureSkipVerify || tr.TLSClientConfig.MinVersion == 0 {
		t.Errorf("TLS config %+v: want verification on and a minimum version", tr.TLSClientConfig)
	}
}

// TestProxyFromEnvironment runs itself in a child process with HTTP_PROXY
// set (Go reads the proxy variables once per process) and checks that a
// request to a non-local host goes through the proxy.
func TestProxyFromEnvironment(t *testing.T) {
	if os.Getenv("SWITCHYARD_PROXY_CHILD") == "1" {
		c := New(Config{Retries: -1})
		resp, err := c.Get(context.Background(), "http://switchyard-proxy-test.invalid/svc/$metadata?x=1", nil)
		if err != nil {
			fmt.Println("CHILD-ERROR", err)
			os.Exit(1)
		}
		fmt.Println("CHILD-BODY", string(resp.Body))
		os.Exit(0)
	}
	var seen atomic.Value
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.Method + " " + r.RequestURI)
		fmt.Fprint(w, "via proxy")
	}))
	defer proxy.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestProxyFromEnvironment$")
	cmd.Env = append(os.Environ(), "SWITCHYARD_PROXY_CHILD=1", "HTTP_PROXY="+proxy.URL, "http_proxy="+proxy.URL, "NO_PROXY=", "no_proxy=")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "CHILD-BODY via proxy") {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if got, _ := seen.Load().(string); got != "GET http://switchyard-proxy-test.invalid/svc/$metadata?x=1" {
		t.Errorf("the proxy saw %q", got)
	}
}
