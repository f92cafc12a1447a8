package wintest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestHeadlessUnderWine drives switchyard.exe as an admin's script would on
// Windows, with a workspace whose path has spaces and backslashes, against
// its own CAP server behind basic authentication: integration import, the
// password sealed (its key in the Credential Manager), entities, import with
// a report, a local change uploaded by --run-sync, the exit codes 0, 1, 2, 3
// and 4, the run lock across Windows processes (and taken over at once from
// one that was killed), the schtasks command through cmd.exe, and the
// default workspace under %APPDATA%.
func TestHeadlessUnderWine(t *testing.T) {
	w := setUp(t)
	root := capRoot(t)
	const password = `s3cret w0rd with "quotes" and \backslashes\`
	g, url := newGate(t, root, "admin", password)

	dir := fmt.Sprintf(`C:\Switchyard tests\run %d`, time.Now().UnixNano())
	t.Cleanup(func() { os.RemoveAll(w.unix(dir)) })
	ws := dir + `\work space.db`
	file := dir + `\crm integration.json`
	w.writeWin(t, file, integrationFile(url))
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, f) {
			t.FailNow()
		}
	}

	step("version", func(t *testing.T) {
		r := w.sw(t, "--version")
		want := "switchyard "
		if v := os.Getenv(versionVar); v != "" {
			want += v
		}
		if r.code != 0 || !strings.HasPrefix(r.stdout, want) {
			t.Fatalf("--version: want %q\n%s", want, r)
		}
		t.Logf("switchyard.exe --version under Wine: %s in %s", strings.TrimSpace(r.stdout), r.took.Round(time.Millisecond))
	})

	step("integration import", func(t *testing.T) {
		r := w.sw(t, "--workspace", ws, "integration", "import", file)
		if r.code != 1 || !strings.Contains(r.stderr, "401 Unauthorized") {
			t.Errorf("integration import without the password: want exit 1 and the server's 401\n%s", r)
		}
		// The password from the environment, as a script would give it: used, not stored.
		r = w.run(t, []string{"SWITCHYARD_CRM_PASSWORD=" + password}, "", w.exe, "--workspace", ws, "integration", "import", file)
		if r.code != 0 {
			t.Fatalf("integration import with SWITCHYARD_CRM_PASSWORD:\n%s", r)
		}
		if _, err := os.Stat(w.unix(ws)); err != nil {
			t.Fatalf("no workspace at %s: %v", ws, err)
		}
	})

	step("secret sealed, key in the Credential Manager", func(t *testing.T) {
		r := w.run(t, nil, password+"\r\n", w.exe, "--workspace", ws, "integration", "secret", "crm", "password")
		if r.code != 0 || !strings.Contains(r.stdout, "sealed") {
			t.Fatalf("integration secret:\n%s", r)
		}
		db := sqlite(t, w.unix(ws))
		stored := value(t, db, `SELECT value FROM sy_integration_secret WHERE integration = 'crm' AND key = 'password'`)
		if !strings.HasPrefix(stored, "sy:aes256gcm:") || strings.Contains(stored, "s3cret") {
			t.Fatalf("the stored password is not sealed: %q", stored)
		}
		if _, err := os.Stat(w.unix(ws) + ".key"); err == nil {
			t.Fatalf("a key file %s.key was written: the Credential Manager was not used", ws)
		}
		// Wine keeps the Credential Manager in the registry.
		q := w.run(t, nil, "", "reg", "query", `HKCU\Software\Wine\Credential Manager`, "/s")
		if !strings.Contains(strings.ToLower(q.stdout), "switchyard:") {
			t.Logf("reg query of Wine's Credential Manager did not name the target (%d bytes); relying on the missing key file", len(q.stdout))
		}
	})

	step("entities (the password opened again in a new process)", func(t *testing.T) {
		r := w.sw(t, "--workspace", ws, "entities", "crm", "--json", "--refresh")
		if r.code != 0 || !strings.Contains(r.stdout, "Accounts") || !strings.Contains(r.stdout, "Contacts") {
			t.Fatalf("entities:\n%s", r)
		}
	})

	accounts, contacts := odata(t, root, "Accounts"), odata(t, root, "Contacts")
	step("import with a report", func(t *testing.T) {
		report := dir + `\my reports\run report.xlsx`
		os.MkdirAll(w.unix(dir+`\my reports`), 0o755) // a report's folder must exist
		r := w.sw(t, "--workspace", ws, "import", "crm", "--report", report)
		all := len(accounts) + len(contacts)
		want := fmt.Sprintf("RESULTS: ALL (%d) : IMPORTED (%d); UPDATED (0); UNCHANGED (0); FAILED (0)", all, all)
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Fatalf("import: want %q\n%s", want, r)
		}
		if fi, err := os.Stat(w.unix(report)); err != nil || fi.Size() == 0 {
			t.Errorf("the report %s: %v", report, err)
		}
		db := sqlite(t, w.unix(ws))
		if n := value(t, db, `SELECT count(*) FROM contact`); n != fmt.Sprint(len(contacts)) {
			t.Errorf("%s local contacts, %d on the server", n, len(contacts))
		}
	})

	step("run-sync uploads a local change", func(t *testing.T) {
		id := fmt.Sprint(contacts[0]["ID"])
		db := sqlite(t, w.unix(ws))
		exec1(t, db, `UPDATE contact SET firstname = 'Edited on Windows' WHERE externalid = '`+id+`'`,
			`INSERT INTO contact (lastname, firstname) VALUES ('Inserted on Windows', 'Wyn')`)
		db.Close()
		r := w.sw(t, "--workspace", ws, "--run-sync", "crm", "--json")
		var s struct {
			Status   string `json:"status"`
			ExitCode int    `json:"exitCode"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &s); err != nil || r.code != 0 || s.Status != "succeeded" {
			t.Fatalf("--run-sync --json: %v\n%s", err, r)
		}
		found := 0
		for _, c := range odata(t, root, "Contacts") {
			if fmt.Sprint(c["ID"]) == id && c["firstname"] != "Edited on Windows" {
				t.Errorf("the local change did not reach the server: %v", c)
			}
			if c["lastname"] == "Inserted on Windows" {
				found++
			}
		}
		if found != 1 {
			t.Errorf("the local insert is on the server %d times, want once", found)
		}
	})

	step("exit 2: some records failed", func(t *testing.T) {
		db := sqlite(t, w.unix(ws))
		exec1(t, db, `INSERT INTO contact (firstname) VALUES ('No last name')`, `INSERT INTO contact (lastname) VALUES ('Fine')`)
		db.Close()
		r := w.sw(t, "--workspace", ws, "--run-sync", "crm", "--json")
		if r.code != 2 || !strings.Contains(r.stdout, `"partial"`) {
			t.Fatalf("a sync with a record the server refuses: want exit 2\n%s", r)
		}
		q := w.sw(t, "--workspace", ws, "quarantine", "list", "crm", "--json")
		var qs []struct{ ID int }
		if err := json.Unmarshal([]byte(q.stdout), &qs); err != nil || len(qs) != 1 {
			t.Fatalf("quarantine list: %v\n%s", err, q)
		}
		if d := w.sw(t, "--workspace", ws, "quarantine", "dismiss", "crm", fmt.Sprint(qs[0].ID)); d.code != 0 {
			t.Fatalf("quarantine dismiss:\n%s", d)
		}
	})

	step("exit 3: configuration and usage errors", func(t *testing.T) {
		missing := dir + `\no such folder\w.db`
		r := w.sw(t, "--workspace", missing, "import", "crm")
		if r.code != 3 || !strings.Contains(r.stderr, "no workspace at") {
			t.Errorf("a missing workspace: want exit 3\n%s", r)
		}
		// The hint is a command to paste into cmd.exe or PowerShell: the path in double quotes.
		if hint := `switchyard --workspace "` + missing + `" integration import FILE`; !strings.Contains(r.stderr, hint) {
			t.Errorf("the hint is not %s:\n%s", hint, r.stderr)
		}
		if _, err := os.Stat(filepath.Dir(w.unix(missing))); err == nil {
			t.Errorf("the missing workspace's folder was created")
		}
		if r := w.sw(t, "--workspace", ws, "no-such-command"); r.code != 3 {
			t.Errorf("an unknown command: want exit 3\n%s", r)
		}
		if r := w.sw(t, "--workspace", ws, "--run-sync", "nope"); r.code != 3 {
			t.Errorf("an unknown integration: want exit 3\n%s", r)
		}
	})

	step("exit 4: another Windows process holds the lock", func(t *testing.T) {
		g.slow(2 * time.Second)
		defer g.slow(0)
		first := w.command(t.Context(), nil, w.exe, "--workspace", ws, "import", "crm")
		var out strings.Builder
		first.Stdout, first.Stderr = &out, &out
		if err := first.Start(); err != nil {
			t.Fatal(err)
		}
		db := sqlite(t, w.unix(ws))
		if !waitFor(60*time.Second, func() bool {
			var n int
			db.QueryRow(`SELECT count(*) FROM sy_integration_lock WHERE integration = 'crm'`).Scan(&n)
			return n == 1
		}) {
			first.Process.Kill()
			t.Fatalf("the first import never took the lock: %s", out.String())
		}
		r := w.sw(t, "--workspace", ws, "import", "crm")
		if r.code != 4 || !strings.Contains(r.stderr, "another run of the integration is in progress") {
			t.Errorf("a second import while the first runs: want exit 4\n%s", r)
		}
		t.Logf("exit 4: %s", strings.TrimSpace(r.stderr))
		if err := first.Wait(); err != nil {
			t.Errorf("the first import: %v\n%s", err, out.String())
		}
	})

	step("the lock of a killed process is taken over at once", func(t *testing.T) {
		if !persistent {
			// A new wineserver would give the next process the killed one's id, which the lock takes for its own.
			t.Fatal("no persistent wineserver (wineserver -p) for the prefix: the killed process's id would be given again")
		}
		before := g.block()
		first := w.command(t.Context(), nil, w.exe, "--workspace", ws, "import", "crm")
		if err := first.Start(); err != nil {
			t.Fatal(err)
		}
		db := sqlite(t, w.unix(ws))
		var pid int
		if !waitFor(60*time.Second, func() bool {
			db.QueryRow(`SELECT pid FROM sy_integration_lock WHERE integration = 'crm'`).Scan(&pid)
			return pid != 0 && g.reads() > before
		}) {
			first.Process.Kill()
			t.Fatal("the import never took the lock and read")
		}
		first.Process.Kill() // as Task Manager's End task, or a crash
		first.Wait()
		g.release()
		time.Sleep(time.Second)
		if n := value(t, db, `SELECT count(*) FROM sy_integration_lock WHERE integration = 'crm'`); n != "1" {
			t.Fatalf("the killed process left no lock behind (%s rows): nothing to test", n)
		}
		start := time.Now()
		r := w.sw(t, "--workspace", ws, "import", "crm")
		if r.code != 0 {
			t.Fatalf("an import after the lock holder (Windows pid %d) was killed: want exit 0 (the lock taken over)\n%s", pid, r)
		}
		t.Logf("the lock of the killed process (Windows pid %d) was taken over in %s", pid, time.Since(start).Round(time.Millisecond))
	})

	step("exit 1: the system is unreachable", func(t *testing.T) {
		db := sqlite(t, w.unix(ws))
		exec1(t, db, `UPDATE sy_integration SET settings = json_set(settings, '$.url', 'http://127.0.0.1:9/odata/v4/crm/')`)
		r := w.sw(t, "--workspace", ws, "import", "crm")
		exec1(t, db, `UPDATE sy_integration SET settings = json_set(settings, '$.url', '`+url+`')`)
		if r.code != 1 || r.stderr == "" {
			t.Errorf("an unreachable system: want exit 1\n%s", r)
		}
	})

	step("schtasks through cmd.exe", func(t *testing.T) { schtasksThroughCmd(t, w, ws, dir) })

	step("SWITCHYARD_KEYRING=off keeps the key in a file", func(t *testing.T) {
		ws2 := dir + `\key file\w.db`
		r := w.run(t, []string{"SWITCHYARD_KEYRING=off", "SWITCHYARD_CRM_PASSWORD=" + password}, "", w.exe, "--workspace", ws2, "integration", "import", file)
		if r.code != 0 {
			t.Fatalf("integration import:\n%s", r)
		}
		r = w.run(t, []string{"SWITCHYARD_KEYRING=off"}, password, w.exe, "--workspace", ws2, "integration", "secret", "crm", "password")
		if r.code != 0 {
			t.Fatalf("integration secret:\n%s", r)
		}
		if _, err := os.Stat(w.unix(ws2) + ".key"); err != nil {
			t.Fatalf("no key file beside the workspace: %v", err)
		}
	})

	step("the default workspace is under %APPDATA%", func(t *testing.T) {
		appdata := w.unix(`C:\users\` + wineUser(t, w) + `\AppData\Roaming\Switchyard`)
		os.RemoveAll(appdata)
		t.Cleanup(func() { os.RemoveAll(appdata) })
		r := w.run(t, []string{"SWITCHYARD_CRM_PASSWORD=" + password}, "", w.exe, "integration", "import", file)
		if r.code != 0 {
			t.Fatalf("integration import without --workspace:\n%s", r)
		}
		if _, err := os.Stat(filepath.Join(appdata, "workspace.db")); err != nil {
			t.Fatalf("no workspace at %%APPDATA%%\\Switchyard\\workspace.db: %v", err)
		}
		if r := w.sw(t, "--help"); !strings.Contains(r.stdout, `%APPDATA%\Switchyard\workspace.db`) {
			t.Errorf("--help does not name the Windows default:\n%s", r)
		}
	})
}

// wineUser is the name of the Windows user's profile folder in the prefix.
func wineUser(t *testing.T, w *wine) string {
	t.Helper()
	r := w.run(t, nil, "", "cmd", "/c", "echo %USERNAME%")
	u := strings.TrimSpace(r.stdout)
	if u == "" || strings.Contains(u, "%") {
		t.Fatalf("the Windows user name: %s", r)
	}
	return u
}

// schtasksThroughCmd checks the schtasks command that `schedule print` gives:
// pasted into cmd.exe (here: in a .cmd file, with schtasks replaced by a
// program that prints its arguments), the task's command (/TR) comes out
// whole, and run the way Task Scheduler runs it (CreateProcess of that
// command line), it syncs the workspace. switchyard.exe sits in a folder with
// a space, as under C:\Program Files. PowerShell is not under Wine: its
// variant (with --%) is not run here.
func schtasksThroughCmd(t *testing.T, w *wine, ws, dir string) {
	exeDir := dir + `\Program Files\Switchyard`
	exe := exeDir + `\switchyard.exe`
	if err := os.MkdirAll(w.unix(exeDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(w.unix(w.exe), w.unix(exe)); err != nil {
		if err := copyFile(w.unix(w.exe), w.unix(exe)); err != nil {
			t.Fatal(err)
		}
	}
	argv := dir + `\tools\argv.exe`
	build := exec.Command("go", "build", "-o", w.unix(argv), "./testdata/argv")
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the argv helper: %v\n%s", err, out)
	}

	r := w.run(t, nil, "", exe, "--workspace", ws, "schedule", "print", "crm")
	if r.code != 0 {
		t.Fatalf("schedule print:\n%s", r)
	}
	lines := strings.Split(r.stdout, "\n")
	var line, ps string
	for i, l := range lines {
		if strings.HasPrefix(l, "# Windows Task Scheduler (cmd.exe)") && i+1 < len(lines) {
			line = strings.TrimSpace(lines[i+1])
		}
		if strings.HasPrefix(l, "# Windows Task Scheduler (PowerShell)") && i+1 < len(lines) {
			ps = strings.TrimSpace(lines[i+1])
		}
	}
	if !strings.HasPrefix(line, "schtasks /Create ") || !strings.HasPrefix(ps, "schtasks --% /Create ") {
		t.Fatalf("no schtasks lines for cmd.exe and PowerShell:\n%s", r.stdout)
	}
	t.Logf("cmd.exe:    %s", line)
	t.Logf("PowerShell: %s", ps)

	bat := dir + `\tools\task.cmd`
	w.writeWin(t, bat, "@echo off\r\n\""+argv+"\""+strings.TrimPrefix(line, "schtasks")+"\r\n")
	c := w.run(t, nil, "", "cmd", "/c", bat)
	var args []string
	if err := json.Unmarshal([]byte(c.stdout), &args); err != nil || c.code != 0 {
		t.Fatalf("the schtasks line through cmd.exe: %v\n%s", err, c)
	}
	got := map[string]string{}
	for i := 0; i+1 < len(args); i++ {
		if strings.HasPrefix(args[i], "/") {
			got[strings.ToUpper(args[i])] = args[i+1]
		}
	}
	wantTR := `"` + exe + `" --run-sync crm --workspace "` + ws + `"`
	if got["/TR"] != wantTR || got["/TN"] != "Switchyard sync crm" || got["/SC"] != "DAILY" {
		t.Fatalf("schtasks would get %q\nwant /TN %q /TR %q /SC DAILY", args, "Switchyard sync crm", wantTR)
	}
	if ok, _ := regexp.MatchString(`^\d\d:\d\d$`, got["/ST"]); !ok {
		t.Errorf("/ST %q", got["/ST"])
	}
	// Task Scheduler starts the action's command line.
	db := sqlite(t, w.unix(ws))
	const syncs = `SELECT count(*) FROM sy_integration_log WHERE integration = 'crm' AND kind = 'sync' AND status = 'succeeded'`
	before := value(t, db, syncs)
	run := w.run(t, nil, "", argv, "--exec", got["/TR"])
	if run.code != 0 {
		t.Fatalf("the task's command %s: want exit 0\n%s", got["/TR"], run)
	}
	if after := value(t, db, syncs); after == before {
		t.Errorf("the task's command ran no sync (%s succeeded syncs before and after)", before)
	}
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o755)
}
