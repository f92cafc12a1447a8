package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// pgInspect says what the connections' schema is: its name (NULL when the
// search_path names no schema that exists), how many tables it holds, and
// whether one is Switchyard's sy_migration.
func pgInspect(ctx context.Context, db *sql.DB) (schema sql.NullString, tables, ours int, err error) {
	err = db.QueryRowContext(ctx, `SELECT current_schema(),
	(SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()),
	(SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'sy_migration')`).Scan(&schema, &tables, &ours)
	return schema, tables, ours, err
}

// urlSchema is the schema rawURL's search_path names first (searchPath),
// as PostgreSQL reads it: lower case unless quoted; "" when it names none.
func urlSchema(rawURL string) string {
	cfg, err := pgconn.ParseConfig(rawURL)
	if err != nil {
		return ""
	}
	name := searchPath(cfg)
	if unquoted, ok := strings.CutPrefix(name, `"`); ok {
		return strings.TrimSuffix(unquoted, `"`)
	}
	return strings.ToLower(name)
}

// pgMakeSchema creates schema, which the URL names and which does not exist,
// for an Open that may create the workspace (integration import, the app),
// and takes the store's in-use lock on it. The role needs CREATE on the
// database; when it may not, the error names the schema and the fix.
func (s *Store) pgMakeSchema(ctx context.Context, schema string) error {
	if _, err := s.db.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+quote(schema)); err != nil {
		return fmt.Errorf("its schema %s does not exist, and this role may not create it (%w): create it as the role that is to own the workspace (CREATE SCHEMA %s), or check the URL's options=-csearch_path=",
			schema, err, quote(schema))
	}
	s.madeSchema = schema
	s.pgReleaseInUse() // taken when the schema did not exist: on nothing
	return s.pgHoldInUse(ctx)
}

// pgDropMadeSchema drops the schema this Open created, once DiscardNew has
// emptied it: the server is left as the Open found it. A schema that holds
// anything is left (DROP SCHEMA refuses it).
func (s *Store) pgDropMadeSchema(ctx context.Context) error {
	if s.madeSchema == "" {
		return nil
	}
	s.pgReleaseInUse()
	if _, err := s.db.ExecContext(ctx, "DROP SCHEMA "+quote(s.madeSchema)); err != nil {
		return fmt.Errorf("drop the schema %s it created: %w", s.madeSchema, err)
	}
	s.madeSchema = ""
	return nil
}
