package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"switchyard/core/connector"
	"switchyard/core/engine"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

// honestCatalog is an external system with accounts and contacts that point to them.
var honestCatalog = []meta.Entity{
	{Name: "Accounts", Key: []string{"ID"}, Fields: []meta.Field{
		{Name: "ID", Type: meta.String, ExternalType: "Edm.String"},
		{Name: "name", Type: meta.String, ExternalType: "Edm.String", Nullable: true},
	}},
	{Name: "Contacts", Key: []string{"ID"}, Fields: []meta.Field{
		{Name: "ID", Type: meta.String, ExternalType: "Edm.String"},
		{Name: "email", Type: meta.String, ExternalType: "Edm.String", Nullable: true},
		{Name: "account_ID", Type: meta.String, ExternalType: "Edm.String", Nullable: true},
	}},
}

// honestConnector serves records (entity → pages) and fails the page
// numbered failAt (1-based) of Contacts, when set.
type honestConnector struct {
	records map[string][]meta.Record
	// pageSize splits the records into pages; one page when 0.
	pageSize int
	failAt   int
}

func (c *honestConnector) Catalog(context.Context) ([]meta.Entity, error) { return honestCatalog, nil }
func (c *honestConnector) Close() error                                   { return nil }

func (c *honestConnector) ReadPage(_ context.Context, q connector.Query, token string) (connector.Page, error) {
	recs := c.records[q.Entity]
	page := 1
	if token != "" {
		fmt.Sscan(token, &page)
	}
	if q.Entity == "Contacts" && page == c.failAt {
		return connector.Page{}, errors.New("GET Contacts?$skiptoken=4: 503 Service Unavailable: the service is overloaded")
	}
	size := c.pageSize
	if size == 0 {
		size = len(recs)
	}
	from := min((page-1)*size, len(recs))
	to := min(from+size, len(recs))
	out := connector.Page{Records: recs[from:to], Total: -1}
	if q.Count {
		out.Total = int64(len(recs))
	}
	if to < len(recs) {
		out.Next = fmt.Sprint(page + 1)
	}
	return out, nil
}

// honestIntegration downloads both entities; a contact's e-mail must be an
// e-mail address, and its account lookup warns when the account is missing.
const honestIntegration = `{
  "format": "switchyard.integration/v1",
  "name": "honest",
  "connector": "honest",
  "settings": {},
  "entities": [
    {"external": "Accounts", "local": "account", "primaryKey": "externalid", "direction": "download",
     "fields": [{"external": "ID", "local": "externalid"}, {"external": "name", "local": "name"}]},
    {"external": "Contacts", "local": "contact", "primaryKey": "externalid", "direction": "download",
     "fields": [{"external": "ID", "local": "externalid"},
                {"external": "email", "local": "emailaddress1", "rules": [{"rule": "email"}]},
                {"external": "account_ID", "local": "parentcustomerid", "lookup": "account"}]}
  ]
}`

