package store

import (
	"context"
	"database/sql"
	"fmt"
)

// pgLockIntegrationName makes tx the only transaction of a PostgreSQL
// workspace that creates an integration called name until it ends: a
// transaction advisory lock keyed by the schema and the name (seed 2, apart
// from the run locks' and the migrations'). Two admins creating (or
// renaming to) one name at once are then one after the other, and the
// second finds the first's (ErrExists), where both would have found none.
// SQLite needs no such lock: its write transactions are one at a time
// already.
func pgLockIntegrationName(ctx context.Context, tx *sql.Tx, name string) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(length(current_schema()) || ':' || current_schema() || '/' || ?, 2))`, name)
	if err != nil {
		return fmt.Errorf("lock the name %q: %w", name, err)
	}
	return nil
}
