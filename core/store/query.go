package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
)

// queryStrings runs query and returns its single text column.
func queryStrings(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// exists reports whether the count query finds any row.
func exists(ctx context.Context, tx *sql.Tx, query string, args ...any) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, query, args...).Scan(&n)
	return n > 0, err
}

// notFoundUnless returns err, or, when the thing was not found, an
// ErrNotFound error naming what is missing (e.g. entity "account").
func notFoundUnless(found bool, err error, what, name string) error {
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%s %q: %w", what, name, ErrNotFound)
	}
	return nil
}

// noLimit is a LIMIT that keeps every row, on both backends (SQLite's -1 is
// an error on PostgreSQL).
const noLimit = math.MaxInt64
