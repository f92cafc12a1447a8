package odata

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"switchyard/connectors/httpx"
	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

// dvRoot is the service root path of the fake Dataverse Web API.
const dvRoot = "/api/data/v9.2/"

// Keys the tests use; missingAccount is an account the fake service does not hold.
const (
	dvAccount      = "0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0001"
	dvContact      = "0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0002"
	dvParent       = "0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0003"
	dvLocalKey     = "0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0009"
	missingAccount = "0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1ddead"
)

// dvRequest is one write the fake Dataverse saw, sent alone or inside a $batch.
type dvRequest struct {
	method, url, ifMatch string
	body                 map[string]any
	batch                int    // the $batch request it came in (1, 2, ...), 0 when sent alone
	changeset            string // the change set boundary it came in, "" when outside one
	contentID            string
}

// dataverse is a fake Dataverse Web API: it serves the Dynamics fixture as
// $metadata, answers creates with 204 and OData-EntityId, updates and
// deletes with 204, and multipart $batch requests as Dataverse does, writes
// inside change sets only. It refuses what Dataverse refuses: a _x_value
// property written as such, a binding to a missing account, a write outside
// a change set, a PATCH whose If-Match is W/"old".
type dataverse struct {
	srv *httptest.Server
	// failInside answers a failed change set inside a change set response
	// (with its Content-ID) rather than as a single response in its place.
	failInside bool

	mu      sync.Mutex
	reqs    []dvRequest
	batches int
}

func newDataverse(t *testing.T) *dataverse {
	t.Helper()
	md := fixture(t, "dynamics-crm-webapi-v8.xml")
	d := &dataverse{}
	d.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == dvRoot+"$metadata":
			w.Header().Set("Content-Type", "application/xml")
			_, _ = w.Write(md)
		case r.Method == http.MethodPost && r.URL.Path == dvRoot+"$batch":
			d.batch(t, w, r)
		default:
			body, _ := io.ReadAll(r.Body)
			status, h, b := d.serve(dvRequest{method: r.Method, url: r.URL.Path, ifMatch: r.Header.Get("If-Match")}, body)
			for k, v := range h {
				w.Header()[k] = v
			}
			w.WriteHeader(status)
			_, _ = w.Write(b)
		}
	}))
	t.Cleanup(d.srv.Close)
	return d
}

// requests returns the writes seen so far.
func (d *dataverse) requests() []dvRequest {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.reqs)
}

// serve records one write and answers it as Dataverse would.
func (d *dataverse) serve(req dvRequest, body []byte) (int, http.Header, []byte) {
	if len(bytes.TrimSpace(body)) > 0 {
		_ = json.Unmarshal(body, &req.body)
	}
	d.mu.Lock()
	d.reqs = append(d.reqs, req)
	d.mu.Unlock()
	h := http.Header{"Odata-Version": {"4.0"}}
	fail := func(status int, code, msg string) (int, http.Header, []byte) {
		h.Set("Content-Type", "application/json; odata.metadata=minimal")
		b, _ := json.Marshal(map[string]any{"error": map[string]string{"code": code, "message": msg}})
		return status, h, b
	}
	path := req.url
	if i := strings.Index(path, dvRoot); i >= 0 {
		path = path[i+len(dvRoot):]
	}
	for k, v := range req.body {
		if isValueProperty(k) {
			return fail(http.StatusBadRequest, "0x80060888", "CRM do not support direct update of Entity Reference properties, Use Navigation properties instead.")
		}
		if strings.HasSuffix(k, "@odata.bind") && v == "/accounts("+missingAccount+")" {
			return fail(http.StatusBadRequest, "0x80040217", "account With Id = "+missingAccount+" Does Not Exist")
		}
	}
	if req.ifMatch == `W/"old"` {
		return fail(http.StatusPreconditionFailed, "0x80060882", "The version of the existing record doesn't match the RowVersion property provided.")
	}
	if req.changeset == "" && req.batch > 0 {
		return fail(http.StatusBadRequest, "0x0", "Write requests in a batch must be in a change set.")
	}
	switch req.method {
	case http.MethodPost:
		id, _ := req.body["contactid"].(string)
		if id == "" {
			id = meta.NewGUID()
		}
		h.Set("OData-EntityId", d.srv.URL+dvRoot+path+"("+strings.ToLower(id)+")")
	case http.MethodPatch:
		h.Set("OData-EntityId", d.srv.URL+dvRoot+path)
	}
	return http.StatusNoContent, h, nil
}