// honestFixture is a fixture with the honest integration imported, served by c.
func honestFixture(t *testing.T, c *honestConnector) *fixture {
	t.Helper()
	f := newFixture(t)
	err := f.shell.svc.Registry.Add(connector.Info{Name: "honest", Title: "Honest", Options: spec.Options{},
		New: func(context.Context, spec.Values) (connector.Connector, error) { return c, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.shell.svc.ImportFile(context.Background(), strings.NewReader(honestIntegration)); err != nil {
		t.Fatal(err)
	}
	f.shell.Show(SectionIntegrations)
	f.settle() // the screen loads its list
	return f
}

// contactsWithProblems are 8 contacts: two break the e-mail rule (they
// fail), two point to accounts that do not exist (written with warnings).
func contactsWithProblems() map[string][]meta.Record {
	return map[string][]meta.Record{
		"Accounts": {{"ID": "A1", "name": "Contoso"}, {"ID": "A2", "name": "Fabrikam"}},
		"Contacts": {
			{"ID": "C1", "email": "c1@example.com", "account_ID": "A1"},
			{"ID": "C2", "email": "c2@example.com", "account_ID": "A2"},
			{"ID": "C3", "email": "not an address", "account_ID": "A1"},
			{"ID": "C4", "email": "c4@example.com", "account_ID": "A9"},
			{"ID": "C5", "email": "c5@example.com", "account_ID": nil},
			{"ID": "C6", "email": "@nowhere", "account_ID": "A2"},
			{"ID": "C7", "email": "c7@example.com", "account_ID": "A8"},
			{"ID": "C8", "email": "c8@example.com", "account_ID": "A1"},
		},
	}
}

// runTransfer taps text (Preview, Import) and waits for the end of the run.
func runTransfer(t *testing.T, f *fixture, p *transferPage, text string) {
	t.Helper()
	f.tap(t, text)
	await(t, text, p.done)
	waitFor(t, "the end of "+text, func() bool { return !p.running })
}

// TestDownloadShowsFailuresAndWarningsFirst: after a real run the table lists
// the failed records and those with warnings first, with their texts, then
// the others with their final result; the counts agree with the engine's
// result and the run log; the outcome filter narrows the table; the run
// details list failures and warnings by kind.
func TestDownloadShowsFailuresAndWarningsFirst(t *testing.T) {
	f := honestFixture(t, &honestConnector{records: contactsWithProblems()})
	f.shell.integrations.selectName("honest")
	f.tap(t, "Download")
	p := f.shell.transfer

	// The preview says what it is, and what it would do (it foresees the two
	// contacts whose account the run would not bring).
	runTransfer(t, f, p, "Preview")
	if want := "Preview — nothing was written: would create 6, would fail 2, would warn 2 (all 10 records)"; p.counts.Text != want {
		t.Errorf("preview status = %q, want %q; error %q", p.counts.Text, want, f.shell.lastError)
	}
	if !strings.HasPrefix(p.summary.Text, "PREVIEW, NOTHING WRITTEN (10 records looked at") {
		t.Errorf("preview results line = %q", p.summary.Text)
	}
	if title := p.results.table.header.Objects[colResult].(*widget.Label).Text; title != "Would" {
		t.Errorf("preview header = %q, want Would", title)
	}
	if got := cells(6, p.results.table.cellFn, 0); !strings.HasPrefix(got, "Contacts|C3||would fail||") {
		t.Errorf("preview's first row = %q", got)
	}

	// The run: failures, then warnings, then the rest, each with its final result.
	runTransfer(t, f, p, "Import")
	want := "RESULTS: ALL (10) : IMPORTED (6); UPDATED (0); UNCHANGED (0); FAILED (2); WARNINGS (2)"
	if p.summary.Text != want {
		t.Fatalf("results line = %q, want %q; error %q", p.summary.Text, want, f.shell.lastError)
	}
	if p.summary.Importance != widget.WarningImportance || p.counts.Importance != widget.WarningImportance {
		t.Errorf("a partial run is coloured %v / %v, want the warning colour", p.counts.Importance, p.summary.Importance)
	}
	if !strings.Contains(p.counts.Text, "Import partly done") || !strings.Contains(p.counts.Text, "2 records failed, 2 records written with warnings") {
		t.Errorf("status = %q", p.counts.Text)
	}
	if title := p.results.table.header.Objects[colResult].(*widget.Label).Text; title != "Result" {
		t.Errorf("run header = %q, want Result", title)
	}
	if p.results.table.list.Length() != 10 {
		t.Fatalf("%d rows listed, want 10", p.results.table.list.Length())
	}
	rows := []struct {
		prefix, text string
		action       engine.Action
		imp          widget.Importance
	}{
		{"Contacts|C3||failed|", "email", engine.Fail, widget.DangerImportance},
		{"Contacts|C6||failed|", "email", engine.Fail, widget.DangerImportance},
		{"Contacts|C4||written with warnings|", "no account has externalid = A9: written without it", engine.Warn, widget.WarningImportance},
		{"Contacts|C7||written with warnings|", "no account has externalid = A8: written without it", engine.Warn, widget.WarningImportance},
		{"Accounts|A1|Contoso|created|", "", engine.Create, widget.MediumImportance},
	}
	for i, r := range rows {
		got := cells(6, p.results.table.cellFn, i)
		if !strings.HasPrefix(got, r.prefix) || !strings.Contains(got[len(r.prefix):], r.text) {
			t.Errorf("row %d = %q, want %q… with %q", i, got, r.prefix, r.text)
		}
		if _, imp := p.results.table.cellFn(i, colResult); imp != actionImportance(r.action) {
			t.Errorf("row %d's result coloured %v", i, imp)
		}
		if _, imp := p.results.table.cellFn(i, colText); imp != r.imp {
			t.Errorf("row %d's text coloured %v, want %v", i, imp, r.imp)
		}
	}
	if got := cells(6, p.results.table.cellFn, 9); !strings.HasPrefix(got, "Contacts|C8||created|") {
		t.Errorf("last row = %q", got)
	}
	if !strings.Contains(p.results.pager.Text, "Records 1–10 of 10, failed ones and those with warnings first") {
		t.Errorf("pager = %q", p.results.pager.Text)
	}
	// Selecting a record shows its whole text.
	p.results.table.list.Select(2)
	if !p.results.detail.Visible() || !strings.Contains(p.results.detail.Text, "C4: written with warnings — lookup parentcustomerid: no account has externalid = A9: written without it") ||
		p.results.detail.Importance != widget.WarningImportance {
		t.Errorf("detail = %q (visible %v)", p.results.detail.Text, p.results.detail.Visible())
	}

	// The counts agree with the run log.
	logs, err := f.st.Logs(context.Background(), "honest", 1)
	if err != nil || len(logs) != 1 {
		t.Fatalf("run log: %v %v", logs, err)
	}
	if l := logs[0]; l.All != 10 || l.Imported != 6 || l.Failed != 2 || l.Warnings != 2 || l.Status != string(engine.Partial) {
		t.Errorf("run log = %+v", l)
	}

	// The filter.
	wantFilters := []string{"All (10)", "Failed (2)", "With warnings (2)", "Created (6)", "Updated (0)", "Unchanged (0)", "Deleted (0)"}
	if got := strings.Join(p.results.filter.Options, ","); got != strings.Join(wantFilters, ",") {
		t.Errorf("filters = %s", got)
	}
	p.results.filter.SetSelected("With warnings (2)")
	if n := p.results.table.list.Length(); n != 2 {
		t.Errorf("With warnings lists %d rows", n)
	}
	for i := range 2 {
		if got := cells(4, p.results.table.cellFn, i); !strings.HasSuffix(got, "|written with warnings") {
			t.Errorf("With warnings row %d = %q", i, got)
		}
	}
	p.results.filter.SetSelected("Created (6)")
	if n := p.results.table.list.Length(); n != 6 {
		t.Errorf("Created lists %d rows", n)
	}
	p.results.filter.SetSelected("Deleted (0)")
	if n := p.results.table.list.Length(); n != 0 || p.results.pager.Text != "No record has this outcome." {
		t.Errorf("Deleted lists %d rows, pager %q", n, p.results.pager.Text)
	}
	p.results.filter.SetSelected("Failed (2)")
	if n := p.results.table.list.Length(); n != 2 {
		t.Errorf("Failed lists %d rows", n)
	}

	// Run details: per-entity warnings, failures and warnings by kind.
	f.shell.Show(SectionRuns)
	f.settle() // the screen loads its list
	var runs *runsScreen
	for _, s := range f.shell.sections {
		if x, ok := s.screen.(*runsScreen); ok {
			runs = x
		}
	}
	if got := cells(12, runs.cell, 0); !strings.Contains(got, "|10|6|0|0|2|2|") {
		t.Errorf("runs row = %q", got)
	}
	runs.list.onOpen(0) // a double click
	f.settle()          // the details load
	d := runs.details
	contacts := -1
	for i, e := range d.entities {
		if e.Entity == "Contacts" {
			contacts = i
		}
	}
	if contacts < 0 {
		t.Fatalf("run details list no Contacts: %+v", d.entities)
	}
	if got, imp := d.entityCell(contacts, 8); got != "2" || imp != widget.WarningImportance {
		t.Errorf("Contacts' warnings = %q (%v)", got, imp)
	}
	if len(d.failures) != 4 {
		t.Fatalf("run details list %d failures and warnings, want 4", len(d.failures))
	}
	for i, want := range []string{"Contacts|C3|failed|", "Contacts|C6|failed|", "Contacts|C4|written with warnings|", "Contacts|C7|written with warnings|"} {
		if got := cells(4, d.failureCell, i); !strings.HasPrefix(got, want) {
			t.Errorf("run details row %d = %q, want %q…", i, got, want)
		}
	}
	d.fails.list.Select(2)
	if !strings.Contains(d.failDetail.Text, "C4: written with warnings — lookup parentcustomerid: no account has externalid = A9: written without it") {
		t.Errorf("run details' detail = %q", d.failDetail.Text)
	}
	if d.retryBtn.Disabled() {
		t.Error("Retry disabled for a run with failed records")
	}
	if got := d.failedEntities(); len(got) != 1 || got[0] != "Contacts" {
		t.Errorf("entities to retry = %v", got)
	}
	if !strings.Contains(d.summary.Text, "failed 2, warnings 2") {
		t.Errorf("details summary = %q", d.summary.Text)
	}
}

// TestFailedDownloadKeepsItsError: a download that fails part-way says so in
// its status, keeps the error and its fix on screen, shows the INCOMPLETE
// results line and the bar where the run stopped, and lists what it did; the
// next run clears the error.
func TestFailedDownloadKeepsItsError(t *testing.T) {
	recs := contactsWithProblems()
	for _, c := range recs["Contacts"] { // every record is fine: the run fails on the service
		c["email"], c["account_ID"] = "x@example.com", "A1"
	}
	c := &honestConnector{records: recs, pageSize: 4, failAt: 2}
	f := honestFixture(t, c)
	f.shell.integrations.selectName("honest")
	f.tap(t, "Download")
	p := f.shell.transfer
	runTransfer(t, f, p, "Import")

	if !strings.HasPrefix(p.summary.Text, "RESULTS (INCOMPLETE: the run failed after 6 records") {
		t.Errorf("results line = %q", p.summary.Text)
	}
	if p.summary.Importance != widget.DangerImportance || p.counts.Importance != widget.DangerImportance {
		t.Errorf("a failed run is coloured %v / %v", p.counts.Importance, p.summary.Importance)
	}
	if !strings.HasPrefix(p.counts.Text, "Import failed after 6 records") {
		t.Errorf("status = %q", p.counts.Text)
	}
	// Accounts done, Contacts read 4 of 8: three quarters of the run.
	if v := p.bar.Value; v != 0.75 || !p.bar.Visible() || p.bar.TextFormatter == nil || p.bar.TextFormatter() != "stopped at 75%" {
		t.Errorf("the bar shows %v (visible %v), want 0.75 where the run stopped", v, p.bar.Visible())
	}
	if !p.errText.Visible() || !strings.Contains(p.errText.Text, "503 Service Unavailable") ||
		!strings.Contains(p.errText.Text, "Check the connection") || p.errText.Importance != widget.DangerImportance {
		t.Errorf("error on screen = %q (visible %v)", p.errText.Text, p.errText.Visible())
	}
	if !strings.Contains(f.shell.lastError, "Import of honest failed") {
		t.Errorf("no error dialog: %q", f.shell.lastError)
	}
	if n := p.results.table.list.Length(); n != 6 {
		t.Errorf("%d records listed, want the 6 handled", n)
	}
	if got := cells(6, p.results.table.cellFn, 2); !strings.HasPrefix(got, "Contacts|C1||created|") {
		t.Errorf("row 2 = %q", got)
	}

	// The error stays until the next run, which clears it.
	f.shell.Show(SectionRuns)
	f.settle() // the screen loads its list
	f.shell.setContent(p.root)
	if !f.shows("503 Service Unavailable") {
		t.Errorf("the error is gone from the screen: %q", f.texts())
	}
	c.failAt = 0
	runTransfer(t, f, p, "Import")
	if p.errText.Visible() || p.summary.Importance != widget.SuccessImportance || p.bar.Value != 1 || p.bar.TextFormatter != nil {
		t.Errorf("after a good run: error %q (visible %v), results %q coloured %v, bar %v",
			p.errText.Text, p.errText.Visible(), p.summary.Text, p.summary.Importance, p.bar.Value)
	}
	if !strings.HasPrefix(p.summary.Text, "RESULTS: ALL (10)") {
		t.Errorf("results line = %q", p.summary.Text)
	}
}

// TestResultsTablePagesAndBounds: every failed record is listed, before the
// others, a page at a time; of the others the first othersKept are kept and
// the rest are said to be in the report.
func TestResultsTablePagesAndBounds(t *testing.T) {
	newSerialApp(t)
	col := &outcomes{}
	var c engine.Counts
	for i := range 3700 {
		r := engine.RecordResult{Entity: "Items", Key: fmt.Sprint(i), Action: engine.Create}
		c.Imported++
		if i%5 == 4 {
			r.Action, r.Error = engine.Fail, fmt.Sprintf("item %d: too long", i)
			c.Imported--
			c.Failed++
		}
		c.All++
		col.add(r)
	}
	rt := newResultsTable()
	rt.set(col, c, false)
	if len(col.fails) != 740 || len(col.others) != othersKept || col.moreOthers != 3700-740-othersKept {
		t.Fatalf("kept %d failures, %d others, %d more", len(col.fails), len(col.others), col.moreOthers)
	}
	if n := rt.table.list.Length(); n != resultsPageSize {
		t.Errorf("page 1 lists %d rows", n)
	}
	if got := cells(6, rt.cell, 0); got != "Items|4||failed||item 4: too long" {
		t.Errorf("first row = %q", got)
	}
	want := "Records 1–500 of 2,740, failed ones and those with warnings first … and 960 more in the report"
	if rt.pager.Text != want {
		t.Errorf("pager = %q, want %q", rt.pager.Text, want)
	}
	if !rt.nextBtn.Visible() || rt.nextBtn.Disabled() || !rt.prevBtn.Disabled() {
		t.Error("the pager cannot go on")
	}
	rt.turn(1)
	if got := cells(4, rt.cell, 239); got != "Items|3699||failed" {
		t.Errorf("the last failure (row 740) = %q", got)
	}
	if got := cells(4, rt.cell, 240); got != "Items|0||created" {
		t.Errorf("the first other (row 741) = %q", got)
	}
	for range 10 {
		rt.turn(1)
	}
	if rt.page != 5 || rt.table.list.Length() != 2740-5*resultsPageSize || !rt.nextBtn.Disabled() {
		t.Errorf("last page %d lists %d rows", rt.page, rt.table.list.Length())
	}
	rt.filter.SetSelectedIndex(1)
	if rt.page != 0 || rt.table.list.Length() != resultsPageSize || !strings.HasPrefix(rt.pager.Text, "Records 1–500 of 740") || strings.Contains(rt.pager.Text, "more") {
		t.Errorf("Failed: page %d, pager %q", rt.page, rt.pager.Text)
	}
	rt.filter.SetSelectedIndex(3)
	if want := "Records 1–500 of 2,000 … and 960 more in the report"; rt.pager.Text != want {
		t.Errorf("Created: pager %q, want %q", rt.pager.Text, want)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 12: "12", 999: "999", 1000: "1,000", 1200: "1,200", 1234567: "1,234,567", -4000: "-4,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestColumnsFit: columns keep their widths when there is room; when there is
// not, the wide ones give up their room above the floor first (a kept column
// none), and only then all shrink alike.
func TestColumnsFit(t *testing.T) {
	l := &columnsLayout{widths: []float32{40, 164, 170, 264}, floors: []float32{0, 0, 170, 0}}
	tests := []struct {
		avail float32
		want  []float32
	}{
		{700, []float32{40, 164, 170, 264}},
		{538, []float32{40, 164 - 100.0/3, 170, 264 - 200.0/3}}, // 100 short: columns 1 and 3 give it up in proportion to their room above the floor (100 and 200)
		{338, []float32{40, 64, 170, 64}},
		{169, []float32{20, 32, 85, 32}}, // half the floors
	}
	for _, tt := range tests {
		got := l.fit(4, tt.avail)
		for i := range got {
			if d := got[i] - tt.want[i]; d > 0.01 || d < -0.01 {
				t.Errorf("fit(%v) = %v, want %v", tt.avail, got, tt.want)
				break
			}
		}
	}
}
