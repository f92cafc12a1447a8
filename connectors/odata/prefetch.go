package odata

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"

	"switchyard/connectors/httpx"
)

// Reading a large entity, the service would sit idle while the caller
// decodes, converts and writes each page before asking for the next. So when
// ReadPage returns a page with a next link, it already asks for that page in
// the background, and once the read has taken two such pages (it is no
// preview), as soon as an answer is in, the next link it carries is asked for
// too, up to aheadLimit pages ahead of ReadPage. A ReadPage for
// a link asked ahead takes the answer instead of asking again. A reader still
// keeps at most one request in flight, one after the other, but the service
// no longer waits for the caller: not while it writes a page, and not while
// ReadPage decodes one. A read that stops cancels its context, and with it
// the requests ahead; Close drops them too.
//
// The next link of an answer not yet decoded is found by looking for
// "@odata.nextLink" near the start and the end of its body (guessNextLink).
// That is a guess: a record near the end of the last page could hold a member
// of that name. ReadPage decodes the page
// and asks for its real next link; when that is not the page asked ahead,
// the pages ahead are dropped and the real one asked for. A wrong guess thus
// costs one request, never a wrong page.

// aheadLimit is how many pages a reader asks for ahead of ReadPage, answered
// or on their way, and aheadBytes how much of their bodies it holds before it
// stops asking: small pages go three ahead, to keep the service busy however
// the caller's pace varies; a large page already keeps it busy for long (a
// page of 5,000 records of 20 fields is about 3 MB), and only the next one is
// asked for, as ReadPage always does.
const (
	aheadLimit = 3
	aheadBytes = 1 << 20
)

// pageAhead is a page asked for before ReadPage wanted it.
type pageAhead struct {
	token  string          // the next link it was asked for
	ctx    context.Context // of the read that asked for it
	cancel context.CancelFunc
	done   chan struct{} // closed when resp and err are set
	resp   *httpx.Response
	err    error
	// answered is set with resp and err, and size to the body's length,
	// under aheadState.mu.
	answered bool
	size     int
	// build makes the request for a next link of the same read; the next
	// page is asked for once this one is answered (chained records that).
	build   func(token string) (httpx.Request, error)
	chained bool
	dropped bool // no ReadPage will take it: its body goes back when it comes
}

// aheadState holds the Client's pages ahead, in the order they were asked
// for, each the next link of the one before.
type aheadState struct {
	mu    sync.Mutex
	pages []*pageAhead // not yet taken by ReadPage
	last  *pageAhead   // the page asked last, taken or not: the chain goes on from it
	// taken counts the pages asked ahead that ReadPage took since the read
	// began: the chain starts at the second, so that a read that stops after
	// a page or two (a preview) costs the service no more than one page.
	taken int
}

// prefetch asks for the page of token (a next link) in the background unless
// it is already asked for; pages ahead of another chain are dropped. build
// makes the requests of the next links that follow.
func (c *Client) prefetch(ctx context.Context, token string, req httpx.Request, build func(string) (httpx.Request, error)) {
	c.ahead.mu.Lock()
	defer c.ahead.mu.Unlock()
	for _, p := range c.ahead.pages {
		if p.token == token {
			return
		}
	}
	c.dropAheadLocked()
	c.askLocked(ctx, token, req, build)
}

// askLocked sends req for token in the background, as the last page ahead.
func (c *Client) askLocked(ctx context.Context, token string, req httpx.Request, build func(string) (httpx.Request, error)) {
	rctx, cancel := context.WithCancel(ctx)
	p := &pageAhead{token: token, ctx: ctx, cancel: cancel, done: make(chan struct{}), build: build}
	c.ahead.pages = append(c.ahead.pages, p)
	c.ahead.last = p
	go func() {
		resp, err := c.http.Do(rctx, req)
		cancel() // the body is read: the request's context is done with
		c.ahead.mu.Lock()
		defer c.ahead.mu.Unlock()
		p.resp, p.err, p.answered = resp, err, true
		if resp != nil {
			p.size = len(resp.Body)
		}
		defer close(p.done) // after the chain has read the body: then it is the reader's
		if p.dropped {
			p.release()
			return
		}
		c.chainLocked()
	}()
}

