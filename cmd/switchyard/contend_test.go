package main

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchyard/internal/testenv"
)

// TestTwoRunnersContend starts two headless runners of one integration on the
// same workspace, as two machines' CronJobs would: the first is held inside
// its sync (its first request to the server waits) while the second starts;
// exactly one runs, the second exits 4 at once, and once the first is done
// the lock is free for the next run.
func TestTwoRunnersContend(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	root := testenv.OwnCAP(t)
	bin := filepath.Join(t.TempDir(), "switchyard")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	target, err := url.Parse(root)
	if err != nil {
		t.Fatal(err)
	}
	// A proxy to the CAP server that, once armed, holds the next request until released.
	arrived, release := make(chan struct{}), make(chan struct{})
	var armed atomic.Bool // not a sync.Once: its Do would hold every other request too
	var released sync.Once
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if armed.CompareAndSwap(true, false) {
			close(arrived)
			<-release
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	letGo := func() { released.Do(func() { close(release) }) }
	t.Cleanup(letGo) // before srv.Close, which waits for the held request

	held := *target
	held.Host = strings.TrimPrefix(srv.URL, "http://")
	ws := setUpSync(t, held.String(), "") // its import reads the server's catalog: not held
	armed.Store(true)
	runner := exec.Command(bin, "--workspace", ws, "--run-sync", "crm")
	var out1 bytes.Buffer
	runner.Stdout, runner.Stderr = &out1, &out1
	if err := runner.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(60 * time.Second):
		runner.Process.Kill()
		runner.Wait()
		t.Fatalf("the first runner never reached the server:\n%s", out1.String())
	}
	t.Logf("the first runner is inside its sync")
	out2, err := exec.Command(bin, "--workspace", ws, "--run-sync", "crm").CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitLocked || !strings.Contains(string(out2), "another run") {
		t.Errorf("the second runner: %v, want exit %d and \"another run\":\n%s", err, exitLocked, out2)
	}
	t.Logf("the second runner ended")
	letGo()
	if err := runner.Wait(); err != nil {
		t.Fatalf("the first runner: %v\n%s", err, out1.String())
	}
	if code, s := runSyncJSON(t, ws); code != exitOK || s.Status != "succeeded" {
		t.Errorf("the run after both: exit %d %+v: the lock was not released", code, s)
	}
}
