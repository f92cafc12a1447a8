package engine

import (
	"context"
	"sync"
	"sync/atomic"

	"switchyard/core/connector"
)

// The engine is the one place that reads ahead. A read runs as a pipeline:
// the reader asks for pages, a converter turns records into local values,
// and the caller writes; each stage works on its own page, side by side.
// With a connector.PageFetcher the reader is itself two stages: pages are
// asked for as soon as the answer before shows its next token, up to
// aheadLimit answers or aheadBytes ahead of their decoding, so that the
// system is not kept waiting while the caller decodes, converts or writes.
// Until the consumer has taken two pages, the reader is one page ahead: a
// read that stops after a page or two (a preview) costs the system no more
// than one page.

// aheadLimit is how many answers the reader holds undecoded, and aheadBytes
// how much of them before it stops asking: small pages go three ahead, to
// keep the system busy however the caller's pace varies; a large page (5,000
// records of 20 fields are about 3 MB) keeps it busy for long, and only the
// next one is asked for.
const (
	aheadLimit = 3
	aheadBytes = 1 << 20
	// aheadFrom is the first page (counted from 1) whose next page is asked
	// for by its hint, before the page is decoded: the chain starts once the
	// consumer has taken two pages.
	aheadFrom = 4
)

// pageOrErr is one page read ahead, or the error that ended the reading.
type pageOrErr struct {
	page  connector.Page
	items []*item // the page's records converted, when readAhead was given convert
	err   error
}

// readAhead reads the pages of q into the returned channel, ahead of the
// consumer, until the last page or an error. With convert, a second
// goroutine converts the records of each page to local values: reading page
// N+2, converting page N+1 and writing page N then run side by side. Pages
// come in order; a page read is handed on even when ctx is done meanwhile
// (the consumer decides what it still writes), and a read that ctx stops
// comes as its error. The consumer calls stop when it takes no more pages.
func readAhead(ctx context.Context, r connector.Reader, q connector.Query, convert func(*connector.Page) []*item) (pages <-chan pageOrErr, stop func()) {
	done := make(chan struct{})
	var once sync.Once
	stop = func() { once.Do(func() { close(done) }) }
	read := make(chan pageOrErr)
	go func() {
		defer close(read)
		if f, ok := r.(connector.PageFetcher); ok {
			fetchAhead(ctx, f, q, read, done)
		} else {
			readPages(ctx, r, q, "", read, done)
		}
	}()
	if convert == nil {
		return read, stop
	}
	out := make(chan pageOrErr)
	go func() {
		defer close(out)
		for pg := range read {
			if pg.err == nil {
				pg.items = convert(&pg.page)
			}
			select {
			case out <- pg:
			case <-done:
				for range read { // until the reader sees done too
				}
				return
			}
		}
	}()
	return out, stop
}

// readPages reads the pages of q from token on into out, one at a time,
// until the last page, an error or done.
func readPages(ctx context.Context, r connector.Reader, q connector.Query, token string, out chan<- pageOrErr, done <-chan struct{}) {
	for {
		p, err := r.ReadPage(ctx, q, token)
		select {
		case out <- pageOrErr{page: p, err: err}:
		case <-done:
			return
		}
		if err != nil || p.Next == "" {
			return
		}
		token = p.Next
	}
}

// fetched is an answer the fetcher asked for, with the hint it followed.
type fetched struct {
	page   connector.FetchedPage
	hint   string
	hinted bool // the next page was asked for by hint, before this one was decoded
	err    error
}

// fetchAhead reads the pages of q from f into out: a fetcher goroutine asks
// for the pages (fetcher.run), and this one decodes them in order. When a
// decoded page's next link is not the hint the fetcher followed, the pages
// asked ahead are dropped and the read goes on from the real next link one
// page at a time: a wrong hint costs requests, never a wrong page.
func fetchAhead(ctx context.Context, f connector.PageFetcher, q connector.Query, out chan<- pageOrErr, done <-chan struct{}) {
	fctx, cancel := context.WithCancel(ctx)
	fr := &fetcher{f: f, q: q, ahead: make(chan fetched, aheadLimit), next: make(chan string), room: make(chan struct{}, 1)}
	go fr.run(fctx)
	defer func() {
		cancel()
		for fd := range fr.ahead { // until the fetcher sees the cancel
			if fd.page != nil {
				fd.page.Release()
			}
		}
	}()
	for fd := range fr.ahead {
		if fd.err != nil {
			send(out, done, pageOrErr{err: fd.err})
			return
		}
		size := fd.page.Size()
		page, err := fd.page.Decode()
		fr.free(size)
		if !fd.hinted {
			next := page.Next
			if err != nil {
				next = ""
			}
			select {
			case fr.next <- next:
			case <-fctx.Done():
			}
		}
		if !send(out, done, pageOrErr{page: page, err: err}) || err != nil || page.Next == "" {
			return
		}
		if fd.hinted && page.Next != fd.hint {
			cancel()
			for rest := range fr.ahead {
				if rest.page != nil {
					rest.page.Release()
				}
			}
			readPages(ctx, f, q, page.Next, out, done)
			return
		}
	}
}

// send hands pg on unless the consumer is done; it says whether it did.
func send(out chan<- pageOrErr, done <-chan struct{}, pg pageOrErr) bool {
	select {
	case out <- pg:
		return true
	case <-done:
		return false
	}
}

// fetcher asks for the pages of one read, ahead of their decoding.
type fetcher struct {
	f     connector.PageFetcher
	q     connector.Query
	ahead chan fetched  // answers in order, not yet decoded
	next  chan string   // the real next token of a page fetched without a hint ("" ends the read)
	room  chan struct{} // a signal that decoding gave bytes back
	held  atomic.Int64  // bytes of answers fetched and not yet decoded
}

// free accounts for n bytes decoded and wakes the fetcher.
func (fr *fetcher) free(n int) {
	fr.held.Add(-int64(n))
	select {
	case fr.room <- struct{}{}:
	default:
	}
}

// run asks for page after page until the last, an error or ctx's end.
func (fr *fetcher) run(ctx context.Context) {
	defer close(fr.ahead)
	token := ""
	for n := 1; ; n++ {
		fp, err := fr.f.FetchPage(ctx, fr.q, token)
		fd := fetched{page: fp, err: err}
		if err == nil {
			fr.held.Add(int64(fp.Size()))
			if n >= aheadFrom {
				fd.hint, fd.hinted = fp.NextHint()
			}
		}
		select {
		case fr.ahead <- fd:
		case <-ctx.Done():
			if fp != nil {
				fp.Release()
			}
			return
		}
		if err != nil {
			return
		}
		if fd.hinted {
			token = fd.hint
		} else {
			select {
			case token = <-fr.next:
			case <-ctx.Done():
				return
			}
		}
		if token == "" {
			return
		}
		for fr.held.Load() >= aheadBytes {
			select {
			case <-fr.room:
			case <-ctx.Done():
				return
			}
		}
	}
}
