package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"switchyard/core/schedule"
	"switchyard/core/store"
)

func schedulePrintCmd(e *env) *cobra.Command {
	var binary string
	c := leaf("print NAME", "Print a crontab line, a systemd service and timer, and schtasks commands for each schedule", func(ctx context.Context, args []string) error {
		return e.withWorkspace(ctx, func() error { return e.schedulePrint(ctx, args[0], binary) })
	})
	c.Long = "For each schedule of the integration, print a crontab line, a systemd service and timer pair, and schtasks\n" +
		"commands (cmd.exe and PowerShell) that run --run-sync for it."
	c.Flags().StringVar(&binary, "binary", "", "the switchyard binary the entries run (default: this one)")
	return c
}

// schedulePrint is `switchyard schedule print NAME`.
func (e *env) schedulePrint(ctx context.Context, name, binary string) error {
	in, err := e.svc.Store.Integration(ctx, name)
	if err != nil {
		return err
	}
	if binary == "" {
		if binary, err = os.Executable(); err != nil {
			binary = "switchyard"
		}
	}
	ws := e.workspace
	if abs, err := filepath.Abs(ws); err == nil && !store.IsPostgres(ws) {
		ws = abs
	}
	if len(in.Schedules) == 0 {
		return usagef("integration %q has no schedules: add one to its file, e.g. \"schedules\": [{\"cron\": \"0 2 * * *\", \"enabled\": true}]", in.Name)
	}
	for i, s := range in.Schedules {
		sn, err := schedule.OSSnippets(in.Name, binary, ws, s)
		if err != nil {
			return fmt.Errorf("schedule %d of %q: %w", i+1, in.Name, err)
		}
		state := "enabled"
		if !s.Enabled {
			state = "disabled in Switchyard"
		}
		fmt.Fprintf(e.stdout, "# schedule %d (%s%s, %s)\n\n# crontab (crontab -e):\n%s\n\n", i+1, s.Cron, s.Every, state, sn.Crontab)
		fmt.Fprintf(e.stdout, "# systemd: ~/.config/systemd/user/%s.service\n%s\n# systemd: ~/.config/systemd/user/%s.timer, then: systemctl --user enable --now %s.timer\n%s\n",
			sn.Unit, sn.Service, sn.Unit, sn.Unit, sn.Timer)
		fmt.Fprintf(e.stdout, "# Windows Task Scheduler (cmd.exe):\n%s\n\n", sn.Schtasks)
		fmt.Fprintf(e.stdout, "# Windows Task Scheduler (PowerShell):\n%s\n\n", sn.SchtasksPowerShell)
	}
	return nil
}
