package pgtest

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"switchyard/internal/testenv"
)

// recorder is a testing.TB that records Skip and Fatal instead of stopping.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()           {}
func (r *recorder) Skip(args ...any)  { r.skipped = args[0].(string) }
func (r *recorder) Fatal(args ...any) { r.failed = args[0].(string) }

func TestURL(t *testing.T) {
	tests := []struct {
		name, url, require   string
		want                 string
		wantSkip, wantFailed bool
	}{
		{"set", "postgres://postgres@127.0.0.1:1/postgres", "", "postgres://postgres@127.0.0.1:1/postgres", false, false},
		{"set while required", "postgres://x@127.0.0.1:2/db", "1", "postgres://x@127.0.0.1:2/db", false, false},
		{"unset skips", "", "", "", true, false},
		{"unset fails when required", "", "1", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(URLVar, tt.url)
			t.Setenv(testenv.RequireServersVar, tt.require)
			r := &recorder{TB: t}
			if got := URL(r); got != tt.want {
				t.Errorf("URL() = %q, want %q", got, tt.want)
			}
			if (r.skipped != "") != tt.wantSkip || (r.failed != "") != tt.wantFailed {
				t.Errorf("skipped %q, failed %q", r.skipped, r.failed)
			}
			for _, msg := range []string{r.skipped, r.failed} {
				if msg != "" && !strings.Contains(msg, "scripts/pgserver.sh start") {
					t.Errorf("message %q does not say how to start the server", msg)
				}
			}
		})
	}
}

func TestSchemaName(t *testing.T) {
	valid := regexp.MustCompile(`^t_[a-z0-9_]+_[0-9a-f]{12}$`)
	tests := []struct{ test, prefix string }{
		{"TestStore", "t_teststore_"},
		{"TestStore/Two_Words-and.dots", "t_teststore_two_words_and_dots_"},
		{"TestÄ", "t_test__"}, // one underscore per rune
		{strings.Repeat("TestLong", 20), "t_" + strings.Repeat("testlong", 6)[:46] + "_"},
	}
	for _, tt := range tests {
		got := schemaName(tt.test)
		if !strings.HasPrefix(got, tt.prefix) || !valid.MatchString(got) || len(got) > 63 {
			t.Errorf("schemaName(%q) = %q, want %q + 12 hex digits, at most 63 bytes", tt.test, got, tt.prefix)
		}
	}
	if a, b := schemaName("TestX"), schemaName("TestX"); a == b {
		t.Errorf("schemaName gave %q twice", a)
	}
}

func TestWithSearchPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://postgres@127.0.0.1:5499/postgres?sslmode=disable",
			"postgres://postgres@127.0.0.1:5499/postgres?options=-csearch_path%3Dt_a&sslmode=disable"},
		{"postgres://u@h/db?options=-c+work_mem%3D1MB", "postgres://u@h/db?options=-csearch_path%3Dt_a"},
	}
	for _, tt := range tests {
		got, err := WithSearchPath(tt.in, "t_a")
		if err != nil || got != tt.want {
			t.Errorf("WithSearchPath(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := WithSearchPath("postgres://h:port:x/", "t_a"); err == nil {
		t.Error("WithSearchPath accepted a malformed URL")
	}
}

// TestNewSchema: each schema is the search_path of its URL, two tests' schemas do not see each
// other's tables, and a schema is gone when its test ends.
func TestNewSchema(t *testing.T) {
	ctx := context.Background()
	var first Schema
	t.Run("first", func(t *testing.T) {
		first = NewSchema(t)
		conn := Connect(t, first.URL)
		var path string
		if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&path); err != nil || path != first.Name {
			t.Fatalf("current_schema() = %q, %v, want %q", path, err, first.Name)
		}
		if _, err := conn.Exec(ctx, "CREATE TABLE account (id text PRIMARY KEY)"); err != nil {
			t.Fatal(err)
		}
		other := Connect(t, NewSchema(t).URL)
		if _, err := other.Exec(ctx, "SELECT * FROM account"); err == nil {
			t.Error("a table of one test's schema is visible in another's")
		}
	})
	conn := Connect(t, URL(t))
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", first.Name).Scan(&n); err != nil || n != 0 {
		t.Errorf("schema %s: %d left after its test, %v", first.Name, n, err)
	}
}

// TestObjects: a new schema holds nothing; a table, a function and a domain
// are listed, and nothing of another schema is.
func TestObjects(t *testing.T) {
	s := NewSchema(t)
	if got := Objects(t, s.URL); len(got) != 0 {
		t.Fatalf("a new schema holds %v", got)
	}
	conn := Connect(t, s.URL)
	for _, q := range []string{"CREATE TABLE account (id text)", "CREATE FUNCTION one() RETURNS int LANGUAGE sql RETURN 1", "CREATE DOMAIN code AS text"} {
		if _, err := conn.Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	Connect(t, NewSchema(t).URL).Exec(context.Background(), "CREATE TABLE other (id text)")
	got := strings.Join(Objects(t, s.URL), ", ")
	for _, want := range []string{"relation account", "routine one", "type code", "type account"} {
		if !strings.Contains(got, want) {
			t.Errorf("objects %q lack %q", got, want)
		}
	}
	if strings.Contains(got, "other") {
		t.Errorf("objects %q hold another schema's table", got)
	}
}
