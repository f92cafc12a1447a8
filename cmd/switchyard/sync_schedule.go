package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"switchyard/core/schedule"
)

func init() {
	commands["schedule"] = runSchedule
}

// runSchedule is `switchyard schedule print NAME`: for each schedule of the
// integration, a crontab line, a systemd service and timer pair and a
// schtasks command that run --run-sync for it.
func runSchedule(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "print" {
		return usagef("name a subcommand: print")
	}
	fs := flag.NewFlagSet("schedule print", flag.ContinueOnError)
	binary := fs.String("binary", "", "the switchyard binary the entries run (default: this one)")
	pos, closeWS, err := e.start(ctx, fs, args[1:], 1, "NAME")
	if err != nil {
		return err
	}
	defer closeWS()
	in, err := e.svc.Store.Integration(ctx, pos[0])
	if err != nil {
		return err
	}
	if *binary == "" {
		if *binary, err = os.Executable(); err != nil {
			*binary = "switchyard"
		}
	}
	ws, err := filepath.Abs(e.workspace)
	if err != nil {
		ws = e.workspace
	}
	if len(in.Schedules) == 0 {
		return usagef("integration %q has no schedules: add one to its file, e.g. \"schedules\": [{\"cron\": \"0 2 * * *\", \"enabled\": true}]", in.Name)
	}
	for i, s := range in.Schedules {
		sn, err := schedule.OSSnippets(in.Name, *binary, ws, s)
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
