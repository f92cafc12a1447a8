// Package faulttest is an OData v4 test server that misbehaves on purpose —
// it drops connections mid-page, answers 429 and 500, stalls past the
// client's timeout, sends malformed JSON, invalid UTF-8, huge values or a
// broken $metadata — and the tests that drive the real OData connector and
// the real engine (and the CLI) against it: each run completes or fails with
// a clear message, loses nothing, and the next run resumes.
package faulttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Root is the service root path of the test server.
const Root = "/odata/"

// Metadata is the server's CSDL: one entity set Items of type Item.
const Metadata = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
 <edmx:DataServices>
  <Schema Namespace="Fault" xmlns="http://docs.oasis-open.org/odata/ns/edm">
   <EntityType Name="Item">
    <Key><PropertyRef Name="ID"/></Key>
    <Property Name="ID" Type="Edm.Int32" Nullable="false"/>
    <Property Name="name" Type="Edm.String"/>
    <Property Name="note" Type="Edm.String"/>
    <Property Name="amount" Type="Edm.Decimal" Precision="12" Scale="2"/>
   </EntityType>
   <EntityContainer Name="Service">
    <EntitySet Name="Items" EntityType="Fault.Item"/>
   </EntityContainer>
  </Schema>
 </edmx:DataServices>
</edmx:Edmx>`

// Kind is what the server does with one request.
type Kind int

// The kinds of answer.
const (
	Serve     Kind = iota // answer normally
	Drop                  // send the headers and half the body, then close the connection
	Status                // answer with Action.Code (and Retry-After when Action.RetryAfter is set)
	Slow                  // wait Action.Delay, then answer normally
	Malformed             // a body that is not JSON
	BadUTF8               // a page whose names hold invalid UTF-8
)

// Action is the server's answer to one request.
type Action struct {
	Kind       Kind
	Code       int
	RetryAfter string
	Delay      time.Duration
}

// Request describes a request to the fault hook.
type Request struct {
	// N counts every request the server got, from 1.
	N int
	// Metadata is true for $metadata; otherwise Page is the page of Items asked for, from 0.
	Metadata bool
	Page     int
	// Attempt counts the requests for this same page (or $metadata), from 1.
	Attempt int
}

// Server is the misbehaving OData service. Set its fields before the first
// request, or under Lock.
type Server struct {
	*httptest.Server

	// Rows is the number of Items (default 100); PageSize the records per page (default 10).
	Rows, PageSize int
	// Note returns the note of row id; nil gives a short text.
	Note func(id int) string
	// MetadataDoc replaces Metadata when not empty.
	MetadataDoc string
	// Fault picks the answer to each request; nil serves every one.
	Fault func(Request) Action

	mu       sync.Mutex
	auth     string // the last Authorization header
	n        int
	attempts map[string]int
	// Served counts the pages of Items answered in full.
	served int
}

// New starts a server (TLS when tls is true) that the test closes at its end.
func New(t interface {
	Cleanup(func())
	Helper()
}, tls bool) *Server {
	t.Helper()
	s := &Server{Rows: 100, PageSize: 10, attempts: map[string]int{}}
	if tls {
		s.Server = httptest.NewTLSServer(s)
	} else {
		s.Server = httptest.NewServer(s)
	}
	t.Cleanup(s.Close)
	return s
}

// Lock runs fn with the server's fields locked, to change them between runs.
func (s *Server) Lock(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn()
}

// Requests returns how many requests the server has had.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// Authorization returns the Authorization header of the last request.
func (s *Server) Authorization() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.auth
}

// ServiceURL is the service root to put in an integration's url setting.
func (s *Server) ServiceURL() string { return s.URL + Root }

// ServeHTTP answers $metadata and pages of Items, with the faults the hook asks for.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, Root)
	s.mu.Lock()
	s.n++
	s.auth = r.Header.Get("Authorization")
	req := Request{N: s.n, Page: -1}
	rows, size, doc, fault, note := s.Rows, s.PageSize, s.MetadataDoc, s.Fault, s.Note
	switch {
	case path == "$metadata":
		req.Metadata = true
	case path == "Items":
		skip, _ := strconv.Atoi(r.URL.Query().Get("$skiptoken"))
		req.Page = skip / max(size, 1)
	default:
		s.mu.Unlock()
		http.Error(w, `{"error": {"code": "404", "message": "no such resource"}}`, http.StatusNotFound)
		return
	}
	key := strconv.Itoa(req.Page)
	s.attempts[key]++
	req.Attempt = s.attempts[key]
	s.mu.Unlock()

	act := Action{}
	if fault != nil {
		act = fault(req)
	}
	var body []byte
	ctype := "application/json;odata.metadata=minimal"
	if req.Metadata {
		ctype = "application/xml"
		body = []byte(Metadata)
		if doc != "" {
			body = []byte(doc)
		}
	} else {
		body = s.page(r, req.Page, rows, size, note, act.Kind == BadUTF8)
	}
	switch act.Kind {
	case Status:
		if act.RetryAfter != "" {
			w.Header().Set("Retry-After", act.RetryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(act.Code)
		fmt.Fprintf(w, `{"error": {"code": "%d", "message": "fault injected: %s"}}`, act.Code, http.StatusText(act.Code))
		return
	case Drop:
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body[:len(body)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
			}
		}
		return
	case Slow:
		select {
		case <-time.After(act.Delay):
		case <-r.Context().Done():
			return
		}
	case Malformed:
		body = []byte(`{"value": [{"ID": 1, "name": "a"}, {"ID": 2, "name": `)
	}
	w.Header().Set("Content-Type", ctype)
	_, _ = w.Write(body)
	if !req.Metadata {
		s.mu.Lock()
		s.served++
		s.mu.Unlock()
	}
}

// page renders page p of Items as OData JSON, with a next link while rows remain.
func (s *Server) page(r *http.Request, p, rows, size int, note func(int) string, badUTF8 bool) []byte {
	var b strings.Builder
	b.WriteString(`{"@odata.context": "$metadata#Items"`)
	if r.URL.Query().Get("$count") == "true" {
		fmt.Fprintf(&b, `, "@odata.count": %d`, rows)
	}
	b.WriteString(`, "value": [`)
	first := p*size + 1
	last := min(first+size-1, rows)
	for id := first; id <= last; id++ {
		if id > first {
			b.WriteByte(',')
		}
		name := "item " + strconv.Itoa(id)
		if badUTF8 {
			name = "bad \xff\xfe utf-8 " + strconv.Itoa(id)
		}
		text := "note " + strconv.Itoa(id)
		if note != nil {
			text = note(id)
		}
		// Marshal the note (it may be huge), but write the name raw so that invalid UTF-8 reaches the client as is.
		noteJSON, _ := json.Marshal(text)
		fmt.Fprintf(&b, `{"ID": %d, "name": "%s", "note": %s, "amount": %d.50}`, id, name, noteJSON, id)
	}
	b.WriteString("]")
	if last < rows {
		fmt.Fprintf(&b, `, "@odata.nextLink": "Items?$skiptoken=%d"`, last)
	}
	b.WriteString("}")
	return []byte(b.String())
}

// Served returns the number of pages of Items answered in full.
func (s *Server) Served() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.served
}
