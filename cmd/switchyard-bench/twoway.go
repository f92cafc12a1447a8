package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"switchyard/connectors/odata"
	"switchyard/core/engine"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/core/store"
	"switchyard/internal/nodeserver"
)

// twoWayTimes are the figures of part 6.
type twoWayTimes struct {
	plain       time.Duration // paging through the Sites with a plain HTTP client
	first       time.Duration // the first bidirectional sync into a fresh workspace
	firstWrites int           // writes the server received during the first sync
	changed     time.Duration // the sync of 1 % changes on each side
	changes     int           // records changed on each side
	writes      int           // writes the server received during that sync
	plainWrites time.Duration // as many PATCHes sent in $batch requests of 100 with a plain HTTP client
}

// measureTwoWay is part 6: a CAP test server with n Sites (GUID keys, server
// pages of 1,000, Node's default limits); the time to page through them with
// a plain HTTP client (the best of three) against a first bidirectional sync
// into a fresh workspace, which must send nothing; then 1 % of the records
// changed on each side and the sync that brings them both ways, which must
// send one write per record changed here. The server counts the writes.
func measureTwoWay(ctx context.Context, dir string, n int) (twoWayTimes, error) {
	var t twoWayTimes
	srv, err := nodeserver.Start(dir, 5*time.Minute, fmt.Sprintf("SWITCHYARD_CAP_SITES=%d", n), "SWITCHYARD_CAP_STOP_ON_EOF=1")
	if err != nil {
		return t, err
	}
	defer srv.Stop()
	u, err := url.Parse(srv.URL)
	if err != nil {
		return t, err
	}
	root := &url.URL{Scheme: u.Scheme, Host: u.Host}
	svc := root.String() + "/odata/v4/test/"
	for round := range 3 {
		d, err := pageThrough(ctx, svc, "Sites", n)
		if err != nil {
			return t, err
		}
		if round == 0 || d < t.plain {
			t.plain = d
		}
	}

	st, local, done, err := openWorkspace(ctx, svc, "Sites")
	if err != nil {
		return t, err
	}
	defer done()
	c, err := odata.New(ctx, spec.Values{"url": svc})
	if err != nil {
		return t, err
	}
	defer c.Close()
	cat, err := c.Catalog(ctx)
	if err != nil {
		return t, err
	}
	ext, _ := meta.FindEntity(cat, "Sites")
	em := downloadMapping(ext, local.Name)
	em.Direction = mapping.Bidirectional
	in := mapping.Integration{Name: "benchtwoway", Connector: "odata", Settings: spec.Values{"url": svc}, Entities: []mapping.EntityMapping{em}}
	if err := st.SaveIntegration(ctx, in); err != nil {
		return t, err
	}
	e := &engine.Engine{Workspace: store.Ports[engine.Tx](st)}
	sync := func(check func(engine.Counts) error) (time.Duration, int, error) {
		if err := resetWrites(ctx, root); err != nil {
			return 0, 0, err
		}
		start := time.Now()
		res, err := e.Sync(ctx, c, engine.SyncOptions{Integration: in, Catalog: cat})
		d := time.Since(start)
		if err != nil {
			return 0, 0, fmt.Errorf("sync: %w", err)
		}
		if os.Getenv("BENCH_DEBUG") != "" {
			for _, er := range res.Entities {
				fmt.Fprintf(os.Stderr, "%s %s %v %+v %q\n", er.Entity, er.Direction, er.Duration, er.Counts, er.Queries)
			}
		}
		if err := check(res.Totals()); err != nil {
			return 0, 0, fmt.Errorf("sync: %w", err)
		}
		w, err := countWrites(ctx, root)
		return d, w, err
	}
	t.first, t.firstWrites, err = sync(func(c engine.Counts) error {
		if c.Imported != n || c.Failed != 0 {
			return fmt.Errorf("the first sync counted %+v, want %d imported", c, n)
		}
		return nil
	})
	if err != nil {
		return t, err
	}

	// 1 % on each side, in different records: notes there, name here.
	t.changes = n / 100
	external := map[string]string{}
	for i := range t.changes {
		external[fmt.Sprintf("00000000-0000-4000-8000-%012x", 1+i*100)] = fmt.Sprintf("changed there %d", i)
	}
	start := time.Now()
	if err := patchSites(ctx, svc, external); err != nil {
		return t, err
	}
	t.plainWrites = time.Since(start)
	err = st.Update(ctx, func(tx *store.Tx) error {
		for i := range t.changes {
			key := fmt.Sprintf("00000000-0000-4000-8000-%012x", 51+i*100)
			found, err := tx.FindBy(local.Name, "externalid", []any{key}, nil)
			if err != nil || len(found) != 1 {
				return fmt.Errorf("find site %s: %v", key, err)
			}
			if err := tx.UpdateRow(local.Name, found[key].ID, map[string]any{"name": "changed here " + strconv.Itoa(i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return t, err
	}
	t.changed, t.writes, err = sync(func(c engine.Counts) error {
		if c.Failed != 0 || c.Updated < 2*t.changes {
			return fmt.Errorf("the sync of the changes counted %+v, want %d updated each way", c, t.changes)
		}
		return nil
	})
	return t, err
}

// patchSites changes the notes of the Sites named in notes, in JSON $batch requests of 100.
func patchSites(ctx context.Context, svc string, notes map[string]string) error {
	var reqs []map[string]any
	flush := func() error {
		if len(reqs) == 0 {
			return nil
		}
		body, _ := json.Marshal(map[string]any{"requests": reqs})
		reqs = reqs[:0]
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, svc+"$batch", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("change sites: %w", err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			return fmt.Errorf("change sites: status %d", resp.StatusCode)
		}
		return nil
	}
	for id, note := range notes {
		reqs = append(reqs, map[string]any{"id": strconv.Itoa(len(reqs)), "method": "PATCH", "url": "Sites(" + id + ")",
			"headers": map[string]string{"content-type": "application/json"}, "body": map[string]string{"notes": note}})
		if len(reqs) == 100 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// resetWrites and countWrites use the CAP test server's write counter.
func resetWrites(ctx context.Context, root *url.URL) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, root.JoinPath("/test-stats/reset").String(), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

func countWrites(ctx context.Context, root *url.URL) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, root.JoinPath("/test-stats/writes").String(), nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var w struct {
		Total int `json:"total"`
	}
	err = json.NewDecoder(resp.Body).Decode(&w)
	return w.Total, err
}
