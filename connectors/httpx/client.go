// Package httpx is the HTTP client that connectors share: a resty client with
// authentication (none, basic, bearer), retries that honour Retry-After,
// typed errors that carry the server's own message, redaction of secrets in
// errors and logs, and query strings encoded the way OData servers expect.
package httpx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// Version is the Switchyard version named in the default User-Agent; the
// binary sets it at start-up.
var Version = "dev"

// Defaults applied by New to the zero fields of a Config.
const (
	DefaultTimeout      = 60 * time.Second
	DefaultRetries      = 4
	DefaultRetryWait    = 500 * time.Millisecond
	DefaultMaxRetryWait = 30 * time.Second
	// DefaultMaxInFlight caps the requests one Client has in flight at once.
	DefaultMaxInFlight = 8
)

// AuthMode says how a Client authenticates.
type AuthMode string

// The authentication modes.
const (
	AuthNone   AuthMode = "none"
	AuthBasic  AuthMode = "basic"
	AuthBearer AuthMode = "bearer"
)

// Config configures a Client. The zero value of each field picks its default.
type Config struct {
	// BaseURL is the root that relative request URLs resolve against; it is
	// treated as a folder, so "https://h/svc" and "https://h/svc/" are the same.
	BaseURL string
	// Timeout bounds one attempt of a request (default 60s).
	Timeout time.Duration
	// Retries is how many times a failed request is tried again (default 4; negative: never).
	Retries int
	// RetryWait is the first backoff wait; it doubles each attempt, with jitter (default 500ms).
	RetryWait time.Duration
	// MaxRetryWait caps every wait, including one a Retry-After header asks for (default 30s).
	MaxRetryWait time.Duration
	// Auth picks the authentication; empty means none.
	Auth AuthMode
	// Username and Password are used with AuthBasic.
	Username, Password string
	// Token is the bearer token used with AuthBearer.
	Token string
	// OAuth configures AuthClientCredentials and AuthDeviceCode. A request
	// answered 401 gets a new token and is sent once more.
	OAuth OAuth
	// MaxInFlight caps the requests in flight at once, retries included
	// (default DefaultMaxInFlight; negative: no cap).
	MaxInFlight int
	// UserAgent defaults to "Switchyard/" + Version.
	UserAgent string
	// Logger receives, redacted, retries (at level Info), every request sent
	// with its status and duration, and resty's own messages (at level
	// Debug); nil discards them. Warnings are left for what the admin must
	// act on, so that a command line shows them and not the chatter.
	Logger *slog.Logger
	// Transport replaces the HTTP transport, for tests; nil keeps the default
	// (NewTransport: proxies from the environment, certificates verified).
	Transport http.RoundTripper
	// CAFile names a PEM bundle of CA certificates trusted besides the
	// system's; empty trusts the system's only. Ignored when Transport is set.
	CAFile string
}

// Client sends HTTP requests with retries, authentication and typed errors.
// It is safe for concurrent use.
type Client struct {
	rc      *resty.Client
	base    *url.URL
	baseErr error
	log     *slog.Logger
	secrets []string
	retries int
	timeout time.Duration
	tlsErr  error       // why the CA bundle is unusable
	tokens  *tokenCache // OAuth2 modes only
	authErr error       // why the OAuth2 configuration is unusable
	sem     chan struct{}
}

// Request is one HTTP request for Client.Do.
type Request struct {
	// Method is the HTTP method; empty means GET.
	Method string
	// URL is absolute or relative to the client's BaseURL; it may carry a query already.
	URL string
	// Query is appended to the URL's query, encoded with EncodeQuery.
	Query url.Values
	// Header holds extra request headers.
	Header http.Header
	// Body is sent as is; set Content-Type in Header.
	Body []byte
	// ReuseBody reads the response body into a reused buffer: call
	// Response.Release once nothing refers to Response.Body any more.
	ReuseBody bool
}

// Response is a server's answer, its body read whole.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Header holds the response headers.
	Header http.Header
	// Body is the response body.
	Body []byte
	// URL is the URL that was requested, unredacted: pass it through RedactURL before showing it.
	URL string
	// release gives Body's buffer back (Request.ReuseBody); nil otherwise.
	release func()
}

// Release gives the buffer of Body back for later responses of requests with
// ReuseBody; Body must not be used afterwards. It does nothing for other
// responses, and may be called more than once.
func (r *Response) Release() {
	if r.release != nil {
		r.release()
		r.release, r.Body = nil, nil
	}
}

