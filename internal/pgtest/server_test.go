package pgtest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The tests below prove the test server works end to end, and pin the facts of PostgreSQL 15
// that the PostgreSQL workspace (issue 19) relies on; docs/deploy.md lists them.

// TestNumeric: numeric(38,10) keeps 28 integer and 10 fractional digits exactly, rounds an
// 11th fractional digit half away from zero without an error, and refuses a 29th integer digit.
func TestNumeric(t *testing.T) {
	ctx := context.Background()
	conn := Connect(t, NewSchema(t).URL)
	mustExec(t, conn, "CREATE TABLE amounts (id int PRIMARY KEY, amount numeric(38,10))")
	tests := []struct{ in, want string }{
		{"1234567890123456789012345678.0123456789", "1234567890123456789012345678.0123456789"},
		{"-0.0000000001", "-0.0000000001"},
		{"0.1", "0.1000000000"},
		{"1.00000000005", "1.0000000001"},                   // the 11th digit rounds, half away from zero
		{"-1.00000000005", "-1.0000000001"},                 // on both sides
		{"9007199254740993", "9007199254740993.0000000000"}, // 2^53+1: beyond a float64, exact here
	}
	for i, tt := range tests {
		var got string
		err := conn.QueryRow(ctx, "INSERT INTO amounts VALUES ($1, $2::numeric) RETURNING amount::text", i, tt.in).Scan(&got)
		if err != nil || got != tt.want {
			t.Errorf("numeric(38,10) %s: got %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
	_, err := conn.Exec(ctx, "INSERT INTO amounts VALUES (100, '12345678901234567890123456789'::numeric)")
	if err == nil || !strings.Contains(err.Error(), "numeric field overflow") {
		t.Errorf("29 integer digits in numeric(38,10): %v, want numeric field overflow", err)
	}
}

// TestTimestamptz: timestamptz keeps microseconds in UTC, so the offset of a value is not kept
// and the 7th fractional digit of an Edm.DateTimeOffset is lost: PostgreSQL rounds it when it
// parses text, and pgx truncates a time.Time's nanoseconds to microseconds when it sends one.
func TestTimestamptz(t *testing.T) {
	ctx := context.Background()
	conn := Connect(t, NewSchema(t).URL)
	mustExec(t, conn, "SET TimeZone = 'UTC'")
	mustExec(t, conn, "CREATE TABLE stamps (id int PRIMARY KEY, at timestamptz)")
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"microseconds kept", "2024-02-29T23:59:59.123456Z", "2024-02-29 23:59:59.123456+00"},
		{"offset normalised to UTC", "2024-02-29T23:59:59.123456+02:00", "2024-02-29 21:59:59.123456+00"},
		{"7th digit of text rounded", "2026-01-31T08:15:00.1234567Z", "2026-01-31 08:15:00.123457+00"},
		{"7th digit of time.Time truncated", time.Date(2026, 1, 31, 8, 15, 0, 123456789, time.UTC), "2026-01-31 08:15:00.123456+00"},
		{"Edm's first instant", "0001-01-01T00:00:00Z", "0001-01-01 00:00:00+00"},
		{"Edm's last microsecond", "9999-12-31T23:59:59.999999Z", "9999-12-31 23:59:59.999999+00"},
	}
	for i, tt := range tests {
		var got string
		err := conn.QueryRow(ctx, "INSERT INTO stamps VALUES ($1, $2) RETURNING at::text", i, tt.in).Scan(&got)
		if err != nil || got != tt.want {
			t.Errorf("%s: %v gave %q, %v, want %q", tt.name, tt.in, got, err, tt.want)
		}
	}
}

// TestTrigger: a trigger records writes made with plain SQL, as the PostgreSQL workspace's
// change capture will, with the transaction's time.
func TestTrigger(t *testing.T) {
	ctx := context.Background()
	conn := Connect(t, NewSchema(t).URL)
	mustExec(t, conn, `CREATE TABLE account (id text PRIMARY KEY, name text);
		CREATE TABLE changes (seq bigserial PRIMARY KEY, entity text, id text, op text, at timestamptz);
		CREATE FUNCTION capture() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			INSERT INTO changes (entity, id, op, at)
			VALUES (TG_TABLE_NAME, COALESCE(NEW.id, OLD.id), TG_OP, transaction_timestamp());
			RETURN NULL;
		END $$;
		CREATE TRIGGER account_capture AFTER INSERT OR UPDATE OR DELETE ON account
			FOR EACH ROW EXECUTE FUNCTION capture();`)
	mustExec(t, conn, `INSERT INTO account VALUES ('a1', 'Contoso'), ('a2', 'Fabrikam');
		UPDATE account SET name = 'Contoso Ltd' WHERE id = 'a1';
		DELETE FROM account WHERE id = 'a2';`)
	rows, err := conn.Query(ctx, "SELECT entity || ' ' || id || ' ' || op FROM changes ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	want := []string{"account a1 INSERT", "account a2 INSERT", "account a1 UPDATE", "account a2 DELETE"}
	if err != nil || strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("changes = %q, %v, want %q", got, err, want)
	}
}

// TestAdvisoryLock: a session advisory lock taken on one connection is refused on another until
// pg_advisory_unlock, or until the holder's connection closes (a run that dies releases it);
// it outlives the transaction it was taken in; and its key space is the database's, not the
// schema's, so the key must tell workspaces (schemas) in one database apart.
func TestAdvisoryLock(t *testing.T) {
	ctx := context.Background()
	a, b := Connect(t, NewSchema(t).URL), Connect(t, NewSchema(t).URL) // two schemas, one database
	const key = "SELECT hashtextextended('switchyard.integration:crm', 0)"
	tryLock := func(c *pgx.Conn) bool {
		t.Helper()
		var ok bool
		if err := c.QueryRow(ctx, "SELECT pg_try_advisory_lock(("+key+"))").Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	mustExec(t, a, "BEGIN")
	if !tryLock(a) {
		t.Fatal("the first connection did not get the lock")
	}
	mustExec(t, a, "COMMIT")
	if tryLock(b) {
		t.Fatal("a second connection got the lock held by the first, after the first's commit")
	}
	var released bool
	if err := a.QueryRow(ctx, "SELECT pg_advisory_unlock(("+key+"))").Scan(&released); err != nil || !released {
		t.Fatalf("pg_advisory_unlock = %v, %v", released, err)
	}
	if !tryLock(b) {
		t.Fatal("the lock was not free after pg_advisory_unlock")
	}
	if tryLock(a) {
		t.Fatal("the first connection got the lock the second holds")
	}
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// The server ends b's session when it reads the Terminate message b sent, a moment after
	// Close returns: wait for its lock to go with pg_advisory_lock, bounded by lock_timeout.
	mustExec(t, a, "SET lock_timeout = '10s'")
	mustExec(t, a, "SELECT pg_advisory_lock(("+key+"))")
	var held int
	err := a.QueryRow(ctx, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()").Scan(&held)
	if err != nil || held != 1 {
		t.Errorf("advisory locks held after the other connection closed: %d, %v, want 1", held, err)
	}
}

func mustExec(t *testing.T, c *pgx.Conn, sql string) {
	t.Helper()
	if _, err := c.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
