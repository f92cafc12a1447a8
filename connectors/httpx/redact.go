package httpx

import (
	"net/url"
	"regexp"
	"strings"
)

// redacted replaces a secret in URLs, errors and logs.
const redacted = "REDACTED"

// secretParamParts mark a query parameter as secret when its name contains one of them.
var secretParamParts = []string{"token", "secret", "password", "passwd", "apikey", "api_key", "signature", "credential", "assertion"}

// secretParamNames mark a query parameter as secret when its name is one of them.
var secretParamNames = map[string]bool{"key": true, "code": true, "sig": true, "pwd": true, "auth": true, "authorization": true, "session": true, "sessionid": true}

// IsSecretParam reports whether a query parameter called name holds a secret
// (access_token, client_secret, password, api_key, sig, ...). OData system
// query options such as $skiptoken and $deltatoken are not secrets.
func IsSecretParam(name string) bool {
	if strings.HasPrefix(name, "$") {
		return false
	}
	n := strings.ReplaceAll(strings.ToLower(name), "-", "_")
	if secretParamNames[n] {
		return true
	}
	for _, p := range secretParamParts {
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}

// RedactURL returns raw with the password of its user info and the values of
// secret query parameters replaced by REDACTED; the rest is kept as written.
// Text that does not parse as a URL is returned with its query values redacted
// where they can be found.
func RedactURL(raw string) string {
	base, query, hasQuery := strings.Cut(raw, "?")
	fragment := ""
	if hasQuery {
		query, fragment, _ = strings.Cut(query, "#")
		if fragment != "" {
			fragment = "#" + fragment
		}
	}
	if u, err := url.Parse(base); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), redacted)
			base = u.String()
		}
	}
	if !hasQuery {
		return base
	}
	return base + "?" + redactQuery(query) + fragment
}

// redactQuery replaces the values of secret parameters in a raw query string.
func redactQuery(q string) string {
	parts := strings.Split(q, "&")
	for i, p := range parts {
		k, _, hasValue := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if hasValue && IsSecretParam(name) {
			parts[i] = k + "=" + redacted
		}
	}
	return strings.Join(parts, "&")
}

var (
	urlInTextRE    = regexp.MustCompile(`https?://[^\s"'<>]+`)
	authInTextRE   = regexp.MustCompile(`(?i)\b(authorization|proxy-authorization)(["']?\s*[:=]\s*["']?)(basic|bearer)?\s*[^\s"',;]+`)
	bearerInTextRE = regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]{6,}=*`)
	paramInTextRE  = regexp.MustCompile(`[A-Za-z0-9_.%$\-]+=[^&\s"'<>]+`)
)

// RedactText redacts every URL in s with RedactURL, the values of secret
// name=value pairs, and the credentials of Authorization headers and of
// Basic or Bearer credentials quoted in it.
func RedactText(s string) string {
	s = authInTextRE.ReplaceAllString(s, "${1}${2}"+redacted)
	s = bearerInTextRE.ReplaceAllStringFunc(s, func(m string) string {
		scheme, _, _ := strings.Cut(m, " ")
		return scheme + " " + redacted
	})
	s = urlInTextRE.ReplaceAllStringFunc(s, RedactURL)
	s = paramInTextRE.ReplaceAllStringFunc(s, func(p string) string {
		k, _, _ := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if IsSecretParam(name) {
			return k + "=" + redacted
		}
		return p
	})
	return s
}
