package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/internal/pgtest"
)

// The store's tests that run against both backends take their workspace
// from eachBackend: a new in-memory SQLite workspace, and a new PostgreSQL
// workspace in a schema of its own on the test server (internal/pgtest; the
// subtest is skipped when the server is not running, unless
// SWITCHYARD_REQUIRE_SERVERS=1).

// backends are the workspace's backends, by the subtest's name.
var backends = []string{"sqlite", "postgres"}

// eachBackend runs fn as a subtest per backend, with a new workspace whose
// Now is the clock c (at t0), closed at the end of the subtest.
func eachBackend(t *testing.T, fn func(t *testing.T, s *Store, c *clock)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b, func(t *testing.T) {
			s, c := openBackend(t, b)
			fn(t, s, c)
		})
	}
}

// openBackend opens a new workspace on backend ("sqlite" or "postgres").
func openBackend(t *testing.T, backend string) (*Store, *clock) {
	t.Helper()
	if backend == "sqlite" {
		return openMemory(t)
	}
	schema := pgtest.NewSchema(t)
	s, err := Open(context.Background(), schema.URL)
	if err != nil {
		t.Fatalf("Open(PostgreSQL schema %s): %v", schema.Name, err)
	}
	t.Cleanup(func() { s.Close() }) // before the schema is dropped
	c := &clock{t: t0}
	s.Now = c.now
	return s, c
}

// TestApplyCaptureAndClock: on both backends, a write transaction stamps
// its rows with the store's clock, Update's writes are queued for upload
// and Apply's are not, and the clock and capture-off end with the
// transaction.
func TestApplyCaptureAndClock(t *testing.T) { eachBackend(t, testApplyCaptureAndClock) }

