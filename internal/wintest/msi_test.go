package wintest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// More variables of scripts/wintest.sh: the versions the two MSIs install.
const (
	msiVersionVar     = "SWITCHYARD_WINDOWS_MSI_VERSION"
	msiNextVersionVar = "SWITCHYARD_WINDOWS_MSI_NEXT_VERSION"
)

// TestMSIUnderWine installs the MSI with msiexec under Wine (per machine,
// silently), checks what an admin gets — switchyard.exe under Program
// Files, a Start-menu shortcut, the folder on the system PATH, one entry in
// Add/Remove Programs with the version and the publisher — upgrades to an MSI
// of a higher version (one entry, the new version, the workspace in
// %APPDATA% kept), and uninstalls (all of it gone but the workspace).
func TestMSIUnderWine(t *testing.T) {
	w := setUp(t)
	msi, next := os.Getenv(msiVar), os.Getenv(msiNextVar)
	if msi == "" || next == "" {
		t.Skipf("no MSIs to install: $%s and $%s are not set (scripts/wintest.sh builds them when wixl and osslsigncode can be installed)", msiVar, msiNextVar)
	}
	// Each MSI is signed (here with the test certificate made beside it).
	for _, f := range []string{msi, next} {
		cert := filepath.Join(filepath.Dir(f), "switchyard-test-signing.crt")
		if _, err := os.Stat(cert); err != nil {
			continue // signed with a real certificate: make package-windows verified it
		}
		out, err := exec.Command("osslsigncode", "verify", "-in", f, "-CAfile", cert).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Signature verification: ok") {
			t.Errorf("the signature of %s does not verify: %v\n%s", f, err, out)
		}
	}
	const installed = `C:\Program Files\Switchyard\switchyard.exe`
	user := wineUser(t, w)
	// Per machine, Windows puts the shortcut in the all-users Start menu; Wine's msiexec puts it in the user's.
	shortcuts := []string{w.unix(`C:\ProgramData\Microsoft\Windows\Start Menu\Programs\Switchyard.lnk`),
		w.unix(`C:\users\` + user + `\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Switchyard.lnk`)}
	shortcut := func() string {
		for _, s := range shortcuts {
			if _, err := os.Stat(s); err == nil {
				return s
			}
		}
		return ""
	}
	win := func(p string) string {
		abs, _ := filepath.Abs(p)
		return "Z:" + strings.ReplaceAll(abs, "/", `\`)
	}
	msiexec := func(t *testing.T, args ...string) {
		t.Helper()
		logFile := filepath.Join(t.TempDir(), "msiexec.log")
		r := w.run(t, nil, "", "msiexec", append(args, "/qn", "/l*v", win(logFile))...)
		if r.code != 0 {
			log, _ := os.ReadFile(logFile)
			if len(log) > 6000 {
				log = log[len(log)-6000:]
			}
			t.Fatalf("msiexec %s:\n%s\nthe log's end:\n%s", strings.Join(args, " "), r, log)
		}
		t.Logf("msiexec %s: %s", strings.Join(args, " "), r.took.Round(100_000_000))
	}
	arp := func(t *testing.T) (entries int, text string) {
		t.Helper()
		r := w.run(t, nil, "", "reg", "query", `HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall`, "/s")
		for _, block := range strings.Split(r.stdout, "HKEY_LOCAL_MACHINE") {
			for _, l := range strings.Split(block, "\n") {
				if f := strings.Fields(l); len(f) >= 3 && f[0] == "DisplayName" && strings.Join(f[2:], " ") == "Switchyard" {
					entries++
					text = block
				}
			}
		}
		return entries, text
	}
	const envKey = `HKLM\System\CurrentControlSet\Control\Session Manager\Environment`
	pathValue := func(t *testing.T) string {
		t.Helper()
		r := w.run(t, nil, "", "reg", "query", envKey, "/v", "PATH")
		return r.stdout
	}
	// Wine's msiexec leaves the ";" of a PATH entry it removes, and Wine's cmd.exe stops searching the PATH at
	// an empty entry: a prefix that saw earlier runs starts from a PATH without empty entries.
	tidyPath := func(t *testing.T) {
		t.Helper()
		out := pathValue(t)
		_, value, ok := strings.Cut(out, "REG_EXPAND_SZ")
		if !ok {
			return
		}
		value, _, _ = strings.Cut(value, "\n")
		value = strings.TrimSpace(value)
		var keep []string
		for _, p := range strings.Split(value, ";") {
			if p != "" {
				keep = append(keep, p)
			}
		}
		if clean := strings.Join(keep, ";"); clean != value {
			w.run(t, nil, "", "reg", "add", envKey, "/v", "PATH", "/t", "REG_EXPAND_SZ", "/d", clean, "/f")
		}
	}
	tidyPath(t)
	t.Cleanup(func() { tidyPath(t) })

	// A workspace in %APPDATA% made by the installed program, to be kept.
	root := capRoot(t)
	file := `C:\Switchyard tests\msi\crm.json`
	t.Cleanup(func() { os.RemoveAll(w.unix(`C:\Switchyard tests\msi`)) })
	w.writeWin(t, file, strings.Replace(integrationFile(root), `"auth": "basic", "username": "admin"`, `"auth": "none"`, 1))
	workspace := w.unix(`C:\users\` + user + `\AppData\Roaming\Switchyard\workspace.db`)
	os.RemoveAll(filepath.Dir(workspace))
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(workspace)) })

	t.Run("install", func(t *testing.T) {
		msiexec(t, "/i", win(msi))
		if _, err := os.Stat(w.unix(installed)); err != nil {
			t.Fatalf("not installed: %v", err)
		}
		if r := w.sw2(t, installed, "--version"); r.code != 0 || !strings.HasPrefix(r.stdout, "switchyard ") {
			t.Errorf("the installed switchyard.exe --version:\n%s", r)
		}
		if s := shortcut(); s == "" {
			t.Errorf("no Start-menu shortcut: none of %q", shortcuts)
		} else {
			t.Logf("Start-menu shortcut: %s", s)
		}
		if p := pathValue(t); !strings.Contains(p, `C:\Program Files\Switchyard`) {
			t.Errorf("the system PATH lacks the install folder:\n%s", p)
		}
		if r := w.run(t, nil, "", "cmd", "/c", "switchyard --version"); r.code != 0 || !strings.HasPrefix(r.stdout, "switchyard ") {
			t.Errorf("switchyard from the PATH in cmd.exe:\n%s", r)
		}
		n, text := arp(t)
		if n != 1 || !strings.Contains(text, os.Getenv(msiVersionVar)) || !strings.Contains(text, "Publisher") {
			t.Errorf("%d Add/Remove Programs entries, want 1 with version %s and a publisher:\n%s", n, os.Getenv(msiVersionVar), text)
		}
		if r := w.sw2(t, installed, "integration", "import", file); r.code != 0 {
			t.Fatalf("integration import into the default workspace:\n%s", r)
		}
		if _, err := os.Stat(workspace); err != nil {
			t.Fatalf("no workspace in %%APPDATA%%: %v", err)
		}
	})
	if t.Failed() {
		w.run(t, nil, "", "msiexec", "/x", win(msi), "/qn")
		return
	}

	t.Run("upgrade keeps the workspace", func(t *testing.T) {
		msiexec(t, "/i", win(next))
		n, text := arp(t)
		if n != 1 || !strings.Contains(text, os.Getenv(msiNextVersionVar)) {
			t.Errorf("after the upgrade: %d Add/Remove Programs entries, want 1 with version %s:\n%s", n, os.Getenv(msiNextVersionVar), text)
		}
		r := w.sw2(t, installed, "integration", "list")
		if r.code != 0 || !strings.Contains(r.stdout, "crm") {
			t.Errorf("the workspace after the upgrade:\n%s", r)
		}
		if p := pathValue(t); strings.Count(p, `C:\Program Files\Switchyard`) != 1 {
			t.Errorf("the PATH after the upgrade, want the folder once:\n%s", p)
		}
	})

	t.Run("uninstall", func(t *testing.T) {
		msiexec(t, "/x", win(next))
		if _, err := os.Stat(w.unix(installed)); err == nil {
			t.Errorf("switchyard.exe is still there")
		}
		if s := shortcut(); s != "" {
			t.Errorf("the Start-menu shortcut %s is still there", s)
		}
		if p := pathValue(t); strings.Contains(p, `Switchyard`) {
			t.Errorf("the PATH still names Switchyard:\n%s", p)
		}
		if n, _ := arp(t); n != 0 {
			t.Errorf("%d Add/Remove Programs entries left", n)
		}
		if _, err := os.Stat(workspace); err != nil {
			t.Errorf("the uninstall removed the workspace: %v", err)
		}
	})
}

// sw2 runs a switchyard.exe at a Windows path.
func (w *wine) sw2(t *testing.T, exe string, args ...string) result {
	t.Helper()
	return w.run(t, nil, "", exe, args...)
}
