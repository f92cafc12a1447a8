package report

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"switchyard/core/engine"
)

func TestReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.xlsx")
	w, err := New(path)
	if err != nil {
		t.Fatal(err)
	}
	records := []engine.RecordResult{
		{Entity: "Accounts", Key: "a1", Action: engine.Create, Changes: []engine.Change{{Field: "name", New: "Zoë"}}},
		{Entity: "Accounts", Key: "a2", Action: engine.Update, Changes: []engine.Change{{Field: "name", Old: "x", New: "y"}, {Field: "revenue", Old: 1.5, New: "2"}}},
		{Entity: "Contacts/Leads", Key: "c1", Action: engine.Fail, Error: "lookup accountid: no account has externalid = z"},
		{Entity: "Accounts", Key: "a3", Action: engine.Unchanged},
	}
	for _, r := range records {
		w.Record(r)
	}
	res := &engine.Result{Integration: "crm", Direction: engine.Import, Status: engine.Partial, Started: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
		Entities: []engine.EntityResult{
			{Entity: "Accounts", LocalEntity: "account", Direction: engine.Import, Counts: engine.Counts{All: 3, Imported: 1, Updated: 1, Unchanged: 1}, Duration: 1500 * time.Millisecond},
			{Entity: "Contacts/Leads", LocalEntity: "contact", Direction: engine.Import, Counts: engine.Counts{All: 1, Failed: 1}},
			{Entity: "WorkOrders", LocalEntity: "workorder", Direction: engine.Import},
		}}
	if err := w.Close(res); err != nil {
		t.Fatal(err)
	}

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "Summary,Accounts,Contacts_Leads,WorkOrders" {
		t.Fatalf("sheets = %s", got)
	}
	summary, _ := f.GetRows("Summary")
	if strings.Join(summary[1], "|") != "Accounts|account|import|3|1|0|1|1|0|0|1.5" {
		t.Errorf("summary row = %q", summary[1])
	}
	if !strings.Contains(strings.Join(summary[len(summary)-1], " "), "RESULTS: ALL (4) : IMPORTED (1); UPDATED (1); UNCHANGED (1); FAILED (1)") {
		t.Errorf("summary result = %q", summary[len(summary)-1])
	}
	acc, _ := f.GetRows("Accounts")
	if len(acc) != 4 || strings.Join(acc[0], "|") != "Key|Action|Status|Changed fields|Error" {
		t.Fatalf("Accounts rows = %q", acc)
	}
	if acc[2][3] != "name: x → y\nrevenue: 1.5 → 2" || acc[1][3] != "name: Zoë" {
		t.Errorf("changed fields = %q / %q", acc[1][3], acc[2][3])
	}
	con, _ := f.GetRows("Contacts_Leads")
	if con[1][2] != "failed" || !strings.Contains(con[1][4], "no account has externalid") {
		t.Errorf("contact row = %q", con[1])
	}
	panes, err := f.GetPanes("Accounts")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("Accounts panes = %+v, %v", panes, err)
	}
	if wd, _ := f.GetColWidth("Accounts", "D"); wd < 40 {
		t.Errorf("changed-fields column width %v", wd)
	}
	filters := 0
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" {
			filters++
		}
	}
	if filters != 4 {
		t.Errorf("%d sheets have an autofilter, want 4", filters)
	}

	file, err := os.Open(w.FailedPath())
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	failed, err := csv.NewReader(file).ReadAll()
	if err != nil || len(failed) != 2 || failed[1][0] != "Contacts/Leads" || failed[1][1] != "c1" {
		t.Errorf("failed CSV = %q, %v", failed, err)
	}
}

func TestNewRefusesOtherExtensions(t *testing.T) {
	if _, err := New("run.csv"); err == nil || !strings.Contains(err.Error(), "name an .xlsx file") {
		t.Errorf("New(run.csv) = %v", err)
	}
	if _, err := New("/nonexistent/folder/run.xlsx"); err == nil || !strings.Contains(err.Error(), "the folder /nonexistent/folder does not exist") {
		t.Errorf("New in a missing folder = %v", err)
	}
}