// chainLocked asks for the next link of the page asked last when that page
// is answered, fewer than aheadLimit pages are ahead and they hold less than
// aheadBytes. It reads the last page's body only while no reader has it: a
// page taken answered is marked chained, and one taken on its way comes here
// from its own request before its reader is told.
func (c *Client) chainLocked() {
	last := c.ahead.last
	if last == nil || last.dropped || !last.answered || last.chained || last.err != nil || last.ctx.Err() != nil ||
		len(c.ahead.pages) >= aheadLimit || c.ahead.taken < 2 {
		return
	}
	held := last.size // ahead, or taken and being decoded now
	for _, p := range c.ahead.pages {
		if p != last && p.answered {
			held += p.size
		}
	}
	if held >= aheadBytes {
		return
	}
	last.chained = true
	token, ok := guessNextLink(last.resp.Body)
	if !ok {
		return
	}
	req, err := last.build(token)
	if err != nil {
		return
	}
	c.askLocked(last.ctx, token, req, last.build)
}

// dropAheadLocked drops every page ahead: requests on their way are
// cancelled, answers given back.
func (c *Client) dropAheadLocked() {
	for _, p := range c.ahead.pages {
		p.dropped = true
		p.cancel()
		if p.answered {
			p.release()
		} // else released when it comes
	}
	c.ahead.pages, c.ahead.last = nil, nil
}

func (p *pageAhead) release() {
	if p.resp != nil {
		p.resp.Release()
		p.resp = nil
	}
}

// dropAhead drops the pages ahead (Close).
func (c *Client) dropAhead() {
	c.ahead.mu.Lock()
	c.dropAheadLocked()
	c.ahead.mu.Unlock()
}

// fetchPage sends req for the page of token, or takes the page asked for
// ahead when it is that one.
func (c *Client) fetchPage(ctx context.Context, token string, req httpx.Request) (*httpx.Response, error) {
	var p *pageAhead
	c.ahead.mu.Lock()
	if len(c.ahead.pages) > 0 && token != "" && c.ahead.pages[0].token == token {
		p = c.ahead.pages[0]
		c.ahead.pages = c.ahead.pages[1:]
		c.ahead.taken++
		if p.answered {
			p.chained = true // its body is the reader's from now on
		}
		c.chainLocked() // a place ahead is free
	} else {
		c.dropAheadLocked()
		c.ahead.taken = 0 // another read, or this one from the start
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
			c.ahead.mu.Lock()
			p.dropped = true
			p.cancel()
			if p.answered {
				p.release()
			}
			c.ahead.mu.Unlock()
			return nil, ctx.Err()
		}
	}
	return c.http.Do(ctx, req)
}

// nextLinkKey is the name of a page's next link, as it appears in the body.
var nextLinkKey = []byte(`"@odata.nextLink"`)

// nextLinkWindow is how far from either end of a body its next link is
// looked for.
const nextLinkWindow = 4096

// guessNextLink returns the next link of body, a page not yet decoded: the
// "@odata.nextLink" before "value" near the start (where SAP CAP and Olingo
// write it), else the last one near the end (where Dataverse writes it).
func guessNextLink(body []byte) (string, bool) {
	head := body[:min(len(body), nextLinkWindow)]
	if v := bytes.Index(head, []byte(`"value"`)); v >= 0 {
		head = head[:v]
	}
	var at []byte
	if i := bytes.Index(head, nextLinkKey); i >= 0 {
		at = body[i+len(nextLinkKey):]
	} else {
		tail := body[max(0, len(body)-nextLinkWindow):]
		i := bytes.LastIndex(tail, nextLinkKey)
		if i < 0 {
			return "", false
		}
		at = tail[i+len(nextLinkKey):]
	}
	rest := bytes.TrimLeft(at, " \t\r\n")
	if len(rest) == 0 || rest[0] != ':' {
		return "", false
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || rest[0] != '"' {
		return "", false
	}
	end, escaped := 1, false
	for ; end < len(rest) && rest[end] != '"'; end++ {
		if rest[end] == '\\' {
			escaped = true
			end++
		}
	}
	if end >= len(rest) {
		return "", false
	}
	if !escaped {
		return string(rest[1:end]), true
	}
	var s string
	if json.Unmarshal(rest[:end+1], &s) != nil {
		return "", false
	}
	return s, true
}
