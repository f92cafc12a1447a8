package testenv

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestFeathersStats starts its own Feathers server with few records, reads
// and writes, and checks the counts and their reset.
func TestFeathersStats(t *testing.T) {
	root := OwnFeathers(t, FeathersEnv(FeathersItemsVar, 3), FeathersEnv(FeathersAccountsVar, 2), FeathersEnv(FeathersMaxVar, 2))
	do := func(method, path, body string) string {
		t.Helper()
		req, _ := http.NewRequest(method, root+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := do("GET", "items?$limit=10", ""); !strings.Contains(got, `"total":3,"limit":2,"skip":0`) {
		t.Errorf("GET items?$limit=10 = %s, want 2 of 3 (the cap)", got)
	}
	do("PATCH", "accounts/2", `{"name": "x"}`)
	s := FeathersStats(t, root)
	if s.Requests != 2 || s.ByMethod["PATCH"] != 1 || s.ByService["accounts"] != 1 ||
		!slices.Equal(s.Recent, []string{"GET /items?$limit=10", "PATCH /accounts/2"}) || s.MaxURL != len("/items?$limit=10") {
		t.Errorf("stats %+v", s)
	}
	ResetFeathersStats(t, root)
	if s := FeathersStats(t, root); s.Requests != 0 || len(s.Recent) != 0 {
		t.Errorf("after the reset: %+v", s)
	}
}

func TestCountRequests(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Host", r.Host)
		io.WriteString(w, r.URL.RequestURI())
	}))
	defer backend.Close()
	c := CountRequests(t, backend.URL+"/api/")
	resp, err := http.Get(c.URL + "things?a=1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "/api/things?a=1" || !strings.HasPrefix(c.URL, "http://"+resp.Header.Get("X-Host")+"/") {
		t.Errorf("the backend saw %q with Host %q; the proxy is %s", b, resp.Header.Get("X-Host"), c.URL)
	}
	if s := c.Stats(); s.Requests != 1 || s.ByService["api"] != 1 || s.Recent[0] != "GET /api/things?a=1" {
		t.Errorf("stats %+v", s)
	}
	c.Reset()
	if s := c.Stats(); s.Requests != 0 {
		t.Errorf("after the reset: %+v", s)
	}
}
