package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"switchyard/core/connector"
	"switchyard/core/meta"
)

// chainFetcher serves pages 0..last of one record each, page n linking to
// n+1; hint says what the undecoded answer of page n shows as its next
// link, and size how large it is. Every page asked is told on asked.
type chainFetcher struct {
	last  int
	hint  func(n int) (string, bool)
	size  int
	asked chan int
}

func newChainFetcher(last int) *chainFetcher {
	f := &chainFetcher{last: last, size: 100, asked: make(chan int, 100)}
	f.hint = func(n int) (string, bool) { return f.link(n + 1), true }
	return f
}

func (f *chainFetcher) link(n int) string {
	if n > f.last {
		return ""
	}
	return fmt.Sprint(n)
}

func (f *chainFetcher) ReadPage(ctx context.Context, q connector.Query, token string) (connector.Page, error) {
	fp, err := f.FetchPage(ctx, q, token)
	if err != nil {
		return connector.Page{}, err
	}
	return fp.Decode()
}

func (f *chainFetcher) FetchPage(ctx context.Context, q connector.Query, token string) (connector.FetchedPage, error) {
	n := 0
	if token != "" {
		if _, err := fmt.Sscan(token, &n); err != nil {
			return nil, fmt.Errorf("bad token %q", token)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.asked <- n
	return &chainPage{f: f, n: n}, nil
}

type chainPage struct {
	f *chainFetcher
	n int
}

func (p *chainPage) NextHint() (string, bool) { return p.f.hint(p.n) }
func (p *chainPage) Size() int                { return p.f.size }
func (p *chainPage) Release()                 {}
func (p *chainPage) Decode() (connector.Page, error) {
	return connector.Page{Total: -1, Next: p.f.link(p.n + 1), Records: []meta.Record{{"id": int64(p.n)}}}, nil
}

// expectAsked waits for the pages want to be asked for, in that order.
func expectAsked(t *testing.T, asked chan int, want ...int) {
	t.Helper()
	for _, w := range want {
		select {
		case got := <-asked:
			if got != w {
				t.Fatalf("page %d was asked for, want %d", got, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("page %d was not asked for", w)
		}
	}
}

// expectQuiet fails if a page is asked for within a moment.
func expectQuiet(t *testing.T, asked chan int) {
	t.Helper()
	select {
	case got := <-asked:
		t.Fatalf("page %d was asked for", got)
	case <-time.After(100 * time.Millisecond):
	}
}

// take takes the next page from pages and checks it is page n.
func take(t *testing.T, pages <-chan pageOrErr, n int) {
	t.Helper()
	pg, ok := <-pages
	if !ok || pg.err != nil || len(pg.page.Records) != 1 || pg.page.Records[0]["id"] != int64(n) {
		t.Fatalf("page %d = %+v (open %v)", n, pg, ok)
	}
}

func TestReadAheadChain(t *testing.T) {
	f := newChainFetcher(3 + aheadLimit + 3)
	pages, stop := readAhead(context.Background(), f, connector.Query{}, nil)
	defer stop()
	// Pages 0 and 1 one at a time, as a preview that stops there would want:
	// each asked once the one before is decoded, the reader one page ahead.
	expectAsked(t, f.asked, 0, 1)
	expectQuiet(t, f.asked)
	take(t, pages, 0)
	expectAsked(t, f.asked, 2)
	expectQuiet(t, f.asked)
	// From the third on, the next asked as soon as the answer shows its link,
	// up to aheadLimit answers not yet decoded (one more is decoded and
	// waits for the consumer).
	take(t, pages, 1)
	for n := 3; n <= 3+aheadLimit; n++ {
		expectAsked(t, f.asked, n)
	}
	expectQuiet(t, f.asked)
	take(t, pages, 2)
	expectAsked(t, f.asked, 3+aheadLimit+1)
	for n := 3; n <= f.last; n++ {
		take(t, pages, n)
	}
	if pg, ok := <-pages; ok {
		t.Fatalf("a page after the last: %+v", pg)
	}
	expectAsked(t, f.asked, 3+aheadLimit+2, 3+aheadLimit+3)
	expectQuiet(t, f.asked)
}

func TestReadAheadWrongHint(t *testing.T) {
	// The answers of pages 3 and on show a next link to page 9 (a record's
	// member that looks like one): the pages asked ahead by it are dropped,
	// the read goes on from the real links, every page once and in order.
	f := newChainFetcher(12)
	f.hint = func(n int) (string, bool) { return "9", true }
	pages, stop := readAhead(context.Background(), f, connector.Query{}, nil)
	defer stop()
	for n := 0; n <= 12; n++ {
		take(t, pages, n)
	}
	if pg, ok := <-pages; ok {
		t.Fatalf("a page after the last: %+v", pg)
	}
}

func TestReadAheadNoHint(t *testing.T) {
	// Answers that show no next link: each page is asked for once the one
	// before is decoded, and the read is still whole.
	f := newChainFetcher(6)
	f.hint = func(int) (string, bool) { return "", false }
	pages, stop := readAhead(context.Background(), f, connector.Query{}, nil)
	defer stop()
	for n := 0; n <= 6; n++ {
		take(t, pages, n)
	}
	expectAsked(t, f.asked, 0, 1, 2, 3, 4, 5, 6)
}

func TestReadAheadLargePages(t *testing.T) {
	// Answers of aheadBytes or more: only the next one is asked for ahead of
	// decoding, however long the consumer holds a page.
	f := newChainFetcher(8)
	f.size = aheadBytes
	pages, stop := readAhead(context.Background(), f, connector.Query{}, nil)
	defer stop()
	take(t, pages, 0)
	take(t, pages, 1)
	take(t, pages, 2)
	// Page 3 is decoded and waits; page 4 is asked (page 3's answer showed
	// it) and is held undecoded: nothing more.
	expectAsked(t, f.asked, 0, 1, 2, 3, 4)
	expectQuiet(t, f.asked)
}

func TestReadAheadStop(t *testing.T) {
	// A consumer that stops: what was asked ahead is let go, and no more is asked.
	f := newChainFetcher(50)
	pages, stop := readAhead(context.Background(), f, connector.Query{}, nil)
	for n := 0; n <= 4; n++ {
		take(t, pages, n)
	}
	stop()
	for range pages { // the reader closes its channel
	}
	expectAsked(t, f.asked, 0, 1, 2, 3, 4)
	beyond := len(f.asked)
	for range beyond {
		<-f.asked
	}
	expectQuiet(t, f.asked)
	// At most: one decoded and waiting, aheadLimit undecoded, one asked.
	if beyond > aheadLimit+2 {
		t.Errorf("%d pages asked beyond page 4, want at most %d", beyond, aheadLimit+2)
	}
}
