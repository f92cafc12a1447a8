//go:build !windows

package ui

import (
	"net/url"

	"fyne.io/fyne/v2"
)

// openFile opens the file at path (a report) with the desktop's program for
// its type (xdg-open, or open on macOS), through Fyne.
func openFile(path string) error {
	return fyne.CurrentApp().OpenURL(&url.URL{Scheme: "file", Path: path})
}
