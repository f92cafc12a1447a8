package store

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"switchyard/core/meta"
)

// entity builds a local entity for tests.
func entity(name string, fields ...meta.Field) meta.Entity {
	return meta.Entity{Name: name, Fields: fields}
}

var (
	uuidV4RE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	stampRE  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
)

// systemRow is the system columns of one row.
type systemRow struct {
	ID, CreatedOn, ModifiedOn string
	Version                   int64
}

func readSystem(t *testing.T, s *Store, table, where string, args ...any) systemRow {
	t.Helper()
	var r systemRow
	err := s.db.QueryRow(`SELECT id, createdon, modifiedon, versionnumber FROM `+quote(table)+` WHERE `+where, args...).
		Scan(&r.ID, &r.CreatedOn, &r.ModifiedOn, &r.Version)
	if err != nil {
		t.Fatalf("read system columns of %s: %v", table, err)
	}
	return r
}

func TestCreateEntityRoundTrip(t *testing.T) { eachBackend(t, testCreateEntityRoundTrip) }

func testCreateEntityRoundTrip(t *testing.T, s *Store, _ *clock) {
	ctx := context.Background()
	account := meta.Entity{
		Name:  "account",
		Label: "Account",
		Key:   []string{"accountnumber"}, // ignored: the key is id
		Fields: []meta.Field{
			{Name: "name", Label: "Name", Type: meta.String, MaxLength: 160},
			{Name: "revenue", Type: meta.Decimal, Precision: 18, Scale: 2, Nullable: true},
			{Name: "active", Type: meta.Bool},
			{Name: "parent", Type: meta.Lookup, Target: "account"}, // itself
		},
	}
	contact := entity("contact",
		meta.Field{Name: "order", Type: meta.Int}, // an SQL keyword, quoted everywhere
		meta.Field{Name: "account", Type: meta.Lookup, Target: "account"},
		meta.Field{Name: "photo", Type: meta.Binary},
	)
	for _, e := range []meta.Entity{account, contact} {
		if err := s.CreateEntity(ctx, e); err != nil {
			t.Fatalf("CreateEntity(%s): %v", e.Name, err)
		}
	}
	if err := s.AddField(ctx, "account", meta.Field{Name: "founded", Label: "Founded", Type: meta.Date}); err != nil {
		t.Fatalf("AddField: %v", err)
	}

	got, err := s.Entity(ctx, "account")
	if err != nil {
		t.Fatal(err)
	}
	want := meta.Entity{
		Name:  "account",
		Label: "Account",
		Key:   []string{"id"},
		Fields: append(append([]meta.Field{}, account.Fields...),
			meta.Field{Name: "founded", Label: "Founded", Type: meta.Date},
			meta.Field{Name: "id", Label: "ID", Type: meta.GUID, ReadOnly: true},
			meta.Field{Name: "createdon", Label: "Created On", Type: meta.DateTime, ReadOnly: true},
			meta.Field{Name: "modifiedon", Label: "Modified On", Type: meta.DateTime, ReadOnly: true},
			meta.Field{Name: "versionnumber", Label: "Version Number", Type: meta.Int, ReadOnly: true},
		),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Entity(account) =\n%+v\nwant\n%+v", got, want)
	}

	all, err := s.Entities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Name != "account" || all[1].Name != "contact" {
		t.Fatalf("Entities = %+v, want account, contact", all)
	}
	if !reflect.DeepEqual(all[0], want) {
		t.Errorf("Entities()[0] differs from Entity(account)")
	}
	if names := all[1].FieldNames(); strings.Join(names, ",") != "order,account,photo,id,createdon,modifiedon,versionnumber" {
		t.Errorf("contact fields = %v", names)
	}

	// The column types are the documented ones (PostgreSQL's: pgschema_test.go).
	if s.d.postgres() {
		return
	}
	wantTypes := map[string]string{
		"id": "TEXT", "name": "TEXT", "revenue": "NUMERIC", "active": "INTEGER", "parent": "TEXT",
		"founded": "TEXT", "createdon": "TEXT", "modifiedon": "TEXT", "versionnumber": "INTEGER",
	}
	rows, err := s.db.Query(`SELECT name, type FROM pragma_table_info('account')`)
	if err != nil {
		t.Fatal(err)
	}
	gotTypes := map[string]string{}
	for rows.Next() {
		var n, typ string
		if err := rows.Scan(&n, &typ); err != nil {
			t.Fatal(err)
		}
		gotTypes[n] = typ
	}
	rows.Close()
	if !reflect.DeepEqual(gotTypes, wantTypes) {
		t.Errorf("account columns = %v, want %v", gotTypes, wantTypes)
	}
}

