package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// authServer is an OAuth2 token endpoint (/token, /device) and an API (/svc/)
// that accepts only the latest access token it issued; revoke makes it refuse
// the current one, as when a token expires early.
type authServer struct {
	srv       *httptest.Server
	issued    atomic.Int32
	apiCalls  atomic.Int32
	mu        sync.Mutex
	valid     string
	grants    []string
	refreshes []string
}

func newAuthServer(t *testing.T) *authServer {
	t.Helper()
	a := &authServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		a.mu.Lock()
		defer a.mu.Unlock()
		grant := r.Form.Get("grant_type")
		a.grants = append(a.grants, grant)
		switch grant {
		case "client_credentials":
			if id, secret, ok := r.BasicAuth(); !(ok && id == "app" && secret == "s3cret-value") && r.Form.Get("client_secret") != "s3cret-value" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(401)
				fmt.Fprint(w, `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}`)
				return
			}
		case "refresh_token":
			a.refreshes = append(a.refreshes, r.Form.Get("refresh_token"))
		}
		n := a.issued.Add(1)
		a.valid = fmt.Sprintf("access-%d", n)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600,"refresh_token":"refresh-%d"}`, a.valid, n)
	})
	mux.HandleFunc("/device", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"device_code":"dev-1","user_code":"ABCD-EFGH","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":1}`)
	})
	mux.HandleFunc("/svc/", func(w http.ResponseWriter, r *http.Request) {
		a.apiCalls.Add(1)
		a.mu.Lock()
		ok := r.Header.Get("Authorization") == "Bearer "+a.valid && a.valid != ""
		a.mu.Unlock()
		if !ok {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":{"code":"0x80072182","message":"The access token has expired"}}`)
			return
		}
		fmt.Fprint(w, `{"value":[]}`)
	})
	a.srv = httptest.NewServer(mux)
	t.Cleanup(a.srv.Close)
	return a
}

func (a *authServer) revoke() { a.mu.Lock(); a.valid = "revoked"; a.mu.Unlock() }

func TestClientCredentialsRefreshOn401(t *testing.T) {
	a := newAuthServer(t)
	c := New(Config{BaseURL: a.srv.URL + "/svc/", Auth: AuthClientCredentials, RetryWait: time.Millisecond,
		OAuth: OAuth{TokenURL: a.srv.URL + "/token", ClientID: "app", ClientSecret: "s3cret-value", Scopes: []string{"https://org.crm.dynamics.com/.default"}}})
	ctx := context.Background()
	for i := range 3 {
		if _, err := c.Get(ctx, "accounts", nil); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if got := a.issued.Load(); got != 1 {
		t.Errorf("tokens issued = %d, want 1 (cached across requests)", got)
	}
	a.revoke() // the token expires mid-run
	if _, err := c.Get(ctx, "accounts", nil); err != nil {
		t.Fatalf("after revoking: %v", err)
	}
	if got, calls := a.issued.Load(), a.apiCalls.Load(); got != 2 || calls != 5 {
		t.Errorf("tokens issued = %d, API calls = %d; want 2 and 5 (one 401, then the retry with a new token)", got, calls)
	}
}

func TestClientCredentialsBadSecret(t *testing.T) {
	a := newAuthServer(t)
	c := New(Config{BaseURL: a.srv.URL + "/svc/", Auth: AuthClientCredentials,
		OAuth: OAuth{TokenURL: a.srv.URL + "/token", ClientID: "app", ClientSecret: "wrong-secret"}})
	_, err := c.Get(context.Background(), "accounts", nil)
	if !errors.Is(err, ErrSignIn) || !strings.Contains(err.Error(), "Invalid client secret") || !strings.Contains(err.Error(), "check the tenant, client id and client secret") {
		t.Fatalf("error = %v, want a sign-in error with the server's description", err)
	}
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("error reveals the secret: %v", err)
	}
	if a.apiCalls.Load() != 0 {
		t.Errorf("the API was called %d times without a token", a.apiCalls.Load())
	}
}

func TestDeviceCodeFlow(t *testing.T) {
	a := newAuthServer(t)
	var shown, saved []string
	o := OAuth{TokenURL: a.srv.URL + "/token", DeviceAuthURL: a.srv.URL + "/device", ClientID: "app",
		OnDeviceCode:   func(uri, code string, _ time.Time) { shown = append(shown, uri+" "+code) },
		OnRefreshToken: func(rt string) { saved = append(saved, rt) }}
	c := New(Config{BaseURL: a.srv.URL + "/svc/", Auth: AuthDeviceCode, OAuth: o, RetryWait: time.Millisecond})
	if _, err := c.Get(context.Background(), "accounts", nil); err != nil {
		t.Fatal(err)
	}
	if len(shown) != 1 || shown[0] != "https://microsoft.com/devicelogin ABCD-EFGH" {
		t.Errorf("shown = %q, want the verification URL and code once", shown)
	}
	if len(saved) != 1 || saved[0] != "refresh-1" {
		t.Errorf("saved refresh tokens = %q, want refresh-1", saved)
	}

	// A later run starts from the stored refresh token: no code is shown.
	shown = nil
	o.RefreshToken = saved[0]
	c2 := New(Config{BaseURL: a.srv.URL + "/svc/", Auth: AuthDeviceCode, OAuth: o, RetryWait: time.Millisecond})
	if _, err := c2.Get(context.Background(), "accounts", nil); err != nil {
		t.Fatal(err)
	}
	if len(shown) != 0 || len(a.refreshes) != 1 || a.refreshes[0] != "refresh-1" || saved[len(saved)-1] != "refresh-2" {
		t.Errorf("shown %q, refreshes %q, saved %q; want a refresh with refresh-1 and refresh-2 saved", shown, a.refreshes, saved)
	}
}

func TestDeviceCodeHeadlessWithoutRefreshToken(t *testing.T) {
	a := newAuthServer(t)
	c := New(Config{BaseURL: a.srv.URL + "/svc/", Auth: AuthDeviceCode,
		OAuth: OAuth{TokenURL: a.srv.URL + "/token", DeviceAuthURL: a.srv.URL + "/device", ClientID: "app"}})
	_, err := c.Get(context.Background(), "accounts", nil)
	if !errors.Is(err, ErrSignIn) || !strings.Contains(err.Error(), "sign in once there") {
		t.Fatalf("error = %v, want ErrSignIn telling to sign in from the app", err)
	}
}

func TestMaxInFlight(t *testing.T) {
	var cur, peak atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := cur.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		cur.Add(-1)
		fmt.Fprint(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	tests := []struct{ limit, want int32 }{{2, 2}, {3, 3}}
	for _, tt := range tests {
		peak.Store(0)
		c := New(Config{BaseURL: srv.URL, MaxInFlight: int(tt.limit)})
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if _, err := c.Get(context.Background(), "x", nil); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got := peak.Load(); got != tt.want {
			t.Errorf("MaxInFlight %d: peak in flight = %d, want %d", tt.limit, got, tt.want)
		}
	}
}
