package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"switchyard/core/admin"
	"switchyard/core/store"
	"switchyard/ui"
)

// appID identifies the app to the desktop (preferences, window memory); it matches FyneApp.toml.
const appID = "io.switchyard.app"

// openGUI opens the workspace and runs the main window until it is closed.
func (e *env) openGUI(ctx context.Context) error {
	if err := e.locate(); err != nil {
		return err
	}
	if !haveDisplay() {
		return &admin.ConfigError{Err: errors.New("no display: the GUI needs DISPLAY or WAYLAND_DISPLAY set (run it in a desktop session, or under Xvfb); headless commands work without one")}
	}
	// A new workspace file gets the sample; a team's PostgreSQL workspace does not (its files would be on one laptop).
	_, statErr := os.Stat(e.workspace)
	fresh := errors.Is(statErr, os.ErrNotExist) && !store.IsPostgres(e.workspace)
	closeWS, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer closeWS()
	e.svc.Folder = localFolder()
	if fresh {
		// A brand-new workspace gets a sample CRM to map, preview, import and sync without any server.
		if name, err := admin.EnsureSample(ctx, e.svc, filepath.Dir(e.svc.Store.Path())); err != nil {
			fmt.Fprintf(e.stderr, "switchyard: the sample integration was not set up: %v\n", err)
		} else if name != "" {
			fmt.Fprintf(e.stderr, "switchyard: new workspace %s, with the sample integration %q to try things out\n", e.workspace, name)
		}
	}
	a := app.NewWithID(appID)
	shell := ui.NewShell(a, e.svc)
	// The in-app scheduler runs the due syncs while the window is open.
	runner := e.svc.Runner()
	runner.Start(ctx)
	defer runner.Stop()
	shell.SetRunner(runner)
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	shell.Window().ShowAndRun()
	if ctx.Err() != nil && !errors.Is(ctx.Err(), context.Canceled) {
		return ctx.Err()
	}
	return nil
}

// localFolder is the folder of this machine's files for a workspace that is
// not a file (admin.Service.Folder): the default workspace's folder, where
// the app puts the reports of a PostgreSQL workspace's runs ("reports").
func localFolder() string {
	if ws, err := platformWorkspace(); err == nil {
		return filepath.Dir(ws)
	}
	return ""
}
