package odata

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"switchyard/core/connector"
	"switchyard/core/spec"
)

// TestDeviceCodeSignIn checks the wiring of the device code flow: the code
// and address go to the connection log in the context, the refresh token to
// its secret saver.
func TestDeviceCodeSignIn(t *testing.T) {
	var polls atomic.Int32
	srv := odataServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/device":
			fmt.Fprint(w, `{"device_code":"d1","user_code":"WXYZ-1234","verification_uri":"https://microsoft.com/devicelogin","expires_in":600,"interval":1}`)
		case "/token":
			polls.Add(1)
			fmt.Fprint(w, `{"access_token":"at-1","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-1"}`)
		default:
			if r.Header.Get("Authorization") != "Bearer at-1" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			_, _ = io.WriteString(w, onePage)
		}
	})
	var log bytes.Buffer
	saved := map[string]string{}
	ctx := connector.WithLogger(context.Background(), slog.New(slog.NewTextHandler(&log, nil)))
	ctx = connector.WithSecretSaver(ctx, func(_ context.Context, key, value string) error { saved[key] = value; return nil })
	c, err := New(ctx, spec.Values{"url": srv.URL + "/svc/", "auth": "devicecode", "clientid": "app",
		"tokenurl": srv.URL + "/token", "deviceurl": srv.URL + "/device"})
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.ReadPage(context.Background(), connector.Query{Entity: "accounts"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 1 || polls.Load() != 1 {
		t.Errorf("%d records, %d token polls", len(page.Records), polls.Load())
	}
	if !strings.Contains(log.String(), "open https://microsoft.com/devicelogin and enter the code WXYZ-1234") {
		t.Errorf("connection log = %q, want the address and the code", log.String())
	}
	if saved["refreshtoken"] != "rt-1" {
		t.Errorf("saved secrets = %v, want refreshtoken rt-1", saved)
	}
	if strings.Contains(log.String(), "rt-1") || strings.Contains(log.String(), "at-1") {
		t.Errorf("the connection log shows a token: %q", log.String())
	}
}
