package httpx

import (
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://h/svc/Accounts", "http://h/svc/Accounts"},
		{"https://user:hunter22@h/svc/", "https://user:REDACTED@h/svc/"},
		{"https://h/x?access_token=abc.def&$top=5", "https://h/x?access_token=REDACTED&$top=5"},
		{"https://h/x?client_secret=s3&client_id=app", "https://h/x?client_secret=REDACTED&client_id=app"},
		{"https://h/x?api-key=k&sig=zz&code=c0de&password=p", "https://h/x?api-key=REDACTED&sig=REDACTED&code=REDACTED&password=REDACTED"},
		{"https://h/x?$skiptoken=abc&$deltatoken=d", "https://h/x?$skiptoken=abc&$deltatoken=d"},
		{"https://h/x?refresh_token=r#frag", "https://h/x?refresh_token=REDACTED#frag"},
		{"https://h/x?flag", "https://h/x?flag"},
		{"https://h/x?%61ccess_token=abc", "https://h/x?%61ccess_token=REDACTED"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactText(t *testing.T) {
	tests := []struct{ in, secret string }{
		{`Get "https://h/x?access_token=tok123": dial tcp: refused`, "tok123"},
		{"header Authorization: Bearer eyJhbGciOi.payload.sig was rejected", "eyJhbGciOi"},
		{"Authorization=Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"},
		{`{"authorization":"Bearer abc.def"}`, "abc.def"},
		{"GET https://bob:pa55word@h/svc failed", "pa55word"},
	}
	for _, tt := range tests {
		got := RedactText(tt.in)
		if strings.Contains(got, tt.secret) || !strings.Contains(got, redacted) {
			t.Errorf("RedactText(%q) = %q, still shows %q", tt.in, got, tt.secret)
		}
	}
	if got := RedactText("plain words stay"); got != "plain words stay" {
		t.Errorf("RedactText changed plain text: %q", got)
	}
}
