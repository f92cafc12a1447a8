package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// objectsSQL lists every relation (tables, views, sequences, indexes…),
// routine and type of the current schema, as "kind name".
const objectsSQL = `SELECT 'relation ' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()
UNION ALL SELECT 'routine ' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()
UNION ALL SELECT 'type ' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = current_schema()
ORDER BY 1`

// Objects returns what the schema of rawURL (its search_path) holds: every
// relation (table, view, sequence, index…), routine and type, as "kind
// name", sorted; none for an empty schema.
func Objects(t testing.TB, rawURL string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, rawURL)
	if err != nil {
		t.Fatalf("connect to the PostgreSQL test server: %v", err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, objectsSQL)
	if err != nil {
		t.Fatalf("list the schema's objects: %v", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("list the schema's objects: %v", err)
	}
	return names
}
