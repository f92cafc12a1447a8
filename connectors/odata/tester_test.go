package odata

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"switchyard/core/spec"
)

// atomServiceDoc is a service document in XML (AtomPub), as some servers
// answer the service root even when asked for JSON.
const atomServiceDoc = `<?xml version="1.0" encoding="utf-8"?>
<service xml:base="http://x/svc/" xmlns="http://www.w3.org/2007/app" xmlns:atom="http://www.w3.org/2005/Atom">
<workspace><atom:title>Default</atom:title>
<collection href="accounts"><atom:title>accounts</atom:title></collection>
</workspace></service>`

// xmlRootService serves root at the service root with the Content-Type ct,
// metadata at $metadata and one account.
func xmlRootService(t *testing.T, ct, root, metadata string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/svc/":
			w.Header().Set("Content-Type", ct)
			_, _ = w.Write([]byte(root))
		case "/svc/$metadata":
			w.Header().Set("Content-Type", "application/xml")
			_, _ = w.Write([]byte(metadata))
		case "/svc/accounts":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"value":[{"accountid":"0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0001","name":"A"}]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestTestAcceptsXMLServiceDocument: a service document in XML is accepted
// when $metadata is OData v4 CSDL; the report says what was found.
func TestTestAcceptsXMLServiceDocument(t *testing.T) {
	for name, ct := range map[string]string{"atomsvc": "application/atomsvc+xml;charset=utf-8", "xml": "application/xml", "wrongly JSON": "application/json"} {
		t.Run(name, func(t *testing.T) {
			srv := xmlRootService(t, ct, atomServiceDoc, tinyCSDL)
			rep, err := fastClient(t, spec.Values{"url": srv.URL + "/svc"}).Test(context.Background())
			if err != nil {
				t.Fatalf("Test() = %v, want the $metadata to decide", err)
			}
			if rep.Entities != 1 || rep.Version != "4.0" {
				t.Errorf("report = %+v, want 1 entity set, version 4.0", rep)
			}
			joined := strings.Join(rep.Details, "\n")
			for _, want := range []string{"service document is XML, not JSON (" + ct + "), and lists 1 collections; $metadata declares 1 entity sets",
				"read one record of entity set accounts"} {
				if !strings.Contains(joined, want) {
					t.Errorf("details lack %q:\n%s", want, joined)
				}
			}
		})
	}
}

// TestTestXMLServiceDocumentNeedsMetadata: XML at the root with no usable
// $metadata, or an HTML page, is still not an OData service.
func TestTestXMLServiceDocumentNeedsMetadata(t *testing.T) {
	tests := []struct {
		name, root, metadata string
		texts                []string
	}{
		{"metadata missing", atomServiceDoc, "", []string{"does not answer with an OData service document", "nor is its $metadata usable", "404"}},
		{"metadata not CSDL", atomServiceDoc, `<html><body>no</body></html>`, []string{"nor is its $metadata usable", "is not CSDL"}},
		{"an HTML page", `<!DOCTYPE html><html><body>Welcome</body></html>`, tinyCSDL, []string{"does not answer with an OData service document: check the service root URL"}},
		{"plain text", `hello`, tinyCSDL, []string{"does not answer with an OData service document"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md := tt.metadata
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path == "/svc/":
					_, _ = w.Write([]byte(tt.root))
				case r.URL.Path == "/svc/$metadata" && md != "":
					_, _ = w.Write([]byte(md))
				default:
					http.NotFound(w, r)
				}
			}))
			t.Cleanup(srv.Close)
			_, err := fastClient(t, spec.Values{"url": srv.URL + "/svc"}).Test(context.Background())
			if !errors.Is(err, ErrNotOData) {
				t.Fatalf("Test() = %v, want ErrNotOData", err)
			}
			for _, s := range tt.texts {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}
