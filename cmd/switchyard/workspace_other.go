//go:build !windows

package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// platformWorkspace is the default workspace outside Windows:
// $XDG_DATA_HOME/switchyard/workspace.db (~/.local/share/switchyard/workspace.db).
func platformWorkspace() (string, error) {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the default workspace: %w; give one with --workspace FILE", err)
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "switchyard", "workspace.db"), nil
}
