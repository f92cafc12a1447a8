package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"switchyard/core/meta"
	"switchyard/core/values"
	"switchyard/internal/pgtest"
)

// The PostgreSQL workspace's schema against a real PostgreSQL 15
// (scripts/pgserver.sh): each test has a schema of its own (pgtest.NewSchema),
// migrated as a fresh workspace, and writes with plain SQL as psql would.

// pgWorkspace migrates a fresh schema and returns a connection to it and the
// schema's name.
func pgWorkspace(t *testing.T) (*pgx.Conn, pgtest.Schema) {
	t.Helper()
	schema := pgtest.NewSchema(t)
	conn := pgtest.Connect(t, schema.URL)
	if err := pgMigrate(context.Background(), conn); err != nil {
		t.Fatal(err)
	}
	return conn, schema
}

// pgMigrate applies the PostgreSQL migrations the workspace lacks, each in its
// own transaction with its sy_migration row.
func pgMigrate(ctx context.Context, conn *pgx.Conn) error {
	ms, err := pgMigrations()
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, pgMigrationTableSQL); err != nil {
		return err
	}
	for _, m := range ms {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM sy_migration WHERE version = $1`, m.version).Scan(&n); err != nil || n > 0 {
				return err
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO sy_migration (version, name, applied_at) VALUES ($1, $2, now())`, m.version, m.name)
			return err
		})
		if err != nil {
			return fmt.Errorf("apply %s: %w", m.name, err)
		}
	}
	return nil
}

