package main

import (
	"context"
	"errors"
	"os"

	"fyne.io/fyne/v2/app"

	"switchyard/ui"
)

// appID identifies the app to the desktop (preferences, window memory); it matches FyneApp.toml.
const appID = "io.switchyard.app"

// openGUI opens the workspace and runs the main window until it is closed.
func (e *env) openGUI(ctx context.Context) error {
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return usageError{"no display: the GUI needs DISPLAY or WAYLAND_DISPLAY set (run it in a desktop session, or under Xvfb); headless commands work without one"}
	}
	closeWS, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer closeWS()
	a := app.NewWithID(appID)
	shell := ui.NewShell(a, e.svc)
	// The in-app scheduler runs the due syncs while the window is open.
	runner := e.svc.Runner()
	runner.Start(ctx)
	defer runner.Stop()
	shell.SetRunner(runner)
	go func() {
		<-ctx.Done()
		a.Quit()
	}()
	shell.Window().ShowAndRun()
	if ctx.Err() != nil && !errors.Is(ctx.Err(), context.Canceled) {
		return ctx.Err()
	}
	return nil
}
