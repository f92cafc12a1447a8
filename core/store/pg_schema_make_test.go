package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"switchyard/core/mapping"
	"switchyard/internal/pgtest"
)

// TestOpenMakesTheSchema: a creating Open of a URL whose schema does not
// exist makes it (unquoted, in lower case, as PostgreSQL reads the
// search_path), as a workspace file's folders are made; DiscardNew drops it
// again; OpenExisting makes nothing; a role that may not create schemas is
// told which schema to create.
func TestOpenMakesTheSchema(t *testing.T) {
	ctx := context.Background()
	name, _ := pgtest.MissingSchema(t)
	url, err := pgtest.WithSearchPath(pgtest.URL(t), strings.ToUpper(name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenExisting(ctx, url); !errors.Is(err, ErrNoWorkspace) || pgtest.SchemaExists(t, name) {
		t.Fatalf("OpenExisting of a missing schema = %v, schema made %v; want ErrNoWorkspace and nothing made", err, pgtest.SchemaExists(t, name))
	}
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Created() || !pgtest.SchemaExists(t, name) {
		t.Fatalf("Open: created %v, schema %s exists %v", s.Created(), name, pgtest.SchemaExists(t, name))
	}
	if err := s.SaveIntegration(ctx, mapping.Integration{Name: "crm", Connector: "odata"}); err != nil {
		t.Fatalf("the new workspace does not work: %v", err)
	}
	if err := s.DeleteIntegration(ctx, "crm"); err != nil {
		t.Fatal(err)
	}
	if err := s.DiscardNew(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if pgtest.SchemaExists(t, name) {
		t.Errorf("DiscardNew left the schema %s that Open made", name)
	}

	other, _ := pgtest.MissingSchema(t)
	reader, err := pgtest.WithSearchPath(pgtest.Reader(t, pgtest.NewSchema(t)), other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, reader); err == nil || !strings.Contains(err.Error(), "may not create it") || !strings.Contains(err.Error(), "CREATE SCHEMA") {
		t.Errorf("Open by a role that may not create schemas = %v, want the schema to create named", err)
	}
}
