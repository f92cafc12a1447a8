package store

import (
	"errors"

	"golang.org/x/sys/windows"
)

// processAlive reports whether a process with the given id runs on this
// host, so that the run lock of a process that died (killed in Task Manager,
// a crash, a reboot) is taken over at once instead of after lockStale. A
// process that cannot be opened for another reason than its absence (access
// denied: another user's) counts as alive: the heartbeat decides then.
func processAlive(pid int) bool {
	if pid <= 0 || uint64(pid) > 0xFFFFFFFF {
		return false
	}
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION|windows.SYNCHRONIZE, false, uint32(pid))
	if err != nil {
		return !errors.Is(err, windows.ERROR_INVALID_PARAMETER) // no process has that id
	}
	defer windows.CloseHandle(h)
	// The handle of a process that exited stays valid while someone holds one:
	// signalled means exited.
	ev, err := windows.WaitForSingleObject(h, 0)
	return err != nil || ev == uint32(windows.WAIT_TIMEOUT)
}
