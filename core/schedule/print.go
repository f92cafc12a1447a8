package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Snippets are the OS scheduler entries that run one integration's sync.
type Snippets struct {
	// Crontab is one crontab line.
	Crontab string
	// Service and Timer are a systemd unit pair, named Unit.service and Unit.timer.
	Unit, Service, Timer string
	// Schtasks is a Windows Task Scheduler command for cmd.exe, or a comment
	// saying why the schedule does not fit one.
	Schtasks string
	// SchtasksPowerShell is the same command for PowerShell (which would take
	// the \" inside /TR apart): its stop-parsing token --% passes the rest of
	// the line to schtasks.exe as cmd.exe does.
	SchtasksPowerShell string
}

// OSSnippets returns the entries that run `binary --run-sync integration
// --workspace workspace` on schedule s.
func OSSnippets(integration, binary, workspace string, s Schedule) (Snippets, error) {
	if err := s.Validate(); err != nil {
		return Snippets{}, err
	}
	args := fmt.Sprintf("--run-sync %s --workspace %s", shellQuote(integration), shellQuote(workspace))
	cmd := shellQuote(binary) + " " + args
	out := Snippets{Unit: "switchyard-sync-" + unitName(integration)}
	cronExpr, calendar := s.Cron, ""
	if s.Every != "" {
		d, _ := time.ParseDuration(s.Every)
		cronExpr = everyCron(d)
	}
	if strings.HasPrefix(cronExpr, "@") {
		cronExpr = map[string]string{"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
			"@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}[cronExpr]
	}
	if cronExpr == "" {
		return Snippets{}, fmt.Errorf("schedule %q: no crontab equivalent: use five cron fields or an interval", s.Cron+s.Every)
	}
	out.Crontab = fmt.Sprintf("%s %s >>\"$HOME/switchyard-sync-%s.log\" 2>&1", cronExpr, cmd, unitName(integration))
	timer := ""
	if s.Every != "" {
		timer = fmt.Sprintf("OnBootSec=5min\nOnUnitActiveSec=%s", strings.TrimSuffix(strings.TrimSuffix(s.Every, "0s"), "0m"))
	} else {
		calendar = systemdCalendar(cronExpr)
		timer = "OnCalendar=" + calendar
	}
	out.Service = fmt.Sprintf(`[Unit]
Description=Switchyard sync of %s

[Service]
Type=oneshot
ExecStart=%s
# Exit 2: some records failed (partial); 4: another run held the lock.
SuccessExitStatus=2 4
`, integration, cmd)
	out.Timer = fmt.Sprintf(`[Unit]
Description=Run the Switchyard sync of %s on schedule

[Timer]
%s
Persistent=true

[Install]
WantedBy=timers.target
`, integration, timer)
	st := schtasks(integration, binary, workspace, s, cronExpr)
	out.Schtasks, out.SchtasksPowerShell = cmdEscape(st), powerShellLine(st)
	return out, nil
}

// everyCron turns an interval into a cron expression where one exists.
func everyCron(d time.Duration) string {
	m := int(d / time.Minute)
	switch {
	case d%time.Minute != 0 || m <= 0:
		return ""
	case m < 60 && 60%m == 0:
		return fmt.Sprintf("*/%d * * * *", m)
	case m%60 == 0 && m/60 < 24 && 24%(m/60) == 0:
		return fmt.Sprintf("0 */%d * * *", m/60)
	case m == 24*60:
		return "0 0 * * *"
	}
	return ""
}

// systemdCalendar turns a five-field cron expression into an OnCalendar value.
func systemdCalendar(expr string) string {
	f := strings.Fields(expr)
	if len(f) != 5 {
		return expr
	}
	conv := func(s string) string {
		s = strings.ReplaceAll(s, "-", "..")
		if strings.HasPrefix(s, "*/") {
			return "0/" + strings.TrimPrefix(s, "*/")
		}
		return s
	}
	days := []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
	dow := ""
	if f[4] != "*" {
		var parts []string
		for _, p := range strings.Split(f[4], ",") {
			lo, hi, isRange := strings.Cut(p, "-")
			a, errA := strconv.Atoi(lo)
			if errA != nil || a < 0 || a > 7 {
				parts = append(parts, p)
				continue
			}
			if isRange {
				if b, err := strconv.Atoi(hi); err == nil && b >= 0 && b <= 7 {
					parts = append(parts, days[a]+".."+days[b])
					continue
				}
			}
			parts = append(parts, days[a])
		}
		dow = strings.Join(parts, ",") + " "
	}
	return fmt.Sprintf("%s*-%s-%s %s:%s:00", dow, conv(f[3]), conv(f[2]), conv(f[1]), conv(f[0]))
}

// schtasks returns the Task Scheduler command for the schedule, or a
// comment when schtasks cannot express it.
func schtasks(integration, binary, workspace string, s Schedule, cronExpr string) string {
	tr := fmt.Sprintf(`/TR "\"%s\" --run-sync %s --workspace \"%s\""`, binary, trArg(integration), workspace)
	name := fmt.Sprintf(`/TN "Switchyard sync %s"`, integration)
	f := strings.Fields(cronExpr)
	num := func(s string) (int, bool) { n, err := strconv.Atoi(s); return n, err == nil }
	if s.Every != "" {
		d, _ := time.ParseDuration(s.Every)
		m := int(d / time.Minute)
		if m%60 == 0 && m < 24*60 {
			return fmt.Sprintf("schtasks /Create %s %s /SC HOURLY /MO %d /F", name, tr, m/60)
		}
		if m <= 1439 {
			return fmt.Sprintf("schtasks /Create %s %s /SC MINUTE /MO %d /F", name, tr, m)
		}
		return fmt.Sprintf("schtasks /Create %s %s /SC DAILY /MO %d /F", name, tr, m/(24*60))
	}
	if len(f) == 5 && f[2] == "*" && f[3] == "*" {
		mi, okM := num(f[0])
		h, okH := num(f[1])
		switch {
		case okM && okH && f[4] == "*":
			return fmt.Sprintf("schtasks /Create %s %s /SC DAILY /ST %02d:%02d /F", name, tr, h, mi)
		case okM && okH:
			days := map[string]string{"0": "SUN", "1": "MON", "2": "TUE", "3": "WED", "4": "THU", "5": "FRI", "6": "SAT", "7": "SUN"}
			var ds []string
			for _, d := range strings.Split(f[4], ",") {
				if x, ok := days[d]; ok {
					ds = append(ds, x)
				}
			}
			if len(ds) == len(strings.Split(f[4], ",")) {
				return fmt.Sprintf("schtasks /Create %s %s /SC WEEKLY /D %s /ST %02d:%02d /F", name, tr, strings.Join(ds, ","), h, mi)
			}
		case okM && f[1] == "*" && f[4] == "*":
			return fmt.Sprintf("schtasks /Create %s %s /SC HOURLY /ST 00:%02d /F", name, tr, mi)
		case strings.HasPrefix(f[0], "*/") && f[1] == "*" && f[4] == "*":
			return fmt.Sprintf("schtasks /Create %s %s /SC MINUTE /MO %s /F", name, tr, strings.TrimPrefix(f[0], "*/"))
		case okM && strings.HasPrefix(f[1], "*/") && f[4] == "*":
			return fmt.Sprintf("schtasks /Create %s %s /SC HOURLY /MO %s /ST 00:%02d /F", name, tr, strings.TrimPrefix(f[1], "*/"), mi)
		}
	}
	return fmt.Sprintf("REM schtasks cannot express the cron schedule %q: use an interval (\"every\") or a daily or weekly time", cronExpr)
}

// unitName makes an integration name safe for a systemd unit and a file name.
func unitName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, s)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// trArg quotes an argument inside schtasks' /TR "..." (as \"...\") when it
// holds blanks or is empty.
func trArg(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"") {
		return s
	}
	return `\"` + strings.ReplaceAll(s, `"`, ``) + `\"`
}

// cmdEscape makes a schtasks line safe to paste into cmd.exe: the characters
// cmd.exe acts on (& | < > ^) get a caret where cmd.exe sees them outside
// quotes, which the \" inside /TR makes happen in paths like C:\R&D\w.db.
func cmdEscape(line string) string {
	if strings.HasPrefix(line, "REM ") {
		return line
	}
	var b strings.Builder
	quoted := false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && strings.ContainsRune("&|<>^", r):
			b.WriteByte('^')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// powerShellLine is a schtasks line for PowerShell: with --% after the
// program, PowerShell hands the rest to schtasks.exe unparsed; a comment
// starts with # there.
func powerShellLine(line string) string {
	if rest, ok := strings.CutPrefix(line, "REM "); ok {
		return "# " + rest
	}
	if rest, ok := strings.CutPrefix(line, "schtasks "); ok {
		return "schtasks --% " + rest
	}
	return line
}
