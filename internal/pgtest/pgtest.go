// Package pgtest gives each test a PostgreSQL schema of its own, on the server that
// scripts/pgserver.sh starts.
//
// scripts/pgserver.sh start runs a throw-away PostgreSQL on 127.0.0.1 and prints
// `export SWITCHYARD_PG_URL=…`. As with internal/testenv, a test that needs it asks here: when
// the variable is unset the test is skipped, unless SWITCHYARD_REQUIRE_SERVERS=1 (as in
// scripts/test.sh), which makes it fail instead.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"switchyard/internal/testenv"
)

// URLVar names the variable that holds the test server's URL, e.g.
// postgres://postgres@127.0.0.1:5499/postgres?sslmode=disable.
const URLVar = "SWITCHYARD_PG_URL"

// cleanupTimeout bounds the DROP SCHEMA at the end of a test.
const cleanupTimeout = 30 * time.Second

// URL returns the test server's URL, from $SWITCHYARD_PG_URL. When it is unset the test is
// skipped, or fails when SWITCHYARD_REQUIRE_SERVERS=1.
func URL(t testing.TB) string {
	t.Helper()
	if v := os.Getenv(URLVar); v != "" {
		return v
	}
	msg := "$" + URLVar + " is not set: the PostgreSQL test server is not running; start it with " +
		`eval "$(scripts/pgserver.sh start)"`
	if os.Getenv(testenv.RequireServersVar) == "1" {
		t.Fatal(msg + " (" + testenv.RequireServersVar + "=1 makes this a failure)")
		return ""
	}
	t.Skip(msg)
	return ""
}

// Schema is a PostgreSQL schema that belongs to one test.
type Schema struct {
	// Name is the schema's name: lower case, from the test's name and a random suffix.
	Name string
	// URL is the server's URL with the schema as the search_path of every connection made with
	// it (the libpq parameter options=-csearch_path=Name, which pgx and psql both honour), so
	// that unqualified table names are the schema's.
	URL string
}

// NewSchema creates an empty schema for t on the test server and drops it, with everything in
// it, when t ends. Like URL, it skips t when the server is not set up. Close the connections
// made to it before t ends (Connect does): DROP SCHEMA waits for their locks.
func NewSchema(t testing.TB) Schema {
	t.Helper()
	base := URL(t)
	name := schemaName(t.Name())
	ctx := context.Background()
	conn := Connect(t, base)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create schema %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	u, err := WithSearchPath(base, name)
	if err != nil {
		t.Fatal(err)
	}
	return Schema{Name: name, URL: u}
}

// Connect opens a connection to rawURL and closes it when t ends.
func Connect(t testing.TB, rawURL string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, rawURL)
	if err != nil {
		t.Fatalf("connect to the PostgreSQL test server: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// WithSearchPath returns rawURL with the libpq parameter options=-csearch_path=schema, which
// replaces any options it had. It is written without a space: url.Values encodes one as "+",
// which pgx passes on as a "+" (the server then refuses the parameter "+search_path").
func WithSearchPath(rawURL, schema string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", URLVar, err)
	}
	q := u.Query()
	q.Set("options", "-csearch_path="+schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// schemaName makes a schema name from a test's name: lower-case letters, digits and
// underscores, at most 63 bytes (PostgreSQL's limit), with a random suffix so that the same
// test run twice at once (go test -count, two worktrees) gets two schemas.
func schemaName(test string) string {
	var b strings.Builder
	b.WriteString("t_")
	for _, r := range strings.ToLower(test) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	prefix := b.String()
	if len(prefix) > 48 {
		prefix = prefix[:48]
	}
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix) // crypto/rand.Read never fails
	return prefix + "_" + hex.EncodeToString(suffix)
}

// MissingSchema returns the name of a schema that does not exist on the
// test server, and the server's URL with it as the search_path, for tests
// of what makes a schema; the schema is dropped, if something made it, when
// t ends.
func MissingSchema(t testing.TB) (name, url string) {
	t.Helper()
	base := URL(t)
	name = schemaName(t.Name() + "_missing")
	admin := Connect(t, base)
	t.Cleanup(func() {
		admin.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE")
	})
	u, err := WithSearchPath(base, name)
	if err != nil {
		t.Fatal(err)
	}
	return name, u
}

// SchemaExists reports whether the test server has the schema name.
func SchemaExists(t testing.TB, name string) bool {
	t.Helper()
	var n int
	err := Connect(t, URL(t)).QueryRow(context.Background(), `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, name).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n == 1
}
