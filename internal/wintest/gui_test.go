package wintest

import (
	"fmt"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestGUIUnderWine opens the app's window (a new workspace, with the sample
// integration) under Wine on an Xvfb display, waits for it, and takes a
// screenshot of the screen, which it checks is not blank. With
// SWITCHYARD_WINDOWS_SCREENSHOT set, the PNG is kept there.
func TestGUIUnderWine(t *testing.T) {
	w := setUp(t)
	for _, tool := range []string{"Xvfb", "import", "xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: scripts/wintest.sh installs it (apt-get install xvfb imagemagick xdotool)", tool)
		}
	}
	display := startXvfb(t)

	dir := `C:\Integrations` // as an admin would name it: the screenshot shows it
	os.RemoveAll(w.unix(dir))
	t.Cleanup(func() { os.RemoveAll(w.unix(dir)) })
	ws := dir + `\crm sync.db`
	app := w.command(t.Context(), []string{"DISPLAY=" + display}, w.exe, "--workspace", ws)
	log, err := os.CreateTemp(t.TempDir(), "gui-*.log")
	if err != nil {
		t.Fatal(err)
	}
	app.Stdout, app.Stderr = log, log
	start := time.Now()
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- app.Wait() }()
	t.Cleanup(func() {
		app.Process.Kill()
		<-exited
	})

	var win string
	found := waitFor(120*time.Second, func() bool {
		select {
		case err := <-exited:
			exited <- err
			return true
		default:
		}
		out, _ := xcmd(display, "xdotool", "search", "--onlyvisible", "--name", "Switchyard").Output()
		win = strings.TrimSpace(string(out))
		return win != ""
	})
	select {
	case err := <-exited:
		exited <- err
		t.Fatalf("the app exited before showing a window (%v):\n%s", err, readAll(t, log.Name()))
	default:
	}
	if !found || win == "" {
		t.Fatalf("no window titled Switchyard after 120 s:\n%s", readAll(t, log.Name()))
	}
	t.Logf("the window appeared after %s", time.Since(start).Round(100*time.Millisecond))
	name, _ := xcmd(display, "xdotool", "getwindowname", strings.Fields(win)[0]).Output()
	if !strings.Contains(string(name), "crm sync.db") {
		t.Errorf("the window is titled %q, want the workspace named", strings.TrimSpace(string(name)))
	}
	time.Sleep(6 * time.Second) // the first frames, fonts and the sample integration's list

	shot := filepath.Join(t.TempDir(), "windows.png")
	if out, err := xcmd(display, "import", "-window", "root", shot).CombinedOutput(); err != nil {
		t.Fatalf("import -window root: %v\n%s", err, out)
	}
	colours, lit := looks(t, shot)
	t.Logf("screenshot %s: %d colours, %.0f%% of the screen not black", shot, colours, lit*100)
	if colours < 24 || lit < 0.2 {
		t.Errorf("the screenshot looks blank (%d colours, %.0f%% not black)", colours, lit*100)
	}
	// The window alone, for the docs: without the bare screen around it (no window manager here).
	only := filepath.Join(t.TempDir(), "window.png")
	if out, err := xcmd(display, "import", "-window", strings.Fields(win)[0], only).CombinedOutput(); err == nil {
		if c, l := looks(t, only); c >= 24 && l >= 0.5 {
			shot = only
		}
	} else {
		t.Logf("import -window %s: %v\n%s", win, err, out)
	}
	if keep := os.Getenv(shotVar); keep != "" {
		if err := copyTo(shot, keep); err != nil {
			t.Error(err)
		} else {
			t.Logf("screenshot kept at %s", keep)
		}
	}
	if _, err := os.Stat(w.unix(ws)); err != nil {
		t.Errorf("the GUI did not create its workspace %s: %v", ws, err)
	}
}

// startXvfb starts an Xvfb display of its own and returns its name (":N").
func startXvfb(t *testing.T) string {
	t.Helper()
	for n := 91; n < 200; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); err == nil {
			continue
		}
		d := fmt.Sprintf(":%d", n)
		x := exec.Command("Xvfb", d, "-screen", "0", "1600x1000x24", "-nolisten", "tcp")
		if err := x.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { x.Wait(); close(done) }()
		if waitFor(10*time.Second, func() bool {
			_, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n))
			return err == nil
		}) {
			t.Cleanup(func() { x.Process.Kill(); <-done })
			return d
		}
		x.Process.Kill()
		<-done
	}
	t.Fatal("no free X display between :91 and :199")
	return ""
}

// xcmd is a command on the display.
func xcmd(display, name string, args ...string) *exec.Cmd {
	c := exec.Command(name, args...)
	c.Env = append(os.Environ(), "DISPLAY="+display)
	return c
}

// looks returns how many colours a PNG has (up to 1000) and the share of its pixels that are not black.
func looks(t *testing.T, path string) (int, float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b := img.Bounds()
	seen := map[[3]uint32]bool{}
	lit := 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if len(seen) < 1000 {
				seen[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
			}
			if r|g|bl > 0x0800 {
				lit++
			}
		}
	}
	total := ((b.Dx() + 1) / 2) * ((b.Dy() + 1) / 2)
	return len(seen), float64(lit) / float64(total)
}

func copyTo(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
