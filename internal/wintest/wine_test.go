package wintest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

// The variables scripts/wintest.sh sets.
const (
	wineVar    = "SWITCHYARD_WINE"               // the Wine loader (wine64 or wine)
	prefixVar  = "WINEPREFIX"                    // a Wine prefix with the bcryptprimitives.dll shim in system32
	exeVar     = "SWITCHYARD_WINDOWS_EXE"        // bin/switchyard.exe
	versionVar = "SWITCHYARD_WINDOWS_VERSION"    // the version the .exe says (optional)
	msiVar     = "SWITCHYARD_WINDOWS_MSI"        // the MSI (optional: no MSI test without it)
	msiNextVar = "SWITCHYARD_WINDOWS_MSI_NEXT"   // the same MSI with a higher version (for the upgrade)
	shotVar    = "SWITCHYARD_WINDOWS_SCREENSHOT" // where to keep the GUI screenshot (optional)
)

// TestMain keeps one wineserver running for the prefix while the tests run
// (wineserver -p), so that each Windows process starts in a fraction of a
// second and process ids are not handed out again at once (a new wineserver
// starts counting anew), and stops it, with what still runs in the prefix,
// at the end (wineserver -k).
func TestMain(m *testing.M) {
	server := ""
	if loader := os.Getenv(wineVar); loader != "" && os.Getenv(prefixVar) != "" {
		if p, err := exec.LookPath("wineserver"); err == nil {
			server = p
		} else if p := filepath.Join(filepath.Dir(loader), "wineserver"); fileExists(p) {
			server = p
		}
	}
	if server != "" {
		// A server that runs already (scripts/wintest.sh's check of the .exe) would
		// keep its short persistence: stop it (this prefix is the tests' own) first.
		exec.Command(server, "-k").Run()
		exec.Command(server, "-w").Run()
		persistent = exec.Command(server, "-p").Run() == nil // forks into the background, persistent
		// Wine's own services (services.exe, explorer.exe, ...) start with the
		// first program and stay: start them here, on no pipe of a test's.
		boot := exec.Command(os.Getenv(wineVar), "wineboot")
		boot.Env = append(os.Environ(), "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml=;winemenubuilder.exe=d")
		boot.Run()
	}
	code := m.Run()
	if server != "" {
		exec.Command(server, "-k").Run()
	}
	os.Exit(code)
}

// persistent is whether TestMain started a persistent wineserver: then
// Windows process ids go on increasing instead of starting anew at each run.
var persistent bool

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// wine runs Windows programs in one Wine prefix.
type wine struct {
	loader, prefix string
	exe            string // the Windows path of switchyard.exe, as the tests run it
}

