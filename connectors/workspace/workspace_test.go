package workspace

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"switchyard/connectors/conntest"
	"switchyard/core/connector"
	"switchyard/core/filter"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/core/store"
)

// ticketWorkspace makes a workspace file with 40 tickets and returns its path
// and the time after which exactly the 10 tickets with priority 3 were changed.
func ticketWorkspace(t *testing.T) (string, time.Time) {
	t.Helper()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "other.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// The workspace's clock: the tickets are written at start, changed at
	// start + 2 s, and since lies between, with no time spent waiting.
	start := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	now := start
	st.Now = func() time.Time { return now }
	err = st.CreateEntity(ctx, meta.Entity{Name: "ticket", Fields: []meta.Field{
		{Name: "title", Type: meta.String}, {Name: "priority", Type: meta.Int}, {Name: "amount", Type: meta.Decimal},
		{Name: "due", Type: meta.Date}, {Name: "closed", Type: meta.Bool}, {Name: "seen", Type: meta.DateTime},
	}})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(ctx, func(tx *store.Tx) error {
		for i := 1; i <= 40; i++ {
			_, err := tx.Insert("ticket", map[string]any{"title": fmt.Sprintf("ticket %d", i), "priority": int64(i % 4), "amount": fmt.Sprintf("%d.25", i),
				"due": fmt.Sprintf("2024-05-%02d", i%28+1), "closed": int64(i % 2), "seen": "2024-05-01T10:00:00.000Z"})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	since := start.Add(time.Second)
	now = start.Add(2 * time.Second)
	err = st.Update(ctx, func(tx *store.Tx) error {
		rows, err := tx.Scan("ticket", []string{"priority"}, filter.MustParse("priority eq 3"), "", 100)
		for _, r := range rows {
			if err := tx.UpdateRow("ticket", r.ID, map[string]any{"title": "changed"}); err != nil {
				return err
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return path, since
}

func open(t *testing.T, path string) *Client {
	t.Helper()
	c, err := Open(context.Background(), spec.Values{"path": path})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConformance(t *testing.T) {
	path, since := ticketWorkspace(t)
	conntest.Run(t, conntest.Suite{
		Open:          func(t *testing.T) connector.Connector { return open(t, path) },
		Paged:         "ticket",
		PagedTotal:    40,
		PageSize:      7,
		Filter:        "priority eq 2 and closed eq false",
		FilterMatches: 10,
		Match:         func(r meta.Record) bool { return r["priority"] == int64(2) && r["closed"] == false },
		CursorField:   "modifiedon",
		Since:         since,
		SinceMatches:  10,
		Entity:        "ticket",
		NewRecord: func(i int) meta.Record {
			return meta.Record{"title": fmt.Sprintf("new %d", i), "priority": int64(i), "amount": json.Number("10.5"), "due": "2024-02-29",
				"closed": false, "seen": time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC)}
		},
		Change:    func(meta.Record) meta.Record { return meta.Record{"title": "updated", "closed": true} },
		Invalid:   meta.Record{"title": "bad", "priority": "high"},
		KeyFilter: func(key string) string { return "id eq " + key },
	})
}

func TestDeltaByVersionNumber(t *testing.T) {
	path, _ := ticketWorkspace(t)
	c := open(t, path)
	defer c.Close()
	ctx := t.Context()
	var delta string
	n := 0
	for token := ""; ; {
		p, err := c.ReadPage(ctx, connector.Query{Entity: "ticket", Track: true, PageSize: 9}, token)
		if err != nil {
			t.Fatal(err)
		}
		n += len(p.Records)
		if p.Next == "" {
			delta = p.Delta
			break
		}
		token = p.Next
	}
	if n != 40 || delta == "" {
		t.Fatalf("tracked read: %d records, delta %q", n, delta)
	}
	// Changes on the other side, one of them to a row changed twice.
	var changed []string
	err := c.Store().Update(ctx, func(tx *store.Tx) error {
		rows, err := tx.Scan("ticket", nil, nil, "", 3)
		for _, r := range rows {
			changed = append(changed, r.ID)
			if err := tx.UpdateRow("ticket", r.ID, map[string]any{"priority": int64(9)}); err != nil {
				return err
			}
		}
		if err := tx.UpdateRow("ticket", rows[0].ID, map[string]any{"title": "twice"}); err != nil {
			return err
		}
		id, err := tx.Insert("ticket", map[string]any{"title": "brand new"})
		changed = append(changed, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := conntest.ReadAll(ctx, t, c, connector.Query{Entity: "ticket", Delta: delta, PageSize: 2})
	got := map[string]bool{}
	for _, r := range recs {
		got[r["id"].(string)] = true
	}
	if len(recs) != 4 || len(got) != 4 {
		t.Fatalf("delta read %d records (%v), want the 4 changed", len(recs), got)
	}
	for _, id := range changed {
		if !got[id] {
			t.Errorf("changed row %s not in the delta", id)
		}
	}
	p, err := c.ReadPage(ctx, connector.Query{Entity: "ticket", Delta: delta, PageSize: 100}, "")
	if err != nil || len(p.Records) != 4 || p.Delta == "" || p.Delta == delta {
		t.Fatalf("one-page delta: %d records, delta %q (was %q), %v", len(p.Records), p.Delta, delta, err)
	}
	p, err = c.ReadPage(ctx, connector.Query{Entity: "ticket", Delta: p.Delta, PageSize: 100}, "")
	if err != nil || len(p.Records) != 0 {
		t.Errorf("delta after the last: %d records, %v; want none", len(p.Records), err)
	}
}

func TestOpenProblems(t *testing.T) {
	tests := []struct {
		name string
		v    spec.Values
	}{
		{"missing file", spec.Values{"path": filepath.Join(t.TempDir(), "nope.db")}},
		{"no path", spec.Values{}},
		{"a folder", spec.Values{"path": t.TempDir()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if c, err := Open(context.Background(), tt.v); err == nil {
				c.Close()
				t.Errorf("Open(%v) succeeded", tt.v)
			}
		})
	}
	path, _ := ticketWorkspace(t)
	c, err := Open(context.Background(), spec.Values{"path": path, "readonly": "true", "entities": "ticket"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	res, err := c.Write(t.Context(), "ticket", connector.Create, []meta.Record{{"title": "x"}})
	if err != nil || res[0].Err == nil {
		t.Errorf("write to a read-only workspace: %v %v", res, err)
	}
	if _, err := c.ReadPage(t.Context(), connector.Query{Entity: "other"}, ""); err == nil {
		t.Error("read of an entity the setting does not offer succeeded")
	}
}
