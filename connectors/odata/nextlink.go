package odata

import (
	"bytes"
	"encoding/json"
)

// The engine reads ahead (core/engine/readahead.go): it asks for the next
// page as soon as an answer shows its next link, before the answer is
// decoded (FetchPage, fetchedPage.NextHint). The next link of an answer not
// yet decoded is found by looking for "@odata.nextLink" near the start and
// the end of its body. That is a guess: a record near the end of the last
// page could hold a member of that name; the engine then drops what it
// asked ahead, and a wrong guess costs requests, never a wrong page.

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
