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
	if store.IsPostgres(e.workspace) {
		return &admin.ConfigError{Err: errors.New("the app does not open a PostgreSQL workspace yet (issue 19): the headless commands work on one; " +
			"open a workspace file in the app, e.g. --workspace switchyard.db")}
	}
	if !haveDisplay() {
		return &admin.ConfigError{Err: errors.New("no display: the GUI needs DISPLAY or WAYLAND_DISPLAY set (run it in a desktop session, or under Xvfb); headless commands work without one")}
	}
	_, statErr := os.Stat(e.workspace)
	fresh := errors.Is(statErr, os.ErrNotExist)
	closeWS, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer closeWS()
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
