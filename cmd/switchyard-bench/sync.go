package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"switchyard/connectors/odata"
	"switchyard/core/admin"
	"switchyard/core/engine"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

// measureSync is part 3: a first (full) sync of Bulk from the CAP server
// into a fresh workspace, then changes to some records through Items (the
// same rows; CAP stamps modifiedAt), then the incremental sync that brings
// them: the times of both.
func measureSync(ctx context.Context, root string, items, changes int) (full, incr time.Duration, err error) {
	st, local, done, err := openWorkspace(ctx, root, "Bulk")
	if err != nil {
		return 0, 0, err
	}
	defer done()
	c, err := odata.New(ctx, spec.Values{"url": root, "pagesize": "1000"})
	if err != nil {
		return 0, 0, err
	}
	defer c.Close()
	cat, err := c.Catalog(ctx)
	if err != nil {
		return 0, 0, err
	}
	ext, _ := meta.FindEntity(cat, "Bulk")
	em := downloadMapping(ext, local.Name)
	in := mapping.Integration{Name: "benchsync", Connector: "odata", Settings: spec.Values{"url": root}, Entities: []mapping.EntityMapping{em}}
	if err := st.SaveIntegration(ctx, in); err != nil {
		return 0, 0, err
	}
	e := admin.NewEngine(st)
	opt := engine.SyncOptions{Integration: in, Catalog: cat, PageSize: 1000}
	sync := func(want func(engine.Counts) bool) (time.Duration, error) {
		start := time.Now()
		res, err := e.Sync(ctx, c, opt)
		if err != nil {
			return 0, fmt.Errorf("sync: %w", err)
		}
		if got := res.Totals(); !want(got) {
			return 0, fmt.Errorf("sync: unexpected counts %+v", got)
		}
		return time.Since(start), nil
	}
	if full, err = sync(func(c engine.Counts) bool { return c.Imported == items }); err != nil {
		return 0, 0, err
	}
	time.Sleep(10 * time.Millisecond) // the changes get a later modifiedAt than any record synced
	if err := changeItems(ctx, root, items, changes); err != nil {
		return 0, 0, err
	}
	if incr, err = sync(func(c engine.Counts) bool { return c.Updated == changes && c.Failed == 0 }); err != nil {
		return 0, 0, err
	}
	return full, incr, nil
}

// changeItems changes the note of n records spread over the entity, one PATCH each.
func changeItems(ctx context.Context, root string, items, n int) error {
	base, err := url.Parse(root)
	if err != nil {
		return err
	}
	for i := range n {
		id := 1 + i*(items/n)
		u := base.JoinPath("Items(" + strconv.Itoa(id) + ")").String()
		req, err := http.NewRequestWithContext(ctx, http.MethodPatch, u, strings.NewReader(`{"note":"changed for the incremental sync"}`))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("change item %d: %w", id, err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			return fmt.Errorf("change item %d: status %d", id, resp.StatusCode)
		}
	}
	return nil
}
