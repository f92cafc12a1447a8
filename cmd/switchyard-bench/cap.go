package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"switchyard/internal/nodeserver"
)

// capServer is a CAP test server (testdata/cap/serve.js) started for part 2.
type capServer struct {
	*nodeserver.Server
	url string // the root of the test service, /odata/v4/test/
}

// startCAP starts the CAP test server in dir with items generated Items, on
// a free port of 127.0.0.1; it stops when Stop is called or this process ends.
func startCAP(dir string, items int) (*capServer, error) {
	srv, err := nodeserver.Start(dir, 5*time.Minute, fmt.Sprintf("SWITCHYARD_CAP_ITEMS=%d", items), "SWITCHYARD_CAP_STOP_ON_EOF=1")
	if err != nil {
		return nil, err
	}
	return &capServer{Server: srv, url: strings.Replace(srv.URL, "/odata/v4/crm/", "/odata/v4/test/", 1)}, nil
}

// part2Rounds is how many times part 2 pages through and imports the records;
// the best of each counts.
const part2Rounds = 5

// capTimes are the figures of parts 2 and 3.
type capTimes struct {
	plain, full       time.Duration // 2: paging through, full import
	plainCPU, fullCPU cpuTimes      // 2: the CPU this process and the server used for each
	syncFull, syncInc time.Duration // 3: first sync, incremental sync of the changes
	syncErr           error         // 3 could not be measured
	post, export      time.Duration // 4: POSTing the batches, exporting through the engine
	uploadErr         error         // 4 could not be measured
}

// measureCAP measures against the CAP server with items records of Bulk
// (server pages of 1,000). Part 2: the time to only page through them with a
// plain HTTP client, and the time of a full import (each the best of
// part2Rounds). Part 3: a full sync, and
// an incremental sync after changes records changed. Part 4: uploads local
// rows exported with $batch against POSTing the same batches. With a profile
// path, the CPU profile of part 2's imports goes there.
func measureCAP(ctx context.Context, dir string, items, changes, uploads int, profile string) (capTimes, error) {
	var t capTimes
	srv, err := startCAP(dir, items)
	if err != nil {
		return t, err
	}
	defer srv.Stop()
	// Part 2, best of five of each, paging and importing in turn: on a shared
	// machine a single run of either can land on a busy moment.
	pid := srv.Pid()
	stopProfile := func() {}
	if profile != "" { // the rounds' pagings are in it too, under pageThrough
		if stopProfile, err = startProfile(profile); err != nil {
			return t, err
		}
	}
	for round := range part2Rounds {
		before := cpuNow(pid)
		plain, err := pageThrough(ctx, srv.url, "Bulk", items)
		if err != nil {
			stopProfile()
			return t, err
		}
		between := cpuNow(pid)
		full, err := importAll(ctx, srv.url, "Bulk", items, 1000)
		if err != nil {
			stopProfile()
			return t, err
		}
		after := cpuNow(pid)
		if round == 0 || plain < t.plain {
			t.plain, t.plainCPU = plain, between.sub(before)
		}
		if round == 0 || full < t.full {
			t.full, t.fullCPU = full, after.sub(between)
		}
	}
	stopProfile()
	t.syncFull, t.syncInc, t.syncErr = measureSync(ctx, srv.url, items, changes)
	if uploads > 0 {
		t.post, t.export, t.uploadErr = measureUpload(ctx, srv.url, items, uploads)
	}
	return t, nil
}

// pageThrough reads every page of entity with net/http, following the
// server's next links, and counts the records: the least any client must do.
func pageThrough(ctx context.Context, root, entity string, want int) (time.Duration, error) {
	base, err := url.Parse(root)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	n := 0
	next := base.JoinPath(entity).String()
	for next != "" {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, next, nil)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, fmt.Errorf("page through %s: %w", entity, err)
		}
		var page struct {
			Value []json.RawMessage `json:"value"`
			Next  string            `json:"@odata.nextLink"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("page through %s: status %d: %v", entity, resp.StatusCode, err)
		}
		n += len(page.Value)
		next = ""
		if page.Next != "" {
			u, err := base.Parse(page.Next)
			if err != nil {
				return 0, fmt.Errorf("page through %s: next link %q: %w", entity, page.Next, err)
			}
			next = u.String()
		}
	}
	if n != want {
		return 0, fmt.Errorf("page through %s: read %d records, want %d", entity, n, want)
	}
	return time.Since(start), nil
}