// batch answers a multipart $batch: each change set's writes are served in
// order; a change set with a failed write is answered by that failure alone.
func (d *dataverse) batch(t *testing.T, w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	d.batches++
	n := d.batches
	d.mu.Unlock()
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var out bytes.Buffer
	resp := multipart.NewWriter(&out)
	_ = resp.SetBoundary("batchresponse_" + fmt.Sprint(n))
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("read the $batch request: %v", err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ct, cp, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if ct != "multipart/mixed" {
			status, h, b := d.serveRaw(t, part, dvRequest{batch: n, contentID: part.Header.Get("Content-ID")})
			writeResponse(resp, "", status, h, b)
			continue
		}
		type answer struct {
			id     string
			status int
			h      http.Header
			b      []byte
		}
		var answers []answer
		cr := multipart.NewReader(part, cp["boundary"])
		for {
			op, err := cr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("read a change set: %v", err)
				return
			}
			id := op.Header.Get("Content-ID")
			status, h, b := d.serveRaw(t, op, dvRequest{batch: n, changeset: cp["boundary"], contentID: id})
			answers = append(answers, answer{id, status, h, b})
		}
		failed := -1
		for i, a := range answers {
			if a.status >= 400 {
				failed = i
				break
			}
		}
		if failed >= 0 && !d.failInside {
			a := answers[failed]
			writeResponse(resp, "", a.status, a.h, a.b)
			continue
		}
		var cs bytes.Buffer
		csw := multipart.NewWriter(&cs)
		_ = csw.SetBoundary("changesetresponse_" + fmt.Sprint(n) + "_" + answers[0].id)
		for i, a := range answers {
			if failed < 0 || i == failed {
				writeResponse(csw, a.id, a.status, a.h, a.b)
			}
		}
		_ = csw.Close()
		pw, _ := resp.CreatePart(textproto.MIMEHeader{"Content-Type": {"multipart/mixed; boundary=" + csw.Boundary()}})
		_, _ = pw.Write(cs.Bytes())
	}
	_ = resp.Close()
	w.Header().Set("Content-Type", "multipart/mixed; boundary="+resp.Boundary())
	w.Header().Set("OData-Version", "4.0")
	_, _ = w.Write(out.Bytes())
}

// serveRaw reads the HTTP request in a $batch part and serves it.
func (d *dataverse) serveRaw(t *testing.T, part io.Reader, req dvRequest) (int, http.Header, []byte) {
	br := bufio.NewReader(part)
	r, err := http.ReadRequest(br)
	if err != nil {
		t.Errorf("read a request in the $batch: %v", err)
		return http.StatusBadRequest, http.Header{}, nil
	}
	body, _ := io.ReadAll(r.Body)
	if len(body) == 0 { // no Content-Length: the body runs to the end of the part
		body, _ = io.ReadAll(br)
	}
	req.method, req.url, req.ifMatch = r.Method, r.RequestURI, r.Header.Get("If-Match")
	return d.serve(req, body)
}

// writeResponse writes one HTTP response as an application/http part.
func writeResponse(w *multipart.Writer, id string, status int, h http.Header, body []byte) {
	hdr := textproto.MIMEHeader{"Content-Type": {"application/http"}, "Content-Transfer-Encoding": {"binary"}}
	if id != "" {
		hdr.Set("Content-ID", id)
	}
	p, _ := w.CreatePart(hdr)
	fmt.Fprintf(p, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	_ = h.Write(p)
	fmt.Fprintf(p, "\r\n")
	_, _ = p.Write(body)
}

// dataverseClient opens a client on d with the dynamics preset and extra settings.
func dataverseClient(t *testing.T, d *dataverse, extra spec.Values) *Client {
	t.Helper()
	v := spec.Values{"url": d.srv.URL + dvRoot, "preset": PresetDynamics}
	for k, x := range extra {
		v[k] = x
	}
	s, err := ParseSettings(v)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(s, func(c *httpx.Config) { c.Retries, c.RetryWait, c.MaxRetryWait = 1, time.Millisecond, time.Millisecond })
	c.newGUID = func() string { return dvLocalKey }
	return c
}

// keys returns the sorted keys of a request body.
func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkBody fails unless body holds exactly want.
func checkBody(t *testing.T, body, want map[string]any) {
	t.Helper()
	if !slices.Equal(keys(body), keys(want)) {
		t.Errorf("body fields = %v, want %v (body %v)", keys(body), keys(want), body)
		return
	}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("body[%s] = %#v, want %#v", k, body[k], v)
		}
	}
}

