package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"switchyard/connectors/odata"
	"switchyard/core/admin"
	"switchyard/core/engine"
	"switchyard/core/mapping"
	"switchyard/core/spec"
	"switchyard/core/store"
)

// uploadBatch is the operations per $batch request of part 4.
const uploadBatch = 100

// measureUpload is part 4: n local rows exported to the CAP server's Items
// through the engine with JSON $batch requests of 100 creates, against only
// POSTing the same batches (other keys) with net/http. Keys start after
// the generated items.
func measureUpload(ctx context.Context, root string, items, n int) (plain, export time.Duration, err error) {
	st, local, done, err := openWorkspace(ctx, root, "Items")
	if err != nil {
		return 0, 0, err
	}
	defer done()
	err = st.Apply(ctx, func(tx *store.Tx) error {
		for i := range n {
			if _, err := tx.Insert(local.Name, uploadRow(items+1+i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("make the local rows: %w", err)
	}
	em := mapping.EntityMapping{External: "Items", Local: local.Name, PrimaryKey: "externalid", Direction: mapping.Upload,
		Fields: []mapping.FieldMapping{{External: "ID", Local: "externalid"}}}
	for _, f := range []string{"name", "grp", "price", "note"} {
		em.Fields = append(em.Fields, mapping.FieldMapping{External: f, Local: f})
	}
	settings := spec.Values{"url": root, "batch": odata.BatchJSON, "batchsize": strconv.Itoa(uploadBatch)}
	in := mapping.Integration{Name: "benchupload", Connector: "odata", Settings: settings, Entities: []mapping.EntityMapping{em}}
	if err := st.SaveIntegration(ctx, in); err != nil {
		return 0, 0, err
	}
	c, err := odata.New(ctx, settings)
	if err != nil {
		return 0, 0, err
	}
	defer c.Close()

	cat, err := c.Catalog(ctx)
	if err != nil {
		return 0, 0, err
	}
	if plain, err = postBatches(ctx, root, items+1+n, n); err != nil {
		return 0, 0, err
	}
	start := time.Now()
	res, err := admin.NewEngine(st).Run(ctx, c, engine.Options{Integration: in, Direction: engine.Export, Catalog: cat, PageSize: 1000})
	if err != nil {
		return 0, 0, fmt.Errorf("export: %w", err)
	}
	if got := res.Totals(); got.Exported != n || got.Failed != 0 {
		return 0, 0, fmt.Errorf("export: %+v, want %d exported", got, n)
	}
	return plain, time.Since(start), nil
}

// uploadRow is the local row of item id.
func uploadRow(id int) map[string]any {
	return map[string]any{"externalid": int64(id), "name": "Uploaded " + strconv.Itoa(id), "grp": int64(id % 7),
		"price": strconv.Itoa(id%1000) + ".5", "note": "made by switchyard-bench"}
}

// postBatches creates n items from first on with JSON $batch requests of
// uploadBatch POSTs, with net/http: the least any client must do.
func postBatches(ctx context.Context, root string, first, n int) (time.Duration, error) {
	type part struct {
		ID      string            `json:"id"`
		Method  string            `json:"method"`
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
		Body    map[string]any    `json:"body"`
	}
	base, err := url.Parse(root)
	if err != nil {
		return 0, err
	}
	target := base.JoinPath("$batch").String()
	start := time.Now()
	for from := first; from < first+n; from += uploadBatch {
		var parts []part
		for id := from; id < min(from+uploadBatch, first+n); id++ {
			r := uploadRow(id)
			body := map[string]any{"ID": id, "name": r["name"], "grp": r["grp"], "price": json.Number(r["price"].(string)), "note": r["note"]}
			parts = append(parts, part{ID: strconv.Itoa(id), Method: http.MethodPost, URL: "Items", Headers: map[string]string{"content-type": "application/json"}, Body: body})
		}
		b, err := json.Marshal(map[string]any{"requests": parts})
		if err != nil {
			return 0, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(b))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("OData-Version", "4.01")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, fmt.Errorf("post a batch: %w", err)
		}
		var out struct {
			Responses []struct {
				Status int `json:"status"`
			} `json:"responses"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("post a batch: status %d: %v", resp.StatusCode, err)
		}
		for _, r := range out.Responses {
			if r.Status != http.StatusCreated {
				return 0, fmt.Errorf("post a batch: a create answered %d", r.Status)
			}
		}
	}
	return time.Since(start), nil
}