// New returns a client for cfg. A BaseURL that does not parse makes every
// request that needs it fail with an error naming it.
func New(cfg Config) *Client {
	cfg = cfg.withDefaults()
	c := &Client{log: cfg.Logger, retries: cfg.Retries, timeout: cfg.Timeout}
	if cfg.MaxInFlight > 0 {
		c.sem = make(chan struct{}, cfg.MaxInFlight)
	}
	if cfg.BaseURL != "" {
		c.base, c.baseErr = parseBase(cfg.BaseURL)
	}

	rc := resty.New().
		SetTimeout(cfg.Timeout).
		SetHeader("User-Agent", cfg.UserAgent).
		SetDisableWarn(true).
		SetLogger(&restyLogger{c: c}).
		SetRetryCount(cfg.Retries).
		SetRetryWaitTime(cfg.RetryWait).
		SetRetryMaxWaitTime(cfg.MaxRetryWait).
		SetRetryAfter(retryAfterFunc(time.Now)).
		AddRetryCondition(shouldRetry).
		AddRetryHook(c.logRetry)
	if cfg.Transport == nil {
		if t, err := NewTransport(cfg.CAFile); err != nil {
			c.tlsErr = err
		} else {
			cfg.Transport = t
		}
	}
	if cfg.Transport != nil {
		rc.SetTransport(cfg.Transport)
	}
	next := rc.GetClient().Transport
	if next == nil {
		next = http.DefaultTransport
	}
	rc.SetTransport(bufferingTransport{next: next})
	c.setAuth(rc, cfg)
	c.rc = rc
	return c
}

// withDefaults returns cfg with the defaults in place of unset settings.
func (cfg Config) withDefaults() Config {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	switch {
	case cfg.Retries == 0:
		cfg.Retries = DefaultRetries
	case cfg.Retries < 0:
		cfg.Retries = 0
	}
	if cfg.RetryWait <= 0 {
		cfg.RetryWait = DefaultRetryWait
	}
	if cfg.MaxRetryWait <= 0 {
		cfg.MaxRetryWait = DefaultMaxRetryWait
	}
	if cfg.MaxRetryWait < cfg.RetryWait {
		cfg.RetryWait = cfg.MaxRetryWait
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "Switchyard/" + Version
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxInFlight == 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	return cfg
}

// setAuth signs rc's requests in as cfg.Auth says, and takes note of the
// secrets that logs must never show.
func (c *Client) setAuth(rc *resty.Client, cfg Config) {
	switch cfg.Auth {
	case AuthBasic:
		rc.SetBasicAuth(cfg.Username, cfg.Password)
		c.addSecret(cfg.Password)
		c.addSecret(base64.StdEncoding.EncodeToString([]byte(cfg.Username + ":" + cfg.Password)))
	case AuthBearer:
		rc.SetAuthToken(cfg.Token)
		c.addSecret(cfg.Token)
	case AuthClientCredentials, AuthDeviceCode:
		tokenClient := &http.Client{Timeout: cfg.Timeout, Transport: cfg.Transport}
		c.tokens, c.authErr = newTokenCache(cfg.Auth, cfg.OAuth, tokenClient)
		c.addSecret(cfg.OAuth.ClientSecret)
		c.addSecret(cfg.OAuth.RefreshToken)
	}
}

func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("parse base URL %q: use an absolute http:// or https:// URL", RedactURL(raw))
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	return u, nil
}

func (c *Client) addSecret(s string) {
	if len(s) >= 4 { // shorter values would blank out ordinary words
		c.secrets = append(c.secrets, s)
	}
}

// Resolve returns the absolute URL for ref, which is absolute or relative to
// the BaseURL, with q appended to its query.
func (c *Client) Resolve(ref string, q url.Values) (string, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("parse URL %q: %w", RedactURL(ref), err)
	}
	if !u.IsAbs() {
		if c.baseErr != nil {
			return "", c.baseErr
		}
		if c.base == nil {
			return "", fmt.Errorf("resolve URL %q: it is relative and the client has no base URL", RedactURL(ref))
		}
		u = c.base.ResolveReference(u)
	}
	if len(q) > 0 {
		if u.RawQuery == "" {
			u.RawQuery = EncodeQuery(q)
		} else {
			u.RawQuery += "&" + EncodeQuery(q)
		}
	}
	return u.String(), nil
}

