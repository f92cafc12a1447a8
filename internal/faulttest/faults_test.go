package faulttest

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestFaultsMidRun injects one fault per case into the pages of an import of
// 100 records in pages of 10. Passing faults are absorbed by the retries and
// the run completes; lasting ones fail the run with a clear message, keep the
// pages already written, and the next run, with the server healthy again,
// completes with every record exactly once.
func TestFaultsMidRun(t *testing.T) {
	tests := []struct {
		name string
		// fault is the server's misbehaviour during the first run.
		fault func(Request) Action
		// wantErr, when set, are the words the first run's failure must hold; empty: it completes.
		wantErr []string
	}{
		{"connection dropped mid-page once",
			func(r Request) Action {
				if r.Page == 3 && r.Attempt == 1 {
					return Action{Kind: Drop}
				}
				return Action{}
			}, nil},
		{"connection dropped mid-page every time",
			func(r Request) Action {
				if r.Page == 3 {
					return Action{Kind: Drop}
				}
				return Action{}
			}, []string{"read Items", "GET", "Items?$skiptoken=30"}},
		{"429 storm with Retry-After, then through",
			func(r Request) Action {
				if r.Page == 2 && r.Attempt <= 3 {
					return Action{Kind: Status, Code: 429, RetryAfter: "1"}
				}
				return Action{}
			}, nil},
		{"429 that never ends",
			func(r Request) Action {
				if r.Page == 4 {
					return Action{Kind: Status, Code: 429, RetryAfter: "0"}
				}
				return Action{}
			}, []string{"read Items", "429 Too Many Requests"}},
		{"500 on one request in ten",
			func(r Request) Action {
				if r.N%10 == 0 {
					return Action{Kind: Status, Code: 500}
				}
				return Action{}
			}, nil},
		{"a response slower than the timeout, once",
			func(r Request) Action {
				if r.Page == 5 && r.Attempt == 1 {
					return Action{Kind: Slow, Delay: 3 * time.Second}
				}
				return Action{}
			}, nil},
		{"malformed JSON",
			func(r Request) Action {
				if r.Page == 6 {
					return Action{Kind: Malformed}
				}
				return Action{}
			}, []string{"read Items", "not OData JSON"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := New(t, false)
			w := newWorkspace(t, srv, "")
			srv.Lock(func() { srv.Fault = tt.fault })
			res, err := w.run(10)
			if tt.wantErr == nil {
				complete(t, w, res, err, 100)
				return
			}
			failed(t, w, res, err, tt.wantErr...)
			// Nothing is lost: the pages before the fault are in the workspace, once each.
			n, d := rows(t, w.path)
			if n == 0 || n != d || n >= 100 {
				t.Errorf("after the failed run: %d rows (%d distinct), want the pages before the fault", n, d)
			}
			srv.Lock(func() { srv.Fault = nil })
			res, err = w.run(10)
			complete(t, w, res, err, 100)
			if c := res.Totals(); c.Unchanged != n || c.Imported != 100-n {
				t.Errorf("the next run: %s, want the %d kept records unchanged and the other %d imported", res.Summary(), n, 100-n)
			}
		})
	}
}

func TestSlowerThanTheTimeoutEveryTime(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for five timeouts")
	}
	srv := New(t, false)
	w := newWorkspace(t, srv, "")
	srv.Lock(func() {
		srv.Fault = func(r Request) Action {
			if r.Page == 1 {
				return Action{Kind: Slow, Delay: 10 * time.Second}
			}
			return Action{}
		}
	})
	res, err := w.run(10)
	failed(t, w, res, err, "read Items", "Timeout")
	if n, _ := rows(t, w.path); n != 10 {
		t.Errorf("%d rows kept, want the first page's 10", n)
	}
	srv.Lock(func() { srv.Fault = nil })
	res, err = w.run(10)
	complete(t, w, res, err, 100)
}

func TestHugeFieldValues(t *testing.T) {
	srv := New(t, false)
	huge := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	srv.Lock(func() {
		srv.Rows = 12
		srv.Note = func(id int) string {
			if id%4 == 0 {
				return huge + "-" + string(rune('a'+id))
			}
			return "short"
		}
	})
	w := newWorkspace(t, srv, "")
	res, err := w.run(5)
	complete(t, w, res, err, 12)
	db := openRO(t, w.path)
	var n, length int
	if err := db.QueryRow(`SELECT count(*), min(length(note)) FROM item WHERE length(note) > 1000`).Scan(&n, &length); err != nil {
		t.Fatal(err)
	}
	if n != 3 || length != len(huge)+2 {
		t.Errorf("%d huge notes of at least %d characters, want 3 of %d", n, length, len(huge)+2)
	}
}

func TestInvalidUTF8(t *testing.T) {
	srv := New(t, false)
	srv.Lock(func() {
		srv.Rows = 20
		srv.Fault = func(r Request) Action {
			if r.Page == 1 {
				return Action{Kind: BadUTF8}
			}
			return Action{}
		}
	})
	w := newWorkspace(t, srv, "")
	res, err := w.run(10)
	complete(t, w, res, err, 20)
	db := openRO(t, w.path)
	names, err := db.Query(`SELECT name FROM item WHERE name LIKE 'bad%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer names.Close()
	count := 0
	for names.Next() {
		var s string
		if err := names.Scan(&s); err != nil {
			t.Fatal(err)
		}
		count++
		if !utf8.ValidString(s) || !strings.Contains(s, "\uFFFD") {
			t.Errorf("stored name %q: want valid UTF-8 with the bad bytes replaced by U+FFFD", s)
		}
	}
	if count != 10 {
		t.Errorf("%d names from the page with invalid UTF-8, want 10", count)
	}
}
