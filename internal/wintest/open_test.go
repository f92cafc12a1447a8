package wintest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestOpenReportUnderWine runs the ui package's Windows test of the "Open
// report" opener (ShellExecute of the plain path, in a folder with spaces)
// under Wine: it cross-compiles the ui tests for Windows with mingw-w64.
func TestOpenReportUnderWine(t *testing.T) {
	w := setUp(t)
	if _, err := exec.LookPath("x86_64-w64-mingw32-gcc"); err != nil {
		t.Fatal("x86_64-w64-mingw32-gcc is missing: scripts/wintest.sh installs it (apt-get install gcc-mingw-w64-x86-64)")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	bin := filepath.Join(t.TempDir(), "ui.test.exe")
	build := exec.Command("go", "test", "-c", "-o", bin, "./ui")
	build.Dir = root
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=1", "CC=x86_64-w64-mingw32-gcc", "CXX=x86_64-w64-mingw32-g++")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go test -c ./ui for Windows: %v\n%s", err, out)
	}
	r := w.run(t, nil, "", "Z:"+strings.ReplaceAll(bin, "/", `\`), "-test.run", "^TestOpenFileWindows$", "-test.v")
	t.Logf("ui.test.exe under Wine:\n%s", r.stdout)
	if r.code != 0 || !strings.Contains(r.stdout, "--- PASS: TestOpenFileWindows") {
		t.Fatalf("TestOpenFileWindows under Wine:\n%s", r)
	}
}