// Do sends req and returns the response. A status of 400 or more is returned
// as a *Error along with the response; a transport failure as a *Error with
// Status 0. With OAuth2, a 401 makes it fetch a new token and send the
// request once more. At most MaxInFlight requests run at once; the others wait.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	full, err := c.Resolve(req.URL, req.Query)
	if err != nil {
		return nil, err
	}
	if c.tlsErr != nil {
		return nil, c.tlsErr
	}
	if c.authErr != nil {
		return nil, c.authErr
	}
	if c.sem != nil {
		select {
		case c.sem <- struct{}{}:
			defer func() { <-c.sem }()
		case <-ctx.Done():
			return nil, c.transportError(method, full, ctx.Err())
		}
	}
	start := time.Now()
	resp, used, slot, err := c.execute(ctx, method, full, req)
	if err == nil && resp.StatusCode() == http.StatusUnauthorized && c.tokens != nil {
		if req.ReuseBody {
			resp.RawBody().Close()
		}
		c.tokens.invalidate(used)
		c.log.Info("access token refused (401): signing in again", "method", method, "url", RedactURL(full))
		resp, _, slot, err = c.execute(ctx, method, full, req)
	}
	c.logRequest(ctx, method, full, resp, err, time.Since(start))
	if err != nil {
		if errors.Is(err, ErrSignIn) {
			return nil, err
		}
		te := c.transportError(method, full, err)
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			// The client's own timeout: Go words it differently depending on
			// the caller's context ("context deadline exceeded" for one that
			// can be cancelled), so say it plainly.
			te.Message = fmt.Sprintf("Timeout: no answer within %s in %d attempts: raise the timeout setting, or check that the service is not overloaded (%s)",
				c.timeout, c.retries+1, te.Message)
		}
		return nil, te
	}
	out := &Response{Status: resp.StatusCode(), Header: resp.Header(), Body: resp.Body(), URL: full}
	if req.ReuseBody {
		if out.Body, out.release, err = takeBody(resp.RawBody(), slot); err != nil {
			return nil, c.transportError(method, full, err)
		}
	}
	if out.Status >= 400 {
		return out, &Error{
			Status:  out.Status,
			Method:  method,
			URL:     RedactURL(full),
			Message: c.scrub(ServerMessage(out.Header.Get("Content-Type"), out.Body)),
		}
	}
	return out, nil
}

// execute sends one request (with resty's retries) and returns the access
// token it used, "" without OAuth2.
func (c *Client) execute(ctx context.Context, method, full string, req Request) (*resty.Response, string, *bodySlot, error) {
	r := c.rc.R().SetContext(ctx)
	var slot *bodySlot
	if req.ReuseBody {
		var bctx context.Context
		bctx, slot = withReusedBody(ctx)
		r.SetContext(bctx).SetDoNotParseResponse(true)
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	if req.Body != nil {
		r.SetBody(req.Body)
	}
	token := ""
	if c.tokens != nil {
		var err error
		if token, err = c.tokens.token(ctx); err != nil {
			return nil, "", nil, err
		}
		r.SetAuthToken(token)
	}
	resp, err := r.Execute(method, full)
	return resp, token, slot, err
}

// Get fetches ref (absolute or relative to the BaseURL) with the query q.
func (c *Client) Get(ctx context.Context, ref string, q url.Values) (*Response, error) {
	return c.Do(ctx, Request{URL: ref, Query: q})
}

// GetJSON fetches ref with the query q, asking for JSON, and decodes the body into out.
func (c *Client) GetJSON(ctx context.Context, ref string, q url.Values, out any) (*Response, error) {
	resp, err := c.Do(ctx, Request{URL: ref, Query: q, Header: http.Header{"Accept": {"application/json"}}})
	if err != nil {
		return resp, err
	}
	if err := decodeJSON(resp.Body, out); err != nil {
		return resp, fmt.Errorf("decode JSON from %s: %w", RedactURL(resp.URL), err)
	}
	return resp, nil
}

// transportError turns a failure without a usable response into a *Error.
func (c *Client) transportError(method, full string, err error) *Error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its text repeats the unredacted URL
	}
	msg := c.scrub(err.Error())
	if host, ok := noSuchHost(err); ok {
		msg = fmt.Sprintf("no such host %s: check the URL", host)
	}
	if isCertError(err) {
		msg += ": the server's certificate is not trusted: give the CA bundle that signed it (the OData setting cafile), or fix the server's certificate"
	}
	return &Error{Method: method, URL: RedactURL(full), Message: msg, Err: err}
}

