package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"switchyard/core/store"
	"switchyard/internal/testenv"
)

// TestSyncSurvivesSIGKILL kills the sync process with SIGKILL at many
// different moments, with changes on both sides between the runs, then lets
// a sync finish: both sides must hold exactly the same contacts, each change
// once, none lost, and the workspace must pass PRAGMA integrity_check.
func TestSyncSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it 24 times")
	}
	root := testenv.OwnCAP(t)
	bin := filepath.Join(t.TempDir(), "switchyard")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ws := setUpSync(t, root, "")
	rng := rand.New(rand.NewPCG(6, 20))
	// Kill points fall within how long a sync takes on this machine, timed once here.
	start := time.Now()
	if err := exec.Command(bin, "--workspace", ws, "--run-sync", "crm").Run(); err != nil {
		t.Fatalf("the timing sync: %v", err)
	}
	window := max(time.Since(start), 50*time.Millisecond)
	const kills = 24
	var localNames, serverNames, deletedLocal []string
	killedBusy := 0
	for i := range kills {
		// Changes on both sides: local inserts, an update and a delete of a
		// record made locally earlier; server inserts and a patch.
		for j := range 4 {
			name := fmt.Sprintf("L-%02d-%d", i, j)
			localNames = append(localNames, name)
			sqlExec(t, ws, `INSERT INTO contact (lastname, firstname) VALUES ('`+name+`', 'v1')`)
		}
		if i > 0 {
			sqlExec(t, ws, fmt.Sprintf(`UPDATE contact SET firstname = 'v2' WHERE lastname = 'L-%02d-0'`, i-1))
			gone := fmt.Sprintf("L-%02d-1", i-1)
			deletedLocal = append(deletedLocal, gone)
			sqlExec(t, ws, `DELETE FROM contact WHERE lastname = '`+gone+`'`)
		}
		for j := range 3 {
			name := fmt.Sprintf("S-%02d-%d", i, j)
			serverNames = append(serverNames, name)
			odataSend(t, "POST", root+"Contacts", `{"lastname": "`+name+`", "firstname": "s1"}`)
		}
		cmd := exec.Command(bin, "--workspace", ws, "--run-sync", "crm")
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(window))))
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killedBusy++
		} else if err != nil {
			t.Logf("run %d ended before the kill: %v %s", i, err, errOut.String())
		}
	}
	if killedBusy < kills/2 {
		t.Errorf("only %d of %d runs were killed while running: the kill points are too late", killedBusy, kills)
	}
	// Let syncs finish: the second must find nothing left to move.
	for run := range 2 {
		code, s := runSyncJSON(t, ws)
		if code != exitOK {
			t.Fatalf("final sync %d: exit %d %+v", run, code, s)
		}
		if run == 1 {
			for _, e := range s.Entities {
				if e.Imported+e.Exported+e.Updated+e.Failed != 0 {
					t.Errorf("a sync after the final one still moves records: %+v", e)
				}
			}
		}
	}
	if !store.IsPostgres(ws) { // PostgreSQL has no integrity_check: its WAL keeps a killed client's transaction whole or out
		if got := sqlValue(t, ws, `PRAGMA integrity_check`); got != "ok" {
			t.Errorf("integrity_check: %s", got)
		}
	}
	server := serverContacts(t, root)
	local := workspaceRows(t, ws, "contact", "lastname", "firstname")
	count := func(name string, side map[string]int) int { return side[name] }
	serverBy, localBy := map[string]int{}, map[string]int{}
	for _, c := range server {
		serverBy[fmt.Sprint(c["lastname"])]++
	}
	for _, c := range local {
		localBy[c["lastname"]]++
	}
	gone := map[string]bool{}
	for _, n := range deletedLocal {
		gone[n] = true
	}
	for _, n := range append(localNames, serverNames...) {
		want := 1
		if gone[n] {
			want = 0
		}
		if count(n, serverBy) != want || count(n, localBy) != want {
			t.Errorf("%s: %d on the server, %d locally, want %d on each", n, serverBy[n], localBy[n], want)
		}
	}
	for _, c := range server {
		name := fmt.Sprint(c["lastname"])
		if len(name) == 6 && name[0] == 'L' && name[5] == '0' && name != fmt.Sprintf("L-%02d-0", kills-1) && c["firstname"] != "v2" {
			t.Errorf("%s: the local update to v2 was lost: %v", name, c["firstname"])
		}
	}
	if len(server) != len(local) {
		t.Errorf("%d contacts on the server, %d locally", len(server), len(local))
	}
	for id, c := range server {
		l, ok := local[id]
		if !ok || l["lastname"] != fmt.Sprint(c["lastname"]) || l["firstname"] != str(c["firstname"]) {
			t.Errorf("contact %s: server %v, local %v", id, c, l)
		}
	}
	if n := sqlValue(t, ws, `SELECT count(*) FROM sy_integration_lock`); n != "0" {
		t.Errorf("%s locks left", n)
	}
	t.Logf("%d of %d runs killed while running; %d contacts on each side", killedBusy, kills, len(server))
}
