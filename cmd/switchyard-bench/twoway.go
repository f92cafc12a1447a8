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
	"switchyard/core/admin"
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
	tw, done, err := newTwoWaySync(ctx, svc, root)
	if err != nil {
		return t, err
	}
	defer done()
	t.first, t.firstWrites, err = tw.sync(ctx, func(c engine.Counts) error {
		if c.Imported != n || c.Failed != 0 {
			return fmt.Errorf("the first sync counted %+v, want %d imported", c, n)
		}
		return nil
	})
	if err != nil {
		return t, err
	}
	t.changes = n / 100
	if t.plainWrites, err = tw.changeBothSides(ctx, svc, t.changes); err != nil {
		return t, err
	}
	t.changed, t.writes, err = tw.sync(ctx, func(c engine.Counts) error {
		if c.Failed != 0 || c.Updated < 2*t.changes {
			return fmt.Errorf("the sync of the changes counted %+v, want %d updated each way", c, t.changes)
		}
		return nil
	})
	return t, err
}

// twoWaySync is part 6's bidirectional integration of the Sites, in a
// fresh workspace, with the server whose writes it counts.
type twoWaySync struct {
	st    *store.Store
	local meta.Entity
	c     *odata.Client
	cat   []meta.Entity
	in    mapping.Integration
	root  *url.URL
}

// newTwoWaySync opens a fresh workspace and saves the bidirectional
// integration of the Sites of the service svc; done closes both.
func newTwoWaySync(ctx context.Context, svc string, root *url.URL) (tw *twoWaySync, done func(), err error) {
	st, local, closeWS, err := openWorkspace(ctx, svc, "Sites")
	if err != nil {
		return nil, nil, err
	}
	c, err := odata.New(ctx, spec.Values{"url": svc})
	if err != nil {
		closeWS()
		return nil, nil, err
	}
	done = func() { c.Close(); closeWS() }
	cat, err := c.Catalog(ctx)
	if err != nil {
		done()
		return nil, nil, err
	}
	ext, _ := meta.FindEntity(cat, "Sites")
	em := downloadMapping(ext, local.Name)
	em.Direction = mapping.Bidirectional
	in := mapping.Integration{Name: "benchtwoway", Connector: "odata", Settings: spec.Values{"url": svc}, Entities: []mapping.EntityMapping{em}}
	if err := st.SaveIntegration(ctx, in); err != nil {
		done()
		return nil, nil, err
	}
	return &twoWaySync{st: st, local: local, c: c, cat: cat, in: in, root: root}, done, nil
}

// sync runs one sync, checks its totals and returns its time and the
// writes the server received meanwhile.
func (tw *twoWaySync) sync(ctx context.Context, check func(engine.Counts) error) (time.Duration, int, error) {
	if err := resetWrites(ctx, tw.root); err != nil {
		return 0, 0, err
	}
	e := admin.NewEngine(tw.st)
	start := time.Now()
	res, err := e.Sync(ctx, tw.c, engine.SyncOptions{Integration: tw.in, Catalog: tw.cat})
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
	w, err := countWrites(ctx, tw.root)
	return d, w, err
}

// changeBothSides changes n records on each side, in different records:
// notes there (by PATCH in $batch requests of 100, whose time it returns),
// name here.
func (tw *twoWaySync) changeBothSides(ctx context.Context, svc string, n int) (time.Duration, error) {
	external := map[string]string{}
	for i := range n {
		external[fmt.Sprintf("00000000-0000-4000-8000-%012x", 1+i*100)] = fmt.Sprintf("changed there %d", i)
	}
	start := time.Now()
	if err := patchSites(ctx, svc, external); err != nil {
		return 0, err
	}
	plain := time.Since(start)
	return plain, tw.st.Update(ctx, func(tx *store.Tx) error {
		for i := range n {
			key := fmt.Sprintf("00000000-0000-4000-8000-%012x", 51+i*100)
			found, err := tx.FindBy(tw.local.Name, "externalid", []any{key}, nil)
			if err != nil || len(found) != 1 {
				return fmt.Errorf("find site %s: %v", key, err)
			}
			if err := tx.UpdateRow(tw.local.Name, found[key].ID, map[string]any{"name": "changed here " + strconv.Itoa(i)}); err != nil {
				return err
			}
		}
		return nil
	})
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
