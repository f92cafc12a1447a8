package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"switchyard/core/meta"
)

// TestChangeFieldKeepsData: on both backends (SQLite rebuilds the table,
// PostgreSQL alters the column).
func TestChangeFieldKeepsData(t *testing.T) { eachBackend(t, testChangeFieldKeepsData) }

func testChangeFieldKeepsData(t *testing.T, s *Store, _ *clock) {
	ctx := context.Background()
	if err := s.CreateEntity(ctx, entity("region", meta.Field{Name: "name", Type: meta.String})); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateEntity(ctx, entity("account",
		meta.Field{Name: "name", Type: meta.String},
		meta.Field{Name: "employees", Type: meta.Int},
		meta.Field{Name: "founded", Type: meta.Date},
		meta.Field{Name: "active", Type: meta.Bool},
		meta.Field{Name: "code", Type: meta.String},
		meta.Field{Name: "note", Type: meta.String},
		meta.Field{Name: "region", Type: meta.Lookup, Target: "region"},
	)); err != nil {
		t.Fatal(err)
	}
	mustExec(t, s, `INSERT INTO region (id, name) VALUES ('r1', 'North')`)
	mustExec(t, s, `INSERT INTO account (name, employees, founded, active, code, region) VALUES ('Contoso', 42, '2001-02-03', true, 'A1', 'r1'), ('Fabrikam', NULL, NULL, false, NULL, NULL)`)
	mustExec(t, s, `CREATE INDEX account_name ON account (name)`)
	before := readSystem(t, s, "account", "name = 'Contoso'")

	steps := []struct {
		name    string
		field   meta.Field
		wantErr string
	}{
		{"int to decimal", meta.Field{Name: "employees", Type: meta.Decimal, Precision: 10, Scale: 2, Label: "Employees"}, ""},
		{"date to datetime", meta.Field{Name: "founded", Type: meta.DateTime}, ""},
		{"bool to string", meta.Field{Name: "active", Type: meta.String}, ""},
		{"text with values to int", meta.Field{Name: "code", Type: meta.Int}, `1 row(s) hold string values that int cannot hold without loss: clear them first (UPDATE "account" SET "code" = NULL)`},
		{"empty text to int", meta.Field{Name: "note", Type: meta.Int}, ""},
		{"lookup to another entity", meta.Field{Name: "region", Type: meta.Lookup, Target: "account"}, `hold lookup to region values that lookup to account cannot hold`},
		{"lookup to text", meta.Field{Name: "region", Type: meta.String}, ""},
		{"unknown field", meta.Field{Name: "nope", Type: meta.Int}, `field "nope": not found`},
		{"system field", meta.Field{Name: "versionnumber", Type: meta.String}, `not found`},
		{"bad type", meta.Field{Name: "name", Type: "text"}, `unknown field type "text"`},
	}
	for _, st := range steps {
		err := s.ChangeField(ctx, "account", st.field)
		if st.wantErr == "" && err != nil {
			t.Fatalf("%s: ChangeField() = %v", st.name, err)
		}
		if st.wantErr != "" && (err == nil || !strings.Contains(err.Error(), st.wantErr)) {
			t.Fatalf("%s: ChangeField() = %v, want %q", st.name, err, st.wantErr)
		}
	}
	if err := s.ChangeField(ctx, "nope", meta.Field{Name: "x", Type: meta.Int}); !errors.Is(err, ErrNotFound) {
		t.Errorf("ChangeField on a missing entity = %v", err)
	}

	var (
		employees, founded, active, code, region string
		noNote                                   bool
	)
	err := s.db.QueryRow(`SELECT employees, founded, active, code, region, note IS NULL FROM account WHERE name = 'Contoso'`).
		Scan(&employees, &founded, &active, &code, &region, &noNote)
	if err != nil {
		t.Fatal(err)
	}
	wantFounded := "2001-02-03T00:00:00.000Z"
	if s.d.postgres() {
		wantFounded = "2001-02-03T00:00:00.0000000Z" // as sy_datetime stores it
	}
	if employees != "42" || founded != wantFounded || active != "true" || code != "A1" || region != "r1" || !noNote {
		t.Errorf("row after the changes: employees %s, founded %s, active %s, code %s, region %s, note NULL %v", employees, founded, active, code, region, noNote)
	}
	if after := readSystem(t, s, "account", "name = 'Contoso'"); after != before {
		t.Errorf("system columns changed by the rebuild: %+v, was %+v", after, before)
	}
	e, err := s.Entity(ctx, "account")
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := e.Field("employees"); f.Type != meta.Decimal || f.Precision != 10 || f.Label != "Employees" {
		t.Errorf("employees recorded as %+v", f)
	}
	if f, _ := e.Field("region"); f.Type != meta.String || f.Target != "" {
		t.Errorf("region recorded as %+v", f)
	}
	if f, _ := e.Field("code"); f.Type != meta.String {
		t.Errorf("a refused change was recorded: %+v", f)
	}
	// The index and the stamping triggers came back; ids still default.
	var n int
	q := `SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'account' AND name IN ('account_name', 'sy_account_stamp_insert', 'sy_account_stamp_update')`
	if s.d.postgres() {
		q = `SELECT (SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'account' AND indexname = 'account_name')
	+ (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'account'::regclass AND tgname IN ('sy_stamp_insert', 'sy_stamp_update'))`
	}
	if err := s.db.QueryRow(q).Scan(&n); err != nil || n != 3 {
		t.Errorf("indexes and triggers after the rebuild: %d, %v", n, err)
	}
	mustExec(t, s, `INSERT INTO account (name) VALUES ('Northwind')`)
	mustExec(t, s, `UPDATE account SET note = 5 WHERE name = 'Contoso'`)
	added := readSystem(t, s, "account", "name = 'Northwind'")
	changed := readSystem(t, s, "account", "name = 'Contoso'")
	if !uuidV4RE.MatchString(added.ID) || added.Version <= before.Version || changed.Version <= added.Version {
		t.Errorf("stamping after the rebuild: added %+v, changed %+v, before %+v", added, changed, before)
	}
	if s.d.postgres() {
		return // no rebuild table: the column is altered in place
	}
	var tmp int
	if err := s.db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name LIKE 'sy_rebuild_%'`).Scan(&tmp); err != nil || tmp != 0 {
		t.Errorf("a rebuild table was left: %d", tmp)
	}
}

func mustExec(t *testing.T, s *Store, q string, args ...any) {
	t.Helper()
	if _, err := s.db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
