package httpx

import (
	"net/url"
	"testing"
)

func TestEncodeQuery(t *testing.T) {
	tests := []struct {
		name string
		in   url.Values
		want string
	}{
		{"empty", nil, ""},
		{"space is %20", url.Values{"$filter": {"name eq 'A B'"}}, "$filter=name%20eq%20'A%20B'"},
		{"plus and ampersand escaped", url.Values{"q": {"a+b&c=d#e;f%"}}, "q=a%2Bb%26c%3Dd%23e%3Bf%25"},
		{"sorted keys, repeated values", url.Values{"b": {"2", "3"}, "a": {"1"}}, "a=1&b=2&b=3"},
		{"OData punctuation kept", url.Values{"$select": {"ID,name"}, "$orderby": {"modifiedAt desc"}}, "$orderby=modifiedAt%20desc&$select=ID,name"},
		{"function call and datetime", url.Values{"$filter": {"startswith(name,'Ab') and modifiedAt gt 2024-01-02T03:04:05Z"}},
			"$filter=startswith(name,'Ab')%20and%20modifiedAt%20gt%202024-01-02T03:04:05Z"},
		{"non-ASCII", url.Values{"$filter": {"name eq '東京'"}}, "$filter=name%20eq%20'%E6%9D%B1%E4%BA%AC'"},
		{"key escaped too", url.Values{"a b": {"c"}}, "a%20b=c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EncodeQuery(tt.in)
			if got != tt.want {
				t.Errorf("EncodeQuery() = %q, want %q", got, tt.want)
			}
			back, err := url.ParseQuery(got)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", got, err)
			}
			for k, vs := range tt.in {
				if len(back[k]) != len(vs) || (len(vs) > 0 && back[k][0] != vs[0]) {
					t.Errorf("round trip of %q = %q, want %q", k, back[k], vs)
				}
			}
		})
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name, base, ref string
		q               url.Values
		want            string
	}{
		{"relative to root with slash", "http://h:1/odata/v4/crm/", "Accounts", nil, "http://h:1/odata/v4/crm/Accounts"},
		{"relative to root without slash", "http://h:1/odata/v4/crm", "$metadata", nil, "http://h:1/odata/v4/crm/$metadata"},
		{"empty ref is the root", "http://h:1/svc", "", nil, "http://h:1/svc/"},
		{"absolute ref kept", "http://h:1/svc/", "https://other/x?y=1", nil, "https://other/x?y=1"},
		{"host-relative ref", "http://h:1/svc/", "/other/x", nil, "http://h:1/other/x"},
		{"query appended", "http://h:1/svc/", "Accounts", url.Values{"$top": {"5"}, "$filter": {"a eq 1"}}, "http://h:1/svc/Accounts?$filter=a%20eq%201&$top=5"},
		{"query merged with next link", "http://h:1/svc/", "Accounts?$skiptoken=abc", url.Values{"$top": {"5"}}, "http://h:1/svc/Accounts?$skiptoken=abc&$top=5"},
		{"entity set with key", "http://h:1/svc/", "Accounts(1)", nil, "http://h:1/svc/Accounts(1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := New(Config{BaseURL: tt.base}).Resolve(tt.ref, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Resolve(%q) = %q, want %q", tt.ref, got, tt.want)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	if _, err := New(Config{}).Resolve("Accounts", nil); err == nil {
		t.Error("Resolve of a relative URL without base URL succeeded")
	}
	if _, err := New(Config{BaseURL: "no-scheme/path"}).Resolve("Accounts", nil); err == nil {
		t.Error("Resolve against an invalid base URL succeeded")
	}
	if got, err := New(Config{}).Resolve("http://h/x", nil); err != nil || got != "http://h/x" {
		t.Errorf("Resolve of an absolute URL without base = %q, %v", got, err)
	}
}
