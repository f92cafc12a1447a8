package httpx

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"switchyard/core/connector"
)

// Error is a failed HTTP request: a status of 400 or more, or (Status 0) a
// transport failure such as a refused connection. URL and Message are redacted.
type Error struct {
	// Status is the HTTP status code, 0 when no response came.
	Status int
	// Method and URL name the request; the URL has its secrets redacted.
	Method, URL string
	// Message is the server's own error message, else an excerpt of its body,
	// or the transport failure.
	Message string
	// Err is the transport failure, nil when the server answered.
	Err error
}

// Error reads like "GET http://host/svc/Foo: 404 Not Found: Entity set 'Foo' not found";
// a URL over 300 characters is shortened in the middle.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Method)
	b.WriteByte(' ')
	b.WriteString(connector.ShortRequest(e.URL)) // a long filter stays out of the message; the run log keeps it
	b.WriteString(": ")
	if e.Status != 0 {
		fmt.Fprintf(&b, "%d %s", e.Status, http.StatusText(e.Status))
		if e.Message != "" {
			b.WriteString(": ")
		}
	}
	b.WriteString(e.Message)
	return b.String()
}

// Unwrap returns the transport failure, if any.
func (e *Error) Unwrap() error { return e.Err }

// StatusOf returns the HTTP status of the *Error in err's chain, or 0.
func StatusOf(err error) int {
	var he *Error
	if errors.As(err, &he) {
		return he.Status
	}
	return 0
}

// maxMessage bounds the length of a message taken from a response body.
const maxMessage = 300

// ServerMessage extracts the server's error message from a response body:
// OData JSON {"error":{"code","message"}} (v4, and v2's message.value),
// common REST shapes (message, error + error_description, detail, title,
// errors[0]), OData XML <error><message>, else a trimmed excerpt of the body
// with markup removed.
func ServerMessage(contentType string, body []byte) string {
	body = bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(body) == 0 {
		return ""
	}
	switch body[0] {
	case '{', '[':
		var v any
		if json.Unmarshal(body, &v) == nil {
			if msg := jsonMessage(v); msg != "" {
				return excerpt(msg)
			}
		}
	case '<':
		if !strings.Contains(strings.ToLower(contentType), "html") {
			if msg := xmlMessage(body); msg != "" {
				return excerpt(msg)
			}
		}
		return excerpt(stripMarkup(string(body)))
	}
	return excerpt(string(body))
}

// jsonMessage finds a message in a decoded JSON error document.
func jsonMessage(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		if len(x) > 0 {
			return jsonMessage(x[0])
		}
	case map[string]any:
		if e, ok := x["error"]; ok {
			switch ev := e.(type) {
			case map[string]any:
				if msg := jsonMessage(ev); msg != "" {
					return msg
				}
			case string:
				if d, ok := x["error_description"].(string); ok && d != "" {
					return ev + ": " + d
				}
				return ev
			}
		}
		for _, k := range []string{"message", "Message", "detail", "error_description", "errorMessage", "error_message", "title", "msg", "description"} {
			switch m := x[k].(type) {
			case string:
				if m != "" {
					return m
				}
			case map[string]any: // OData v2: "message": {"lang": "en", "value": "..."}
				if s, ok := m["value"].(string); ok && s != "" {
					return s
				}
			}
		}
		if errs, ok := x["errors"]; ok {
			return jsonMessage(errs)
		}
	}
	return ""
}

// xmlMessage returns the text of the first <message> element of an XML error document.
func xmlMessage(body []byte) string {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	for {
		tok, err := d.Token()
		if err != nil { // io.EOF or a syntax error: no message to be had
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "message" {
			var text string
			if d.DecodeElement(&text, &se) == nil {
				return text
			}
			return ""
		}
	}
}

var (
	markupRE = regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>|<[^>]*>`)
	spaceRE  = regexp.MustCompile(`\s+`)
)

func stripMarkup(s string) string {
	s = markupRE.ReplaceAllString(s, " ")
	for _, r := range [][2]string{{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", `"`}, {"&#39;", "'"}, {"&nbsp;", " "}, {"&amp;", "&"}} {
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	return s
}

// excerpt collapses white space and cuts s to maxMessage runes.
func excerpt(s string) string {
	s = strings.TrimSpace(spaceRE.ReplaceAllString(s, " "))
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if utf8.RuneCountInString(s) <= maxMessage {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:maxMessage])) + "…"
}

// decodeJSON decodes body into out, keeping numbers as json.Number.
func decodeJSON(body []byte, out any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	return d.Decode(out)
}
