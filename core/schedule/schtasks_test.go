package schedule

import "testing"

// TestSchtasksQuoting: paths with spaces, backslashes and cmd.exe's special
// characters, and integration names with blanks, give a cmd.exe line and a
// PowerShell line (internal/wintest runs the cmd.exe one under Wine).
func TestSchtasksQuoting(t *testing.T) {
	tests := []struct {
		name, bin, ws   string
		cmd, powerShell string
	}{
		{"crm", `C:\Program Files\Switchyard\switchyard.exe`, `C:\sy w\w.db`,
			`schtasks /Create /TN "Switchyard sync crm" /TR "\"C:\Program Files\Switchyard\switchyard.exe\" --run-sync crm --workspace \"C:\sy w\w.db\"" /SC DAILY /ST 02:00 /F`,
			`schtasks --% /Create /TN "Switchyard sync crm" /TR "\"C:\Program Files\Switchyard\switchyard.exe\" --run-sync crm --workspace \"C:\sy w\w.db\"" /SC DAILY /ST 02:00 /F`},
		{"crm eu", `C:\sy\switchyard.exe`, `C:\R&D\a|b.db`,
			`schtasks /Create /TN "Switchyard sync crm eu" /TR "\"C:\sy\switchyard.exe\" --run-sync \"crm eu\" --workspace \"C:\R^&D\a^|b.db\"" /SC DAILY /ST 02:00 /F`,
			`schtasks --% /Create /TN "Switchyard sync crm eu" /TR "\"C:\sy\switchyard.exe\" --run-sync \"crm eu\" --workspace \"C:\R&D\a|b.db\"" /SC DAILY /ST 02:00 /F`},
	}
	for _, tt := range tests {
		sn, err := OSSnippets(tt.name, tt.bin, tt.ws, Schedule{Cron: "0 2 * * *"})
		if err != nil {
			t.Fatal(err)
		}
		if sn.Schtasks != tt.cmd {
			t.Errorf("cmd.exe:\n got %s\nwant %s", sn.Schtasks, tt.cmd)
		}
		if sn.SchtasksPowerShell != tt.powerShell {
			t.Errorf("PowerShell:\n got %s\nwant %s", sn.SchtasksPowerShell, tt.powerShell)
		}
	}
	sn, _ := OSSnippets("crm", `C:\s.exe`, `C:\w.db`, Schedule{Cron: "0 2 1 * *"})
	if sn.Schtasks[:4] != "REM " || sn.SchtasksPowerShell[:2] != "# " {
		t.Errorf("a schedule schtasks cannot express: %q, %q", sn.Schtasks, sn.SchtasksPowerShell)
	}
}
