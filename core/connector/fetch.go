package connector

import "context"

// PageFetcher is implemented by readers that can take a page in two steps:
// FetchPage asks the system for it and returns the answer undecoded, and the
// answer may already show the next page's token. The engine's read-ahead
// (the one place that reads ahead) then asks for the next page while this
// one is decoded, converted and written, so that a slow system is never kept
// waiting for the caller. ReadPage must stay equal to FetchPage followed by
// Decode.
type PageFetcher interface {
	Reader
	FetchPage(ctx context.Context, q Query, token string) (FetchedPage, error)
}

// FetchedPage is a page asked for and not decoded yet. Exactly one of
// Decode and Release is called, once.
type FetchedPage interface {
	// NextHint is the next page's token as the undecoded answer shows it;
	// ok is false when it does not show one cheaply (the caller then waits
	// for Decode). A hint may be wrong (a record could hold a member that
	// looks like a next link): Decode's Page.Next is the truth, and a caller
	// that asked ahead by a wrong hint drops what it asked.
	NextHint() (token string, ok bool)
	// Size is the answer's size in bytes, for the read-ahead's budget.
	Size() int
	// Decode decodes the answer into the page ReadPage would have returned.
	Decode() (Page, error)
	// Release gives back the answer without decoding it.
	Release()
}
