package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"

	"github.com/jackc/pgx/v5"
)

// RolesFile is the grants of a workspace's read-only role, relative to the
// repository's root: the file the docs give to administrators, which the
// tests execute as it is.
const RolesFile = "deploy/postgres/roles.sql"

// psqlVar is a psql variable quoted as an identifier, :"name".
var psqlVar = regexp.MustCompile(`:"([a-z_]+)"`)

// Reader creates a login role on the test server for t, grants it on schema
// what RolesFile grants (the schema's owner being the server URL's role), and
// returns schema's URL with that role as its user. The role is dropped, with
// its privileges, when t ends.
func Reader(t testing.TB, schema Schema) string {
	t.Helper()
	ctx := context.Background()
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix) // crypto/rand.Read never fails
	role := "reader_" + hex.EncodeToString(suffix)
	conn := Connect(t, URL(t))
	if _, err := conn.Exec(ctx, "CREATE ROLE "+pgx.Identifier{role}.Sanitize()+" LOGIN"); err != nil {
		t.Fatalf("create role %s: %v", role, err)
	}
	t.Cleanup(func() { dropRole(t, role) })
	var owner string
	if err := conn.QueryRow(ctx, "SELECT current_user").Scan(&owner); err != nil {
		t.Fatal(err)
	}
	Grant(t, conn, map[string]string{"schema": schema.Name, "owner": owner, "reader": role})
	u, err := url.Parse(schema.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	return u.String()
}

// Grant executes RolesFile on conn with vars as its psql variables.
func Grant(t testing.TB, conn *pgx.Conn, vars map[string]string) {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	text, err := os.ReadFile(filepath.Join(filepath.Dir(self), "..", "..", RolesFile))
	if err != nil {
		t.Fatalf("read the grants: %v", err)
	}
	script := psqlVar.ReplaceAllStringFunc(string(text), func(v string) string {
		name := psqlVar.FindStringSubmatch(v)[1]
		value, ok := vars[name]
		if !ok {
			t.Fatalf("%s uses the variable %s, which the test does not give", RolesFile, name)
		}
		return pgx.Identifier{value}.Sanitize()
	})
	if _, err := conn.Exec(context.Background(), script); err != nil {
		t.Fatalf("execute %s: %v", RolesFile, err)
	}
}

// dropRole drops role with the privileges granted to it.
func dropRole(t testing.TB, role string) {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	c, err := pgx.Connect(ctx, URL(t))
	if err != nil {
		t.Errorf("drop role %s: %v", role, err)
		return
	}
	defer c.Close(ctx)
	id := pgx.Identifier{role}.Sanitize()
	for _, q := range []string{"DROP OWNED BY " + id, "DROP ROLE " + id} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Errorf("drop role %s: %s: %v", role, q, err)
		}
	}
}
