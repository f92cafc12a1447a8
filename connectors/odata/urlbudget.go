package odata

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"switchyard/connectors/httpx"
	"switchyard/core/connector"
	"switchyard/core/meta"
)

// The URL budget: no request line grows with the data. Servers limit it —
// Node.js answers 431 above 16 KB of headers, IIS and SAP gateways refuse
// long URLs too — so reads by a list of keys are split to fit the maxurl
// setting (FilterRoom), and a read that cannot be split (one very long
// filter) goes through $batch, where the URL travels in the body.
const (
	// DefaultMaxURL is the maxurl setting's default: below the limits of
	// common servers (IIS 16 KB of query, Node.js 16 KB of headers).
	DefaultMaxURL = 8000
	// DataverseMaxURL is Dataverse's documented limit on the URL of a GET
	// request (32 KB); inside a $batch it allows twice that.
	DataverseMaxURL = 32768
	// minMaxURL is the smallest budget that leaves room for a read at all.
	minMaxURL = 512
	// filterOverhead is what a filter adds to a URL besides its text:
	// "&$filter=(" and ")", or "%20and%20(" and ")" after another filter.
	filterOverhead = 16
)

// defaultMaxURL is the maxurl default for a preset.
func defaultMaxURL(preset string) int {
	if preset == PresetDynamics {
		return DataverseMaxURL
	}
	return DefaultMaxURL
}

var _ connector.FilterSizer = (*Client)(nil)

// FilterRoom returns how many characters of filter text, encoded as a query
// value, a read of q can add to its first page's URL and stay within the
// maxurl setting (connector.FilterSizer).
func (c *Client) FilterRoom(ctx context.Context, q connector.Query) (int, func(string) int, error) {
	e, err := c.entity(ctx, q.Entity)
	if err != nil {
		return 0, nil, err
	}
	req, _, _, err := c.pageRequest(e, q, "")
	if err != nil {
		return 0, nil, err
	}
	full, err := c.http.Resolve(req.URL, req.Query)
	if err != nil {
		return 0, nil, connector.ReadErr(q.Entity, err)
	}
	measure := func(text string) int { return len(httpx.QueryEscape(text)) }
	return c.settings.MaxURL - len(full) - filterOverhead, measure, nil
}

// fits reports whether req's URL is within the budget, and returns it absolute.
func (c *Client) fits(req httpx.Request) (full string, ok bool, err error) {
	full, err = c.http.Resolve(req.URL, req.Query)
	return full, err == nil && len(full) <= c.settings.MaxURL, err
}

// requestLine is what the run log shows of a GET of full: the method, path
// and query as sent.
func requestLine(full string, batched bool) string {
	line := "GET " + full
	if u, err := url.Parse(full); err == nil {
		line = "GET " + u.RequestURI()
	}
	if batched {
		line += " (in a $batch: the URL is longer than maxurl)"
	}
	return line
}

// getLong sends a GET whose URL is over the budget inside a $batch, where it
// travels in the request body, and returns the answer as if it had been
// sent alone. Without a batch format it fails, naming the entity and the settings.
func (c *Client) getLong(ctx context.Context, e meta.Entity, req httpx.Request, full string) (*httpx.Response, error) {
	if c.settings.Batch == BatchNone {
		return nil, fmt.Errorf("the request URL is %d characters, longer than the maxurl setting (%d), and the batch setting is none: "+
			"shorten the download filter of %s, or set batch to json or multipart if the service takes $batch, or raise maxurl if it takes longer URLs",
			len(full), c.settings.MaxURL, e.Name)
	}
	rel := full
	if root := c.settings.URL; strings.HasPrefix(full, root) {
		rel = full[len(root):]
	}
	o := &op{kind: "read", method: http.MethodGet, path: rel, header: req.Header.Clone()}
	r := c.batch(ctx, []*op{o})[0]
	if r.err != nil {
		return nil, fmt.Errorf("GET %s through $batch: %w", connector.ShortRequest(rel), r.err)
	}
	resp := &httpx.Response{Status: r.status, Header: r.header, Body: r.body, URL: full}
	if r.status >= 400 {
		return resp, &httpx.Error{Status: r.status, Method: http.MethodGet, URL: httpx.RedactURL(full),
			Message: httpx.ServerMessage(r.header.Get("Content-Type"), r.body)}
	}
	return resp, nil
}

// batchedNext returns the next link of a page read through $batch as the
// entity set's path with the link's query: services write it relative to
// the $batch request, some wrongly (SAP CAP cuts its first character), and
// the query (its $skiptoken) is what names the next page.
func (c *Client) batchedNext(e meta.Entity, next string) string {
	if next == "" || strings.HasPrefix(next, skipToken) {
		return next
	}
	i := strings.IndexByte(next, '?')
	if i < 0 {
		return next
	}
	return c.setPath(e.Name) + next[i:]
}
