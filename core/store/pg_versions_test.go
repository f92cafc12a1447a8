package store

import (
	"context"
	"slices"
	"testing"

	"switchyard/core/meta"
	"switchyard/internal/pgtest"
)

// pgVersionsWorkspace is a PostgreSQL workspace with the entity account, a
// plain connection to it (another program writing), and its schema.
func pgVersionsWorkspace(t *testing.T) (*Store, func(q string), string) {
	t.Helper()
	ctx := context.Background()
	schema := pgtest.NewSchema(t)
	s, err := Open(ctx, schema.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.CreateEntity(ctx, meta.Entity{Name: "account", Fields: []meta.Field{{Name: "code", Type: meta.String}}}); err != nil {
		t.Fatal(err)
	}
	plain := pgtest.Connect(t, schema.URL)
	return s, func(q string) {
		t.Helper()
		if _, err := plain.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}, schema.Name
}

// readChanges reads account's changes after after in a View of their own,
// as the workspace connector does, and returns the codes read and the
// versionnumber to go on from.
func readChanges(t *testing.T, s *Store, after int64) ([]string, int64) {
	t.Helper()
	codes, next, err := tryReadChanges(s, after)
	if err != nil {
		t.Fatal(err)
	}
	return codes, next
}

// tryReadChanges is readChanges returning its error, for a goroutine.
func tryReadChanges(s *Store, after int64) (codes []string, next int64, err error) {
	err = s.View(context.Background(), func(tx *Tx) error {
		rows, err := tx.ScanVersions("account", []string{"code", "versionnumber"}, nil, after, 100)
		for _, r := range rows {
			codes = append(codes, r.Values["code"].(string))
			after = r.Values["versionnumber"].(int64)
		}
		return err
	})
	return codes, after, err
}

// TestPostgresScanVersionsLateCommit: of two writers, the one that took the
// smaller versionnumber commits last. A read of changes made while it is in
// progress waits for it, so that going on from the last number read loses
// nothing. (Without the bound the read returns the later row alone, and the
// next read, after its number, never sees the earlier one.)
func TestPostgresScanVersionsLateCommit(t *testing.T) {
	ctx := context.Background()
	s, exec, schema := pgVersionsWorkspace(t)
	exec(`BEGIN`)
	exec(`INSERT INTO account (code) VALUES ('late')`) // takes the smaller number
	if err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.Insert("account", map[string]any{"code": "early"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	type read struct {
		codes []string
		next  int64
		err   error
	}
	first := make(chan read, 1)
	go func() {
		codes, next, err := tryReadChanges(s, 0)
		first <- read{codes, next, err}
	}()
	// Commit the late writer once the read waits for it, or at once if the
	// read did not wait (then it read without the late row).
	admin := pgtest.Connect(t, pgtest.URL(t))
	var r read
	for waited := false; !waited; {
		select {
		case r = <-first:
			waited = true
		default:
			var waiting bool
			if err := admin.QueryRow(ctx, `SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
AND ((classid::bigint << 32) | objid::bigint) = hashtextextended(length($1) || ':' || $1 || '/account', 3)`, schema).Scan(&waiting); err != nil {
				t.Fatal(err)
			}
			if waiting {
				exec(`COMMIT`)
				r, waited = <-first, true
			}
		}
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !slices.Contains(r.codes, "late") {
		exec(`COMMIT`)
	}
	later, _ := readChanges(t, s, r.next)
	if got := append(r.codes, later...); !slices.Contains(got, "late") || !slices.Contains(got, "early") {
		t.Errorf("read %v, then %v from %d: want both late and early", r.codes, later, r.next)
	}
}

// TestPostgresScanVersionsOldSnapshot: a read of changes in a transaction
// whose snapshot was taken before a late writer committed reads nothing new,
// rather than the rows after the late one; a read in a new transaction then
// reads both.
func TestPostgresScanVersionsOldSnapshot(t *testing.T) {
	ctx := context.Background()
	s, exec, _ := pgVersionsWorkspace(t)
	exec(`BEGIN`)
	exec(`INSERT INTO account (code) VALUES ('late')`)
	exec(`INSERT INTO account (code) VALUES ('late 2')`)
	if err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.Insert("account", map[string]any{"code": "early"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	err := s.View(ctx, func(tx *Tx) error {
		if _, err := tx.Count("account", nil); err != nil { // the snapshot: early, not late
			return err
		}
		exec(`COMMIT`)
		rows, err := tx.ScanVersions("account", []string{"code"}, nil, 0, 100)
		if err == nil && len(rows) > 0 {
			t.Errorf("ScanVersions with the old snapshot read %d rows (%v), want none", len(rows), rows[0].Values)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := readChanges(t, s, 0); !slices.Equal(got, []string{"late", "late 2", "early"}) {
		t.Errorf("a new read = %v, want late, late 2, early", got)
	}
}

// TestPostgresScanVersionsInUpdate: in a write transaction the read waits
// in the transaction itself (its own writes do not block it) and sees its
// own rows.
func TestPostgresScanVersionsInUpdate(t *testing.T) {
	ctx := context.Background()
	s, exec, _ := pgVersionsWorkspace(t)
	exec(`INSERT INTO account (code) VALUES ('A')`)
	err := s.Update(ctx, func(tx *Tx) error {
		if _, err := tx.Insert("account", map[string]any{"code": "B"}); err != nil {
			return err
		}
		rows, err := tx.ScanVersions("account", []string{"code"}, nil, 0, 100)
		if err == nil && len(rows) != 2 {
			t.Errorf("ScanVersions in the writing transaction read %d rows, want 2", len(rows))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
