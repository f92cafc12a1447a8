package httpx

import (
	"net/url"
	"sort"
	"strings"
)

// EncodeQuery encodes v like url.Values.Encode, sorted by key, but writes a
// space as %20, never "+" (SAP CAP answers 400 to "+"), and leaves the
// characters OData URLs use unescaped: $ ' ( ) , : / @ ! *.
func EncodeQuery(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		ek := QueryEscape(k)
		for _, x := range v[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(ek)
			b.WriteByte('=')
			b.WriteString(QueryEscape(x))
		}
	}
	return b.String()
}

// QueryEscape escapes s for a query key or value: spaces become %20, and
// every byte outside the unreserved characters and $ ' ( ) , : / @ ! * is
// percent-encoded (so & = + # ; % and non-ASCII text are).
func QueryEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if keepInQuery(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func keepInQuery(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '.', '_', '~', '$', '\'', '(', ')', ',', ':', '/', '@', '!', '*':
		return true
	}
	return false
}
