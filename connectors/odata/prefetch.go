package odata

import (
	"context"
	"sync"

	"switchyard/connectors/httpx"
)

// Reading a large entity, the service would sit idle while the caller
// decodes, converts and writes each page before asking for the next. So when
// ReadPage returns a page with a next link, it already asks for that page in
// the background; a ReadPage for that link then takes the answer instead of
// asking again. A reader thus keeps at most one request in flight, as before,
// but without pauses; a read that stops cancels its context, and with it the
// request ahead.

// pageAhead is a page asked for before ReadPage wanted it.
type pageAhead struct {
	token string          // the next link it was asked for
	ctx   context.Context // of the read that asked for it
	done  chan struct{}   // closed when resp and err are set
	resp  *httpx.Response
	err   error
}

// aheadState holds the Client's page ahead, at most one.
type aheadState struct {
	mu   sync.Mutex
	page *pageAhead
}

// prefetch asks for the page of token (a next link) in the background,
// replacing any page ahead not taken.
func (c *Client) prefetch(ctx context.Context, token string, req httpx.Request) {
	p := &pageAhead{token: token, ctx: ctx, done: make(chan struct{})}
	c.ahead.mu.Lock()
	c.ahead.page = p
	c.ahead.mu.Unlock()
	go func() {
		p.resp, p.err = c.http.Do(ctx, req)
		close(p.done)
	}()
}

// fetchPage sends req for the page of token, or takes the page asked for
// ahead when it is that one.
func (c *Client) fetchPage(ctx context.Context, token string, req httpx.Request) (*httpx.Response, error) {
	c.ahead.mu.Lock()
	p := c.ahead.page
	if p != nil && p.token == token && token != "" {
		c.ahead.page = nil
	} else {
		p = nil
	}
	c.ahead.mu.Unlock()
	if p != nil {
		select {
		case <-p.done:
			// Unless it was asked ahead by a read that has stopped meanwhile
			// (and failed for that), its answer is this read's.
			if p.err == nil || p.ctx.Err() == nil {
				return p.resp, p.err
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return c.http.Do(ctx, req)
}
