package main

import (
	"os"
	"runtime"
)

// haveDisplay reports whether the GUI can open a window: always on Windows
// and macOS; elsewhere (X11, Wayland) only with DISPLAY or WAYLAND_DISPLAY
// set, since GLFW panics without either.
func haveDisplay() bool {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}
