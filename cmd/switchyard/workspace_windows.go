package main

import (
	"errors"
	"os"
	"path/filepath"
)

// platformWorkspace is the default workspace on Windows:
// %APPDATA%\Switchyard\workspace.db (the roaming profile of the user, outside
// the install folder, so installs, upgrades and uninstalls leave it alone).
func platformWorkspace() (string, error) {
	dir := os.Getenv("APPDATA")
	if dir == "" {
		var err error
		if dir, err = os.UserConfigDir(); err != nil { // %AppData% too, or an error saying it is not set
			return "", errors.New("find the default workspace: %APPDATA% is not set; give one with --workspace FILE")
		}
	}
	return filepath.Join(dir, "Switchyard", "workspace.db"), nil
}
