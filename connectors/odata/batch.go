package odata

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"

	"switchyard/connectors/httpx"
)

// batch sends ops (at most MaxBatch) in one $batch request so that each
// succeeds or fails alone (a JSON batch without atomicity groups, a
// multipart batch with a change set per op), and returns one reply per op.
// A failure of the whole request is each op's reply.
func (c *Client) batch(ctx context.Context, ops []*op) []reply {
	var (
		req httpx.Request
		err error
	)
	if c.settings.Batch == BatchJSON {
		req, err = c.jsonBatch(ops)
	} else {
		req, err = c.multipartBatch(ops)
	}
	if err != nil {
		return failAll(len(ops), err)
	}
	resp, err := c.http.Do(ctx, req)
	if err != nil {
		return failAll(len(ops), fmt.Errorf("%w: %w", errBatch, c.explain(err)))
	}
	var replies []reply
	if c.settings.Batch == BatchJSON {
		replies, err = parseJSONBatch(resp.Body, len(ops))
	} else {
		replies, err = parseMultipartBatch(resp.Header.Get("Content-Type"), resp.Body, len(ops))
	}
	if err != nil {
		return failAll(len(ops), fmt.Errorf("%w: %w: %w", errBatch, ErrBadResponse, err))
	}
	for i := range replies {
		replies[i].url = ops[i].path
	}
	return replies
}

// errNotProcessed marks the operations a service skipped after an earlier
// failure in the same $batch (it ignored Prefer: odata.continue-on-error).
var errNotProcessed = errors.New("not processed: the service stopped the $batch at an earlier failure; write the record again")

func failAll(n int, err error) []reply {
	out := make([]reply, n)
	for i := range out {
		out[i].err = err
	}
	return out
}

// jsonBatchRequest is one member of an OData 4.01 JSON batch.
type jsonBatchRequest struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

// jsonBatchResponse is one member of a JSON batch response.
type jsonBatchResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

func (c *Client) jsonBatch(ops []*op) (httpx.Request, error) {
	members := make([]jsonBatchRequest, len(ops))
	for i, o := range ops {
		h := map[string]string{}
		for k := range o.header {
			h[strings.ToLower(k)] = o.header.Get(k)
		}
		members[i] = jsonBatchRequest{ID: strconv.Itoa(i), Method: o.method, URL: o.path, Headers: h}
		if o.body != nil {
			members[i].Body = o.body
		}
	}
	body, err := json.Marshal(map[string]any{"requests": members})
	if err != nil {
		return httpx.Request{}, fmt.Errorf("build a JSON $batch: %w", err)
	}
	return httpx.Request{Method: http.MethodPost, URL: "$batch", Body: body, Header: http.Header{
		"Content-Type": {"application/json"}, "Accept": {"application/json"}, "OData-Version": {"4.01"},
		"Prefer": {"odata.continue-on-error"}}}, nil
}

