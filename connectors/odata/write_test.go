package odata

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

// captured is one request a fake service saw.
type captured struct {
	method, path, ifMatch string
	body                  map[string]any
}

// recorder answers every write with status and records what it was sent.
func recorder(t *testing.T, status int) (*httptest.Server, func() []captured) {
	t.Helper()
	var mu sync.Mutex
	var got []captured
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c := captured{method: r.Method, path: r.URL.Path, ifMatch: r.Header.Get("If-Match")}
		_ = json.Unmarshal(b, &c.body)
		mu.Lock()
		got = append(got, c)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if status >= 400 {
			_, _ = io.WriteString(w, `{"error":{"code":"x","message":"the service says no"}}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() []captured { mu.Lock(); defer mu.Unlock(); return append([]captured(nil), got...) }
}

func TestWriteDataverseLookupsAsBind(t *testing.T) {
	_, entities, _ := parseFixture(t, "dynamics-crm-webapi-v8.xml")
	srv, got := recorder(t, http.StatusNoContent)
	c := quickClient(t, srv, spec.Values{"preset": "dynamics", "batch": "none"}, time.Millisecond)
	c.SetCatalog(entities)
	c.newGUID = func() string { return "0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0009" }
	res, err := c.Write(context.Background(), "accounts", connector.Create, []meta.Record{{
		"name": "Contoso", "parentaccountid": "0A7F9A9E-58E5-4F5B-9C6E-2B9C4C1D0001", "primarycontactid": nil,
		"revenue": json.Number("1000.10"), "openrevenue": 5.0, // read-only: left out
	}})
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res[0].Err)
	}
	if res[0].Key != "0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0009" {
		t.Errorf("key = %q, want the locally made Guid", res[0].Key)
	}
	req := got()[0]
	want := map[string]any{"accountid": "0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0009", "name": "Contoso",
		"parentaccountid@odata.bind": "/accounts(0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0001)", "primarycontactid@odata.bind": nil, "revenue": 1000.1}
	if req.method != http.MethodPost || req.path != "/svc/accounts" || len(req.body) != len(want) {
		t.Fatalf("request = %+v, want POST /svc/accounts with %v", req, want)
	}
	for k, v := range want {
		if req.body[k] != v {
			t.Errorf("body[%s] = %#v, want %#v", k, req.body[k], v)
		}
	}
}

func TestWriteStatusMapping(t *testing.T) {
	tests := []struct {
		status  int
		op      connector.Op
		wantIs  error
		wantMsg string
	}{
		{http.StatusNotFound, connector.Update, connector.ErrDeleted, "deleted in the external system"},
		{http.StatusNotFound, connector.Delete, connector.ErrDeleted, "deleted in the external system"},
		{http.StatusPreconditionFailed, connector.Update, connector.ErrConflict, "412 Precondition Failed: the service says no"},
		{http.StatusPreconditionRequired, connector.Delete, connector.ErrConflict, "requires the record's ETag"},
		{http.StatusBadRequest, connector.Update, nil, "400 Bad Request: the service says no"},
	}
	for _, tt := range tests {
		t.Run(string(tt.op)+" "+http.StatusText(tt.status), func(t *testing.T) {
			srv, got := recorder(t, tt.status)
			c := quickClient(t, srv, nil, time.Millisecond)
			c.SetCatalog([]meta.Entity{{Name: "accounts", Key: []string{"accountid"}, Fields: []meta.Field{{Name: "accountid", Type: meta.GUID}, {Name: "name", Type: meta.String}}}})
			res, err := c.Write(context.Background(), "accounts", tt.op, []meta.Record{{"accountid": "0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0001", "name": "x", connector.ETagKey: `W/"7"`}})
			if err != nil {
				t.Fatal(err)
			}
			if res[0].Err == nil || !strings.Contains(res[0].Err.Error(), tt.wantMsg) || (tt.wantIs != nil && !errors.Is(res[0].Err, tt.wantIs)) {
				t.Errorf("error = %v, want %q", res[0].Err, tt.wantMsg)
			}
			if reqs := got(); len(reqs) != 1 || reqs[0].ifMatch != `W/"7"` || reqs[0].path != "/svc/accounts(0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0001)" {
				t.Errorf("requests = %+v, want one with If-Match W/\"7\" (no retry storm)", reqs)
			}
		})
	}
}

func TestParseMultipartBatch(t *testing.T) {
	body := strings.ReplaceAll(`--batchresponse_1
Content-Type: application/http
Content-Transfer-Encoding: binary

HTTP/1.1 201 Created
Content-Type: application/json; odata.metadata=minimal
OData-EntityId: https://org.crm.dynamics.com/api/data/v9.2/accounts(0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0001)

{"accountid":"0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0001"}
--batchresponse_1
Content-Type: multipart/mixed; boundary=changesetresponse_2

--changesetresponse_2
Content-Type: application/http
Content-Transfer-Encoding: binary
Content-ID: 2

HTTP/1.1 412 Precondition Failed
Content-Type: application/json

{"error":{"code":"0x80060882","message":"The version of the existing record doesn't match"}}
--changesetresponse_2--
--batchresponse_1
Content-Type: application/http
Content-Transfer-Encoding: binary

HTTP/1.1 204 No Content


--batchresponse_1--
`, "\n", "\r\n")
	replies, err := parseMultipartBatch("multipart/mixed; boundary=batchresponse_1", []byte(body), 4)
	if err != nil {
		t.Fatal(err)
	}
	got := []int{replies[0].status, replies[1].status, replies[2].status}
	if got[0] != 201 || got[1] != 412 || got[2] != 204 || !errors.Is(replies[3].err, errNotProcessed) {
		t.Errorf("statuses = %v, fourth error %v; want 201, 412, 204 and the fourth not processed", got, replies[3].err)
	}
	if !bytes.Contains(replies[1].body, []byte("doesn't match")) {
		t.Errorf("412 body = %s", replies[1].body)
	}
	if _, err := parseMultipartBatch("application/json", []byte(`{}`), 1); err == nil {
		t.Error("a JSON body parsed as multipart")
	}
}

func TestValueCodecs(t *testing.T) {
	tests := []struct {
		typ     meta.Type
		in      any
		want    any
		wantErr bool
	}{
		{meta.Int, json.Number("42"), int64(42), false},
		{meta.Int, "9007199254740993", int64(9007199254740993), false},
		{meta.Int, json.Number("4.5"), nil, true},
		{meta.Decimal, json.Number("0.10"), json.Number("0.10"), false},
		{meta.Decimal, "12345678901234567890.12", json.Number("12345678901234567890.12"), false},
		{meta.Double, json.Number("1.5"), 1.5, false},
		{meta.Double, "INF", math.Inf(1), false},
		{meta.Bool, true, true, false},
		{meta.Bool, "true", nil, true},
		{meta.Date, "2024-02-29", "2024-02-29", false},
		{meta.Date, "2024-02-30", nil, true},
		{meta.DateTime, "2024-02-29T23:30:00-02:00", time.Date(2024, 3, 1, 1, 30, 0, 0, time.UTC), false},
		{meta.GUID, "AEA00B94-3481-5DF7-B7E1-89EC3DA7558F", "aea00b94-3481-5df7-b7e1-89ec3da7558f", false},
		{meta.String, json.Number("3"), "3", false}, // a numeric enum value
		{meta.String, nil, nil, false},
	}
	for _, tt := range tests {
		got, err := decodeValue(tt.typ, tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("decodeValue(%s, %#v) = %#v, %v; want %#v, error %v", tt.typ, tt.in, got, err, tt.want, tt.wantErr)
		}
	}

	plus2 := time.FixedZone("+02", 2*3600)
	enc := []struct {
		typ     meta.Type
		in      any
		want    any
		wantErr bool
	}{
		{meta.Date, time.Date(2024, 3, 1, 0, 30, 0, 0, plus2), "2024-03-01", false}, // never shifted to the previous day
		{meta.Date, "2024-03-01", "2024-03-01", false},
		{meta.DateTime, time.Date(2024, 3, 1, 0, 30, 0, 0, plus2), "2024-02-29T22:30:00Z", false},
		{meta.Decimal, json.Number("0.10"), json.Number("0.10"), false},
		{meta.Decimal, " 7.25 ", json.Number("7.25"), false},
		{meta.Int, "seven", nil, true},
		{meta.Double, math.NaN(), nil, true},
		{meta.GUID, "AB-CD", "ab-cd", false},
		{meta.Bool, "false", false, false},
	}
	for _, tt := range enc {
		got, err := encodeValue(tt.typ, tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("encodeValue(%s, %#v) = %#v, %v; want %#v, error %v", tt.typ, tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestKeysAndPaths(t *testing.T) {
	e := meta.Entity{Name: "Order_Details", Key: []string{"OrderID", "Code"},
		Fields: []meta.Field{{Name: "OrderID", Type: meta.Int}, {Name: "Code", Type: meta.String}}}
	c := &Client{settings: Settings{Preset: Presets[PresetGeneric]}}
	pred, key, err := c.keyPredicate(e, meta.Record{"OrderID": int64(10248), "Code": "O'Brien & Sons"})
	if err != nil || pred != "OrderID=10248,Code='O''Brien%20&%20Sons'" || key != "OrderID=10248,Code=O'Brien & Sons" {
		t.Errorf("keyPredicate = %q, %q, %v", pred, key, err)
	}
	if _, _, err := c.keyPredicate(e, meta.Record{"OrderID": int64(1)}); err == nil {
		t.Error("a record without its whole key gave a predicate")
	}
	bc := &Client{settings: Settings{Preset: Presets[PresetBusinessCentral], Company: "5d115c9c-44e3-ea11-bb43-000d3a2feca1"}}
	if got := bc.setPath("customers"); got != "companies(5d115c9c-44e3-ea11-bb43-000d3a2feca1)/customers" {
		t.Errorf("Business Central path = %q", got)
	}
	for url, want := range map[string]string{
		"https://contoso.crm4.dynamics.com/api/data/v9.2/":                          PresetDynamics,
		"https://api.businesscentral.dynamics.com/v2.0/tenant/Production/api/v2.0/": PresetBusinessCentral,
		"http://127.0.0.1:4004/odata/v4/crm/":                                       PresetCAP,
		"https://services.odata.org/TripPinRESTierService/":                         PresetGeneric,
	} {
		if got := DetectPreset(url); got != want {
			t.Errorf("DetectPreset(%s) = %s, want %s", url, got, want)
		}
	}
}