// isCertError reports whether err is a TLS certificate that did not verify.
func isCertError(err error) bool {
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	return errors.As(err, &certErr) || errors.As(err, &unknownCA) || errors.As(err, &hostErr)
}

// scrub removes the client's secrets and secret-looking URL parts from s.
func (c *Client) scrub(s string) string {
	s = RedactText(s)
	for _, secret := range c.secrets {
		s = strings.ReplaceAll(s, secret, redacted)
	}
	return s
}

func (c *Client) logRetry(resp *resty.Response, err error) {
	if resp == nil || resp.Request == nil || resp.Request.Attempt > c.retries {
		return // resty calls the hooks after the last attempt too
	}
	attrs := []any{"method", resp.Request.Method, "url", RedactURL(resp.Request.URL), "attempt", resp.Request.Attempt}
	if err != nil {
		attrs = append(attrs, "error", c.scrub(err.Error()))
	} else {
		attrs = append(attrs, "status", resp.StatusCode())
	}
	c.log.Info("retrying HTTP request", attrs...)
}

// logRequest logs one request at level Debug: method, redacted URL, status
// (or error), attempts and duration, for a verbose command line.
func (c *Client) logRequest(ctx context.Context, method, full string, resp *resty.Response, err error, took time.Duration) {
	if !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []any{"method", method, "url", RedactURL(full)}
	if resp != nil && resp.Request != nil {
		attrs = append(attrs, "attempts", resp.Request.Attempt)
	}
	if err != nil {
		attrs = append(attrs, "error", c.scrub(err.Error()))
	} else if resp != nil {
		attrs = append(attrs, "status", resp.StatusCode())
	}
	attrs = append(attrs, "ms", took.Milliseconds())
	c.log.Debug("HTTP request", attrs...)
}

// shouldRetry decides whether resty tries again: on 429 and 503 always (the
// server did not act on the request), on 502 and 504 for idempotent methods,
// on 500 for reads (GET, HEAD),
// and on transport errors for idempotent methods or when the connection was
// never made (a refused connection is retried: the service may be restarting).
// Cancelled contexts, host names that do not resolve, TLS certificate
// problems and oversized bodies are final.
func shouldRetry(resp *resty.Response, err error) bool {
	if resp == nil || resp.Request == nil {
		return false // the request could not be built
	}
	method := resp.Request.Method
	if err != nil {
		if resp.Request.Context().Err() != nil || errors.Is(err, context.Canceled) {
			return false
		}
		if errors.Is(err, resty.ErrResponseBodyTooLarge) {
			return false
		}
		if isCertError(err) {
			return false
		}
		if _, ok := noSuchHost(err); ok {
			return false // a mistyped host name does not come to exist by waiting
		}
		return idempotent(method) || isDialError(err)
	}
	switch resp.StatusCode() {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return true
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		return idempotent(method)
	case http.StatusInternalServerError:
		// A read that failed on the server is usually a passing fault (a
		// busy database, a restarting node); a write may be a constraint that
		// fails every time, and is not sent again.
		return method == http.MethodGet || method == http.MethodHead
	}
	return false
}

func idempotent(method string) bool {
	switch strings.ToUpper(method) {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete, http.MethodTrace:
		return true
	}
	return false
}

// noSuchHost returns the host name of a DNS lookup that found no such host.
func noSuchHost(err error) (string, bool) {
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return dns.Name, true
	}
	return "", false
}

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// restyLogger forwards resty's messages to the client's slog logger, redacted.
type restyLogger struct{ c *Client }

func (l *restyLogger) Errorf(format string, v ...any) {
	l.c.log.Debug("resty: " + l.c.scrub(fmt.Sprintf(format, v...)))
}

func (l *restyLogger) Warnf(format string, v ...any) {
	l.c.log.Debug("resty: " + l.c.scrub(fmt.Sprintf(format, v...)))
}

func (l *restyLogger) Debugf(format string, v ...any) {
	l.c.log.Debug("resty: " + l.c.scrub(fmt.Sprintf(format, v...)))
}