func parseJSONBatch(body []byte, n int) ([]reply, error) {
	var doc struct {
		Responses []jsonBatchResponse `json:"responses"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("decode the JSON $batch response: %w", err)
	}
	out := make([]reply, n)
	seen := make([]bool, n)
	for _, r := range doc.Responses {
		i, err := strconv.Atoi(r.ID)
		if err != nil || i < 0 || i >= n || seen[i] {
			return nil, fmt.Errorf("the JSON $batch response has an unexpected member id %q", r.ID)
		}
		seen[i] = true
		h := http.Header{}
		for k, v := range r.Headers {
			h.Set(k, v)
		}
		b := []byte(r.Body)
		if len(b) > 0 && b[0] == '"' { // a body that is not JSON comes as a string
			var s string
			if json.Unmarshal(b, &s) == nil {
				b = []byte(s)
			}
		}
		if string(b) == "null" {
			b = nil
		}
		if h.Get("Content-Type") == "" && len(b) > 0 {
			h.Set("Content-Type", "application/json")
		}
		out[i] = reply{status: r.Status, header: h, body: b}
	}
	if len(doc.Responses) == 0 {
		return nil, fmt.Errorf("the JSON $batch response has no answers for %d requests", n)
	}
	for i, ok := range seen {
		if !ok {
			out[i].err = errNotProcessed
		}
	}
	return out, nil
}

// multipartBatch builds an OData 4.0 multipart/mixed $batch request, ops[i]
// in a part with Content-ID i+1. Each write goes in a change set of its own:
// OData allows writes outside change sets, but Dataverse (and SAP Gateway)
// take them only inside one, and a change set of one keeps each write
// independent. Reads (GET) go outside, as change sets may not hold them.
func (c *Client) multipartBatch(ops []*op) (httpx.Request, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i, o := range ops {
		w, cs := mw, (*multipart.Writer)(nil)
		if o.method != http.MethodGet {
			boundary := "changeset_" + multipart.NewWriter(io.Discard).Boundary()[:32]
			outer, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"multipart/mixed; boundary=" + boundary}})
			if err != nil {
				return httpx.Request{}, fmt.Errorf("build a multipart $batch: %w", err)
			}
			cs = multipart.NewWriter(outer)
			if err := cs.SetBoundary(boundary); err != nil {
				return httpx.Request{}, fmt.Errorf("build a multipart $batch: %w", err)
			}
			w = cs
		}
		if err := c.writePart(w, i+1, o); err != nil {
			return httpx.Request{}, fmt.Errorf("build a multipart $batch: %w", err)
		}
		if cs != nil {
			if err := cs.Close(); err != nil {
				return httpx.Request{}, fmt.Errorf("build a multipart $batch: %w", err)
			}
		}
	}
	if err := mw.Close(); err != nil {
		return httpx.Request{}, fmt.Errorf("build a multipart $batch: %w", err)
	}
	return httpx.Request{Method: http.MethodPost, URL: "$batch", Body: buf.Bytes(), Header: http.Header{
		"Content-Type": {"multipart/mixed; boundary=" + mw.Boundary()}, "Accept": {"multipart/mixed"},
		"OData-Version": {"4.0"}, "OData-MaxVersion": {"4.0"}, "Prefer": {"odata.continue-on-error"}}}, nil
}

// writePart writes o to w as an application/http part with Content-ID id.
func (c *Client) writePart(w *multipart.Writer, id int, o *op) error {
	part, err := w.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"application/http"},
		"Content-Transfer-Encoding": {"binary"},
		"Content-Id":                {strconv.Itoa(id)},
	})
	if err != nil {
		return err
	}
	target := o.path // relative to the service root, as SAP CAP needs
	if c.settings.Preset.BatchAbsoluteURLs {
		if target, err = c.http.Resolve(o.path, nil); err != nil {
			return err
		}
	}
	fmt.Fprintf(part, "%s %s HTTP/1.1\r\n", o.method, target)
	for k, vs := range o.header {
		for _, v := range vs {
			fmt.Fprintf(part, "%s: %s\r\n", k, v)
		}
	}
	part.Write([]byte("\r\n"))
	part.Write(o.body)
	part.Write([]byte("\r\n"))
	return nil
}

// batchAnswer is one HTTP response of a multipart $batch response and the
// Content-ID of its part ("" when it has none).
type batchAnswer struct {
	reply
	id string
}

// parseMultipartBatch matches the responses of a multipart $batch response
// to the n ops of the request: by Content-ID (ops[i] was sent as i+1) where a
// response has one that names an op not yet answered, else in order (the
// next op not yet answered), as a change set that failed as a whole is
// answered by a single response that may lack it. Ops left unanswered get
// errNotProcessed.
func parseMultipartBatch(contentType string, body []byte, n int) ([]reply, error) {
	var answers []batchAnswer
	if err := readParts(contentType, bytes.NewReader(body), "", &answers); err != nil {
		return nil, err
	}
	if len(answers) == 0 || len(answers) > n {
		return nil, fmt.Errorf("the multipart $batch response has %d answers for %d requests", len(answers), n)
	}
	out := make([]reply, n)
	seen := make([]bool, n)
	next := 0
	for _, a := range answers {
		i, err := strconv.Atoi(strings.TrimSpace(a.id))
		if err != nil || i < 1 || i > n || seen[i-1] {
			for next < n && seen[next] {
				next++
			}
			i = next + 1
		}
		seen[i-1] = true
		out[i-1] = a.reply
	}
	for i, ok := range seen {
		if !ok {
			out[i].err = errNotProcessed
		}
	}
	return out, nil
}

// readParts appends the HTTP responses of a multipart/mixed body to out,
// descending into change sets; id is the Content-ID of the enclosing part.
func readParts(contentType string, r io.Reader, id string, out *[]batchAnswer) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || !strings.HasPrefix(mt, "multipart/") || params["boundary"] == "" {
		return fmt.Errorf("the $batch response is %q, not multipart/mixed with a boundary", contentType)
	}
	mr := multipart.NewReader(r, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read the multipart $batch response: %w", err)
		}
		ct := part.Header.Get("Content-Type")
		pid := part.Header.Get("Content-ID")
		if pid == "" {
			pid = id
		}
		if strings.HasPrefix(ct, "multipart/") {
			if err := readParts(ct, part, pid, out); err != nil {
				return err
			}
			continue
		}
		resp, err := http.ReadResponse(bufio.NewReader(part), nil)
		if err != nil {
			return fmt.Errorf("read a response in the multipart $batch: %w", err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("read a response body in the multipart $batch: %w", err)
		}
		*out = append(*out, batchAnswer{reply: reply{status: resp.StatusCode, header: resp.Header, body: b}, id: pid})
	}
}
