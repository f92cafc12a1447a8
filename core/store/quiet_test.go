package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"switchyard/core/meta"
)

// TestApplySetsInsertTriggersAside: Apply's inserts run without the insert
// triggers, which other connections never see missing and which come back
// exactly as they were, also when the transaction fails; afterwards plain SQL
// is stamped and captured as before.
func TestApplySetsInsertTriggersAside(t *testing.T) {
	ctx := context.Background()
	s := openFile(t, filepath.Join(t.TempDir(), "w.db"))
	if err := s.CreateEntity(ctx, meta.Entity{Name: "account", Fields: []meta.Field{{Name: "code", Type: meta.String}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO sy_integration (name, connector, created_at, updated_at) VALUES ('crm', 'odata', '', '');
INSERT INTO sy_entity_mapping (integration, position, external, local, direction) VALUES ('crm', 0, 'Accounts', 'account', 'upload')`); err != nil {
		t.Fatal(err)
	}
	triggers := func() map[string]string {
		t.Helper()
		rows, err := s.rdb.QueryContext(ctx, `SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'account'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var name, sql string
			if err := rows.Scan(&name, &sql); err != nil {
				t.Fatal(err)
			}
			out[name] = sql
		}
		return out
	}
	before := triggers()
	if len(before) != 5 {
		t.Fatalf("triggers of account before: %v", before)
	}
	same := func(when string) {
		t.Helper()
		after := triggers()
		for name, sql := range before {
			if after[name] != sql {
				t.Errorf("%s: trigger %s is %q, want %q", when, name, after[name], sql)
			}
		}
	}
	err := s.Apply(ctx, func(tx *Tx) error {
		for _, code := range []string{"A", "B"} {
			if _, err := tx.Insert("account", map[string]any{"code": code}); err != nil {
				return err
			}
		}
		same("seen from another connection during Apply")
		var inside int
		err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name IN ('sy_account_stamp_insert', 'sy_account_capture_insert')`).Scan(&inside)
		if err != nil || inside != 0 {
			t.Errorf("insert triggers inside the transaction: %d, %v; want them set aside", inside, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	same("after Apply")
	boom := errors.New("boom")
	err = s.Apply(ctx, func(tx *Tx) error {
		if _, err := tx.Insert("account", map[string]any{"code": "C"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failing Apply: %v", err)
	}
	same("after a failed Apply")
	if _, err := s.db.ExecContext(ctx, `INSERT INTO account (code) VALUES ('plain')`); err != nil {
		t.Fatal(err)
	}
	var version, captured int64
	if err := s.db.QueryRowContext(ctx, `SELECT versionnumber FROM account WHERE code = 'plain'`).Scan(&version); err != nil || version == 0 {
		t.Errorf("plain SQL insert after Apply: versionnumber %d, %v", version, err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sy_integration_transaction`).Scan(&captured); err != nil || captured != 1 {
		t.Errorf("captured changes: %d, %v; want the plain insert only", captured, err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM account`).Scan(&n); err != nil || n != 3 {
		t.Errorf("rows: %d, %v; want A, B and plain", n, err)
	}
}
