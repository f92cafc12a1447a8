package testenv

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// OwnCAP starts a fresh CAP OData server of testdata/cap for the calling
// test alone, with its seed data, and returns its CRM service root. Use it
// for tests that write: the shared server must stay as seeded. env adds
// variables for serve.js (e.g. "CDS_QUERY_LIMIT_DEFAULT=50"). The server is
// stopped when the test ends. Like ODataURL, it skips the test unless the
// test servers are set up (SWITCHYARD_REQUIRE_SERVERS=1 makes that a failure),
// since it needs testdata/cap's node_modules that scripts/testservers.sh installs.
func OwnCAP(t testing.TB, env ...string) string {
	t.Helper()
	ODataURL(t)
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "cap")
	cmd := exec.Command("node", "serve.js")
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "PORT=0"), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var logs syncBuffer
	cmd.Stderr = &logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the CAP test server (node serve.js in %s): %v", dir, err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
				found <- u
			}
		}
		close(found)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			t.Fatalf("the CAP test server exited during start-up: %s", logs.String())
		}
		return u
	case <-time.After(90 * time.Second):
		t.Fatalf("the CAP test server did not start within 90s: %s", logs.String())
	}
	return ""
}

// syncBuffer is a bytes.Buffer safe for the process's writes and the test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprint(s.b.String())
}
