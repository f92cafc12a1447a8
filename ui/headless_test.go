package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	_ "switchyard/connectors/workspace" // the sample integration's connector, in connector.Default
	"switchyard/core/admin"
	"switchyard/core/connector"
)

// buildSwitchyard builds the headless binary (cmd/switchyard) into a
// temporary folder, as an admin's server would have it.
func buildSwitchyard(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "switchyard")
	cmd := exec.Command("go", "build", "-o", bin, "switchyard/cmd/switchyard")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build switchyard/cmd/switchyard: %v\n%s", err, out)
	}
	return bin
}

// headlessRun is what one run of the headless binary did.
type headlessRun struct {
	code           int
	stdout, stderr string
}

// runHeadless runs the binary with args, letting the window have its turns
// meanwhile, as the app on a desktop would while a server runs a sync.
func runHeadless(t *testing.T, bin string, args ...string) headlessRun {
	t.Helper()
	var r headlessRun
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var err error
	uiTurn.pause(func() { err = cmd.Run() })
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run %s: %v", bin, err)
	}
	r.stdout, r.stderr = stdout.String(), stderr.String()
	return r
}

// TestHeadlessRunWhileTheAppIsOpen: the app and the headless binary work on
// one workspace at once (a PostgreSQL one with SWITCHYARD_TEST_WORKSPACE=postgres,
// as a team has it: the app on a desktop, runs on a server). A headless sync
// runs while the app has the workspace open; the app shows that run and the
// rows it wrote without a restart; while the app holds the integration's run
// lock (as its own run does), the headless run is refused with exit 4; and
// the next headless run shows in the app too.
func TestHeadlessRunWhileTheAppIsOpen(t *testing.T) {
	bin := buildSwitchyard(t)
	newSerialApp(t)
	ctx := context.Background()
	ws := sharedTestWorkspace(t)
	st := openTestStore(t, ws)
	svc := admin.New(st, connector.Default)
	src := filepath.Join(t.TempDir(), admin.SampleFile)
	if err := admin.WriteSampleWorkspace(ctx, src); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ImportFile(ctx, strings.NewReader(admin.SampleIntegrationFile(src))); err != nil {
		t.Fatal(err)
	}
	ticks := make(chan time.Time)
	sh := newShell(fyne.CurrentApp(), svc, ticks)
	t.Cleanup(sh.stop)
	sh.Window().Resize(fyne.NewSize(1100, 700))
	f := &watchFixture{fixture: &fixture{shell: sh, st: st, win: sh.Window()}, ticks: ticks}
	f.settle()
	f.tick()
	f.shell.Show(SectionRuns)
	f.settle()

	run := runHeadless(t, bin, "--workspace", ws, "--run-sync", admin.SampleIntegration, "--json")
	if run.code != 0 {
		t.Fatalf("the headless sync beside the open app: exit %d\nstdout %s\nstderr %s", run.code, run.stdout, run.stderr)
	}
	var res struct {
		Entities []struct {
			Imported int `json:"imported"`
		} `json:"entities"`
	}
	imported := 0
	err := json.Unmarshal([]byte(run.stdout), &res)
	for _, e := range res.Entities {
		imported += e.Imported
	}
	if err != nil || imported == 0 {
		t.Fatalf("the headless sync printed %s (%v); want imported records", run.stdout, err)
	}
	f.tick()
	runs := f.shell.sections[2].screen.(*runsScreen)
	if len(runs.items) != 1 || runs.items[0].Kind != "sync" || runs.items[0].Status != "succeeded" || runs.items[0].Imported != imported {
		t.Fatalf("Runs lists %+v; want the headless sync that imported %d records", runs.items, imported)
	}
	f.shell.Show(SectionLocalData)
	f.settle()
	if !f.shows("account") || f.shows("No local entities") {
		t.Errorf("Local data shows %q; want the entities the headless sync filled", f.texts())
	}

	unlock, err := st.Lock(ctx, admin.SampleIntegration) // what the app's own run of it holds
	if err != nil {
		t.Fatal(err)
	}
	locked := runHeadless(t, bin, "--workspace", ws, "--run-sync", admin.SampleIntegration)
	unlock()
	if locked.code != 4 || !strings.Contains(locked.stderr, "another run of the integration is in progress") {
		t.Errorf("a headless sync while the app runs it: exit %d, stderr %q; want exit 4 and the reason", locked.code, locked.stderr)
	}

	again := runHeadless(t, bin, "--workspace", ws, "--run-sync", admin.SampleIntegration, "--json")
	if again.code != 0 {
		t.Fatalf("the second headless sync: exit %d, stderr %s", again.code, again.stderr)
	}
	f.tick()
	f.shell.Show(SectionRuns)
	f.settle()
	if len(runs.items) != 2 || runs.items[0].Status != "succeeded" {
		t.Errorf("Runs lists %+v; want both headless syncs", runs.items)
	}
}
