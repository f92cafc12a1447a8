// Package odata is the OData v4 connector: it reads a service's $metadata
// (CSDL) into the catalog of external entities and tests connections,
// recognising SAP CAP, Dynamics 365 / Dataverse and Business Central.
package odata

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"switchyard/connectors/httpx"
	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

// Name is the connector's identifier in integration files.
const Name = "odata"

// The values of the auth option.
const (
	AuthNone   = "none"
	AuthBasic  = "basic"
	AuthBearer = "bearer"
)

// options declares the connector's settings.
var options = spec.Options{
	{Key: "url", Label: "Service root URL", Kind: spec.KindURL, Required: true,
		Help: "The OData v4 service root, e.g. https://host/odata/v4/crm/ (the URL that $metadata is relative to)."},
	{Key: "auth", Label: "Authentication", Kind: spec.KindEnum, Default: AuthNone, Choices: []string{AuthNone, AuthBasic, AuthBearer},
		Help: "How Switchyard signs in: none, basic (user name and password) or bearer (a token)."},
	{Key: "username", Label: "User name", Kind: spec.KindString, Required: true,
		When: &spec.Condition{Key: "auth", Values: []string{AuthBasic}}, Help: "The user name for basic authentication."},
	{Key: "password", Label: "Password", Kind: spec.KindSecret,
		When: &spec.Condition{Key: "auth", Values: []string{AuthBasic}}, Help: "The password for basic authentication; kept in the workspace, never exported."},
	{Key: "token", Label: "Token", Kind: spec.KindSecret, Required: true,
		When: &spec.Condition{Key: "auth", Values: []string{AuthBearer}}, Help: "The bearer token sent in the Authorization header; kept in the workspace, never exported."},
	{Key: "timeout", Label: "Timeout (seconds)", Kind: spec.KindInt, Default: "60", Advanced: true,
		Help: "How long one HTTP request may take before it is abandoned and retried."},
	{Key: "pagesize", Label: "Page size", Kind: spec.KindInt, Default: "1000", Advanced: true,
		Help: "How many records to ask for per page; the server may send fewer."},
}

func init() {
	connector.Register(connector.Info{
		Name:        Name,
		Title:       "OData v4",
		Description: "An OData v4 service such as SAP CAP, Dynamics 365 / Dataverse or Business Central.",
		Options:     options,
		New: func(ctx context.Context, v spec.Values) (connector.Connector, error) {
			return New(ctx, v)
		},
	})
}

// Settings are the connector's options, parsed.
type Settings struct {
	// URL is the service root, ending in "/".
	URL string
	// Auth is AuthNone, AuthBasic or AuthBearer.
	Auth               string
	Username, Password string
	Token              string
	// Timeout bounds one HTTP request.
	Timeout time.Duration
	// PageSize is the number of records asked for per page.
	PageSize int
}

// ParseSettings applies the defaults to v, validates it and returns the typed settings.
func ParseSettings(v spec.Values) (Settings, error) {
	v = options.WithDefaults(v)
	if err := options.Validate(v); err != nil {
		return Settings{}, fmt.Errorf("check OData settings: %w", err)
	}
	s := Settings{
		URL:      strings.TrimSpace(v["url"]),
		Auth:     v["auth"],
		Username: v["username"],
		Password: v["password"],
		Token:    strings.TrimSpace(v["token"]),
		Timeout:  time.Duration(v.Int("timeout", 60)) * time.Second,
		PageSize: v.Int("pagesize", 1000),
	}
	if !strings.HasSuffix(s.URL, "/") {
		s.URL += "/"
	}
	if s.Timeout <= 0 {
		return Settings{}, fmt.Errorf("check OData settings: timeout must be at least 1 second, not %q", v["timeout"])
	}
	if s.PageSize <= 0 {
		return Settings{}, fmt.Errorf("check OData settings: pagesize must be at least 1, not %q", v["pagesize"])
	}
	return s, nil
}

// Client is an open OData v4 connector.
type Client struct {
	settings Settings
	http     *httpx.Client
	// probe is http with at most one retry, for the interactive connection test.
	probe *httpx.Client
}

var (
	_ connector.Connector = (*Client)(nil)
	_ connector.Tester    = (*Client)(nil)
)

// New opens a connector from option values; it does not contact the service.
func New(_ context.Context, v spec.Values) (*Client, error) {
	s, err := ParseSettings(v)
	if err != nil {
		return nil, err
	}
	return newClient(s, nil), nil
}

// newClient builds a client for s; tune, when not nil, adjusts the HTTP
// configuration (tests shorten the retry waits).
func newClient(s Settings, tune func(*httpx.Config)) *Client {
	cfg := httpx.Config{BaseURL: s.URL, Timeout: s.Timeout}
	switch s.Auth {
	case AuthBasic:
		cfg.Auth, cfg.Username, cfg.Password = httpx.AuthBasic, s.Username, s.Password
	case AuthBearer:
		cfg.Auth, cfg.Token = httpx.AuthBearer, s.Token
	}
	if tune != nil {
		tune(&cfg)
	}
	probe := cfg
	if probe.Retries == 0 || probe.Retries > 1 {
		probe.Retries = 1
	}
	return &Client{settings: s, http: httpx.New(cfg), probe: httpx.New(probe)}
}

// Settings returns the parsed settings.
func (c *Client) Settings() Settings { return c.settings }

// Close releases the client; it holds no resources beyond idle connections.
func (c *Client) Close() error { return nil }

// Metadata fetches and parses the service's $metadata document.
func (c *Client) Metadata(ctx context.Context) (*Metadata, error) {
	md, _, err := c.metadata(ctx, c.http)
	return md, err
}

func (c *Client) metadata(ctx context.Context, hc *httpx.Client) (*Metadata, *httpx.Response, error) {
	resp, err := hc.Do(ctx, httpx.Request{URL: "$metadata", Header: map[string][]string{"Accept": {"application/xml"}}})
	if err != nil {
		return nil, nil, c.explain(err)
	}
	md, err := ParseMetadata(bytes.NewReader(resp.Body))
	if err != nil {
		return nil, resp, c.explainParse(resp.URL, err)
	}
	if !strings.HasPrefix(md.Version, "4.") {
		return nil, resp, fmt.Errorf("%w: %s describes an OData service of CSDL version %q; Switchyard reads OData v4 (CSDL 4.0): use the service's v4 endpoint",
			ErrNotOData, httpx.RedactURL(resp.URL), md.Version)
	}
	return md, resp, nil
}

// Catalog fetches $metadata and returns one entity per entity set, sorted by name.
func (c *Client) Catalog(ctx context.Context) ([]meta.Entity, error) {
	md, err := c.Metadata(ctx)
	if err != nil {
		return nil, err
	}
	entities, _, err := md.Entities()
	if err != nil {
		return nil, fmt.Errorf("read the catalog of %s: %w", httpx.RedactURL(c.settings.URL), err)
	}
	return entities, nil
}
