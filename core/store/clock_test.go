package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"switchyard/core/values"
)

// TestOneClock checks that every time a write transaction stores is
// Store.Now, read once when the transaction begins: the row stamps Insert
// writes and the update trigger stamps, the upload queue the capture
// triggers and EnqueueAll fill, the quarantine, the conflict log, the anchors
// and the upload outcomes. The clock is set far from the real time, so a
// stamp taken from SQLite's or Go's clock fails. On both backends (on
// PostgreSQL the clock is a setting, not sy_clock).
func TestOneClock(t *testing.T) {
	for _, b := range backends {
		t.Run(b, func(t *testing.T) { testOneClock(t, b) })
	}
}

func testOneClock(t *testing.T, backend string) {
	ctx := context.Background()
	at := time.Date(2031, 5, 6, 7, 8, 9, 123_000_000, time.UTC)
	want := "2031-05-06T07:08:09.123Z"
	tests := []struct {
		name  string
		apply bool // Store.Apply (capture off) instead of Store.Update
		write func(tx *Tx) error
		query string // the times the transaction stored, each of which must be want
	}{
		{"insert stamps", false, func(tx *Tx) error {
			_, err := tx.Insert("account", map[string]any{"code": "A"})
			return err
		}, `SELECT createdon FROM account UNION ALL SELECT modifiedon FROM account
UNION ALL SELECT created_at FROM sy_integration_transaction`},
		{"insert with createdon given", true, func(tx *Tx) error {
			_, err := tx.Insert("account", map[string]any{"code": "A", "createdon": "2020-01-01T00:00:00.000Z"})
			return err
		}, `SELECT modifiedon FROM account`},
		{"update trigger", false, func(tx *Tx) error {
			q := `INSERT INTO account (code, createdon, modifiedon) VALUES ('A', '', '')`
			if tx.pg { // the times are timestamptz: any other than the clock's
				q = `INSERT INTO account (code, createdon, modifiedon) VALUES ('A', '2000-01-01Z', '2000-01-01Z')`
			}
			if _, err := tx.tx.ExecContext(ctx, q); err != nil {
				return err
			}
			_, err := tx.tx.ExecContext(ctx, `UPDATE account SET code = 'B'`)
			return err
		}, `SELECT modifiedon FROM account UNION ALL SELECT created_at FROM sy_integration_transaction`},
		{"enqueue all", true, func(tx *Tx) error {
			if _, err := tx.Insert("account", map[string]any{"code": "A"}); err != nil {
				return err
			}
			_, err := tx.EnqueueAll("crm", "Accounts", "account", nil)
			return err
		}, `SELECT created_at FROM sy_integration_transaction`},
		{"quarantine, conflict, anchor, upload outcome", false, func(tx *Tx) error {
			id, err := tx.Insert("account", map[string]any{"code": "A"})
			if err != nil {
				return err
			}
			if err := tx.Quarantine(Quarantined{Integration: "crm", Entity: "Accounts", Direction: "download", Key: "k", Reason: "bad"}); err != nil {
				return err
			}
			if err := tx.AddConflict(ConflictRecord{Integration: "crm", Entity: "Accounts", Key: "k", Policy: "newest", Winner: "local"}); err != nil {
				return err
			}
			if err := tx.SetAnchor("crm", "Accounts", "download", "a1"); err != nil {
				return err
			}
			return tx.FinishChange("crm", "account", id, 1<<40, "done", "k", "")
		}, `SELECT first_at FROM sy_integration_quarantine UNION ALL SELECT last_at FROM sy_integration_quarantine
UNION ALL SELECT at FROM sy_integration_conflict UNION ALL SELECT updated_at FROM sy_integration_syncanchor
UNION ALL SELECT sent_at FROM sy_integration_transaction`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := stampBackend(t, backend)
			s.Now = func() time.Time { return at }
			run := s.Update
			if tt.apply {
				run = s.Apply
			}
			if err := run(ctx, tt.write); err != nil {
				t.Fatal(err)
			}
			got := column(t, s, tt.query)
			if len(got) == 0 {
				t.Fatalf("%s: no rows", tt.query)
			}
			for _, v := range got {
				if v != want {
					t.Errorf("stored %q, want the store's clock %s (all: %q)", v, want, got)
				}
			}
			if backend == "postgres" {
				return // the setting ends with the transaction: there is no table to look at
			}
			if n := column(t, s, `SELECT count(*) FROM sy_clock`); n[0] != "0" {
				t.Errorf("sy_clock holds %s rows after the transaction, want none", n[0])
			}
		})
	}
}