func pgExec(t *testing.T, c *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := c.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func pgStrings(t *testing.T, c *pgx.Conn, sql string, args ...any) []string {
	t.Helper()
	rows, err := c.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// pgEntity creates a local entity table, as the store will.
func pgEntity(t *testing.T, c *pgx.Conn, e meta.Entity) {
	t.Helper()
	for _, stmt := range pgCreateTableSQL(e) {
		pgExec(t, c, stmt)
	}
}

// everyType is an entity with a field of every type.
var everyType = meta.Entity{Name: "thing", Fields: []meta.Field{
	{Name: "name", Type: meta.String}, {Name: "count", Type: meta.Int}, {Name: "amount", Type: meta.Decimal},
	{Name: "ratio", Type: meta.Double}, {Name: "active", Type: meta.Bool}, {Name: "born", Type: meta.Date},
	{Name: "due", Type: meta.DateTime}, {Name: "at", Type: meta.Time}, {Name: "ref", Type: meta.GUID},
	{Name: "photo", Type: meta.Binary}, {Name: "parent", Type: meta.Lookup, Target: "thing"},
	{Name: "order", Type: meta.String}, // a reserved word: names are quoted
}}

// TestPGMigrations: the baseline reaches the SQLite workspace's schema version
// with the same tables, columns and indexes, apart from the documented ones;
// migrating again applies nothing.
func TestPGMigrations(t *testing.T) {
	conn, _ := pgWorkspace(t)
	if err := pgMigrate(context.Background(), conn); err != nil {
		t.Fatalf("migrating again: %v", err)
	}
	sqliteMs, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	got := pgStrings(t, conn, `SELECT version::text || ' ' || name FROM sy_migration ORDER BY version`)
	pgMs, err := pgMigrations()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range pgMs {
		want = append(want, fmt.Sprint(m.version)+" "+m.name)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || pgMs[len(pgMs)-1].version != sqliteMs[len(sqliteMs)-1].version {
		t.Errorf("sy_migration = %q, want %q, up to the SQLite workspace's newest version %d: "+
			"every SQLite migration after the baseline needs its PostgreSQL counterpart", got, want, sqliteMs[len(sqliteMs)-1].version)
	}
	s, _ := openMemory(t)
	sqliteCols := column(t, s, `SELECT m.name || '.' || c.name FROM sqlite_schema m, pragma_table_info(m.name) c
WHERE m.type = 'table' AND m.name LIKE 'sy\_%' ESCAPE '\' AND m.name NOT IN ('sy_clock', 'sy_capture_off')`)
	pgCols := pgStrings(t, conn, `SELECT table_name || '.' || column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name LIKE 'sy\_%'`)
	if d := setDiff(sqliteCols, pgCols); d != "" {
		t.Errorf("columns differ from a new SQLite workspace's:\n%s", d)
	}
	sqliteIdx := column(t, s, `SELECT name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_%'`)
	pgIdx := pgStrings(t, conn, `SELECT c.relname::text FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
WHERE c.relnamespace = current_schema()::regnamespace AND NOT x.indisprimary AND NOT x.indisunique`)
	if d := setDiff(sqliteIdx, pgIdx); d != "" {
		t.Errorf("indexes differ from a new SQLite workspace's:\n%s", d)
	}
	if d := setDiff(column(t, s, sqliteKeysSQL), pgStrings(t, conn, pgKeysSQL)); d != "" {
		t.Errorf("keys differ from a new SQLite workspace's:\n%s", d)
	}
}

// sqliteKeysSQL and pgKeysSQL list the primary keys, unique constraints and
// foreign keys of the sy_ tables, one line each, alike on both (sy_sequence
// is a view on PostgreSQL: it has none).
const (
	sqliteKeysSQL = `WITH t AS (SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'sy\_%' ESCAPE '\'
	AND name NOT IN ('sy_clock', 'sy_capture_off', 'sy_sequence'))
SELECT t.name || ' p ' || (SELECT group_concat(name, ',') FROM (SELECT c.name FROM pragma_table_info(t.name) c WHERE c.pk > 0 ORDER BY c.pk))
FROM t WHERE EXISTS (SELECT 1 FROM pragma_table_info(t.name) c WHERE c.pk > 0)
UNION ALL
SELECT t.name || ' u ' || (SELECT group_concat(name, ',') FROM (SELECT x.name FROM pragma_index_info(i.name) x ORDER BY x.seqno))
FROM t, pragma_index_list(t.name) i WHERE i.origin = 'u'
UNION ALL
SELECT t.name || '.' || f."from" || ' f ' || f."table" || '.' || f."to" || ' ' || f.on_delete || ' ' || f.on_update
FROM t, pragma_foreign_key_list(t.name) f`
	pgKeysSQL = `SELECT cl.relname || CASE WHEN c.contype = 'f' THEN '.' || a.attname || ' f ' || fcl.relname || '.' || fa.attname || ' ' ||
	(SELECT v FROM (VALUES ('c', 'CASCADE'), ('n', 'SET NULL'), ('a', 'NO ACTION')) r(k, v) WHERE k = c.confdeltype::text) || ' ' ||
	(SELECT v FROM (VALUES ('c', 'CASCADE'), ('n', 'SET NULL'), ('a', 'NO ACTION')) r(k, v) WHERE k = c.confupdtype::text)
	ELSE ' ' || c.contype::text || ' ' || (SELECT string_agg(a2.attname, ',' ORDER BY k2.n) FROM unnest(c.conkey) WITH ORDINALITY k2(col, n)
		JOIN pg_attribute a2 ON a2.attrelid = c.conrelid AND a2.attnum = k2.col) END
FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid
LEFT JOIN LATERAL unnest(c.conkey, c.confkey) k(col, fcol) ON c.contype = 'f'
LEFT JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
LEFT JOIN pg_class fcl ON fcl.oid = c.confrelid
LEFT JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = k.fcol
WHERE c.connamespace = current_schema()::regnamespace AND c.contype IN ('p', 'u', 'f')`
)

// setDiff says which of a are missing from b and which of b from a, or "".
func setDiff(a, b []string) string {
	var only []string
	for _, v := range a {
		if !slices.Contains(b, v) {
			only = append(only, "SQLite only: "+v)
		}
	}
	for _, v := range b {
		if !slices.Contains(a, v) {
			only = append(only, "PostgreSQL only: "+v)
		}
	}
	sort.Strings(only)
	return strings.Join(only, "\n")
}

// TestPGStamps: a plain INSERT naming only business fields gets a lower-case
// UUID, createdon and modifiedon and the next versionnumber; an UPDATE takes
// the next number and a new modifiedon, whatever modifiedon it sets; numbers
// grow across tables; an insert that brings its own number, or an update that
// sets one, is taken as stamped; versionnumber 0 is stamped.
func TestPGStamps(t *testing.T) {
	conn, _ := pgWorkspace(t)
	pgEntity(t, conn, everyType)
	pgEntity(t, conn, meta.Entity{Name: "other", Fields: []meta.Field{{Name: "name", Type: meta.String}}})
	pgExec(t, conn, `INSERT INTO thing (name, "order") VALUES ('a', 'first')`)
	pgExec(t, conn, `INSERT INTO other (name) VALUES ('b')`)
	pgExec(t, conn, `INSERT INTO thing (name, versionnumber) VALUES ('zero', 0)`)
	pgExec(t, conn, `UPDATE thing SET name = 'a2', modifiedon = '2001-01-01Z' WHERE name = 'a'`)
	pgExec(t, conn, `INSERT INTO thing (name, versionnumber) VALUES ('own', 100)`)
	pgExec(t, conn, `UPDATE other SET name = 'b2', versionnumber = 200`)
	got := pgStrings(t, conn, `SELECT name || ' ' || versionnumber FROM (SELECT name, versionnumber FROM thing UNION ALL SELECT name, versionnumber FROM other) r ORDER BY versionnumber`)
	want := []string{"zero 3", "a2 4", "own 100", "b2 200"}
	if !slices.Equal(got, want) {
		t.Errorf("versionnumbers = %q, want %q", got, want)
	}
	var id string
	var created, modified time.Time
	var seq int64
	err := conn.QueryRow(context.Background(), `SELECT id, createdon, modifiedon, (SELECT value FROM sy_sequence) FROM thing WHERE name = 'a2'`).
		Scan(&id, &created, &modified, &seq)
	if err != nil {
		t.Fatal(err)
	}
	if !meta.IsGUIDText(id) || id != strings.ToLower(id) {
		t.Errorf("id %q is not a lower-case UUID", id)
	}
	if modified.Year() == 2001 || modified.Before(created) {
		t.Errorf("modifiedon %v after the update (createdon %v): set by hand, it must be stamped again", modified, created)
	}
	if seq != 4 {
		t.Errorf("sy_sequence's versionnumber = %d, want 4 (the last number taken)", seq)
	}
}

// TestPGClock: a transaction that sets switchyard.now stamps that time in the
// defaults, the update stamp and the upload queue; without it (plain SQL, also
// on a connection that set it in an earlier transaction) the transaction's
// start time.
func TestPGClock(t *testing.T) {
	ctx := context.Background()
	conn, _ := pgWorkspace(t)
	pgEntity(t, conn, meta.Entity{Name: "account", Fields: []meta.Field{{Name: "name", Type: meta.String}}})
	pgUploads(t, conn, "account", "crm")
	clock := time.Date(2026, 1, 31, 8, 15, 0, 123_000_000, time.UTC)
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, pgSetClockSQL, formatTime(clock)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO account (name) VALUES ('a'), ('b')`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE account SET name = 'b2' WHERE name = 'b'`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := clock.Format(time.RFC3339Nano)
	got := pgStrings(t, conn, `SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') FROM (
		SELECT createdon AS t FROM account UNION ALL SELECT modifiedon FROM account UNION ALL SELECT created_at FROM sy_integration_transaction) s`)
	// Two rows' createdon and modifiedon, and three changes queued.
	if len(got) != 7 || slices.ContainsFunc(got, func(s string) bool { return s != want }) {
		t.Errorf("stamps with the transaction's clock = %q, want 7 × %s", got, want)
	}
	var same bool
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO account (name) VALUES ('plain')`); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT bool_and(t = transaction_timestamp()) FROM (SELECT createdon AS t FROM account WHERE name = 'plain'
			UNION ALL SELECT created_at FROM sy_integration_transaction WHERE record_id = (SELECT id FROM account WHERE name = 'plain')) s`).Scan(&same)
	})
	if err != nil || !same {
		t.Errorf("plain SQL after a clocked transaction: stamped with transaction_timestamp() = %v, %v", same, err)
	}
}

