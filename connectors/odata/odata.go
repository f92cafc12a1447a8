// Package odata is the OData v4 connector: it reads a service's $metadata
// (CSDL) into the catalog of external entities and tests connections,
// recognising SAP CAP, Dynamics 365 / Dataverse and Business Central.
package odata

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
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
	AuthNone              = "none"
	AuthBasic             = "basic"
	AuthBearer            = "bearer"
	AuthClientCredentials = "oauth2"
	AuthDeviceCode        = "devicecode"
)

var (
	whenOAuth  = &spec.Condition{Key: "auth", Values: []string{AuthClientCredentials, AuthDeviceCode}}
	whenClient = &spec.Condition{Key: "auth", Values: []string{AuthClientCredentials}}
	whenDevice = &spec.Condition{Key: "auth", Values: []string{AuthDeviceCode}}
)

// options declares the connector's settings.
var options = spec.Options{
	{Key: "url", Label: "Service root URL", Kind: spec.KindURL, Required: true,
		Help: "The OData v4 service root, e.g. https://host/odata/v4/crm/ (the URL that $metadata is relative to).",
		Doc:  "A Dataverse service root looks like https://org.crm.dynamics.com/api/data/v9.2/."},
	{Key: "auth", Label: "Authentication", Kind: spec.KindEnum, Default: AuthNone,
		Choices: []string{AuthNone, AuthBasic, AuthBearer, AuthClientCredentials, AuthDeviceCode},
		Help: "How Switchyard signs in: none, basic (user name and password), bearer (a token), oauth2 (an application's client id and secret, " +
			"OAuth2 client credentials) or devicecode (a person signs in once with a code shown in the connection log; for multi-factor accounts)."},
	{Key: "username", Label: "User name", Kind: spec.KindString, Required: true,
		When: &spec.Condition{Key: "auth", Values: []string{AuthBasic}}, Help: "The user name for basic authentication."},
	{Key: "password", Label: "Password", Kind: spec.KindSecret,
		When: &spec.Condition{Key: "auth", Values: []string{AuthBasic}}, Help: "The password for basic authentication; kept in the workspace, never exported."},
	{Key: "token", Label: "Token", Kind: spec.KindSecret, Required: true,
		When: &spec.Condition{Key: "auth", Values: []string{AuthBearer}}, Help: "The bearer token sent in the Authorization header; kept in the workspace, never exported."},
	{Key: "tenant", Label: "Tenant", Kind: spec.KindString, When: whenOAuth,
		Help: "The Microsoft Entra ID (Azure AD) tenant id or domain; it gives the token URL. Leave empty and set the token URL for another identity provider."},
	{Key: "clientid", Label: "Client id", Kind: spec.KindString, Required: true, When: whenOAuth,
		Help: "The application (client) id registered with the identity provider."},
	{Key: "clientsecret", Label: "Client secret", Kind: spec.KindSecret, Required: true, When: whenClient,
		Help: "The application's client secret; kept in the workspace, never exported."},
	{Key: "refreshtoken", Label: "Refresh token", Kind: spec.KindSecret, When: whenDevice,
		Help: "Kept by Switchyard after a device code sign-in, so that later runs sign in without a code; never exported."},
	{Key: "scope", Label: "Scope", Kind: spec.KindString, When: whenOAuth, Advanced: true,
		Help: "The OAuth2 scope; default https://{host}/.default (Business Central: https://api.businesscentral.dynamics.com/.default)."},
	{Key: "tokenurl", Label: "Token URL", Kind: spec.KindURL, When: whenOAuth, Advanced: true,
		Help: "The OAuth2 token endpoint; default https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token."},
	{Key: "deviceurl", Label: "Device authorization URL", Kind: spec.KindURL, When: whenDevice, Advanced: true,
		Help: "The OAuth2 device authorization endpoint; default https://login.microsoftonline.com/{tenant}/oauth2/v2.0/devicecode."},
	{Key: "preset", Label: "System", Kind: spec.KindEnum, Default: PresetAuto,
		Choices: []string{PresetAuto, PresetGeneric, PresetCAP, PresetDynamics, PresetBusinessCentral},
		Help:    "The kind of system, which sets the defaults below: auto (from the URL), generic, cap (SAP CAP), dynamics (Dynamics 365 / Dataverse) or businesscentral."},
	{Key: "company", Label: "Company id", Kind: spec.KindString, When: &spec.Condition{Key: "preset", Values: []string{PresetAuto, PresetBusinessCentral}},
		Help: "Business Central: the id of the company whose entities to use (entities are read under companies({id})/); ignored by other systems."},
	{Key: "timeout", Label: "Timeout (seconds)", Kind: spec.KindInt, Default: "60", Advanced: true,
		Help: "How long one HTTP request may take before it is abandoned and retried."},
	{Key: "pagesize", Label: "Page size", Kind: spec.KindInt, Advanced: true,
		Help: "How many records to ask for per page; the server may send fewer. Default 1000 (Dataverse 5000).",
		Doc:  "It is asked for with Prefer: odata.maxpagesize, or with $top under paging client."},
	{Key: "maxurl", Label: "Longest URL", Kind: spec.KindInt, Advanced: true,
		Help: "The longest request URL, in characters, that the service and any proxy before it take; lists of keys are split to fit, and a longer read goes through $batch. Default 8000 (Dataverse 32768, its documented limit).",
		Doc: "A read that cannot be split (one very long download filter) goes through $batch, where the URL travels in the body, " +
			"or, with batch none, fails with a message naming the entity and this setting."},
	{Key: "paging", Label: "Paging", Kind: spec.KindEnum, Default: PagingServer, Choices: []string{PagingServer, PagingClient}, Advanced: true,
		Help: "server follows the service's next links (Prefer: odata.maxpagesize); client pages with $top and $skip, for services that cut results without a next link."},
	{Key: "cursorfield", Label: "Change cursor field", Kind: spec.KindString, Advanced: true,
		Help: "The timestamp field incremental reads follow; default modifiedon (Dataverse), lastModifiedDateTime (Business Central), modifiedAt (CAP)."},
	{Key: "lookups", Label: "Lookup writes", Kind: spec.KindEnum, Choices: []string{LookupsAuto, LookupsBind, LookupsFK}, Advanced: true,
		Help: "How lookups are written: bind (nav@odata.bind, Dataverse), fk (the foreign-key field, CAP) or auto (the foreign key when writable). Default from the system.",
		Doc:  "Default by preset: dynamics bind, cap and businesscentral fk, generic auto."},
	{Key: "batch", Label: "Batch format", Kind: spec.KindEnum, Choices: []string{BatchNone, BatchJSON, BatchMultipart}, Advanced: true,
		Help: "How writes are grouped in $batch requests: json (OData 4.01), multipart (OData 4.0) or none. Default from the system.",
		Doc:  "Default by preset: cap and businesscentral json, dynamics and generic multipart."},
	{Key: "batchsize", Label: "Batch size", Kind: spec.KindInt, Advanced: true,
		Help: "Operations per $batch request, at most 100 (default 100).",
		Doc:  "100 is Business Central's limit; each operation succeeds or fails alone."},
	{Key: "concurrency", Label: "Requests in flight", Kind: spec.KindInt, Default: "4", Advanced: true,
		Help: "The most requests sent to the service at once; lower it when the service throttles (429)."},
	{Key: "cafile", Label: "CA bundle", Kind: spec.KindString, Advanced: true,
		Help: "A PEM file of CA certificates trusted besides the system's, for a service (or proxy) whose certificate a company CA signed. Certificates are always verified.",
		Doc:  "For a TLS-inspecting proxy too. There is no switch to turn verification off."},
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

// Settings are the connector's options, parsed, with the preset's defaults applied.
type Settings struct {
	// URL is the service root, ending in "/".
	URL string
	// Auth is one of AuthNone, AuthBasic, AuthBearer, AuthClientCredentials, AuthDeviceCode.
	Auth               string
	Username, Password string
	Token              string
	// OAuth2 settings: Tenant gives the default endpoints.
	Tenant, ClientID, ClientSecret, RefreshToken string
	Scope, TokenURL, DeviceURL                   string
	// Preset is the resolved preset (never PresetAuto); Company the Business Central company id.
	Preset  Preset
	Company string
	// Timeout bounds one HTTP request.
	Timeout time.Duration
	// PageSize is the number of records asked for per page; Paging is PagingServer or PagingClient.
	PageSize int
	Paging   string
	// MaxURL is the longest request URL sent (the maxurl setting): reads by
	// key are split to fit, and a longer read goes through $batch.
	MaxURL int
	// CursorField is the default change cursor of incremental reads.
	CursorField string
	// Lookups, Batch and BatchSize say how writes are sent.
	Lookups   string
	Batch     string
	BatchSize int
	// Concurrency caps the requests in flight.
	Concurrency int
	// CAFile names a PEM bundle of CA certificates trusted besides the system's.
	CAFile string
}

// ParseSettings applies the defaults to v, validates it and returns the typed settings.
func ParseSettings(v spec.Values) (Settings, error) {
	v = options.WithDefaults(v)
	if err := options.Validate(v); err != nil {
		return Settings{}, fmt.Errorf("check OData settings: %w", err)
	}
	s := Settings{
		URL:          strings.TrimSpace(v["url"]),
		Auth:         v["auth"],
		Username:     v["username"],
		Password:     v["password"],
		Token:        strings.TrimSpace(v["token"]),
		Tenant:       strings.TrimSpace(v["tenant"]),
		ClientID:     strings.TrimSpace(v["clientid"]),
		ClientSecret: v["clientsecret"],
		RefreshToken: strings.TrimSpace(v["refreshtoken"]),
		Scope:        strings.TrimSpace(v["scope"]),
		TokenURL:     strings.TrimSpace(v["tokenurl"]),
		DeviceURL:    strings.TrimSpace(v["deviceurl"]),
		Company:      strings.TrimSpace(v["company"]),
		Timeout:      time.Duration(options.Int(v, "timeout")) * time.Second,
		Paging:       v["paging"],
		CursorField:  strings.TrimSpace(v["cursorfield"]),
		Lookups:      v["lookups"],
		Batch:        v["batch"],
		Concurrency:  options.Int(v, "concurrency"),
		CAFile:       strings.TrimSpace(v["cafile"]),
	}
	if !strings.HasSuffix(s.URL, "/") {
		s.URL += "/"
	}
	preset := v["preset"]
	if preset == PresetAuto || preset == "" {
		preset = DetectPreset(s.URL)
	}
	s.Preset = Presets[preset]
	s.PageSize = v.Int("pagesize", s.Preset.PageSize)
	s.BatchSize = v.Int("batchsize", s.Preset.BatchSize)
	s.MaxURL = v.Int("maxurl", defaultMaxURL(s.Preset.Name))
	if s.CursorField == "" {
		s.CursorField = s.Preset.CursorField
	}
	if s.Lookups == "" {
		s.Lookups = s.Preset.Lookups
	}
	if s.Batch == "" {
		s.Batch = s.Preset.Batch
	}
	if s.Paging == "" {
		s.Paging = PagingServer
	}
	var problems []string
	if s.Timeout <= 0 {
		problems = append(problems, fmt.Sprintf("timeout must be at least 1 second, not %q", v["timeout"]))
	}
	if s.PageSize <= 0 {
		problems = append(problems, fmt.Sprintf("pagesize must be at least 1, not %q", v["pagesize"]))
	}
	if s.BatchSize < 1 || s.BatchSize > MaxBatch {
		problems = append(problems, fmt.Sprintf("batchsize must be between 1 and %d, not %q", MaxBatch, v["batchsize"]))
	}
	if s.MaxURL < minMaxURL {
		problems = append(problems, fmt.Sprintf("maxurl must be at least %d characters, not %q", minMaxURL, v["maxurl"]))
	}
	if s.Concurrency < 1 {
		problems = append(problems, fmt.Sprintf("concurrency must be at least 1, not %q", v["concurrency"]))
	}
	if (s.Auth == AuthClientCredentials || s.Auth == AuthDeviceCode) && s.Tenant == "" && s.TokenURL == "" {
		problems = append(problems, "oauth2 and devicecode need the tenant or the token URL")
	}
	if s.Auth == AuthDeviceCode && s.Tenant == "" && s.DeviceURL == "" && s.RefreshToken == "" {
		problems = append(problems, "devicecode needs the tenant or the device authorization URL")
	}
	if len(problems) > 0 {
		return Settings{}, fmt.Errorf("check OData settings: %s", strings.Join(problems, "; "))
	}
	return s, nil
}

// oauth returns the httpx OAuth2 configuration of s.
func (s Settings) oauth() httpx.OAuth {
	o := httpx.OAuth{ClientID: s.ClientID, ClientSecret: s.ClientSecret, RefreshToken: s.RefreshToken,
		TokenURL: s.TokenURL, DeviceAuthURL: s.DeviceURL}
	if o.TokenURL == "" && s.Tenant != "" {
		o.TokenURL = httpx.AzureTokenURL(s.Tenant)
	}
	if o.DeviceAuthURL == "" && s.Tenant != "" {
		o.DeviceAuthURL = httpx.AzureDeviceAuthURL(s.Tenant)
	}
	scope := s.Scope
	if scope == "" {
		scope = s.Preset.Scope
	}
	if u, err := url.Parse(s.URL); scope == "" && err == nil {
		scope = u.Scheme + "://" + u.Host + "/.default"
	}
	if scope != "" {
		o.Scopes = strings.Fields(scope)
	}
	if s.Auth == AuthDeviceCode && !slices.Contains(o.Scopes, "offline_access") {
		o.Scopes = append(o.Scopes, "offline_access") // Entra ID returns a refresh token only then
	}
	return o
}

// Client is an open OData v4 connector.
type Client struct {
	settings Settings
	http     *httpx.Client
	// probe is http with at most one retry, for the interactive connection test.
	probe *httpx.Client

	mu       sync.Mutex
	entities map[string]meta.Entity         // the catalog by entity set, loaded on first need
	flat     map[string]map[string][]string // entity set → flattened complex field → property path
	// props are the structural properties of the entity sets whose responses
	// bring exactly those without $select (Metadata.Properties).
	props   map[string][]string
	newGUID func() string       // makes client-side keys; tests replace it
	spare   chan map[string]any // recycled record maps (Recycle)
}

var (
	_ connector.Connector   = (*Client)(nil)
	_ connector.Tester      = (*Client)(nil)
	_ connector.Reader      = (*Client)(nil)
	_ connector.DeltaReader = (*Client)(nil)
	_ connector.Writer      = (*Client)(nil)
	_ connector.Recycler    = (*Client)(nil)
)

// New opens a connector from option values; it does not contact the service.
// With device code sign-in, the code and address to enter are written to the
// connection log that ctx carries (connector.WithLogger), and a new refresh
// token is handed to its connector.SecretSaver under the key "refreshtoken".
func New(ctx context.Context, v spec.Values) (*Client, error) {
	s, err := ParseSettings(v)
	if err != nil {
		return nil, err
	}
	log, save := connector.Logger(ctx), connector.SecretSaverFrom(ctx)
	return newClient(s, func(cfg *httpx.Config) {
		cfg.Logger = log
		cfg.OAuth.OnDeviceCode = func(uri, code string, expires time.Time) {
			log.Warn("sign in to the OData service: open "+uri+" and enter the code "+code,
				"url", uri, "code", code, "expires", expires.Format(time.RFC3339))
		}
		cfg.OAuth.OnRefreshToken = func(token string) {
			if save == nil {
				log.Warn("signed in, but the refresh token cannot be kept: the next run will ask for a new sign-in")
				return
			}
			if err := save(context.WithoutCancel(ctx), "refreshtoken", token); err != nil {
				log.Error("keep the refresh token: "+err.Error(), "error", err)
			}
		}
	}), nil
}

// newClient builds a client for s; tune, when not nil, adjusts the HTTP
// configuration (tests shorten the retry waits).
func newClient(s Settings, tune func(*httpx.Config)) *Client {
	cfg := httpx.Config{BaseURL: s.URL, Timeout: s.Timeout, MaxInFlight: s.Concurrency, CAFile: s.CAFile}
	switch s.Auth {
	case AuthBasic:
		cfg.Auth, cfg.Username, cfg.Password = httpx.AuthBasic, s.Username, s.Password
	case AuthBearer:
		cfg.Auth, cfg.Token = httpx.AuthBearer, s.Token
	case AuthClientCredentials:
		cfg.Auth, cfg.OAuth = httpx.AuthClientCredentials, s.oauth()
	case AuthDeviceCode:
		cfg.Auth, cfg.OAuth = httpx.AuthDeviceCode, s.oauth()
	}
	if tune != nil {
		tune(&cfg)
	}
	probe := cfg
	if probe.Retries == 0 || probe.Retries > 1 {
		probe.Retries = 1
	}
	return &Client{settings: s, http: httpx.New(cfg), probe: httpx.New(probe), newGUID: meta.NewGUID, spare: make(chan map[string]any, spareRecords)}
}

// Settings returns the parsed settings.
func (c *Client) Settings() Settings { return c.settings }

// Close releases the client: it holds only idle connections.
func (c *Client) Close() error {
	return nil
}

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
	byName := make(map[string]meta.Entity, len(entities))
	for i, e := range entities {
		// The system's own computed fields (the preset's knowledge) are never written.
		entities[i] = c.settings.Preset.markReadOnly(e)
		byName[e.Name] = entities[i]
	}
	flat := make(map[string]map[string][]string, len(entities))
	props := make(map[string][]string, len(entities))
	for _, e := range entities {
		if f := md.Flattened(e.Name); f != nil {
			flat[e.Name] = f
		}
		if p, ok := md.Properties(e.Name); ok {
			props[e.Name] = p
		}
	}
	c.mu.Lock()
	c.entities, c.flat, c.props = byName, flat, props
	c.mu.Unlock()
	return entities, nil
}

