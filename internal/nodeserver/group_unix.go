//go:build !windows

package nodeserver

import (
	"os/exec"
	"syscall"
)

// ownGroup starts cmd in a process group of its own, so that endGroup ends
// the server with the processes it starts.
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// endGroup asks the process group of pid to end (SIGTERM), or kills it.
func endGroup(pid int, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	syscall.Kill(-pid, sig)
}
