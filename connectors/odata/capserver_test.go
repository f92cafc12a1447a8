package odata

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"switchyard/core/spec"
	"switchyard/internal/nodeserver"
	"switchyard/internal/testenv"
)

// capItems is how many rows this package's own CAP instance generates in test.Items.
const capItems = 5000

// itemsBase is the modifiedAt of Items 1–100; each further 100 IDs are a minute later.
var itemsBase = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

var own struct {
	once sync.Once
	srv  *nodeserver.Server
	url  string // the test service root
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if own.srv != nil {
		own.srv.Stop()
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
	srv, err := nodeserver.Start(filepath.Join("..", "..", "testdata", "cap"), 90*time.Second,
		fmt.Sprintf("SWITCHYARD_CAP_ITEMS=%d", capItems), "SWITCHYARD_CAP_STOP_ON_EOF=1")
	if err != nil {
		return "", err
	}
	own.srv = srv
	return strings.Replace(srv.URL, "/odata/v4/crm/", "/odata/v4/test/", 1), nil
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