// flatPaths returns the flattened complex fields of entity set name and their property paths.
func (c *Client) flatPaths(name string) map[string][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flat[name]
}

// SetCatalog gives the client a catalog to read and write by (e.g. the schema
// snapshot cached in the workspace), so that it need not fetch $metadata.
// Fields flattened from complex properties are then written flat: call
// Catalog instead where the entities have such fields.
func (c *Client) SetCatalog(entities []meta.Entity) {
	byName := make(map[string]meta.Entity, len(entities))
	for _, e := range entities {
		byName[e.Name] = c.settings.Preset.markReadOnly(e)
	}
	c.mu.Lock()
	c.entities = byName
	c.mu.Unlock()
}

// entity returns the catalog entry of the entity set called name, fetching
// the catalog on first need.
func (c *Client) entity(ctx context.Context, name string) (meta.Entity, error) {
	c.mu.Lock()
	loaded := c.entities != nil
	e, ok := c.entities[name]
	c.mu.Unlock()
	if !loaded {
		if _, err := c.Catalog(ctx); err != nil {
			return meta.Entity{}, err
		}
		c.mu.Lock()
		e, ok = c.entities[name]
		c.mu.Unlock()
	}
	if !ok {
		return meta.Entity{}, fmt.Errorf("find entity set %q: the service at %s has no such entity set: refresh the catalog and check the mapping",
			name, httpx.RedactURL(c.settings.URL))
	}
	return e, nil
}

// setPath is the path of an entity set relative to the service root
// (under companies({id})/ for a Business Central company).
func (c *Client) setPath(set string) string {
	if c.settings.Company != "" && c.settings.Preset.Name == PresetBusinessCentral {
		return "companies(" + c.settings.Company + ")/" + url.PathEscape(set)
	}
	return url.PathEscape(set)
}
