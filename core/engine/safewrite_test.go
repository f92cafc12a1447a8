package engine

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"switchyard/core/connector"
	"switchyard/core/filter"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/store"
)

// recordingWriter is memWriter that keeps every record sent, and fails the
// first conflicts updates with connector.ErrConflict (an ETag that no longer
// matches), changing the record meanwhile as someone else would.
type recordingWriter struct {
	*memWriter
	sent      []meta.Record
	conflicts int
	meanwhile func()
}

func (w *recordingWriter) Write(ctx context.Context, entity string, op connector.Op, recs []meta.Record) ([]connector.Result, error) {
	for _, r := range recs {
		w.sent = append(w.sent, maps.Clone(r))
	}
	if op == connector.Update && w.conflicts > 0 {
		w.conflicts--
		if w.meanwhile != nil {
			w.meanwhile()
		}
		out := make([]connector.Result, len(recs))
		for i := range out {
			out[i].Err = connector.ErrConflict
		}
		return out, nil
	}
	return w.memWriter.Write(ctx, entity, op, recs)
}

// externalAccount returns the external record of account id.
func externalAccount(sys *memSystem, id string) meta.Record {
	for _, r := range sys.data["Accounts"] {
		if r["ID"] == id {
			return r
		}
	}
	return nil
}

