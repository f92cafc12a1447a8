package httpx

import (
	"bytes"
	"context"
	"io"
	"net/http"
)

// Reading a large response whole, resty grows a new slice for every body
// (io.ReadAll): for an import, a third of everything it allocated. A request
// with Request.ReuseBody instead has its body read by bufferingTransport
// into a buffer from bodyBuffers, handed to the caller as Response.Body and
// given back by Response.Release. The body is read within the round trip, so
// a connection that drops halfway through it is a transport error that
// resty retries as before.

// bodyBuffers keeps a few response buffers for reuse (not a sync.Pool: that
// is emptied at every garbage collection, more often than pages arrive).
var bodyBuffers = make(chan []byte, 4)

// maxKeptBuffer is the largest buffer kept for reuse: a bigger one is left
// to the garbage collector.
const maxKeptBuffer = 64 << 20

// reuseBodyKey marks a request context whose response body goes to a
// buffer; its value is the bodySlot the buffer is left in.
type reuseBodyKey struct{}

// bodySlot holds the body bufferingTransport read for the last attempt of a
// request (http.Client wraps response bodies, so the body itself cannot
// carry it back).
type bodySlot struct {
	buf []byte
	ok  bool
}

// bufferingTransport reads the bodies of marked requests into reused buffers.
type bufferingTransport struct {
	next http.RoundTripper
}

func (t bufferingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	slot, _ := req.Context().Value(reuseBodyKey{}).(*bodySlot)
	if err != nil || slot == nil {
		return resp, err
	}
	var buf []byte
	select {
	case buf = <-bodyBuffers:
	default:
	}
	if n := resp.ContentLength; n > 0 && int64(cap(buf)) < n && n <= maxKeptBuffer {
		buf = make([]byte, 0, n)
	}
	b := bytes.NewBuffer(buf[:0])
	_, err = b.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	buf = b.Bytes()
	slot.buf, slot.ok = buf, true
	resp.Body = io.NopCloser(bytes.NewReader(buf)) // for resty, which leaves it unread
	return resp, nil
}

// withReusedBody marks ctx for bufferingTransport and returns the slot the
// body will be in.
func withReusedBody(ctx context.Context) (context.Context, *bodySlot) {
	slot := &bodySlot{}
	return context.WithValue(ctx, reuseBodyKey{}, slot), slot
}

// takeBody returns the body of the response to a marked request, and the
// function that gives its buffer back (nil when there is none to give back).
// It closes body, which http.Client needs to stop the request's timer.
func takeBody(body io.ReadCloser, slot *bodySlot) ([]byte, func(), error) {
	defer body.Close()
	if slot != nil && slot.ok {
		buf := slot.buf
		return buf, func() { releaseBuffer(buf) }, nil
	}
	b, err := io.ReadAll(body)
	return b, nil, err
}

func releaseBuffer(buf []byte) {
	if cap(buf) > maxKeptBuffer {
		return
	}
	select {
	case bodyBuffers <- buf[:0]:
	default:
	}
}