// setUp returns the Wine set up by scripts/wintest.sh, or skips the test.
func setUp(t *testing.T) *wine {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the Wine tests run on Linux")
	}
	loader, prefix, exe := os.Getenv(wineVar), os.Getenv(prefixVar), os.Getenv(exeVar)
	if loader == "" || prefix == "" || exe == "" {
		t.Skipf("the Windows build is tested under Wine by scripts/wintest.sh (the last step of make test, or make test-windows): $%s, $%s and $%s are not set", wineVar, prefixVar, exeVar)
	}
	for _, f := range []string{loader, exe, filepath.Join(prefix, "drive_c", "windows", "system32", "bcryptprimitives.dll")} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("%v (scripts/wintest.sh prepares it)", err)
		}
	}
	abs, err := filepath.Abs(exe)
	if err != nil {
		t.Fatal(err)
	}
	return &wine{loader: loader, prefix: prefix, exe: "Z:" + strings.ReplaceAll(abs, "/", `\`)}
}

// unix returns the Linux path of a Windows path on drive C: or Z:.
func (w *wine) unix(win string) string {
	rest := strings.ReplaceAll(win[2:], `\`, "/")
	switch strings.ToUpper(win[:2]) {
	case "C:":
		return filepath.Join(w.prefix, "drive_c", rest)
	case "Z:":
		return rest
	}
	panic("no Linux path for " + win)
}

// environ is the environment of a Windows process: this one's without what
// would change the program's defaults, plus Wine's settings and extra.
func (w *wine) environ(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "DISPLAY", k == "WAYLAND_DISPLAY", k == "WINEDEBUG", k == "WINEDLLOVERRIDES",
			strings.HasPrefix(k, "SWITCHYARD_"):
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "WINEPREFIX="+w.prefix, "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml=;winemenubuilder.exe=d")
	return append(env, extra...)
}

// command is a Windows program (a path or a name on the Windows PATH) with its arguments, under Wine.
func (w *wine) command(ctx context.Context, env []string, program string, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, w.loader, append([]string{program}, args...)...)
	c.Env = w.environ(env...)
	c.WaitDelay = 10 * time.Second
	return c
}

// result is what one Windows process did.
type result struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("exit %d after %s\nstdout: %s\nstderr: %s", r.code, r.took.Round(time.Millisecond), r.stdout, r.stderr)
}

// run runs program under Wine with stdin and extra environment, and waits (3 minutes at most).
func (w *wine) run(t *testing.T, env []string, stdin, program string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute) // not t.Context: cleanups run programs too
	defer cancel()
	c := w.command(ctx, env, program, args...)
	var out, errOut bytes.Buffer
	c.Stdin, c.Stdout, c.Stderr = strings.NewReader(stdin), &out, &errOut
	start := time.Now()
	err := c.Run()
	r := result{stdout: out.String(), stderr: errOut.String(), took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("wine %s %q: %v", program, args, err)
	}
	return r
}

// sw runs switchyard.exe with args.
func (w *wine) sw(t *testing.T, args ...string) result {
	t.Helper()
	return w.run(t, nil, "", w.exe, args...)
}

// sqlite opens a workspace the Windows build wrote, from Linux, as another program would.
func sqlite(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func value(t *testing.T, db *sql.DB, query string, args ...any) string {
	t.Helper()
	var v sql.NullString
	if err := db.QueryRow(query, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v.String
}

func exec1(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// odata reads an entity set of the CAP server (directly, not through the proxy).
func odata(t *testing.T, root, set string) []map[string]any {
	t.Helper()
	resp, err := http.Get(root + set)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Value []map[string]any `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s %v", set, resp.Status, err)
	}
	return page.Value
}

// integrationFile is an integration of the CAP CRM service at url with basic
// authentication (the password is given later, sealed): Accounts downloaded,
// Contacts both ways, and a daily schedule.
func integrationFile(url string) string {
	return `{"format": "switchyard.integration/v1", "name": "crm", "connector": "odata",
 "settings": {"url": "` + url + `", "auth": "basic", "username": "admin"},
 "entities": [
  {"external": "Accounts", "local": "account", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "name", "local": "name"},
              {"external": "parent_ID", "local": "parentaccountid", "lookup": "account"}]},
  {"external": "Contacts", "local": "contact", "primaryKey": "externalid", "direction": "bidirectional",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "firstname", "local": "firstname"},
              {"external": "lastname", "local": "lastname"},
              {"external": "account_ID", "local": "accountid", "lookup": "account"}]}],
 "schedules": [{"cron": "0 2 * * *", "enabled": true}]}`
}

// writeWin writes a file at a Windows path of the prefix.
func (w *wine) writeWin(t *testing.T, win, content string) {
	t.Helper()
	p := w.unix(win)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond every 100 ms for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// capRoot starts this test's own CAP server (it is written to) and returns its CRM service root.
func capRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "cap")
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		t.Fatalf("testdata/cap/node_modules is missing: scripts/wintest.sh installs it (npm ci --ignore-scripts)")
	}
	return startCAP(t, dir)
}

func readAll(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