// pgUploads makes integration upload entity.
func pgUploads(t *testing.T, c *pgx.Conn, entity, integration string) {
	t.Helper()
	pgExec(t, c, `INSERT INTO sy_integration (name, connector, created_at, updated_at) VALUES ($1, 'odata', now(), now())`, integration)
	pgExec(t, c, `INSERT INTO sy_entity_mapping (integration, position, external, local, direction) VALUES ($1, 0, 'X', $2, 'upload')`,
		integration, entity)
}

// TestPGCapture: inserts, updates and deletes made with plain SQL are queued
// once for every integration that uploads the entity, an update and a delete
// with the values before the change (binary and system columns left out); a
// transaction with capture off queues nothing, and the next one captures
// again; a session whose search_path is not the workspace's is captured too.
func TestPGCapture(t *testing.T) {
	ctx := context.Background()
	conn, schema := pgWorkspace(t)
	pgEntity(t, conn, everyType)
	pgUploads(t, conn, "thing", "crm")
	pgUploads(t, conn, "thing", "erp")
	pgExec(t, conn, `INSERT INTO sy_entity_mapping (integration, position, external, local, direction) VALUES
		('crm', 1, 'Y', 'thing', 'bidirectional'), ('erp', 1, 'Z', 'thing', 'download')`)
	pgExec(t, conn, `INSERT INTO sy_integration (name, connector, created_at, updated_at) VALUES ('off', 'odata', now(), now())`)
	pgExec(t, conn, `INSERT INTO sy_entity_mapping (integration, position, external, local, direction, disabled) VALUES ('off', 0, 'X', 'thing', 'upload', true)`)

	pgExec(t, conn, `INSERT INTO thing (id, name, amount, active, photo) VALUES ('r1', 'a', 1.50, true, '\x0102')`)
	pgExec(t, conn, `UPDATE thing SET name = 'b' WHERE id = 'r1'`)
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, pgCaptureOffSQL); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO thing (id, name) VALUES ('quiet', 'q'); UPDATE thing SET name = 'c' WHERE id = 'r1'`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	other := pgtest.Connect(t, pgtest.URL(t)) // search_path: public
	if _, err := other.Exec(ctx, `DELETE FROM `+pgx.Identifier{schema.Name, "thing"}.Sanitize()+` WHERE id = 'r1'`); err != nil {
		t.Fatal(err)
	}
	got := pgStrings(t, conn, `SELECT integration || ' ' || operation || ' ' || record_id || ' ' || versionnumber || ' ' || coalesce(data::text, '-')
		FROM sy_integration_transaction ORDER BY id`)
	before := func(name string) string {
		return fmt.Sprintf(`{"at": null, "id": "r1", "due": null, "ref": null, "born": null, "name": "%s", "count": null, "order": null, "ratio": null, "active": true, "amount": 1.50, "parent": null}`, name)
	}
	want := []string{"crm insert r1 1 -", "erp insert r1 1 -", "crm update r1 2 " + before("a"), "erp update r1 2 " + before("a"),
		"crm delete r1 4 " + before("c"), "erp delete r1 4 " + before("c")}
	if !slices.Equal(got, want) {
		t.Errorf("queued:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var status string
	if err := conn.QueryRow(ctx, `SELECT status FROM sy_integration_transaction LIMIT 1`).Scan(&status); err != nil || status != "pending" {
		t.Errorf("status = %q, %v, want pending", status, err)
	}
}

// TestPGCaptureBinary: adding a binary field remakes the capture trigger with
// it left out of data; other new fields are in data with no new trigger.
func TestPGCaptureBinary(t *testing.T) {
	conn, _ := pgWorkspace(t)
	e := meta.Entity{Name: "doc", Fields: []meta.Field{{Name: "title", Type: meta.String}}}
	pgEntity(t, conn, e)
	pgUploads(t, conn, "doc", "crm")
	pgExec(t, conn, `ALTER TABLE doc ADD COLUMN pages bigint, ADD COLUMN scan bytea`)
	e.Fields = append(e.Fields, meta.Field{Name: "pages", Type: meta.Int}, meta.Field{Name: "scan", Type: meta.Binary})
	pgExec(t, conn, `DROP TRIGGER `+pgCaptureTrigger+` ON doc`)
	pgExec(t, conn, pgCaptureSQL("doc", e.Fields))
	pgExec(t, conn, `INSERT INTO doc (id, title, pages, scan) VALUES ('d', 'x', 3, '\xff'); DELETE FROM doc`)
	got := pgStrings(t, conn, `SELECT data::text FROM sy_integration_transaction WHERE operation = 'delete'`)
	if want := `{"id": "d", "pages": 3, "title": "x"}`; len(got) != 1 || got[0] != want {
		t.Errorf("data = %q, want %q", got, want)
	}
}

// TestPGDateTime: a datetime field keeps seven fractional digits exactly,
// whole milliseconds too, from the first to the last instant Edm allows, and
// sorts in time order as text (where the SQLite form, 3 or 7 digits, would
// not); the domain refuses other forms; sy_datetime_of writes now() in it.
func TestPGDateTime(t *testing.T) {
	ctx := context.Background()
	conn, _ := pgWorkspace(t)
	pgEntity(t, conn, everyType)
	times := []time.Time{ // in time order
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 31, 8, 15, 0, 0, time.UTC),
		time.Date(2026, 1, 31, 8, 15, 0, 100, time.UTC), // 100 ns: the 7th digit
		time.Date(2026, 1, 31, 8, 15, 0, 123_000_000, time.UTC),
		time.Date(2026, 1, 31, 8, 15, 0, 123_456_700, time.UTC),
		time.Date(2026, 1, 31, 8, 15, 0, 999_999_900, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999_999_900, time.UTC),
	}
	for i := len(times) - 1; i >= 0; i-- { // inserted backwards: the order must come from the values
		pgExec(t, conn, `INSERT INTO thing (id, due) VALUES ($1, $2)`, fmt.Sprint(i), pgDateTime(times[i]))
	}
	for i, text := range pgStrings(t, conn, `SELECT due FROM thing ORDER BY due`) {
		got, err := values.ParseDateTime(text)
		if err != nil || !got.Equal(times[i]) {
			t.Errorf("row %d in order: %q = %v, %v, want %v", i, text, got, err, times[i])
		}
	}
	var sqliteForm []string // the SQLite workspace's form: 3 digits, or 7 when finer
	for _, tm := range times {
		sqliteForm = append(sqliteForm, values.FormatStored(tm))
	}
	if slices.IsSorted(sqliteForm) {
		t.Errorf("the SQLite form sorts in time order: %q; then a fixed width is not needed", sqliteForm)
	}
	if got := pgStrings(t, conn, `SELECT due FROM thing WHERE id = '4'`); got[0] != "2026-01-31T08:15:00.1234567Z" {
		t.Errorf("stored %q, want 2026-01-31T08:15:00.1234567Z", got[0])
	}
	for _, bad := range []string{"2026-01-31T08:15:00.123Z", "2026-01-31T08:15:00.1234567+02:00", "2026-02-30T08:15:00.0000000Z", "2026-01-31",
		" 026-01-31T08:15:00.1234567Z", "2026-01-31T24:00:00.0000000Z", "2026-01-31T23:59:60.0000000Z", "2026-01-31T08:15:00.123456aZ"} {
		if _, err := conn.Exec(ctx, `INSERT INTO thing (due) VALUES ($1)`, bad); err == nil {
			t.Errorf("datetime %q was accepted, want it refused", bad)
		}
	}
	pgExec(t, conn, `SET TimeZone = 'Europe/Berlin'`) // sy_datetime_of writes UTC whatever the session's zone
	var ok bool
	err := conn.QueryRow(ctx, `SELECT sy_datetime_of(now())::timestamptz = now()`).Scan(&ok)
	if err != nil || !ok {
		t.Errorf("sy_datetime_of(now()) read back as timestamptz = now(): %v, %v", ok, err)
	}
}

// TestPGDecimal: a decimal field keeps every digit (docs/workspace.md promises
// 15 significant digits; SQLite keeps no more), beyond a float64 and on
// both sides of the point, with its scale.
func TestPGDecimal(t *testing.T) {
	conn, _ := pgWorkspace(t)
	pgEntity(t, conn, everyType)
	for i, v := range []string{
		"123456789012345",                                                                   // 15 significant digits
		"1234567890123456789012345678.0123456789",                                           // 38, as SQL Server's decimal(38,10)
		"9007199254740993",                                                                  // 2^53+1: a float64 cannot hold it
		"0.1", "1.50", "-0.000000000000000000000000000001", "79228162514264337593543950335", // .NET's decimal.MaxValue
	} {
		var got string
		err := conn.QueryRow(context.Background(), `INSERT INTO thing (id, amount) VALUES ($1, $2) RETURNING amount::text`, fmt.Sprint(i), v).Scan(&got)
		if err != nil || got != v {
			t.Errorf("decimal %s: stored %q, %v", v, got, err)
		}
	}
}

// TestPGReservedNames: PostgreSQL refuses its system columns as column names,
// which pgCheckName refuses first; pg_ entity names are refused too.
func TestPGReservedNames(t *testing.T) {
	conn, _ := pgWorkspace(t)
	for _, name := range pgSystemColumns {
		if pgCheckName(name, true) == nil {
			t.Errorf("pgCheckName(%q) accepted a system column", name)
		}
		e := meta.Entity{Name: "e_" + name, Fields: []meta.Field{{Name: name, Type: meta.String}}}
		if _, err := conn.Exec(context.Background(), pgCreateTableSQL(e)[0]); err == nil {
			t.Errorf("PostgreSQL accepted a column %q", name)
		}
	}
	if pgCheckName("pg_thing", false) == nil || pgCheckName("pg_thing", true) != nil || pgCheckName("xmin", false) != nil {
		t.Error("pgCheckName: pg_ is refused for entities only, system columns for fields only")
	}
}

// TestPGEveryType: a row written with plain SQL, a value of every field type,
// reads back as written.
func TestPGEveryType(t *testing.T) {
	conn, _ := pgWorkspace(t)
	pgEntity(t, conn, everyType)
	pgExec(t, conn, `INSERT INTO thing (id, name, count, amount, ratio, active, born, due, at, ref, photo, parent, "order")
VALUES ('p', 'Contoso', 42, 1250000.50, 0.25, true, '1990-04-01', '2026-01-31T08:15:00.1234567Z', '08:15', '0b6c9f2e-8d4a-4c1e-9b7a-2f3e4d5c6b7a', '\x89504e47', 'p', 'x')`)
	got := pgStrings(t, conn, `SELECT concat_ws(' | ', name, count, amount, ratio, active, born, due, at, ref, photo, parent, "order") FROM thing`)
	want := "Contoso | 42 | 1250000.50 | 0.25 | t | 1990-04-01 | 2026-01-31T08:15:00.1234567Z | 08:15 | 0b6c9f2e-8d4a-4c1e-9b7a-2f3e4d5c6b7a | \\x89504e47 | p | x"
	if len(got) != 1 || got[0] != want {
		t.Errorf("row = %q, want %q", got, want)
	}
}