func TestDataverseCreateBindsLookups(t *testing.T) {
	stamp := "2025-03-01T10:00:00Z"
	tests := []struct {
		name     string
		entity   string
		rec      meta.Record
		wantBody map[string]any // nil: no request
		wantKey  string
		wantErr  []string
		refused  bool // refused before sending
	}{
		{name: "target accounts", entity: "contacts",
			rec: meta.Record{"lastname": "Ng", "_parentcustomerid_value": strings.ToUpper(dvAccount), connector.TargetKey("_parentcustomerid_value"): "accounts",
				"createdon": stamp, "modifiedon": stamp, "versionnumber": int64(7), "createdby": "0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0777"},
			wantBody: map[string]any{"contactid": dvLocalKey, "lastname": "Ng", "parentcustomerid_account@odata.bind": "/accounts(" + dvAccount + ")"},
			wantKey:  dvLocalKey},
		{name: "target contacts", entity: "contacts",
			rec:      meta.Record{"lastname": "Ng", "_parentcustomerid_value": dvParent, connector.TargetKey("_parentcustomerid_value"): "contacts"},
			wantBody: map[string]any{"contactid": dvLocalKey, "lastname": "Ng", "parentcustomerid_contact@odata.bind": "/contacts(" + dvParent + ")"},
			wantKey:  dvLocalKey},
		{name: "overriddencreatedon is written on create", entity: "contacts",
			rec:      meta.Record{"lastname": "Ng", "overriddencreatedon": time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)},
			wantBody: map[string]any{"contactid": dvLocalKey, "lastname": "Ng", "overriddencreatedon": "2020-01-02T03:04:05Z"},
			wantKey:  dvLocalKey},
		{name: "an empty lookup is left out of a create", entity: "contacts",
			rec:      meta.Record{"lastname": "Ng", "_parentcustomerid_value": nil, connector.TargetKey("_parentcustomerid_value"): "accounts"},
			wantBody: map[string]any{"contactid": dvLocalKey, "lastname": "Ng"},
			wantKey:  dvLocalKey},
		{name: "the key comes back from OData-EntityId", entity: "contacts",
			rec:      meta.Record{"contactid": strings.ToUpper(dvContact), "lastname": "Ng"},
			wantBody: map[string]any{"contactid": dvContact, "lastname": "Ng"},
			wantKey:  dvContact},
		{name: "one navigation property needs no target", entity: "accounts",
			rec:      meta.Record{"name": "Contoso", "_parentaccountid_value": dvParent},
			wantBody: map[string]any{"accountid": dvLocalKey, "name": "Contoso", "parentaccountid@odata.bind": "/accounts(" + dvParent + ")"}},
		{name: "several navigation properties and no target", entity: "contacts",
			rec: meta.Record{"lastname": "Ng", "_parentcustomerid_value": dvAccount},
			wantErr: []string{"create record 1 of contacts", "field _parentcustomerid_value", "parentcustomerid_account → accounts", "parentcustomerid_contact → contacts",
				"map the lookup to a local entity that is mapped to one of accounts, contacts"}, refused: true},
		{name: "a target no navigation property leads to", entity: "contacts",
			rec:     meta.Record{"lastname": "Ng", "_parentcustomerid_value": dvAccount, connector.TargetKey("_parentcustomerid_value"): "leads"},
			wantErr: []string{"field _parentcustomerid_value", "points to leads", "map the lookup to a local entity that is mapped to accounts, contacts"}, refused: true},
		{name: "the service's error", entity: "contacts",
			rec:     meta.Record{"lastname": "Ng", "_parentcustomerid_value": missingAccount, connector.TargetKey("_parentcustomerid_value"): "accounts"},
			wantErr: []string{"400 Bad Request", "account With Id = " + missingAccount + " Does Not Exist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDataverse(t)
			c := dataverseClient(t, d, nil)
			res, err := c.Write(context.Background(), tt.entity, connector.Create, []meta.Record{tt.rec})
			if err != nil {
				t.Fatal(err)
			}
			reqs := d.requests()
			if tt.wantErr != nil {
				if res[0].Err == nil {
					t.Fatalf("no error; requests %+v", reqs)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(res[0].Err.Error(), w) {
						t.Errorf("error %q lacks %q", res[0].Err, w)
					}
				}
				if tt.refused && len(reqs) != 0 {
					t.Errorf("requests %+v, want none for a record refused before sending", reqs)
				}
				return
			}
			if res[0].Err != nil {
				t.Fatal(res[0].Err)
			}
			if len(reqs) != 1 || reqs[0].method != http.MethodPost || reqs[0].url != dvRoot+tt.entity {
				t.Fatalf("requests = %+v, want one POST %s%s", reqs, dvRoot, tt.entity)
			}
			checkBody(t, reqs[0].body, tt.wantBody)
			if tt.wantKey != "" && res[0].Key != tt.wantKey {
				t.Errorf("key = %q, want %q", res[0].Key, tt.wantKey)
			}
		})
	}
}

