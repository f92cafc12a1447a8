package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOpenFileWindows opens a file the way "Open report" does, in a folder
// whose name has spaces: a .cmd file, which runs and leaves a marker; and a
// file that is not there, which is an error naming it. internal/wintest runs
// it under Wine; go test runs it on Windows.
func TestOpenFileWindows(t *testing.T) {
	// Not t.TempDir: the shell may still hold the .cmd file when the test ends.
	base, err := os.MkdirTemp("", "switchyard-open")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; i < 50 && os.RemoveAll(base) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	dir := filepath.Join(base, "a report folder")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(dir, "opened.txt")
	script := filepath.Join(dir, "open me.cmd")
	if err := os.WriteFile(script, []byte("@echo opened> \""+marker+"\"\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := openFile(script); err != nil {
		t.Fatalf("openFile(%s): %v", script, err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, err := os.Stat(marker); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was not run: no %s after 30 s", script, marker)
		}
	}

	gone := filepath.Join(dir, "no such report.xlsx")
	err = openFile(gone)
	if err == nil || !strings.Contains(err.Error(), gone) {
		t.Fatalf("openFile of a missing file: %v, want an error naming it", err)
	}
	t.Logf("a missing file: %v", err)
}
