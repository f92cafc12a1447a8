package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"switchyard/core/meta"
	"switchyard/internal/pgtest"
)

// fillNew writes to s what a failing integration import may have made
// before it failed: local entities, one with a lookup of the other (no
// integration: a failed import saves none; no rows: it writes none).
func fillNew(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	err := s.CreateEntity(ctx, meta.Entity{Name: "account", Fields: []meta.Field{{Name: "code", Type: meta.String}}})
	if err == nil {
		err = s.CreateEntity(ctx, meta.Entity{Name: "contact", Fields: []meta.Field{
			{Name: "due", Type: meta.DateTime}, {Name: "accountid", Type: meta.Lookup, Target: "account"}}})
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestCreatedAndDiscardNew: on both backends, the Open that made a workspace
// says so and another does not; DiscardNew refuses a workspace that the
// store did not create. On PostgreSQL it refuses while another Switchyard
// has the workspace open, and then drops everything the workspace holds,
// leaving an empty schema in which the next Open creates it again; on
// SQLite it leaves the file to the caller.
func TestCreatedAndDiscardNew(t *testing.T) {
	for _, b := range backends {
		t.Run(b, func(t *testing.T) {
			ctx := context.Background()
			two := twoStores(t, b)
			made, other := two[0], two[1]
			if !made.Created() || other.Created() {
				t.Fatalf("Created: %v for the first Open, %v for the second; want true, false", made.Created(), other.Created())
			}
			fillNew(t, made)
			if err := other.DiscardNew(ctx); !errors.Is(err, errNotCreated) {
				t.Errorf("DiscardNew of a store that did not create the workspace: %v", err)
			}
			if b == "postgres" {
				before := pgtest.Objects(t, made.Path())
				if err := made.DiscardNew(ctx); !errors.Is(err, errOpenElsewhere) {
					t.Errorf("DiscardNew while another store has the workspace open: %v", err)
				}
				if after := pgtest.Objects(t, made.Path()); !slices.Equal(before, after) {
					t.Errorf("a refused DiscardNew changed the schema: %d objects before, %d after", len(before), len(after))
				}
			}
			other.Close()
			if err := made.DiscardNew(ctx); err != nil {
				t.Fatal(err)
			}
			made.Close()
			if b == "sqlite" {
				if again := openFile(t, made.Path()); again.Created() {
					t.Error("DiscardNew emptied the workspace file: the caller removes it")
				}
				return
			}
			if left := pgtest.Objects(t, made.Path()); len(left) > 0 {
				t.Errorf("the schema holds after DiscardNew: %v", left)
			}
			if again := openFile(t, made.Path()); !again.Created() {
				t.Error("the workspace was not created again in the emptied schema")
			}
		})
	}
}

// TestCreatedOnce: of two Switchyards that open one new PostgreSQL workspace
// at once, exactly one created it. (Two that open one new SQLite file at once
// may see "database is locked" from the switch to WAL mode.)
func TestCreatedOnce(t *testing.T) {
	url := pgtest.NewSchema(t).URL
	var wg sync.WaitGroup
	stores := make([]*Store, 2)
	errs := make([]error, 2)
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = Open(context.Background(), url) })
	}
	wg.Wait()
	created := 0
	for i, s := range stores {
		if errs[i] != nil {
			t.Error(errs[i])
			continue
		}
		t.Cleanup(func() { s.Close() })
		if s.Created() {
			created++
		}
	}
	if created != 1 {
		t.Errorf("%d of two Opens created the workspace", created)
	}
}

// TestDiscardNewRefuses: on PostgreSQL, DiscardNew drops nothing that the
// failed command did not make: an integration or a row saved since, or what
// depends on the workspace, makes it refuse, changing nothing; what is not
// Switchyard's and depends on nothing of it stays, and the error names it.
func TestDiscardNewRefuses(t *testing.T) {
	tests := []struct {
		name          string
		before, after string // SQL run in the schema before Open, and after it
		wantErr       string
		left          []string // what the schema holds afterwards; nil: as before DiscardNew
	}{
		{"an integration saved since", "", "INSERT INTO sy_integration (name, connector, created_at, updated_at) VALUES ('crm', 'odata', now(), now())",
			"it holds what another Switchyard may have saved, left as it is: integration crm", nil},
		{"a row written since", "", "INSERT INTO contact (due) VALUES (NULL)",
			"it holds what another Switchyard may have saved, left as it is: rows of contact", nil},
		{"a view of the workspace's tables", "", "CREATE VIEW mine AS SELECT name FROM sy_integration",
			"depends on the workspace", nil},
		{"a table made since", "", "CREATE TABLE notes (id int)",
			"still holds what is not Switchyard's, left as it is: table notes", []string{"relation notes", "type _notes", "type notes"}},
		{"a function there before", "CREATE FUNCTION mine() RETURNS int LANGUAGE sql RETURN 1", "",
			"left as it is: function mine()", []string{"routine mine"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			url := pgtest.NewSchema(t).URL
			conn := pgtest.Connect(t, url)
			exec := func(q string) {
				if _, err := conn.Exec(ctx, q); q != "" && err != nil {
					t.Fatal(err)
				}
			}
			exec(tt.before)
			s := openFile(t, url)
			fillNew(t, s)
			exec(tt.after)
			before := pgtest.Objects(t, url)
			err := s.DiscardNew(ctx)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("DiscardNew: %v, want an error with %q", err, tt.wantErr)
			}
			want := tt.left
			if want == nil {
				want = before
			}
			if got := pgtest.Objects(t, url); !slices.Equal(got, want) {
				t.Errorf("the schema holds %v, want %v", got, want)
			}
		})
	}
}
