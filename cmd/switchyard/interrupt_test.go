package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"switchyard/core/store"
	"switchyard/internal/testenv"
)

// TestInterruptedImportSaysSo stops an import of 40,000 records with SIGTERM
// in the middle: stdout, --json and the run log must say the run was cancelled
// and how far it got, never show counts that look like a finished run.
func TestInterruptedImportSaysSo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and imports 40,000 records")
	}
	root := testenv.OwnCAP(t, testenv.CAPSites(largeSites), "SWITCHYARD_CAP_STOP_ON_EOF=1")
	svc := testenv.CAPTestService(root)
	dir := t.TempDir()
	bin := filepath.Join(dir, "switchyard")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	file := filepath.Join(dir, "field.json")
	if err := os.WriteFile(file, []byte(sitesFile(svc)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, asJSON := range []bool{false, true} {
		ws := testWorkspace(t, dir)
		os.Remove(ws)
		if out, err := exec.Command(bin, "--workspace", ws, "integration", "import", file).CombinedOutput(); err != nil {
			t.Fatalf("integration import: %v\n%s", err, out)
		}
		args := []string{"--workspace", ws, "import", "field"}
		if asJSON {
			args = append(args, "--json")
		}
		cmd := exec.Command(bin, args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Stop it once the first records are in the workspace.
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) && sqlValue(t, ws, `SELECT count(*) FROM site`) == "0" {
			time.Sleep(5 * time.Millisecond)
		}
		cmd.Process.Signal(syscall.SIGTERM)
		err := cmd.Wait()
		if err == nil {
			t.Fatalf("json=%v: the import ended before the signal: %s", asJSON, stdout.String())
		}
		out := stdout.String()
		if asJSON {
			var sum runJSON
			if json.Unmarshal([]byte(out), &sum) != nil || sum.Status != "cancelled" || sum.Error == "" {
				t.Errorf("--json of a cancelled import: %s", out)
			}
		} else if !strings.Contains(out, "RESULTS (INCOMPLETE: the run was cancelled after ") || strings.Contains(out, "RESULTS: ALL") {
			t.Errorf("stdout of a cancelled import:\n%s\nstderr:\n%s", out, stderr.String())
		}
		st, err := store.Open(t.Context(), ws)
		if err != nil {
			t.Fatal(err)
		}
		logs, err := st.Logs(t.Context(), "field", 1)
		st.Close()
		if err != nil || len(logs) != 1 || logs[0].Status != "cancelled" || logs[0].All == 0 || logs[0].All >= 2*largeSites {
			t.Errorf("json=%v: run log %+v, %v", asJSON, logs, err)
		}
	}
}
