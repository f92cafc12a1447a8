package odata

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"switchyard/core/spec"
	"switchyard/internal/testenv"
)

// capItems is how many rows this package's own CAP instance generates in test.Items.
const capItems = 5000

// itemsBase is the modifiedAt of Items 1–100; each further 100 IDs are a minute later.
var itemsBase = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

var own struct {
	once sync.Once
	cmd  *exec.Cmd
	url  string // the test service root
	err  error
	log  bytes.Buffer
}

func TestMain(m *testing.M) {
	code := m.Run()
	if own.cmd != nil && own.cmd.Process != nil {
		_ = own.cmd.Process.Kill()
		_ = own.cmd.Wait()
	}
	os.Exit(code)
}

// ownCAP returns the root of the test service (/odata/v4/test/) of a CAP
// instance this package starts for itself, so that its writes and page sizes
// disturb no other package's tests. Like the shared server, it is skipped
// when $SWITCHYARD_ODATA_URL is unset (and fails under SWITCHYARD_REQUIRE_SERVERS=1).
func ownCAP(t testing.TB) string {
	t.Helper()
	testenv.ODataURL(t)
	own.once.Do(func() { own.url, own.err = startCAP() })
	if own.err != nil {
		t.Fatal(own.err)
	}
	return own.url
}

func startCAP() (string, error) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "cap"))
	if err != nil {
		return "", err
	}
	cmd := exec.Command("node", "serve.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PORT=0", fmt.Sprintf("SWITCHYARD_CAP_ITEMS=%d", capItems), "SWITCHYARD_CAP_STOP_ON_EOF=1")
	cmd.Stderr = &own.log
	// Standard input stays open while this process lives: if it dies without TestMain's cleanup,
	// the pipe closes and the server stops by itself.
	if _, err := cmd.StdinPipe(); err != nil {
		return "", err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start the CAP test server (node serve.js in %s): %w: install Node.js and run scripts/testservers.sh start once", dir, err)
	}
	own.cmd = cmd
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
			return "", fmt.Errorf("the CAP test server exited during start-up: %s", own.log.String())
		}
		return strings.Replace(u, "/odata/v4/crm/", "/odata/v4/test/", 1), nil
	case <-time.After(90 * time.Second):
		return "", fmt.Errorf("the CAP test server did not start within 90s: %s", own.log.String())
	}
}

// ownClient opens a client on this package's CAP test service with extra settings.
func ownClient(t testing.TB, extra spec.Values) *Client {
	t.Helper()
	v := spec.Values{"url": ownCAP(t)}
	for k, x := range extra {
		v[k] = x
	}
	c, err := New(context.Background(), v)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// item returns the generated fields of test.Items row id.
func item(id int) (grp int, price float64, modified time.Time) {
	return id % 7, float64((id*37)%10000) / 100, itemsBase.Add(time.Duration((id-1)/100) * time.Minute)
}
