package faulttest

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "switchyard/connectors/odata" // registers the OData connector
	"switchyard/core/admin"
	"switchyard/core/connector"
	"switchyard/core/engine"
	"switchyard/core/store"
)

// integrationFile maps the server's Items to the local entity item.
func integrationFile(url string, extra string) string {
	return `{"format": "switchyard.integration/v1", "name": "faulty", "connector": "odata",
 "settings": {"url": "` + url + `", "auth": "none", "timeout": "1"` + extra + `},
 "entities": [{"external": "Items", "local": "item", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "name", "local": "name"},
              {"external": "note", "local": "note"}, {"external": "amount", "local": "amount"}]}]}`
}

// workspace is a workspace with the integration "faulty" over srv.
type workspace struct {
	path string
	st   *store.Store
	svc  *admin.Service
}

// newWorkspace creates a workspace in dir (a temporary folder when empty) and imports the integration file.
func newWorkspace(t *testing.T, srv *Server, dir string) *workspace {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	w := &workspace{path: filepath.Join(dir, "w.db")}
	w.open(t)
	if _, err := w.svc.ImportFile(context.Background(), strings.NewReader(integrationFile(srv.ServiceURL(), ""))); err != nil {
		t.Fatalf("import the integration file: %v", err)
	}
	return w
}

// open (re)opens the workspace; it is closed at the end of the test.
func (w *workspace) open(t *testing.T) {
	t.Helper()
	st, err := store.Open(context.Background(), w.path)
	if err != nil {
		t.Fatalf("open workspace: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	w.st, w.svc = st, admin.New(st, connector.Default)
}

// run imports the integration with pages of size records.
func (w *workspace) run(size int) (*engine.Result, error) {
	return w.svc.Run(context.Background(), "faulty", admin.RunOptions{Direction: engine.Import, PageSize: size})
}

// rows returns the number of item rows and of distinct external keys.
func rows(t *testing.T, path string) (n, distinct int) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT externalid) FROM item`).Scan(&n, &distinct); err != nil {
		t.Fatalf("count items: %v", err)
	}
	return n, distinct
}

// lastLog returns the status and message of the newest run in the log.
func lastLog(t *testing.T, path string) (status, message string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT status, message FROM sy_integration_log ORDER BY id DESC LIMIT 1`).Scan(&status, &message); err != nil {
		t.Fatalf("read the run log: %v", err)
	}
	return status, message
}

// complete checks that a run succeeded and that every row is there exactly once.
func complete(t *testing.T, w *workspace, res *engine.Result, err error, want int) {
	t.Helper()
	if err != nil {
		t.Fatalf("run failed: %v", err)
	}
	if res.Status != engine.Succeeded {
		t.Fatalf("run %s: %s", res.Status, res.Summary())
	}
	if n, d := rows(t, w.path); n != want || d != want {
		t.Fatalf("%d rows (%d distinct) after the run, want %d", n, d, want)
	}
	c := res.Totals()
	if c.All != want || c.Imported+c.Updated+c.Unchanged != want || c.Failed != 0 {
		t.Errorf("counts %s, want ALL (%d) without failures", res.Summary(), want)
	}
}

// failed checks that a run failed with a message holding every one of want,
// and that the log says so too.
func failed(t *testing.T, w *workspace, res *engine.Result, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("run succeeded (%s); want a failure", res.Summary())
	}
	for _, s := range want {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	if res != nil && res.LogID != 0 {
		status, msg := lastLog(t, w.path)
		if status != string(engine.Failed) || msg == "" {
			t.Errorf("log says %s %q, want failed with the reason", status, msg)
		}
	}
}

// openRO opens the workspace file read-only with database/sql, closed at the end of the test.
func openRO(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
