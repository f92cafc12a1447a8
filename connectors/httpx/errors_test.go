package httpx

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestServerMessage(t *testing.T) {
	long := strings.Repeat("x", 1000)
	tests := []struct {
		name, contentType, body, want string
	}{
		{"OData v4 JSON", "application/json", `{"error":{"code":"404","message":"Invalid resource path \"CrmService.Foo\""}}`, `Invalid resource path "CrmService.Foo"`},
		{"OData v2 JSON", "application/json", `{"error":{"code":"X","message":{"lang":"en","value":"Resource not found"}}}`, "Resource not found"},
		{"OAuth", "application/json", `{"error":"invalid_client","error_description":"Client authentication failed"}`, "invalid_client: Client authentication failed"},
		{"problem JSON", "application/problem+json", `{"type":"about:blank","title":"Not Found","detail":"No such order 7"}`, "No such order 7"},
		{"plain message", "application/json", `{"message":"Rate limit exceeded"}`, "Rate limit exceeded"},
		{"errors array", "application/json", `{"errors":[{"code":1,"message":"name is required"},{"message":"other"}]}`, "name is required"},
		{"JSON without message", "application/json", `{"status":500}`, `{"status":500}`},
		{"OData XML", "application/xml", `<?xml version="1.0"?><m:error xmlns:m="x"><m:code>1</m:code><m:message xml:lang="en">Bad key</m:message></m:error>`, "Bad key"},
		{"HTML page", "text/html", "<html><head><title>404</title><style>p{}</style></head><body><h1>Not   Found</h1>\n<p>Cannot GET /x &amp; y</p></body></html>", "404 Not Found Cannot GET /x & y"},
		{"plain text", "text/plain", "  upstream\n  timed out  ", "upstream timed out"},
		{"long body cut", "text/plain", long, strings.Repeat("x", maxMessage) + "…"},
		{"empty", "", "  ", ""},
		{"BOM", "application/json", "\xef\xbb\xbf{\"error\":{\"message\":\"m\"}}", "m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ServerMessage(tt.contentType, []byte(tt.body)); got != tt.want {
				t.Errorf("ServerMessage() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Status: 404, Method: "GET", URL: "http://127.0.0.1:4004/odata/v4/crm/Foo", Message: "Entity set 'Foo' not found"},
			"GET http://127.0.0.1:4004/odata/v4/crm/Foo: 404 Not Found: Entity set 'Foo' not found"},
		{&Error{Status: 503, Method: "POST", URL: "http://h/x"}, "POST http://h/x: 503 Service Unavailable"},
		{&Error{Method: "GET", URL: "http://h/x", Message: "dial tcp: connection refused", Err: errors.New("dial tcp: connection refused")},
			"GET http://h/x: dial tcp: connection refused"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	wrapped := fmt.Errorf("read accounts: %w", &Error{Status: 401})
	if StatusOf(wrapped) != 401 || StatusOf(errors.New("x")) != 0 {
		t.Errorf("StatusOf() = %d / %d", StatusOf(wrapped), StatusOf(errors.New("x")))
	}
}