func TestDataverseUpdate(t *testing.T) {
	target := connector.TargetKey("_parentcustomerid_value")
	path := dvRoot + "contacts(" + dvContact + ")"
	tests := []struct {
		name    string
		op      connector.Op
		rec     meta.Record
		want    []dvRequest // method, url, ifMatch, body
		wantErr string
	}{
		{name: "only the record's fields and the binding", op: connector.Update,
			rec: meta.Record{"contactid": dvContact, "lastname": "Ng", "_parentcustomerid_value": dvAccount, target: "accounts",
				"modifiedon": "2025-03-01T10:00:00Z", connector.ETagKey: `W/"5"`},
			want: []dvRequest{{method: http.MethodPatch, url: path, ifMatch: `W/"5"`,
				body: map[string]any{"lastname": "Ng", "parentcustomerid_account@odata.bind": "/accounts(" + dvAccount + ")"}}}},
		{name: "a cleared lookup with a target", op: connector.Update,
			rec: meta.Record{"contactid": dvContact, "lastname": "Ng", "_parentcustomerid_value": nil, target: "accounts"},
			want: []dvRequest{{method: http.MethodPatch, url: path, ifMatch: "*", body: map[string]any{"lastname": "Ng"}},
				{method: http.MethodDelete, url: path + "/parentcustomerid_account/$ref"}}},
		{name: "a cleared lookup without a target clears each navigation property", op: connector.Update,
			rec: meta.Record{"contactid": dvContact, "_parentcustomerid_value": nil},
			want: []dvRequest{{method: http.MethodPatch, url: path, ifMatch: "*", body: map[string]any{}},
				{method: http.MethodDelete, url: path + "/parentcustomerid_account/$ref"},
				{method: http.MethodDelete, url: path + "/parentcustomerid_contact/$ref"}}},
		{name: "an upsert that updates clears too", op: connector.Upsert,
			rec: meta.Record{"contactid": dvContact, "_parentcustomerid_value": nil, target: "contacts"},
			want: []dvRequest{{method: http.MethodPatch, url: path, ifMatch: "*", body: map[string]any{}},
				{method: http.MethodDelete, url: path + "/parentcustomerid_contact/$ref"}}},
		{name: "no clearing after a failed update", op: connector.Update,
			rec:     meta.Record{"contactid": dvContact, "lastname": "Ng", "_parentcustomerid_value": nil, target: "accounts", connector.ETagKey: `W/"old"`},
			want:    []dvRequest{{method: http.MethodPatch, url: path, ifMatch: `W/"old"`, body: map[string]any{"lastname": "Ng"}}},
			wantErr: "changed in the external system"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDataverse(t)
			c := dataverseClient(t, d, nil)
			res, err := c.Write(context.Background(), "contacts", tt.op, []meta.Record{tt.rec})
			if err != nil {
				t.Fatal(err)
			}
			if (tt.wantErr == "") != (res[0].Err == nil) || (tt.wantErr != "" && !strings.Contains(res[0].Err.Error(), tt.wantErr)) {
				t.Fatalf("error = %v, want %q", res[0].Err, tt.wantErr)
			}
			if res[0].Key != dvContact {
				t.Errorf("key = %q", res[0].Key)
			}
			got := d.requests()
			if len(got) != len(tt.want) {
				t.Fatalf("requests = %+v, want %+v", got, tt.want)
			}
			for i, w := range tt.want {
				g := got[i]
				g.url = strings.TrimPrefix(g.url, d.srv.URL) // writes in a $batch name absolute URLs
				if g.method != w.method || g.url != w.url || g.ifMatch != w.ifMatch {
					t.Errorf("request %d = %s %s (If-Match %q), want %s %s (If-Match %q)", i, g.method, g.url, g.ifMatch, w.method, w.url, w.ifMatch)
				}
				if w.body != nil {
					checkBody(t, g.body, w.body)
				}
			}
		})
	}
}

