package testenv

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// RESTURLVar names the variable that holds the json-server REST test server's root URL.
const RESTURLVar = "SWITCHYARD_REST_URL"

// RESTURL returns the root URL (ending in "/") of the shared json-server REST
// test server of testdata/rest, from $SWITCHYARD_REST_URL. When it is unset
// the test is skipped, or fails when SWITCHYARD_REQUIRE_SERVERS=1. The shared
// server must stay as seeded: tests that write use OwnREST.
func RESTURL(t testing.TB) string {
	t.Helper()
	u := require(t, RESTURLVar, "the json-server REST test server")
	if u != "" && !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// OwnREST starts a fresh json-server of testdata/rest for the calling test
// alone, on a free port, with a fresh copy of its seed data, and returns its
// root URL. Use it for tests that write. The server stops when the test ends
// (or, should the test process die, when its standard input closes). Like
// RESTURL, it skips the test unless the test servers are set up, since it
// needs testdata/rest's node_modules that scripts/testservers.sh installs.
func OwnREST(t testing.TB) string {
	t.Helper()
	RESTURL(t)
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "rest")
	cmd := exec.Command("node", "serve.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PORT=0", "SWITCHYARD_REST_STOP_ON_EOF=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var logs syncBuffer
	cmd.Stderr = &logs
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the REST test server (node serve.js in %s): %v", dir, err)
	}
	t.Cleanup(func() {
		stdin.Close()
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
				found <- u
				io.Copy(io.Discard, out)
				return
			}
		}
		close(found)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			t.Fatalf("the REST test server exited during start-up: %s", logs.String())
		}
		return u
	case <-time.After(60 * time.Second):
		t.Fatalf("the REST test server did not start within 60s: %s", logs.String())
	}
	return ""
}
