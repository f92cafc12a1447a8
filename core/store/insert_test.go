package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"switchyard/core/values"
)

var uuidV7RE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestIDSource checks the ids Switchyard makes for new rows: UUIDs version 7
// whose first 48 bits are the time in milliseconds and which increase from
// one id to the next, however many come in one millisecond and even when the
// clock goes back.
func TestIDSource(t *testing.T) {
	base := time.Date(2026, 11, 23, 8, 15, 0, 0, time.UTC)
	tests := []struct {
		name   string
		clock  []time.Duration // offset from base for each id
		prefix []string        // expected time part of each id (hex, 12 digits); "" = not checked
	}{
		{"one per millisecond", []time.Duration{0, time.Millisecond, 2 * time.Millisecond},
			[]string{"01a20778ffa0", "01a20778ffa1", "01a20778ffa2"}},
		{"many in one millisecond", repeat(0, 5000), nil},
		{"clock goes back", []time.Duration{time.Second, 0, 0, time.Second},
			[]string{"01a207790388", "01a207790388", "01a207790388", "01a207790388"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i := 0
			s := idSource{now: func() time.Time { return base.Add(tt.clock[i]) }}
			prev := ""
			for ; i < len(tt.clock); i++ {
				id := s.next()
				if !uuidV7RE.MatchString(id) {
					t.Fatalf("id %d %q is not a lower-case UUID version 7", i, id)
				}
				if id <= prev {
					t.Fatalf("id %d %q does not come after %q", i, id, prev)
				}
				if tt.prefix != nil && tt.prefix[i] != "" {
					if got := strings.ReplaceAll(id, "-", "")[:12]; got != tt.prefix[i] {
						t.Errorf("id %d %q: time part %s, want %s", i, id, got, tt.prefix[i])
					}
				}
				prev = id
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// TestInsertStampsTimes: rows Switchyard inserts get createdon and modifiedon
// of the moment they are written, in the workspace's time format, unless the
// values set them.
func TestInsertStampsTimes(t *testing.T) { eachStampBackend(t, testInsertStampsTimes) }

func testInsertStampsTimes(t *testing.T, s *Store) {
	ctx := context.Background()
	before := time.Now().UTC().Truncate(time.Millisecond)
	var stamped, given string
	err := s.Apply(ctx, func(tx *Tx) (err error) {
		if stamped, err = tx.Insert("account", map[string]any{"code": "A"}); err != nil {
			return err
		}
		given, err = tx.Insert("account", map[string]any{"code": "B", "createdon": "2020-01-02T03:04:05.000Z", "modifiedon": "2021-01-02T03:04:05.000Z"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now().UTC()
	r := readSystem(t, s, "account", "id = ?", stamped)
	at, err := time.Parse(values.StoredLayout, r.CreatedOn)
	if err != nil || r.ModifiedOn != r.CreatedOn || at.Before(before) || at.After(after) {
		t.Errorf("createdon %q, modifiedon %q: want the same time between %s and %s in %s (%v)", r.CreatedOn, r.ModifiedOn, before, after, values.StoredLayout, err)
	}
	g := readSystem(t, s, "account", "id = ?", given)
	if g.CreatedOn != "2020-01-02T03:04:05.000Z" || g.ModifiedOn != "2021-01-02T03:04:05.000Z" {
		t.Errorf("given times: createdon %q, modifiedon %q", g.CreatedOn, g.ModifiedOn)
	}
}

// TestApplyInsertsLikeUpdate: Apply's inserts (straight to SQLite) store
// every kind of value as Update's (through database/sql) do, including the
// kinds only database/sql converts, such as int and float32.
func TestApplyInsertsLikeUpdate(t *testing.T) {
	ctx := context.Background()
	s := stampWorkspace(t)
	values := []any{nil, "text", int64(7), 7, int32(-3), uint8(200), 2.5, float32(0.5), true, []byte("bytes"), "2024-02-29"}
	for i, v := range values {
		var viaApply, viaUpdate string
		insert := func(dst *string) func(*Tx) error {
			return func(tx *Tx) (err error) {
				*dst, err = tx.Insert("account", map[string]any{"code": fmt.Sprint(i), "name": v})
				return err
			}
		}
		if err := s.Apply(ctx, insert(&viaApply)); err != nil {
			t.Fatalf("Apply with %T: %v", v, err)
		}
		if err := s.Update(ctx, insert(&viaUpdate)); err != nil {
			t.Fatalf("Update with %T: %v", v, err)
		}
		var a, u any
		var ta, tu string
		read := func(id string, dst *any, typ *string) {
			if err := s.db.QueryRowContext(ctx, `SELECT name, typeof(name) FROM account WHERE id = ?`, id).Scan(dst, typ); err != nil {
				t.Fatal(err)
			}
		}
		read(viaApply, &a, &ta)
		read(viaUpdate, &u, &tu)
		if fmt.Sprint(a) != fmt.Sprint(u) || ta != tu {
			t.Errorf("%T %v: Apply stored %v (%s), Update %v (%s)", v, v, a, ta, u, tu)
		}
	}
}
