package store

import (
	"context"
	"database/sql"
	"fmt"
)

// IndexField makes sure the column of field in the table of entity has an
// index, so that matching records by it (Tx.FindBy) reads a few rows
// instead of the whole table: the engine indexes the key it matches
// external records by, and the keys its lookups resolve. The index is
// called "sy_match_<entity>.<field>" (the dot keeps it apart from every
// entity or field name); making it again is no error.
func (s *Store) IndexField(ctx context.Context, entity, field string) error {
	if field == colID {
		return nil // the primary key has its own
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		q := fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)", quote(s.d.indexName(entity, field)), quote(entity), quote(field))
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("index %s.%s: %w", entity, field, err)
		}
		return nil
	})
}
