package nodeserver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serve writes a serve.js into a new folder and returns the folder.
func serve(t *testing.T, js string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "serve.js"), []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestStartAndStop(t *testing.T) {
	// A server that logs more after its line than a pipe holds, then says
	// so on standard error, and runs until it is stopped.
	dir := serve(t, `console.log('starting'); console.log('listening http://127.0.0.1:' + process.env.PORT + '/svc/');
for (let i = 0; i < 5000; i++) console.log('GET /svc/Items?page=' + i);
console.error('ready'); setInterval(() => {}, 1000)`)
	srv, err := Start(dir, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if srv.URL != "http://127.0.0.1:0/svc/" {
		t.Errorf("URL = %q", srv.URL)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(srv.Log(), "ready"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the server did not get through its log (is its output read?): standard error %q", srv.Log())
		}
	}
	start := time.Now()
	srv.Stop()
	srv.Stop()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Stop took %v: the server did not end on SIGTERM", d)
	}
}

func TestStartFails(t *testing.T) {
	_, err := Start(serve(t, `console.error('no database'); process.exit(3)`), 30*time.Second)
	if err == nil || !strings.Contains(err.Error(), "exited during start-up: no database") {
		t.Errorf("a server that exits: %v", err)
	}
	_, err = Start(serve(t, `setInterval(() => {}, 1000)`), 500*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "did not start within 500ms") {
		t.Errorf("a server that never listens: %v", err)
	}
}
