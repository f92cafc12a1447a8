package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"switchyard/core/mapping"
	"switchyard/core/meta"
)

// fillForCopy fills s with a little of everything Copy moves: two entities
// (one looking up the other) with rows of every type, rows changed by an
// Update (queued for upload, with baselines), an integration with a
// secret, a schedule, a run log with notes.
func fillForCopy(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	account := meta.Entity{Name: "account", Label: "Accounts", Fields: []meta.Field{
		{Name: "code", Type: meta.String}, {Name: "amount", Type: meta.Decimal}, {Name: "rate", Type: meta.Double},
		{Name: "count", Type: meta.Int}, {Name: "active", Type: meta.Bool}, {Name: "born", Type: meta.Date},
		{Name: "seen", Type: meta.DateTime}, {Name: "photo", Type: meta.Binary}, {Name: "at", Type: meta.Time},
	}}
	contact := meta.Entity{Name: "contact", Fields: []meta.Field{
		{Name: "name", Type: meta.String}, {Name: "account", Type: meta.Lookup, Target: "account"},
	}}
	for _, e := range []meta.Entity{contact, account} {
		if e.Name == "contact" {
			continue
		}
		if err := s.CreateEntity(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateEntity(ctx, contact); err != nil {
		t.Fatal(err)
	}
	in := mapping.Integration{Name: "crm", Connector: "odata", Entities: []mapping.EntityMapping{
		{External: "Accounts", Local: "account", PrimaryKey: "code", Direction: mapping.Bidirectional,
			Fields: []mapping.FieldMapping{{External: "code", Local: "code"}, {External: "amount", Local: "amount"}}},
	}}
	if err := s.SaveIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSecret(ctx, "crm", "password", "hunter2"); err != nil {
		t.Fatal(err)
	}
	err := s.Apply(ctx, func(tx *Tx) error {
		for i := range 7 { // more than a page of 3
			id, err := tx.Insert("account", map[string]any{"code": fmt.Sprintf("A%d", i), "amount": "12.3400000001",
				"rate": 0.5, "count": int64(i), "active": int64(i % 2), "born": "2024-02-29",
				"seen": "2026-01-02T03:04:05.1234567Z", "photo": []byte{0, 1, 2, byte(i)}, "at": "10:30"})
			if err != nil {
				return err
			}
			if _, err := tx.Insert("contact", map[string]any{"name": fmt.Sprintf("C%d", i), "account": id}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx *Tx) error {
		rows, err := tx.FindBy("account", "code", []any{"A1", "A2"}, []string{"code"})
		if err != nil {
			return err
		}
		for _, row := range rows {
			if err := tx.UpdateRow("account", row.ID, map[string]any{"amount": "99"}); err != nil {
				return err
			}
		}
		_, err = tx.Insert("account", map[string]any{"code": "LOCAL"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.AddLog(ctx, LogEntry{Integration: "crm", Kind: "import", Status: "succeeded",
		Started: t0, Ended: t0.Add(time.Second), All: 7, Imported: 7, Message: "done"})
	if err == nil {
		err = s.AddLogNotes(ctx, id, []LogNote{{At: t0, Level: "INFO", Text: "hello"}})
	}
	if err != nil {
		t.Fatal(err)
	}
}

// dumpTables returns every row of every table Copy moves, in a fixed order,
// as text; secrets are opened first (their sealed text differs by key).
func dumpTables(t *testing.T, s *Store) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	tables := append([]string{"sy_entity", "sy_field", "account", "contact"}, copyTables...)
	sl, _ := s.sealer(ctx, false)
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		for _, table := range tables {
			rows, err := tx.QueryContext(ctx, `SELECT * FROM `+quote(table))
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
				var b strings.Builder
				for i, v := range vals {
					if table == "sy_integration_secret" && cols[i] == "value" {
						v, err = sl.open(v.(string))
						if err != nil {
							rows.Close()
							return err
						}
					}
					if x, ok := v.([]byte); ok && cols[i] != "photo" {
						v = string(x)
					}
					fmt.Fprintf(&b, "%s=%#v ", cols[i], v)
				}
				out[table] = append(out[table], b.String())
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			slices.Sort(out[table])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCopyRoundTrip copies a workspace file to PostgreSQL and back to
// another file: every table's rows are the same, the secret still opens,
// nothing was queued by copying, and the copies go on numbering after the
// rows copied.
func TestCopyRoundTrip(t *testing.T) {
	ctx := context.Background()
	t.Setenv(KeyEnv, testKey)
	dir := t.TempDir()
	a := openFile(t, filepath.Join(dir, "a.db"))
	a.Now = (&clock{t: t0}).now
	fillForCopy(t, a)
	pg, _ := openBackend(t, "postgres")
	rep, err := Copy(ctx, a, pg, CopyOptions{PageSize: 3})
	if err != nil {
		t.Fatalf("Copy(file → PostgreSQL): %v", err)
	}
	counts := map[string]int64{}
	for _, tc := range rep.Tables {
		counts[tc.Table] = tc.Target
	}
	if counts["account"] != 8 || counts["contact"] != 7 || counts["sy_integration_secret"] != 1 || counts["sy_integration_transaction"] == 0 {
		t.Errorf("counts = %v, want 8 accounts, 7 contacts, 1 secret, the queued changes", counts)
	}
	b := openFile(t, filepath.Join(dir, "b.db"))
	if _, err := Copy(ctx, pg, b, CopyOptions{PageSize: 2}); err != nil {
		t.Fatalf("Copy(PostgreSQL → file): %v", err)
	}
	want, got := dumpTables(t, a), dumpTables(t, b)
	if len(want["account"]) != 8 || len(want["sy_integration_log_note"]) != 1 {
		t.Fatalf("the source holds %d accounts and %d notes, want 8 and 1", len(want["account"]), len(want["sy_integration_log_note"]))
	}
	if !reflect.DeepEqual(want, got) {
		for table := range want {
			if !reflect.DeepEqual(want[table], got[table]) {
				t.Errorf("%s after the round trip:\n got %q\nwant %q", table, got[table], want[table])
			}
		}
	}
	for _, s := range []*Store{pg, b} {
		in, err := s.Integration(ctx, "crm")
		if err != nil || in.Secrets["password"] != "hunter2" {
			t.Errorf("%s: the secret after the copy = %q, %v; want hunter2", s.name(), in.Secrets["password"], err)
		}
		checkNumbersGoOn(t, s)
	}
}

// checkNumbersGoOn adds a row and a run to s, a copy: the row's
// versionnumber is above every copied one and the run's id is new.
func checkNumbersGoOn(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	var top int64
	if err := s.db.QueryRowContext(ctx, `SELECT max(versionnumber) FROM account`).Scan(&top); err != nil {
		t.Fatal(err)
	}
	err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.Insert("account", map[string]any{"code": "NEW"})
		return err
	})
	if err != nil {
		t.Fatalf("%s: insert after the copy: %v", s.name(), err)
	}
	var v int64
	if err := s.db.QueryRowContext(ctx, `SELECT versionnumber FROM account WHERE code = 'NEW'`).Scan(&v); err != nil || v <= top {
		t.Errorf("%s: the new row's versionnumber = %d (%v), want above %d", s.name(), v, err, top)
	}
	if _, err := s.AddLog(ctx, LogEntry{Integration: "crm", Kind: "import", Status: "running"}); err != nil {
		t.Errorf("%s: a new run after the copy: %v", s.name(), err)
	}
}

// TestCopyRefusesTarget: a target that holds anything is refused, naming
// it, and is left as it was; so is a source whose secrets' key is missing.
func TestCopyRefusesTarget(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := openFile(t, filepath.Join(dir, "a.db"))
	fillForCopy(t, a)
	b := openFile(t, filepath.Join(dir, "b.db"))
	if err := b.SaveIntegration(ctx, mapping.Integration{Name: "other", Connector: "odata"}); err != nil {
		t.Fatal(err)
	}
	_, err := Copy(ctx, a, b, CopyOptions{})
	if !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "b.db") {
		t.Errorf("Copy into a workspace with an integration = %v, want ErrNotEmpty naming b.db", err)
	}
	if n, _ := b.countTable(ctx, "sy_entity"); n != 0 {
		t.Errorf("the refused target has %d entities, want none", n)
	}
}

// TestCopyMissingKey: a source whose secrets' key is gone is refused,
// naming the key, before any row is written.
func TestCopyMissingKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "a.db")
	a := openFile(t, path)
	fillForCopy(t, a)
	if _, err := a.db.ExecContext(ctx, `UPDATE sy_integration_secret SET value = ?`, SealPrefix+"deadbeef:AAAA"); err != nil {
		t.Fatal(err)
	}
	b := openFile(t, filepath.Join(dir, "b.db"))
	_, err := Copy(ctx, a, b, CopyOptions{})
	if !errors.Is(err, ErrSecretKey) || !strings.Contains(err.Error(), "deadbeef") || !strings.Contains(err.Error(), "password") {
		t.Errorf("Copy with a secret sealed by a missing key = %v, want ErrSecretKey naming the key deadbeef and the secret", err)
	}
	for _, table := range []string{"sy_integration", "sy_entity"} {
		if n, _ := b.countTable(ctx, table); n != 0 {
			t.Errorf("the target has %d rows in %s after the refused copy, want none", n, table)
		}
	}
}

// TestCopyQueueToSQLite: the values PostgreSQL's capture trigger kept of a
// changed row (a sync's baseline) read the same on the SQLite copy.
func TestCopyQueueToSQLite(t *testing.T) {
	ctx := context.Background()
	t.Setenv(KeyEnv, testKey)
	pg, _ := openBackend(t, "postgres")
	fillForCopy(t, pg)
	b := openFile(t, filepath.Join(t.TempDir(), "b.db"))
	if _, err := Copy(ctx, pg, b, CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	baselines := func(s *Store) map[string]map[string]any {
		var out map[string]map[string]any
		err := s.View(ctx, func(tx *Tx) error {
			rows, err := tx.FindBy("account", "code", []any{"A1", "A2"}, []string{"code"})
			var ids []string
			for _, r := range rows {
				ids = append(ids, r.ID)
			}
			if err == nil {
				out, err = tx.Baselines("crm", "account", ids)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	want, got := baselines(pg), baselines(b)
	if len(want) != 2 || !reflect.DeepEqual(want, got) {
		t.Errorf("baselines on the SQLite copy:\n got %v\nwant %v (2 rows)", got, want)
	}
}
