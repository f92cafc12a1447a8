package testenv

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestCAPURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"http://127.0.0.1:4004/odata/v4/crm/", "http://127.0.0.1:4004/odata/v4/test/"},
		{"http://127.0.0.1:4004", "http://127.0.0.1:4004/odata/v4/test/"},
		{"http://127.0.0.1:4004/odata/v4/test/Sites?$top=1", "http://127.0.0.1:4004/odata/v4/test/"},
	} {
		if got := CAPTestService(tt.in); got != tt.want {
			t.Errorf("CAPTestService(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := CAPSites(20000); got != "SWITCHYARD_CAP_SITES=20000" {
		t.Errorf("CAPSites(20000) = %q", got)
	}
}

// TestCAPWrites starts its own CAP server with a few Sites, writes to it
// directly and in a JSON $batch, and reads and resets the counts.
func TestCAPWrites(t *testing.T) {
	root := OwnCAP(t, CAPSites(3), "SWITCHYARD_CAP_STOP_ON_EOF=1")
	svc := CAPTestService(root)
	do := func(method, path, contentType, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, svc+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	code, body := do("GET", "Sites?$count=true&$top=1", "", "")
	var page struct {
		Count int `json:"@odata.count"`
		Value []struct {
			ID string
		} `json:"value"`
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil || code != 200 || page.Count != 3 || len(page.Value) != 1 ||
		page.Value[0].ID != "00000000-0000-4000-8000-000000000001" {
		t.Fatalf("GET Sites: %d %s (%v)", code, body, err)
	}
	if w := CAPWrites(t, root); w.Total != 0 || w.Requests != 1 || w.MaxURL != len("/odata/v4/test/Sites?$count=true&$top=1") {
		t.Errorf("after a read: %+v", w)
	}

	if code, body := do("PATCH", "Sites(00000000-0000-4000-8000-000000000001)", "application/json", `{"notes":"x"}`); code != 200 {
		t.Fatalf("PATCH: %d %s", code, body)
	}
	batch := `{"requests":[
		{"id":"1","method":"PATCH","url":"Sites(00000000-0000-4000-8000-000000000002)","headers":{"content-type":"application/json"},"body":{"notes":"y"}},
		{"id":"2","method":"PATCH","url":"Inspections(00000000-0000-4000-9000-000000000002)","headers":{"content-type":"application/json"},"body":{"score":5}},
		{"id":"3","method":"GET","url":"Sites?$top=1"}]}`
	if code, body := do("POST", "$batch", "application/json", batch); code != 200 || strings.Count(body, `"status":200`) != 3 {
		t.Fatalf("$batch: %d %s", code, body)
	}
	w := CAPWrites(t, root)
	if w.Total != 3 || w.ByMethod["PATCH"] != 3 || len(w.ByMethod) != 1 || w.ByEntity["Sites"] != 2 ||
		w.ByEntity["Inspections"] != 1 || w.Batches != 1 || w.Requests != 3 {
		t.Errorf("after a PATCH and a $batch of two: %+v", w)
	}

	// Node's default header limit is in place: a request target of 17,000 bytes gets 431.
	long := "Sites?$filter=name%20eq%20'" + strings.Repeat("x", 17000) + "'"
	if code, _ := do("GET", long, "", ""); code != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("GET with a 17 KB URL: %d, want 431", code)
	}

	ResetCAPWrites(t, root)
	if w := CAPWrites(t, root); w.Total != 0 || len(w.ByMethod) != 0 || len(w.ByEntity) != 0 || w.Requests != 0 || w.MaxURL != 0 {
		t.Errorf("after the reset: %+v", w)
	}
}