// TestClockReadOncePerTransaction: a transaction stamps all its rows with
// the time it began, however long it takes; the next one with its own. On
// both backends.
func TestClockReadOncePerTransaction(t *testing.T) {
	eachStampBackend(t, testClockReadOncePerTransaction)
}

func testClockReadOncePerTransaction(t *testing.T, s *Store) {
	ctx := context.Background()
	c := &clock{t: t0}
	s.Now = c.now
	for range 2 {
		err := s.Update(ctx, func(tx *Tx) error {
			for range 3 {
				if _, err := tx.Insert("account", map[string]any{"code": "A"}); err != nil {
					return err
				}
				c.t = c.t.Add(time.Second) // time passes inside the transaction
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	got := strings.Join(column(t, s, `SELECT modifiedon FROM account ORDER BY versionnumber`), " ")
	first, second := formatTime(t0), formatTime(t0.Add(3*time.Second))
	if want := strings.Repeat(first+" ", 3) + strings.TrimSpace(strings.Repeat(second+" ", 3)); got != want {
		t.Errorf("modifiedon = %s\nwant %s", got, want)
	}
}

// TestPlainSQLUsesSQLiteClock: outside the store's transactions sy_clock is
// empty, so another program's plain SQL is stamped with SQLite's clock,
// not with the time of the store's last write.
func TestPlainSQLUsesSQLiteClock(t *testing.T) {
	ctx := context.Background()
	s := stampWorkspace(t)
	s.Now = func() time.Time { return t0 }
	if err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.Insert("account", map[string]any{"code": "A"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	before := time.Now().UTC().Add(-time.Second)
	if _, err := s.db.ExecContext(ctx, `UPDATE account SET code = 'B'`); err != nil {
		t.Fatal(err)
	}
	for _, v := range column(t, s, `SELECT modifiedon FROM account UNION ALL SELECT max(created_at) FROM sy_integration_transaction`) {
		got, err := parseTime(v)
		if err != nil || got.Before(before) {
			t.Errorf("plain SQL stamped %q, want SQLite's clock (after %s)", v, before.Format(values.StoredLayout))
		}
	}
}

// TestOpenRemakesTriggersOnSQLiteClock: a workspace whose triggers stamp
// with SQLite's clock (made before sy_clock) gets triggers that read the
// store's clock when it is opened.
func TestOpenRemakesTriggersOnSQLiteClock(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/w.db"
	s := openFile(t, path)
	if err := s.CreateEntity(ctx, entity("account")); err != nil {
		t.Fatal(err)
	}
	// Put back the triggers as Switchyard made them before the clock table.
	for _, name := range append(captureNames("account"), "sy_account_stamp_update") {
		var def string
		if err := s.db.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE name = ?`, name).Scan(&def); err != nil {
			t.Fatal(err)
		}
		old := strings.ReplaceAll(def, clockExpr, sqliteNowExpr)
		old = strings.ReplaceAll(old, ", created_at)", ")")
		old = strings.ReplaceAll(old, ", "+sqliteNowExpr+"\n\tFROM", "\n\tFROM")
		if old == def {
			t.Fatalf("trigger %s does not read the clock:\n%s", name, def)
		}
		if _, err := s.db.ExecContext(ctx, `DROP TRIGGER `+quote(name)+`; `+old); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, old)
		}
	}
	s.Close()
	s = openFile(t, path)
	for _, def := range column(t, s, `SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'account' AND name NOT LIKE '%stamp_insert'`) {
		if !strings.Contains(def, "sy_clock") {
			t.Errorf("after Open, a trigger still stamps with SQLite's clock:\n%s", def)
		}
	}
	// SQLite keeps the text as made, so that Open finds the triggers current and leaves them.
	if got := column(t, s, `SELECT sql FROM sqlite_schema WHERE name = 'sy_account_stamp_update'`); got[0] != triggerSQL("account")[1] {
		t.Errorf("the stamping trigger is kept as\n%s\nnot as made:\n%s", got[0], triggerSQL("account")[1])
	}
}

// column returns the first column of query's rows as text.
func column(t *testing.T, s *Store, query string) []string {
	t.Helper()
	rows, err := s.db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
