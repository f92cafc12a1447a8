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

// batch sends ops (at most MaxBatch) in one $batch request without
// atomicity groups, so that each succeeds or fails alone, and returns one
// reply per op. A failure of the whole request is each op's reply.
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

func (c *Client) multipartBatch(ops []*op) (httpx.Request, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i, o := range ops {
		part, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {"application/http"},
			"Content-Transfer-Encoding": {"binary"},
			"Content-Id":                {strconv.Itoa(i + 1)},
		})
		if err != nil {
			return httpx.Request{}, fmt.Errorf("build a multipart $batch: %w", err)
		}
		target := o.path // relative to the service root, as SAP CAP needs
		if c.settings.Preset.BatchAbsoluteURLs {
			var err error
			if target, err = c.http.Resolve(o.path, nil); err != nil {
				return httpx.Request{}, err
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
	}
	if err := mw.Close(); err != nil {
		return httpx.Request{}, fmt.Errorf("build a multipart $batch: %w", err)
	}
	return httpx.Request{Method: http.MethodPost, URL: "$batch", Body: buf.Bytes(), Header: http.Header{
		"Content-Type": {"multipart/mixed; boundary=" + mw.Boundary()}, "Accept": {"multipart/mixed"},
		"OData-Version": {"4.0"}, "OData-MaxVersion": {"4.0"}, "Prefer": {"odata.continue-on-error"}}}, nil
}

func parseMultipartBatch(contentType string, body []byte, n int) ([]reply, error) {
	var out []reply
	if err := readParts(contentType, bytes.NewReader(body), &out); err != nil {
		return nil, err
	}
	if len(out) == 0 || len(out) > n {
		return nil, fmt.Errorf("the multipart $batch response has %d answers for %d requests", len(out), n)
	}
	for len(out) < n {
		out = append(out, reply{err: errNotProcessed})
	}
	return out, nil
}

// readParts appends the HTTP responses of a multipart/mixed body to out,
// descending into change sets.
func readParts(contentType string, r io.Reader, out *[]reply) error {
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
		if strings.HasPrefix(ct, "multipart/") {
			if err := readParts(ct, part, out); err != nil {
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
		*out = append(*out, reply{status: resp.StatusCode, header: resp.Header, body: b})
	}
}