func TestPlainSQLInsertAndUpdateAreStamped(t *testing.T) {
	ctx := context.Background()
	s, _ := openMemory(t)
	if err := s.CreateEntity(ctx, entity("account", meta.Field{Name: "name", Type: meta.String})); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateEntity(ctx, entity("contact", meta.Field{Name: "name", Type: meta.String})); err != nil {
		t.Fatal(err)
	}
	if err := s.AddField(ctx, "account", meta.Field{Name: "city", Type: meta.String}); err != nil {
		t.Fatal(err)
	}

	// As another program would, naming only business fields.
	for _, stmt := range []string{
		`INSERT INTO account (name, city) VALUES ('Contoso', 'Lyon')`,
		`INSERT INTO contact (name) VALUES ('Ann')`,
		`INSERT INTO account (name) VALUES ('Fabrikam')`,
	} {
		if _, err := s.db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	contoso := readSystem(t, s, "account", "name = 'Contoso'")
	ann := readSystem(t, s, "contact", "name = 'Ann'")
	fabrikam := readSystem(t, s, "account", "name = 'Fabrikam'")
	for _, r := range []systemRow{contoso, ann, fabrikam} {
		if !uuidV4RE.MatchString(r.ID) {
			t.Errorf("id %q is not a lower-case UUID v4", r.ID)
		}
		if !stampRE.MatchString(r.CreatedOn) || !stampRE.MatchString(r.ModifiedOn) {
			t.Errorf("createdon %q / modifiedon %q are not ISO 8601 UTC with milliseconds", r.CreatedOn, r.ModifiedOn)
		}
	}
	// One workspace-wide sequence, in the order of the writes.
	if !(contoso.Version > 0 && ann.Version > contoso.Version && fabrikam.Version > ann.Version) {
		t.Errorf("versionnumbers %d, %d, %d: want positive and increasing across tables", contoso.Version, ann.Version, fabrikam.Version)
	}
	if contoso.ID == fabrikam.ID {
		t.Errorf("two rows got the same id %s", contoso.ID)
	}

	// An update raises versionnumber past every other and stamps modifiedon.
	if _, err := s.db.Exec(`UPDATE account SET modifiedon = '2000-01-01T00:00:00.000Z', versionnumber = versionnumber WHERE name = 'Contoso'`); err != nil {
		t.Fatal(err)
	}
	updated := readSystem(t, s, "account", "id = ?", contoso.ID)
	if updated.Version <= fabrikam.Version {
		t.Errorf("after UPDATE versionnumber = %d, want more than %d", updated.Version, fabrikam.Version)
	}
	if updated.ModifiedOn <= "2000-01-01T00:00:00.000Z" || !stampRE.MatchString(updated.ModifiedOn) {
		t.Errorf("after UPDATE modifiedon = %q, want now", updated.ModifiedOn)
	}
	if updated.CreatedOn != contoso.CreatedOn {
		t.Errorf("UPDATE changed createdon from %q to %q", contoso.CreatedOn, updated.CreatedOn)
	}
	again := updated
	if _, err := s.db.Exec(`UPDATE account SET city = 'Paris' WHERE id = ?`, contoso.ID); err != nil {
		t.Fatal(err)
	}
	if again = readSystem(t, s, "account", "id = ?", contoso.ID); again.Version <= updated.Version {
		t.Errorf("second UPDATE: versionnumber %d, want more than %d", again.Version, updated.Version)
	}
	// Each write takes exactly one number: no recursion through the triggers.
	var seq int64
	if err := s.db.QueryRow(`SELECT value FROM sy_sequence WHERE name = 'versionnumber'`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	if seq != again.Version || seq != 5 {
		t.Errorf("sy_sequence versionnumber = %d, row = %d; want 5 (3 inserts + 2 updates)", seq, again.Version)
	}
	if n, err := s.CountRows(ctx, "account"); err != nil || n != 2 {
		t.Errorf("CountRows(account) = %d, %v; want 2", n, err)
	}
}

func TestEntityErrors(t *testing.T) { eachBackend(t, testEntityErrors) }

func testEntityErrors(t *testing.T, s *Store, _ *clock) {
	ctx := context.Background()
	if err := s.CreateEntity(ctx, entity("account", meta.Field{Name: "name", Type: meta.String})); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`CREATE TABLE handmade (x text)`); err != nil {
		t.Fatal(err)
	}
	str := meta.Field{Name: "x", Type: meta.String}
	createTests := []struct {
		name   string
		e      meta.Entity
		want   string
		wantIs error
	}{
		{"upper case", entity("Account"), `create entity "Account": invalid name: use lower-case letters, digits and _`, nil},
		{"space", entity("my table"), `create entity "my table": invalid name: use lower-case letters, digits and _`, nil},
		{"leading digit", entity("1st"), `invalid name: use lower-case`, nil},
		{"empty", entity(""), `create entity "": invalid name`, nil},
		{"too long", entity(strings.Repeat("a", 64)), `invalid name`, nil},
		{"system prefix", entity("sy_account"), `create entity "sy_account": invalid name: names starting with sy_`, nil},
		{"sqlite prefix", entity("sqlite_x"), `invalid name: names starting with sqlite_`, nil},
		{"exists", entity("account"), `create entity "account": already exists`, ErrExists},
		{"hand-made table", entity("handmade"), `create entity "handmade": already exists`, ErrExists},
		{"bad field name", entity("b", meta.Field{Name: "Name", Type: meta.String}), `create entity "b": field "Name": invalid name`, nil},
		{"system field", entity("b", meta.Field{Name: "id", Type: meta.GUID}), `field "id": the name is a system column`, nil},
		{"rowid field", entity("b", meta.Field{Name: "rowid", Type: meta.Int}), `field "rowid": the name is a system column`, nil},
		{"duplicate field", entity("b", str, str), `field "x" is listed twice`, nil},
		{"unknown type", entity("b", meta.Field{Name: "x", Type: "money"}), `field "x": unknown field type "money": use one of string, int`, nil},
		{"type case", entity("b", meta.Field{Name: "x", Type: "String"}), `field "x": unknown field type "String": write it in lower case`, nil},
		{"lookup without target", entity("b", meta.Field{Name: "x", Type: meta.Lookup}), `field "x": a lookup needs a target`, nil},
		{"lookup to nothing", entity("b", meta.Field{Name: "x", Type: meta.Lookup, Target: "nowhere"}),
			`create entity "b": field "x": lookup target "nowhere" is not a local entity: create it first`, nil},
		{"lookup to hand-made table", entity("b", meta.Field{Name: "x", Type: meta.Lookup, Target: "handmade"}),
			`lookup target "handmade" is not a local entity`, nil},
	}
	for _, tt := range createTests {
		t.Run("create "+tt.name, func(t *testing.T) {
			err := s.CreateEntity(ctx, tt.e)
			if err == nil {
				t.Fatal("CreateEntity succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\ndoes not contain %q", err, tt.want)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
		})
	}

	addTests := []struct {
		name   string
		entity string
		f      meta.Field
		want   string
		wantIs error
	}{
		{"no entity", "nowhere", str, `add field "x" to entity "nowhere": entity "nowhere": not found`, ErrNotFound},
		{"exists", "account", meta.Field{Name: "name", Type: meta.Int}, `field "name": already exists`, ErrExists},
		{"system column", "account", meta.Field{Name: "modifiedon", Type: meta.DateTime}, `the name is a system column`, nil},
		{"bad name", "account", meta.Field{Name: "a-b", Type: meta.String}, `field "a-b": invalid name`, nil},
		{"bad type", "account", meta.Field{Name: "y", Type: ""}, `unknown field type ""`, nil},
		{"bad target", "account", meta.Field{Name: "y", Type: meta.Lookup, Target: "contact"}, `lookup target "contact" is not a local entity`, nil},
	}
	for _, tt := range addTests {
		t.Run("add "+tt.name, func(t *testing.T) {
			err := s.AddField(ctx, tt.entity, tt.f)
			if err == nil {
				t.Fatal("AddField succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\ndoes not contain %q", err, tt.want)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
		})
	}

	// Nothing of the failed calls was left behind.
	all, err := s.Entities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || len(all[0].Fields) != 1+len(systemFields) {
		t.Errorf("after failed calls Entities = %+v, want account with its one field", all)
	}
	for _, name := range []string{"b", "nowhere"} {
		if _, err := s.Entity(ctx, name); !errors.Is(err, ErrNotFound) {
			t.Errorf("Entity(%q) error = %v, want ErrNotFound", name, err)
		}
	}
	if _, err := s.CountRows(ctx, "handmade"); !errors.Is(err, ErrNotFound) {
		t.Errorf("CountRows(handmade) error = %v, want ErrNotFound", err)
	}
}

func TestLookupToOtherEntityAndAddLookup(t *testing.T) {
	eachBackend(t, testLookupToOtherEntityAndAddLookup)
}

func testLookupToOtherEntityAndAddLookup(t *testing.T, s *Store, _ *clock) {
	ctx := context.Background()
	steps := []func() error{
		func() error { return s.CreateEntity(ctx, entity("account")) },
		func() error {
			return s.CreateEntity(ctx, entity("contact", meta.Field{Name: "account", Type: meta.Lookup, Target: "account"}))
		},
		func() error {
			return s.AddField(ctx, "account", meta.Field{Name: "primarycontact", Type: meta.Lookup, Target: "contact"})
		},
		func() error {
			return s.AddField(ctx, "contact", meta.Field{Name: "manager", Type: meta.Lookup, Target: "contact"})
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
	e, err := s.Entity(ctx, "account")
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := e.Field("primarycontact"); !ok || f.Type != meta.Lookup || f.Target != "contact" {
		t.Errorf("primarycontact = %+v, %v", f, ok)
	}
	// A lookup holds the target row's id and joins naturally.
	if _, err := s.db.Exec(`INSERT INTO account DEFAULT VALUES`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`INSERT INTO contact (account) SELECT id FROM account`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM contact c JOIN account a ON a.id = c.account`).Scan(&n); err != nil || n != 1 {
		t.Errorf("join on lookup = %d, %v; want 1", n, err)
	}
	var missing sql.NullString
	if err := s.db.QueryRow(`SELECT manager FROM contact`).Scan(&missing); err != nil || missing.Valid {
		t.Errorf("an added field of an existing row = %v, %v; want NULL", missing, err)
	}
}
