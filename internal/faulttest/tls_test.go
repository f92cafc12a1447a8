package faulttest

import (
	"context"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchyard/core/admin"
	"switchyard/core/connector"
	"switchyard/core/store"
)

// TestTLSWithCAFile drives the OData connector against a TLS server whose
// certificate no system CA signed: refused by default with a message naming
// the fix, trusted with the integration's cafile setting.
func TestTLSWithCAFile(t *testing.T) {
	srv := New(t, true)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, extra, wantErr string
	}{
		{"verified by default", "", "certificate is not trusted"},
		{"trusted with cafile", `, "cafile": "` + ca + `"`, ""},
		{"a cafile that is not there", `, "cafile": "/nonexistent/ca.pem"`, "read CA bundle /nonexistent/ca.pem: no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			svc := admin.New(st, connector.Default)
			_, err = svc.ImportFile(context.Background(), strings.NewReader(integrationFile(srv.ServiceURL(), tt.extra)))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("import over TLS with the CA bundle: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("import: %v, want %q", err, tt.wantErr)
			}
		})
	}
}