func TestDataverseBatch(t *testing.T) {
	target := connector.TargetKey("_parentcustomerid_value")
	tests := []struct {
		name       string
		settings   spec.Values
		failInside bool
		wantBatch  int
	}{
		{name: "batch size from the preset", wantBatch: 1},
		{name: "failure answered inside its change set", failInside: true, wantBatch: 1},
		{name: "batch size 2", settings: spec.Values{"batchsize": "2"}, wantBatch: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDataverse(t)
			d.failInside = tt.failInside
			c := dataverseClient(t, d, tt.settings)
			if c.settings.Batch != BatchMultipart || (tt.settings == nil && c.settings.BatchSize != Presets[PresetDynamics].BatchSize) {
				t.Fatalf("batch %s of %d, want the dynamics preset's", c.settings.Batch, c.settings.BatchSize)
			}
			c.newGUID = meta.NewGUID
			ids := make([]string, 5)
			recs := make([]meta.Record, 5)
			for i := range recs {
				ids[i] = fmt.Sprintf("0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d01%02d", i)
				recs[i] = meta.Record{"contactid": ids[i], "lastname": fmt.Sprint("Ng ", i), "_parentcustomerid_value": dvAccount, target: "accounts"}
			}
			recs[2]["_parentcustomerid_value"] = missingAccount
			recs[3][target] = "contacts"
			recs[3]["_parentcustomerid_value"] = dvParent
			res, err := c.Write(context.Background(), "contacts", connector.Create, recs)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range res {
				if i == 2 {
					if r.Err == nil || !strings.Contains(r.Err.Error(), "400 Bad Request: account With Id = "+missingAccount+" Does Not Exist") {
						t.Errorf("record 3 error = %v, want the service's message", r.Err)
					}
					continue
				}
				if r.Err != nil || r.Key != ids[i] {
					t.Errorf("record %d: key %q, error %v; want key %s", i+1, r.Key, r.Err, ids[i])
				}
			}
			if d.batches != tt.wantBatch {
				t.Errorf("%d $batch requests, want %d", d.batches, tt.wantBatch)
			}
			reqs := d.requests()
			if len(reqs) != len(recs) {
				t.Fatalf("%d writes, want %d: %+v", len(reqs), len(recs), reqs)
			}
			changesets := map[string]bool{}
			for i, r := range reqs {
				if r.batch == 0 || r.changeset == "" || changesets[r.changeset] {
					t.Errorf("write %d came in batch %d, change set %q: want each write in a change set of its own", i+1, r.batch, r.changeset)
				}
				changesets[r.changeset] = true
				if r.method != http.MethodPost || r.url != d.srv.URL+dvRoot+"contacts" || r.contentID == "" {
					t.Errorf("write %d = %s %s (Content-ID %q), want POST to the absolute URL of contacts with a Content-ID", i+1, r.method, r.url, r.contentID)
				}
				if _, ok := r.body["_parentcustomerid_value"]; ok {
					t.Errorf("write %d sends _parentcustomerid_value: %v", i+1, r.body)
				}
			}
			if reqs[3].body["parentcustomerid_contact@odata.bind"] != "/contacts("+dvParent+")" {
				t.Errorf("record 4 body = %v, want it bound to its parent contact", reqs[3].body)
			}
		})
	}
}