// downloadThenRename imports the accounts of sys, then renames guid 2 here
// ("Renamed here", a change the capture keeps for upload).
func downloadThenRename(t *testing.T, st *store.Store, sys connector.Connector) *Engine {
	t.Helper()
	ctx := context.Background()
	e := &Engine{Workspace: store.Ports[Tx](st)}
	if _, err := e.Run(ctx, sys, Options{Integration: crm(), Direction: Import, Entities: []string{"Accounts"}}); err != nil {
		t.Fatal(err)
	}
	err := st.Update(ctx, func(tx *store.Tx) error {
		found, _ := tx.FindBy("account", "externalid", []any{guid(2)}, nil)
		return tx.UpdateRow("account", found[guid(2)].ID, map[string]any{"name": "Renamed here"})
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestUpdatesSendOnlyWhatChangedHere: an update carries the record's key and
// the fields changed locally since the last sync read it, nothing else: a
// field changed in the external system since stays as it is there, and
// unchanged fields, nulls and read-only fields are not sent.
func TestUpdatesSendOnlyWhatChangedHere(t *testing.T) {
	eachWorkspace(t, testUpdatesSendOnlyWhatChangedHere)
}

func testUpdatesSendOnlyWhatChangedHere(t *testing.T, st *store.Store) {
	ctx := context.Background()
	sys := &recordingWriter{memWriter: &memWriter{memSystem: newSystem()}}
	sys.data["Accounts"] = sys.data["Accounts"][1:3] // guid 2 and guid 3
	e := downloadThenRename(t, st, sys)
	// There, meanwhile: guid 2's revenue changed.
	externalAccount(sys.memSystem, guid(2))["revenue"] = json.Number("777")

	res, err := e.Run(ctx, sys, Options{Integration: crm(), Direction: Export, Catalog: catalog})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Totals(); c.Updated != 1 || c.Unchanged != 1 || c.Failed != 0 {
		t.Fatalf("export = %+v", c)
	}
	if len(sys.sent) != 1 {
		t.Fatalf("sent %v, want one update", sys.sent)
	}
	if got := connector.BusinessFields(sys.sent[0]); !slices.Equal(got, []string{"ID", "name"}) {
		t.Errorf("the update sent %v (%v), want only the key and the name", got, sys.sent[0])
	}
	if rec := externalAccount(sys.memSystem, guid(2)); rec["name"] != "Renamed here" || rec["revenue"] != json.Number("777") {
		t.Errorf("external record after the export: %v; want the new name and its own revenue", rec)
	}
}

// TestConflictingUpdateIsReadAgain: an update refused because the record
// changed since it was read (412) is read again, compared again and sent
// once more; a field the other side changed meanwhile is not overwritten.
func TestConflictingUpdateIsReadAgain(t *testing.T) {
	eachWorkspace(t, testConflictingUpdateIsReadAgain)
}

func testConflictingUpdateIsReadAgain(t *testing.T, st *store.Store) {
	ctx := context.Background()
	sys := &recordingWriter{memWriter: &memWriter{memSystem: newSystem()}, conflicts: 1}
	sys.data["Accounts"] = sys.data["Accounts"][1:3]
	sys.meanwhile = func() { externalAccount(sys.memSystem, guid(2))["revenue"] = json.Number("5") }
	e := downloadThenRename(t, st, sys)
	res, err := e.Run(ctx, sys, Options{Integration: crm(), Direction: Export, Catalog: catalog})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Totals(); c.Updated != 1 || c.Failed != 0 {
		t.Fatalf("export = %+v", c)
	}
	if len(sys.sent) != 2 {
		t.Fatalf("sent %d records, want the update twice", len(sys.sent))
	}
	if rec := externalAccount(sys.memSystem, guid(2)); rec["name"] != "Renamed here" || rec["revenue"] != json.Number("5") {
		t.Errorf("external record: %v", rec)
	}
}

// TestCreatesSendNoNulls: a create sends the fields the record has; the
// external system's defaults apply to the others.
func TestCreatesSendNoNulls(t *testing.T) { eachWorkspace(t, testCreatesSendNoNulls) }

func testCreatesSendNoNulls(t *testing.T, st *store.Store) {
	ctx := context.Background()
	sys := &recordingWriter{memWriter: &memWriter{memSystem: newSystem()}}
	sys.data["Accounts"] = nil
	err := st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.Insert("account", map[string]any{"name": "Only a name"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&Engine{Workspace: store.Ports[Tx](st)}).Run(ctx, sys, Options{Integration: crm(), Direction: Export, Catalog: catalog}); err != nil {
		t.Fatal(err)
	}
	if len(sys.sent) != 1 || !slices.Equal(connector.BusinessFields(sys.sent[0]), []string{"name"}) {
		t.Errorf("the create sent %v, want only the name", sys.sent)
	}
}

// roomyReader is a reader with a URL budget of room characters for filters.
type roomyReader struct {
	memSystem
	room int
}

func (r *roomyReader) FilterRoom(context.Context, connector.Query) (int, func(string) int, error) {
	return r.room, func(s string) int { return len(s) }, nil
}

// TestKeyFiltersFitTheBudget: a list of keys is split into filters that each
// fit the room the connector gives, together naming every key once; a key
// that cannot fit alone is a configuration error that names the setting.
func TestKeyFiltersFitTheBudget(t *testing.T) {
	p := &entityPlan{key: fieldPlan{ext: "ID", local: meta.Field{Name: "externalid", Type: meta.GUID}}}
	p.em.External = "Sites"
	keys := make([]any, 1234)
	for i := range keys {
		keys[i] = guid(i)
	}
	tests := []struct {
		room      int
		wantReads int
	}{
		{8000, 6},   // 36 + 1 characters a key: about 216 keys a read
		{100000, 3}, // at most keysPerRead keys a read, however roomy
		{-1, 3},     // no budget: keysPerRead a read
	}
	for _, tt := range tests {
		var reader connector.Reader = &roomyReader{room: tt.room}
		if tt.room < 0 {
			reader = &memSystem{}
		}
		chunks, err := keyFilters(context.Background(), reader, connector.Query{Entity: "Sites"}, p, keys)
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, c := range chunks {
			if tt.room >= 0 && len(c.filter) > tt.room {
				t.Errorf("room %d: a filter of %d characters", tt.room, len(c.filter))
			}
			seen += c.keys
		}
		if len(chunks) != tt.wantReads || seen != len(keys) {
			t.Errorf("room %d: %d reads naming %d keys, want %d reads naming %d", tt.room, len(chunks), seen, tt.wantReads, len(keys))
		}
	}
	_, err := keyFilters(context.Background(), &roomyReader{room: 20}, connector.Query{Entity: "Sites"}, p, keys)
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "maxurl") {
		t.Errorf("a key that does not fit: %v", err)
	}
}

// TestReadByKeysCarriesTheParsedFilter: each read by key carries its filter
// parsed as well (Where), the keys' joined with the read's own, for the
// connectors that evaluate it rather than send its text.
func TestReadByKeysCarriesTheParsedFilter(t *testing.T) {
	p := &entityPlan{key: fieldPlan{ext: "ID", local: meta.Field{Name: "externalid", Type: meta.GUID}}}
	p.em.External = "Sites"
	keys := make([]any, keysPerRead+1) // two reads
	for i := range keys {
		keys[i] = guid(i)
	}
	for _, base := range []string{"", "name ne null and revenue ge 0"} {
		sys := &memSystem{pageSize: 10}
		q := connector.Query{Entity: "Sites"}
		if base != "" {
			q.SetWhere(filter.MustParse(base))
		}
		if _, reads, err := readByKeys(context.Background(), sys, q, p, keys, func(meta.Record) {}); err != nil || reads != 2 {
			t.Fatalf("filter %q: %d reads, %v; want 2", base, reads, err)
		}
		for _, got := range sys.queries {
			if (base != "" && !strings.HasPrefix(got.Filter, "("+base+") and (")) || got.Where == nil || !filter.Equal(got.Where, filter.MustParse(got.Filter)) {
				t.Errorf("filter %q: a read by key carries %v for %q", base, got.Where, got.Filter)
			}
		}
	}
}

// untrackedDelta is a system that says it tracks changes (as the Dataverse
// preset does) but gives no delta link: a table without change tracking.
type untrackedDelta struct{ *memSystem }

func (untrackedDelta) TracksChanges(context.Context, string) (bool, error) { return true, nil }

// TestNoDeltaLinkFollowsTheCursor: without a delta link, later syncs read
// what changed since the change cursor, not everything again.
func TestNoDeltaLinkFollowsTheCursor(t *testing.T) { eachWorkspace(t, testNoDeltaLinkFollowsTheCursor) }

func testNoDeltaLinkFollowsTheCursor(t *testing.T, st *store.Store) {
	ctx := context.Background()
	sys := newSystem()
	stamp := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	sys.data["Accounts"] = sys.data["Accounts"][1:3]
	for i, r := range sys.data["Accounts"] {
		r["modifiedon"] = stamp.Add(time.Duration(i) * time.Minute)
	}
	in := crm()
	in.Entities = in.Entities[1:] // Accounts only
	in.Entities[0].Direction = "download"
	cat := []meta.Entity{{Name: "Accounts", Key: []string{"ID"}, Fields: append(slices.Clone(catalog[0].Fields), meta.Field{Name: "modifiedon", Type: meta.DateTime})}}
	e := &Engine{Workspace: store.Ports[Tx](st)}
	for range 2 {
		if _, err := e.Sync(ctx, untrackedDelta{sys}, SyncOptions{Integration: in, Catalog: cat}); err != nil {
			t.Fatal(err)
		}
	}
	var reads []connector.Query
	for _, q := range sys.queries {
		if len(q.Fields) > 1 { // not the count or key reads
			reads = append(reads, q)
		}
	}
	if len(reads) != 2 || !reads[0].Track || reads[1].Track || reads[1].Since.IsZero() || reads[1].CursorField != "modifiedon" {
		t.Errorf("reads %+v: want a tracking full read, then a read since the cursor", reads)
	}
}

// TestSameAtDeclaredPrecision: values are compared at the precision the
// external system declares, so that one it rounds is no change.
func TestSameAtDeclaredPrecision(t *testing.T) {
	dec4 := meta.Field{Type: meta.Decimal, Precision: 19, Scale: 4}
	dt3 := meta.Field{Type: meta.DateTime, Precision: 3}
	t0 := time.Date(2024, 3, 1, 10, 0, 0, 123400000, time.UTC)
	tests := []struct {
		f    meta.Field
		a, b any
		want bool
	}{
		{dec4, json.Number("1.23456"), json.Number("1.2346"), true},
		{dec4, json.Number("1.2345"), json.Number("1.2346"), false},
		{dec4, json.Number("12345.6789"), float64(12345.6789), true},
		{meta.Field{Type: meta.Decimal}, json.Number("1.23456"), json.Number("1.2346"), false},
		{dt3, t0, t0.Add(50 * time.Microsecond), true},
		{dt3, t0, "2024-03-01T10:00:00.123Z", true},
		{dt3, t0, t0.Add(time.Millisecond), false},
		{meta.Field{Type: meta.DateTime}, t0, t0.Add(time.Microsecond), false},
		{dec4, nil, json.Number("0"), false},
	}
	for _, tt := range tests {
		if got := sameAt(tt.f, tt.a, tt.b); got != tt.want {
			t.Errorf("sameAt(%+v, %v, %v) = %v, want %v", tt.f, tt.a, tt.b, got, tt.want)
		}
	}
}

// shortReader counts more records than it serves, as a server that cuts its
// pages without a next link does.
type shortReader struct {
	*memSystem
	extra int64
}

func (s shortReader) ReadPage(ctx context.Context, q connector.Query, token string) (connector.Page, error) {
	pg, err := s.memSystem.ReadPage(ctx, q, token)
	if pg.Total >= 0 {
		pg.Total += s.extra
	}
	return pg, err
}

// TestReadsAreReconciled: a read that ends before every record the system
// counted is no success; one that reads them all says so in its log line
// and its result.
func TestReadsAreReconciled(t *testing.T) {
	ctx := context.Background()
	for _, extra := range []int64{0, 2} {
		st := newWorkspace(t)
		sys := shortReader{memSystem: newSystem(), extra: extra}
		res, err := (&Engine{Workspace: store.Ports[Tx](st)}).Run(ctx, sys, Options{Integration: crm(), Direction: Import, Entities: []string{"Accounts"}})
		er := res.Entities[0]
		switch {
		case extra == 0 && (err != nil || er.Check == nil || er.Check.Counted != 5 || er.Check.Read != 5 || !strings.Contains(er.Queries[0], "5 read of 5 counted")):
			t.Errorf("a complete read: %v, check %+v, log %q", err, er.Check, er.Queries)
		case extra == 2 && (err == nil || !strings.Contains(err.Error(), "counted 7 records, but the read ended after 5") || res.Status != Failed):
			t.Errorf("a short read: %v, status %s", err, res.Status)
		}
	}
}

// TestMissingParentPolicies: a record whose lookup target is not in the
// workspace is written without it with a warning (the default), fails, or is
// left out with a warning, as the lookup's missingParent says (the run is
// partial for the contact without a key, which fails whatever the policy).
func TestMissingParentPolicies(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		policy                   mapping.Missing
		status                   Status
		imported, failed, warned int
	}{
		{"", Partial, 0, 1, 2}, // the keyless contact fails; both others warn, written without the account
		{mapping.MissingFail, Partial, 0, 3, 0},
		{mapping.MissingSkip, Partial, 0, 1, 2}, // warned, but not written
	}
	for _, tt := range tests {
		st := newWorkspace(t)
		in := crm()
		for i, f := range in.Entities[0].Fields {
			if f.Lookup != "" {
				in.Entities[0].Fields[i].MissingParent = tt.policy
			}
		}
		res, err := (&Engine{Workspace: store.Ports[Tx](st)}).Run(ctx, newSystem(), Options{Integration: in, Direction: Import, Entities: []string{"Contacts"}})
		if err != nil {
			t.Fatal(err)
		}
		c := res.Totals()
		if res.Status != tt.status || c.Imported != tt.imported || c.Failed != tt.failed || c.Warnings != tt.warned {
			t.Errorf("missingParent %q: %s %+v", tt.policy, res.Status, c)
		}
		contacts := rows(t, st, "contact", "lastname", "accountid")
		want := 2
		if tt.policy != "" {
			want = 0
		}
		if len(contacts) != want {
			t.Errorf("missingParent %q: %d contacts written, want %d: %v", tt.policy, len(contacts), want, contacts)
		}
	}
}

// failingReader fails every read of one entity, as a system that goes down mid-run.
type failingReader struct {
	*memSystem
	entity string
}

func (f failingReader) ReadPage(ctx context.Context, q connector.Query, token string) (connector.Page, error) {
	if q.Entity == f.entity {
		return connector.Page{}, errors.New("503 Service Unavailable")
	}
	return f.memSystem.ReadPage(ctx, q, token)
}

// TestFailedRunAccountsForDeferredRecords: records written while they waited
// for a lookup's target later in the run are counted and logged even when the
// run then fails, not lost from its results.
func TestFailedRunAccountsForDeferredRecords(t *testing.T) {
	eachWorkspace(t, testFailedRunAccountsForDeferredRecords)
}

func testFailedRunAccountsForDeferredRecords(t *testing.T, st *store.Store) {
	ctx := context.Background()
	res, err := (&Engine{Workspace: store.Ports[Tx](st)}).Run(ctx, failingReader{newSystem(), "Contacts"}, Options{Integration: crm(), Direction: Import})
	if err == nil || res.Status != Failed {
		t.Fatalf("the run: %v, %s", err, res.Status)
	}
	accounts := rows(t, st, "account", "name")
	if c := res.Entities[0].Counts; c.All != len(accounts)+1 { // every account written, and the one that failed
		t.Errorf("accounts counted %+v, %d in the workspace", c, len(accounts))
	}
	if !strings.Contains(res.Summary(), "INCOMPLETE") {
		t.Errorf("summary %q", res.Summary())
	}
}

// TestRunsTheDirectionRule: which entities take part in which run.
func TestRunsTheDirectionRule(t *testing.T) {
	tests := []struct {
		md   mapping.Direction
		d    Direction
		want bool
	}{
		{mapping.Download, Import, true}, {mapping.Download, Export, false}, {mapping.Download, Sync, true},
		{mapping.Upload, Import, false}, {mapping.Upload, Export, true}, {mapping.Upload, Sync, true},
		{mapping.Bidirectional, Import, true}, {mapping.Bidirectional, Export, true}, {mapping.Bidirectional, Sync, true},
		{"sideways", Sync, false}, {mapping.Download, "preview", false},
	}
	for _, tt := range tests {
		if got := Runs(tt.md, tt.d); got != tt.want {
			t.Errorf("Runs(%s, %s) = %v, want %v", tt.md, tt.d, got, tt.want)
		}
	}
}
