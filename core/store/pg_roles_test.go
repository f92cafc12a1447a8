package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/internal/pgtest"
)

// TestPostgresReadOnlyRole: a role granted deploy/postgres/roles.sql opens
// the workspace without writing (it holds only SELECT: any write would be
// refused by the server), knows it may only read, reads what the owner
// wrote, a new local entity too, and is refused every write up front.
func TestPostgresReadOnlyRole(t *testing.T) {
	ctx := context.Background()
	sealWithTestKey(t)
	schema := pgtest.NewSchema(t)
	owner, err := Open(ctx, schema.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if owner.ReadOnly() || owner.Role() != "postgres" {
		t.Fatalf("owner: ReadOnly() = %v, Role() = %q, want false, postgres", owner.ReadOnly(), owner.Role())
	}
	in := mapping.Integration{Name: "crm", Connector: "odata", Secrets: map[string]string{"password": "s3cret"}}
	if err := owner.SaveIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	readerURL := pgtest.Reader(t, schema)
	// After the grants: a new entity of the owner's is readable by the reader.
	if err := owner.CreateEntity(ctx, meta.Entity{Name: "account", Fields: []meta.Field{{Name: "code", Type: meta.String}}}); err != nil {
		t.Fatal(err)
	}
	if err := owner.Update(ctx, func(tx *Tx) error { _, err := tx.Insert("account", map[string]any{"code": "A1"}); return err }); err != nil {
		t.Fatal(err)
	}

	reader, err := OpenExisting(ctx, readerURL)
	if err != nil {
		t.Fatalf("open as the reader: %v", err)
	}
	defer reader.Close()
	role := reader.Role()
	if !reader.ReadOnly() || !strings.HasPrefix(role, "reader_") {
		t.Fatalf("reader: ReadOnly() = %v, Role() = %q", reader.ReadOnly(), role)
	}
	got, err := reader.Integration(ctx, "crm")
	if err != nil || got.Secrets["password"] != "s3cret" {
		t.Errorf("reader's integration: %+v, %v", got.Secrets, err)
	}
	if n, err := reader.CountRows(ctx, "account"); err != nil || n != 1 {
		t.Errorf("reader's count of the new entity: %d, %v; want 1", n, err)
	}
	var counter int64 // the sequence, through the view sy_sequence
	if err := reader.db.QueryRowContext(ctx, `SELECT value FROM sy_sequence`).Scan(&counter); err != nil || counter == 0 {
		t.Errorf("reader's sy_sequence: %d, %v", counter, err)
	}
	w, err := reader.Watch(ctx)
	if err == nil {
		_, err = w.Changed(ctx)
		w.Close()
	}
	if err != nil {
		t.Errorf("reader's watch: %v", err)
	}

	writes := map[string]error{
		"SaveIntegration": reader.SaveIntegration(ctx, in),
		"CreateEntity":    reader.CreateEntity(ctx, meta.Entity{Name: "contact", Fields: []meta.Field{{Name: "code", Type: meta.String}}}),
		"SetSecret":       reader.SetSecret(ctx, "crm", "password", "x"),
		"Update":          reader.Update(ctx, func(*Tx) error { return nil }),
	}
	_, writes["Lock"] = reader.Lock(ctx, "crm")
	for name, err := range writes {
		var ro *ReadOnlyError
		if !errors.As(err, &ro) || !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), `"`+role+`"`) || !strings.Contains(err.Error(), RolesDoc) {
			t.Errorf("%s as the reader: %v, want a *ReadOnlyError naming the role and %s", name, err, RolesDoc)
		}
	}
}

// TestPostgresReaderPrivileges: a reader that lacks a grant gets an error
// naming its role and the grants, not the server's bare refusal; a workspace
// that needs a migration is refused, naming the owner as the one to open it;
// so is, plainly, a role that may write some tables but is not the owner.
func TestPostgresReaderPrivileges(t *testing.T) {
	ctx := context.Background()
	sealWithTestKey(t)
	schema := pgtest.NewSchema(t)
	owner, err := Open(ctx, schema.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if err := owner.SaveIntegration(ctx, mapping.Integration{Name: "crm", Connector: "odata"}); err != nil {
		t.Fatal(err)
	}
	readerURL := pgtest.Reader(t, schema)
	admin := pgtest.Connect(t, schema.URL)
	reader, err := OpenExisting(ctx, readerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if _, err := admin.Exec(ctx, `REVOKE SELECT ON sy_schedule FROM `+reader.Role()); err != nil {
		t.Fatal(err)
	}
	_, err = reader.Integration(ctx, "crm")
	if !errors.Is(err, ErrPrivilege) || !strings.Contains(err.Error(), `"`+reader.Role()+`" lacks a privilege`) ||
		!strings.Contains(err.Error(), "sy_schedule") || !strings.Contains(err.Error(), RolesDoc) {
		t.Errorf("reading without SELECT on sy_schedule: %v", err)
	}

	// A role that may write the integrations but is not the owner is not
	// read-only; opening, it cannot make sure of sy_migration: refused, plainly.
	if _, err := admin.Exec(ctx, `GRANT INSERT, UPDATE ON sy_integration TO `+reader.Role()); err != nil {
		t.Fatal(err)
	}
	_, err = OpenExisting(ctx, readerURL)
	if !errors.Is(err, ErrPrivilege) || !strings.HasPrefix(err.Error(), `the role "`+reader.Role()+`" lacks a privilege`) ||
		!strings.Contains(err.Error(), "permission denied for schema "+schema.Name) {
		t.Errorf("a writer that is not the owner opening: %v", err)
	}
	if _, err := admin.Exec(ctx, `REVOKE INSERT, UPDATE ON sy_integration FROM `+reader.Role()); err != nil {
		t.Fatal(err)
	}

	if _, err := admin.Exec(ctx, `DELETE FROM sy_migration WHERE version = (SELECT max(version) FROM sy_migration)`); err != nil {
		t.Fatal(err)
	}
	_, err = OpenExisting(ctx, readerURL)
	if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "its owner must open it once with this version") {
		t.Errorf("a reader opening a workspace to migrate: %v", err)
	}
}
