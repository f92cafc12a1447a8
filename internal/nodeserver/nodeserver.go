// Package nodeserver starts the Node.js test servers of testdata (a serve.js
// that prints "listening URL" once it listens: SAP CAP for OData, json-server
// for REST) for the tests and the benchmarks, and stops them.
package nodeserver

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Server is a serve.js running.
type Server struct {
	// URL is what the server's "listening" line gave.
	URL   string
	cmd   *exec.Cmd
	stdin io.Closer
	log   *syncBuffer
	stop  sync.Once
}

// Start runs `node serve.js` in dir with PORT=0 (a free port) and env added,
// in a process group of its own, and waits up to timeout for its "listening"
// line. Its standard input stays open while this process lives, so that a
// serve.js told to stop at the end of its input (SWITCHYARD_CAP_STOP_ON_EOF,
// SWITCHYARD_REST_STOP_ON_EOF) stops with this process even if it dies; its
// output is read to the end, so that its request log never fills the pipe.
func Start(dir string, timeout time.Duration, env ...string) (*Server, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("node", "serve.js")
	cmd.Dir = abs
	cmd.Env = append(append(os.Environ(), "PORT=0"), env...)
	ownGroup(cmd)
	s := &Server{cmd: cmd, log: &syncBuffer{}}
	cmd.Stderr = s.log
	if s.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the test server (node serve.js in %s): %w: install Node.js and run scripts/testservers.sh start once", abs, err)
	}
	found := make(chan string, 1)
	go func() {
		defer close(found)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "listening "); ok && len(found) == 0 {
				found <- u
			}
		}
	}()
	select {
	case u, ok := <-found:
		if !ok {
			s.Stop()
			return nil, fmt.Errorf("the test server in %s exited during start-up: %s", abs, s.Log())
		}
		s.URL = u
		return s, nil
	case <-time.After(timeout):
		s.Stop()
		return nil, fmt.Errorf("the test server in %s did not start within %v: %s", abs, timeout, s.Log())
	}
}

// Stop closes the server's standard input and asks its process group to end,
// killing it after 3 s, and waits for it; a second Stop does nothing.
func (s *Server) Stop() {
	s.stop.Do(func() {
		s.stdin.Close()
		pid := s.cmd.Process.Pid
		endGroup(pid, false)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			endGroup(pid, true)
			<-done
		}
	})
}

// Pid returns the server's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Log returns what the server wrote to its standard error so far.
func (s *Server) Log() string { return s.log.String() }

// syncBuffer is a bytes.Buffer safe for the process's writes and our reads.
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
	return s.b.String()
}
