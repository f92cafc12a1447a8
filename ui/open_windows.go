package ui

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/windows"
)

// openFile opens the file at path (a report) with the program Windows
// associates with its type, as a double-click in Explorer does: the shell's
// default verb through ShellExecuteW, with the plain path (spaces,
// backslashes and all). Fyne's OpenURL would hand rundll32 a file:// URL,
// which a path like C:\sy w\run.xlsx does not survive.
func openFile(path string) error {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	done := make(chan error, 1)
	go func() {
		// The shell wants COM initialised, single-threaded, on the calling thread;
		// this thread ends with the goroutine (locked, never unlocked).
		runtime.LockOSThread()
		if windows.CoInitializeEx(0, windows.COINIT_APARTMENTTHREADED|windows.COINIT_DISABLE_OLE1DDE) == nil {
			defer windows.CoUninitialize()
		}
		done <- windows.ShellExecute(0, nil, p, nil, nil, windows.SW_SHOWNORMAL)
	}()
	if err := <-done; err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	return nil
}