func TestParseMultipartBatchByContentID(t *testing.T) {
	// Answers out of order by Content-ID; a failed change set answered by a
	// single response without one takes the first op not yet answered.
	body := strings.ReplaceAll(`--b
Content-Type: multipart/mixed; boundary=cs2

--cs2
Content-Type: application/http
Content-ID: 2

HTTP/1.1 204 No Content
OData-EntityId: http://h/contacts(2)


--cs2--
--b
Content-Type: application/http

HTTP/1.1 400 Bad Request
Content-Type: application/json

{"error":{"code":"0x80040217","message":"account With Id = x Does Not Exist"}}
--b
Content-Type: multipart/mixed; boundary=cs3

--cs3
Content-Type: application/http
Content-ID: 3

HTTP/1.1 204 No Content


--cs3--
--b--
`, "\n", "\r\n")
	replies, err := parseMultipartBatch("multipart/mixed; boundary=b", []byte(body), 3)
	if err != nil {
		t.Fatal(err)
	}
	if replies[0].status != 400 || replies[1].status != 204 || replies[2].status != 204 {
		t.Errorf("statuses = %d, %d, %d; want 400, 204, 204", replies[0].status, replies[1].status, replies[2].status)
	}
	if replies[1].header.Get("OData-EntityId") != "http://h/contacts(2)" {
		t.Errorf("reply 2 header = %v", replies[1].header)
	}
}

func TestDataverseCatalogReadOnly(t *testing.T) {
	d := newDataverse(t)
	c := dataverseClient(t, d, nil)
	entities, err := c.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkFields(t, mustEntity(t, entities, "contacts"), []fieldWant{
		{name: "createdon", typ: meta.DateTime, readOnly: yes},
		{name: "modifiedon", typ: meta.DateTime, readOnly: yes},
		{name: "versionnumber", typ: meta.Int, readOnly: yes},
		{name: "overriddencreatedon", typ: meta.DateTime, readOnly: no},
		{name: "createdby", typ: meta.Lookup, target: "systemusers", readOnly: yes},
		{name: "modifiedonbehalfby", typ: meta.Lookup, target: "systemusers", readOnly: yes},
		{name: "_parentcustomerid_value", typ: meta.GUID, readOnly: no},
		{name: "_ownerid_value", typ: meta.GUID, readOnly: yes}, // its navigation property ownerid is not in the catalog
		{name: "parentcustomerid_account", typ: meta.Lookup, target: "accounts", readOnly: no},
	})
}

func TestPresetReadOnlyFields(t *testing.T) {
	e := meta.Entity{Name: "things", Key: []string{"id"}, Fields: []meta.Field{
		{Name: "id", Type: meta.GUID}, {Name: "name", Type: meta.String},
		{Name: "createdAt", Type: meta.DateTime}, {Name: "modifiedBy", Type: meta.String},
		{Name: "lastModifiedDateTime", Type: meta.DateTime}, {Name: "systemRowVersion", Type: meta.Int},
		{Name: "createdon", Type: meta.DateTime}, {Name: "overriddencreatedon", Type: meta.DateTime},
		{Name: "_owner_value", Type: meta.GUID}, {Name: "_parent_value", Type: meta.GUID},
		{Name: "parent", Type: meta.Lookup, Target: "things", ForeignKey: "_parent_value"},
		{Name: "_creator_value", Type: meta.GUID},
		{Name: "createdby", Type: meta.Lookup, Target: "users", ForeignKey: "_creator_value"},
	}}
	tests := []struct {
		preset string
		want   []string // the read-only fields
	}{
		{PresetGeneric, nil},
		{PresetCAP, []string{"createdAt", "modifiedBy"}},
		{PresetBusinessCentral, []string{"lastModifiedDateTime", "systemRowVersion"}},
		{PresetDynamics, []string{"createdon", "_owner_value", "_creator_value", "createdby"}},
	}
	for _, tt := range tests {
		t.Run(tt.preset, func(t *testing.T) {
			got := Presets[tt.preset].markReadOnly(e)
			var ro []string
			for _, f := range got.Fields {
				if f.ReadOnly {
					ro = append(ro, f.Name)
				}
			}
			if !slices.Equal(ro, tt.want) {
				t.Errorf("read-only fields = %v, want %v", ro, tt.want)
			}
		})
	}
	for _, f := range e.Fields {
		if f.ReadOnly {
			t.Errorf("markReadOnly changed the entity it was given: %s", f.Name)
		}
	}
}
