package store

import (
	"context"
	"database/sql"
	"regexp"
	"testing"

	"switchyard/core/meta"
)

// TestInsertStamps checks that rows written by Tx.Insert (captured or not)
// and by plain SQL get the same stamps the triggers always gave: each insert
// the next versionnumber, the counter left at the last one, and a capture
// row holding the row's own versionnumber.
func TestInsertStamps(t *testing.T) {
	tests := []struct {
		name  string
		apply bool // Store.Apply (capture off) instead of Store.Update
		// write inserts and updates inside the transaction; it returns the inserted ids.
		write func(tx *Tx) ([]string, error)
		// want is the versionnumber of each inserted row after the counter's start, in order.
		want []int64
		// counter is the counter after the transaction, after its start.
		counter  int64
		captured int // capture rows of the test integration
	}{
		{name: "apply inserts", apply: true, write: insertN(3), want: []int64{1, 2, 3}, counter: 3},
		{name: "update inserts", write: insertN(3), want: []int64{1, 2, 3}, counter: 3, captured: 3},
		{name: "apply insert, update, insert", apply: true, write: func(tx *Tx) ([]string, error) {
			a, err := tx.Insert("account", map[string]any{"code": "A"})
			if err != nil {
				return nil, err
			}
			if err := tx.UpdateRow("account", a, map[string]any{"code": "A2"}); err != nil {
				return nil, err
			}
			b, err := tx.Insert("account", map[string]any{"code": "B", "name": "other column set"})
			return []string{a, b}, err
		}, want: []int64{2, 3}, counter: 3},
		{name: "apply insert with versionnumber 0 among stamped ones", apply: true, write: func(tx *Tx) ([]string, error) {
			var ids []string
			for _, v := range []map[string]any{{"code": "A"}, {"code": "B", "versionnumber": int64(0)}, {"code": "C"}} {
				id, err := tx.Insert("account", v)
				if err != nil {
					return nil, err
				}
				ids = append(ids, id)
			}
			return ids, nil
		}, want: []int64{1, 2, 3}, counter: 3},
		{name: "apply insert with its own stamp", apply: true, write: func(tx *Tx) ([]string, error) {
			a, err := tx.Insert("account", map[string]any{"code": "A", "versionnumber": int64(500)})
			if err != nil {
				return nil, err
			}
			b, err := tx.Insert("account", map[string]any{"code": "B", "id": "my-id"})
			if b != "my-id" {
				t.Errorf("Insert(id my-id) = %q", b)
			}
			return []string{a, b}, err
		}, want: []int64{-1, 1}, counter: 1},
	}
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					ctx := context.Background()
					s := stampBackend(t, backend)
					start := counter(t, s)
					var ids []string
					write := func(tx *Tx) (err error) { ids, err = tt.write(tx); return err }
					var err error
					if tt.apply {
						err = s.Apply(ctx, write)
					} else {
						err = s.Update(ctx, write)
					}
					if err != nil {
						t.Fatal(err)
					}
					for i, id := range ids {
						var v int64
						if err := s.db.QueryRowContext(ctx, `SELECT versionnumber FROM account WHERE id = ?`, id).Scan(&v); err != nil {
							t.Fatal(err)
						}
						want := start + tt.want[i]
						if tt.want[i] < 0 {
							want = 500
						}
						if v != want {
							t.Errorf("row %d: versionnumber = %d, want %d", i, v, want)
						}
						if i == 0 && !uuidV7RE.MatchString(id) {
							t.Errorf("id %q is not a lower-case UUID version 7", id)
						}
					}
					if got := counter(t, s) - start; got != tt.counter {
						t.Errorf("counter advanced by %d, want %d", got, tt.counter)
					}
					var n int
					var bad int
					err = s.db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE q.versionnumber <> a.versionnumber)
	FROM sy_integration_transaction q JOIN account a ON a.id = q.record_id WHERE q.operation = 'insert'`).Scan(&n, &bad)
					if err != nil {
						t.Fatal(err)
					}
					if n != tt.captured || bad != 0 {
						t.Errorf("captured %d inserts (%d with another versionnumber than the row), want %d", n, bad, tt.captured)
					}
				})
			}
		})
	}
}

func insertN(n int) func(tx *Tx) ([]string, error) {
	return func(tx *Tx) ([]string, error) {
		var ids []string
		for i := range n {
			id, err := tx.Insert("account", map[string]any{"code": string(rune('A' + i))})
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, nil
	}
}

// TestPlainSQLStampedAndOldTriggersUpgraded checks that plain SQL inserts are
// still stamped by the trigger, and that Open remakes an insert trigger made
// before it skipped stamped rows.
func TestPlainSQLStampedAndOldTriggersUpgraded(t *testing.T) {
	ctx := context.Background()
	s := stampWorkspace(t)
	old := `CREATE TRIGGER "sy_account_stamp_insert" AFTER INSERT ON "account" FOR EACH ROW
BEGIN
	UPDATE sy_sequence SET value = value + 1 WHERE name = 'versionnumber';
	UPDATE "account" SET "versionnumber" = (SELECT value FROM sy_sequence WHERE name = 'versionnumber') WHERE "id" = NEW."id";
END`
	if _, err := s.db.ExecContext(ctx, `DROP TRIGGER "sy_account_stamp_insert"`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, old); err != nil {
		t.Fatal(err)
	}
	if err := s.ensureStamp(ctx); err != nil {
		t.Fatal(err)
	}
	var def string
	if err := s.db.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE name = 'sy_account_stamp_insert'`).Scan(&def); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(regexp.QuoteMeta(stampInsertWhen)).MatchString(def) {
		t.Errorf("the insert trigger was not remade: %s", def)
	}
	start := counter(t, s)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO account (code) VALUES ('plain')`); err != nil {
		t.Fatal(err)
	}
	var v int64
	if err := s.db.QueryRowContext(ctx, `SELECT versionnumber FROM account WHERE code = 'plain'`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != start+1 || counter(t, s) != start+1 {
		t.Errorf("plain insert: versionnumber %d, counter %d, want both %d", v, counter(t, s), start+1)
	}
}

func stampWorkspace(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	err = s.CreateEntity(ctx, meta.Entity{Name: "account", Fields: []meta.Field{{Name: "code", Type: meta.String}, {Name: "name", Type: meta.String}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO sy_integration (name, connector, created_at, updated_at) VALUES ('crm', 'odata', '', '');
INSERT INTO sy_entity_mapping (integration, position, external, local, direction) VALUES ('crm', 0, 'Accounts', 'account', 'upload')`)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func counter(t *testing.T, s *Store) int64 {
	t.Helper()
	var v int64
	if err := s.db.QueryRow(`SELECT value FROM sy_sequence WHERE name = 'versionnumber'`).Scan(&v); err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	return v
}
