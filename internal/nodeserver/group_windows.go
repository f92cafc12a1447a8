package nodeserver

import (
	"os"
	"os/exec"
)

// ownGroup does nothing on Windows, where the test servers do not run (the
// Windows build's tests under Wine use none); it lets the packages that
// import this one build for Windows.
func ownGroup(*exec.Cmd) {}

// endGroup kills the process pid: Windows has no signal to ask it to end.
func endGroup(pid int, _ bool) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}