func testApplyCaptureAndClock(t *testing.T, s *Store, c *clock) {
	ctx := context.Background()
	err := s.CreateEntity(ctx, meta.Entity{Name: "account", Fields: []meta.Field{{Name: "code", Type: meta.String}}})
	if err == nil {
		err = s.SaveIntegration(ctx, mapping.Integration{Name: "crm", Connector: "odata", Entities: []mapping.EntityMapping{
			{External: "Accounts", Local: "account", PrimaryKey: "code", Direction: mapping.Upload,
				Fields: []mapping.FieldMapping{{External: "code", Local: "code"}}},
		}})
	}
	if err != nil {
		t.Fatal(err)
	}
	insert := func(code string) func(tx *Tx) error {
		return func(tx *Tx) error {
			_, err := tx.Insert("account", map[string]any{"code": code})
			return err
		}
	}
	steps := []struct {
		run    func(context.Context, func(*Tx) error) error
		code   string
		queued int64 // rows in the upload queue afterwards
	}{
		{s.Update, "local", 1},
		{s.Apply, "external", 1},
		{s.Update, "local again", 2},
	}
	for i, step := range steps {
		c.t = t0.Add(time.Duration(i) * time.Hour)
		if err := step.run(ctx, insert(step.code)); err != nil {
			t.Fatal(err)
		}
		var queued int64
		var stamped any
		err := s.View(ctx, func(tx *Tx) error {
			found, err := tx.FindBy("account", "code", []any{step.code}, []string{"createdon", "modifiedon"})
			if err != nil {
				return err
			}
			r := found[step.code]
			if r.Values["createdon"] != r.Values["modifiedon"] {
				t.Errorf("%s: createdon %v, modifiedon %v", step.code, r.Values["createdon"], r.Values["modifiedon"])
			}
			stamped = r.Values["createdon"]
			return tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM sy_integration_transaction`).Scan(&queued)
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := formatTime(c.t); stamped != want {
			t.Errorf("%s: stamped %v, want the store's clock %s", step.code, stamped, want)
		}
		if queued != step.queued {
			t.Errorf("after %s: %d changes queued, want %d", step.code, queued, step.queued)
		}
	}
	// An update is stamped by the triggers, with the clock of its transaction.
	c.t = t0.Add(10 * time.Hour)
	err = s.Update(ctx, func(tx *Tx) error {
		found, err := tx.FindBy("account", "code", []any{"local"}, nil)
		if err != nil {
			return err
		}
		return tx.UpdateRow("account", found["local"].ID, map[string]any{"code": "changed"})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx *Tx) error {
		found, err := tx.FindBy("account", "code", []any{"changed"}, []string{"modifiedon"})
		if got := found["changed"].Values["modifiedon"]; err == nil && got != formatTime(c.t) {
			t.Errorf("updated: modifiedon %v, want the store's clock %s", got, formatTime(c.t))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLockOneRunAtATime: on both backends, an integration's run lock is
// held once: a second Lock fails with ErrLocked until the first is
// released, and a missing integration cannot be locked.
func TestLockOneRunAtATime(t *testing.T) { eachBackend(t, testLockOneRunAtATime) }

func testLockOneRunAtATime(t *testing.T, s *Store, _ *clock) {
	ctx := context.Background()
	if err := s.SaveIntegration(ctx, mapping.Integration{Name: "crm", Connector: "odata"}); err != nil {
		t.Fatal(err)
	}
	unlock, err := s.Lock(ctx, "crm")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lock(ctx, "crm"); !errors.Is(err, ErrLocked) {
		t.Errorf("Lock() while held = %v, want ErrLocked", err)
	}
	unlock()
	unlock() // a second call does nothing
	again, err := s.Lock(ctx, "crm")
	if err != nil {
		t.Fatalf("Lock() after unlock = %v", err)
	}
	again()
	if _, err := s.Lock(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Lock(missing) = %v, want ErrNotFound", err)
	}
}

// TestPostgresLockAcrossMachines: two stores on one PostgreSQL workspace
// (two machines) contend for an integration: one runs, the other gets
// ErrLocked naming the holder's session; when the holder's session ends
// without unlocking (the process died) the lock is free again. Another
// integration, or the same name in another workspace, is not held.
func TestPostgresLockAcrossMachines(t *testing.T) {
	ctx := context.Background()
	schema := pgtest.NewSchema(t)
	open := func() *Store {
		s, err := Open(ctx, schema.URL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	other, _ := openBackend(t, "postgres")
	for _, s := range []*Store{a, other} {
		for _, name := range []string{"crm", "erp"} {
			if err := s.SaveIntegration(ctx, mapping.Integration{Name: name, Connector: "odata"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := a.Lock(ctx, "crm"); err != nil {
		t.Fatal(err)
	}
	_, err := b.Lock(ctx, "crm")
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "held by PostgreSQL session") {
		t.Fatalf("Lock() on the second machine = %v, want ErrLocked naming the session", err)
	}
	for _, s := range []*Store{b, other} {
		name := map[*Store]string{b: "erp", other: "crm"}[s]
		unlock, err := s.Lock(ctx, name)
		if err != nil {
			t.Fatalf("Lock(%s) = %v, want it free", name, err)
		}
		unlock()
	}
	// The holder dies: its session ends.
	admin := pgtest.Connect(t, pgtest.URL(t))
	var ended int
	err = admin.QueryRow(ctx, `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM pg_locks
WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = hashtextextended(length($1) || ':' || $1 || '/crm', 0)`,
		schema.Name).Scan(&ended)
	if err != nil || ended != 1 {
		t.Fatalf("ending the holder's session: %d ended, %v", ended, err)
	}
	unlock, err := b.Lock(ctx, "crm")
	if err != nil {
		t.Fatalf("Lock() after the holder died = %v", err)
	}
	unlock()
}

// TestPostgresNames: a PostgreSQL workspace also refuses the names
// PostgreSQL keeps (pgCheckName), and indexes a field whose index name
// would pass PostgreSQL's 63 bytes.
func TestPostgresNames(t *testing.T) {
	ctx := context.Background()
	s, _ := openBackend(t, "postgres")
	for _, tt := range []struct {
		e    meta.Entity
		want string
	}{
		{entity("pg_thing"), `names starting with pg_ are kept for PostgreSQL`},
		{entity("b", meta.Field{Name: "xmin", Type: meta.Int}), `field "xmin": invalid name: xmin is a PostgreSQL system column`},
	} {
		if err := s.CreateEntity(ctx, tt.e); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CreateEntity(%s) = %v, want %q", tt.e.Name, err, tt.want)
		}
	}
	long := strings.Repeat("f", 60)
	if err := s.CreateEntity(ctx, entity("account", meta.Field{Name: long, Type: meta.String}, meta.Field{Name: long + "x", Type: meta.String})); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{long, long + "x", long} {
		if err := s.IndexField(ctx, "account", f); err != nil {
			t.Fatalf("IndexField(%s) = %v", f, err)
		}
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'account'`).Scan(&n); err != nil || n != 3 {
		t.Errorf("account has %d indexes (%v), want 3: the primary key and one per field", n, err)
	}
}

// stampBackend is stampWorkspace on backend: the entity account and the
// integration crm uploading it.
func stampBackend(t *testing.T, backend string) *Store {
	t.Helper()
	if backend == "sqlite" {
		return stampWorkspace(t)
	}
	ctx := context.Background()
	s, _ := openBackend(t, backend)
	s.Now = time.Now // as stampWorkspace's
	err := s.CreateEntity(ctx, meta.Entity{Name: "account", Fields: []meta.Field{{Name: "code", Type: meta.String}, {Name: "name", Type: meta.String}}})
	for _, q := range []string{
		`INSERT INTO sy_integration (name, connector, created_at, updated_at) VALUES ('crm', 'odata', now(), now())`,
		`INSERT INTO sy_entity_mapping (integration, position, external, local, direction) VALUES ('crm', 0, 'Accounts', 'account', 'upload')`,
	} {
		if err == nil {
			_, err = s.db.ExecContext(ctx, q)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// eachStampBackend runs fn as a subtest per backend with stampBackend's workspace.
func eachStampBackend(t *testing.T, fn func(t *testing.T, s *Store)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b, func(t *testing.T) { fn(t, stampBackend(t, b)) })
	}
}

// TestPostgresFirstOpensAtOnce: machines that open a new PostgreSQL
// workspace at the same moment all get it, migrated once.
func TestPostgresFirstOpensAtOnce(t *testing.T) {
	ctx := context.Background()
	schema := pgtest.NewSchema(t)
	all, err := pgMigrations()
	if err != nil {
		t.Fatal(err)
	}
	latest := all[len(all)-1].version
	const n = 4
	errs := make(chan error, n)
	for range n {
		go func() {
			s, err := Open(ctx, schema.URL)
			if err == nil {
				var v int
				if v, err = s.SchemaVersion(ctx); err == nil && v != latest {
					err = fmt.Errorf("schema version %d, want %d", v, latest)
				}
				s.Close()
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("Open() at once = %v", err)
		}
	}
}

// TestBaselineOfAnUpdate: on both backends, an update made locally keeps
// the row's values before it as the baseline of its upload, for an entity
// with and without a binary field (which the baseline leaves out).
func TestBaselineOfAnUpdate(t *testing.T) { eachBackend(t, testBaselineOfAnUpdate) }

func testBaselineOfAnUpdate(t *testing.T, s *Store, _ *clock) {
	ctx := context.Background()
	for _, e := range []meta.Entity{
		entity("account", meta.Field{Name: "code", Type: meta.String}, meta.Field{Name: "revenue", Type: meta.Decimal}),
		entity("photo", meta.Field{Name: "code", Type: meta.String}, meta.Field{Name: "revenue", Type: meta.Decimal}, meta.Field{Name: "bytes", Type: meta.Binary}),
	} {
		err := s.CreateEntity(ctx, e)
		if err == nil {
			err = s.SaveIntegration(ctx, mapping.Integration{Name: e.Name, Connector: "odata", Entities: []mapping.EntityMapping{
				{External: "X", Local: e.Name, PrimaryKey: "code", Direction: mapping.Bidirectional,
					Fields: []mapping.FieldMapping{{External: "code", Local: "code"}}},
			}})
		}
		var id string
		if err == nil {
			err = s.Apply(ctx, func(tx *Tx) (err error) {
				id, err = tx.Insert(e.Name, map[string]any{"code": "A", "revenue": "12.5"})
				return err
			})
		}
		if err == nil {
			err = s.Update(ctx, func(tx *Tx) error { return tx.UpdateRow(e.Name, id, map[string]any{"code": "B"}) })
		}
		var base map[string]map[string]any
		if err == nil {
			err = s.View(ctx, func(tx *Tx) (err error) {
				base, err = tx.Baselines(e.Name, e.Name, []string{id})
				return err
			})
		}
		if err != nil {
			t.Fatal(err)
		}
		b := base[id]
		if _, binary := b["bytes"]; b["code"] != "A" || !SameStored(meta.Decimal, "12.5", b["revenue"]) || binary {
			t.Errorf("%s: baseline %v, want code A and revenue 12.5, without the binary field", e.Name, b)
		}
	}
}
