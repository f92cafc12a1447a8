// Package rest is the generic REST/JSON connector: entities are resources of
// an HTTP API, declared by hand (list and item paths, the JSON path of the
// records, the key, the change cursor, the pagination style) or discovered
// from an OpenAPI 3 document or a json-server's /db. Schemas are inferred from
// sampled records (nested objects flattened as "a.b") and can be overridden.
//
// Pagination styles: a Link header (rel="next"), a next URL or a cursor in the
// body, page number + page size, offset + limit, or none. A read never ends
// silently short: when the API gives a total, the read goes on until it has
// that many records (a server that caps its pages below the size asked is
// followed at its own size) and fails, naming both numbers, when the server
// runs out before. Filters are applied in Go on every record read
// (core/filter), and, where the API's filter style allows, also sent to the
// server to narrow what it returns. Reads by a list of keys use the API's
// filters, or GET each item when there are few, or read the list once.
package rest

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"switchyard/connectors/httpx"
	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

// Name is the connector's identifier in integration files.
const Name = "rest"

// The values of the auth option.
const (
	AuthNone   = "none"
	AuthBasic  = "basic"
	AuthBearer = "bearer"
	AuthOAuth2 = "oauth2"
)

// The values of the preset option.
const (
	PresetGeneric    = "generic"
	PresetJSONServer = "json-server"
	PresetFeathers   = "feathers"
)

// The pagination styles.
const (
	PagingNone    = "none"
	PagingLink    = "link"    // Link header, rel="next"
	PagingNextURL = "nexturl" // a next URL in the body, at Paging.Next
	PagingCursor  = "cursor"  // a cursor in the body, at Paging.Next, sent back as Paging.CursorParam
	PagingPage    = "page"    // page number + page size
	PagingOffset  = "offset"  // offset + limit
)

// The filter styles: how conditions are sent to the server.
const (
	FiltersNone       = "none"        // every filter is applied in Go only
	FiltersJSONServer = "json-server" // field=v, field_ne, field_gte, field_lte, field_like
)

var whenOAuth = &spec.Condition{Key: "auth", Values: []string{AuthOAuth2}}

// options declares the connector's settings.
var options = spec.Options{
	{Key: "url", Label: "Base URL", Kind: spec.KindURL, Required: true,
		Help: "The API root that entity paths are relative to, e.g. https://api.example.com/v1/."},
	{Key: "auth", Label: "Authentication", Kind: spec.KindEnum, Default: AuthNone, Choices: []string{AuthNone, AuthBasic, AuthBearer, AuthOAuth2},
		Help: "none, basic (user name and password), bearer (a token) or oauth2 (OAuth2 client credentials: client id, secret and token URL)."},
	{Key: "username", Label: "User name", Kind: spec.KindString, Required: true,
		When: &spec.Condition{Key: "auth", Values: []string{AuthBasic}}, Help: "The user name for basic authentication."},
	{Key: "password", Label: "Password", Kind: spec.KindSecret,
		When: &spec.Condition{Key: "auth", Values: []string{AuthBasic}}, Help: "The password for basic authentication; kept in the workspace, never exported."},
	{Key: "token", Label: "Token", Kind: spec.KindSecret, Required: true,
		When: &spec.Condition{Key: "auth", Values: []string{AuthBearer}}, Help: "The bearer token; kept in the workspace, never exported."},
	{Key: "clientid", Label: "Client id", Kind: spec.KindString, Required: true, When: whenOAuth, Help: "The OAuth2 client id."},
	{Key: "clientsecret", Label: "Client secret", Kind: spec.KindSecret, Required: true, When: whenOAuth,
		Help: "The OAuth2 client secret; kept in the workspace, never exported."},
	{Key: "tokenurl", Label: "Token URL", Kind: spec.KindURL, Required: true, When: whenOAuth, Help: "The OAuth2 token endpoint."},
	{Key: "scope", Label: "Scope", Kind: spec.KindString, When: whenOAuth, Advanced: true, Help: "The OAuth2 scopes, separated by spaces."},
	{Key: "preset", Label: "API kind", Kind: spec.KindEnum, Default: PresetGeneric, Choices: []string{PresetGeneric, PresetJSONServer, PresetFeathers},
		Help: "generic, json-server (Link paging with _page/_limit, field_gte filters, _sort/_order, createdAt/updatedAt, entities discovered from /db) " +
			"or feathers (Feathers services: $limit/$skip paging, records in data, the total in total, $sort[field]=1, field[$gte]=value for changes).",
		Doc: "json-server also reads X-Total-Count, keeps createdAt and updatedAt read-only and sends filters as field=v, field_ne, " +
			"field_gte, field_lte and field_like; with feathers, set updatedat to the service's change timestamp. With both presets, " +
			"item paths (list/{key}) are taken as the API's own."},
	{Key: "entities", Label: "Entities", Kind: spec.KindString,
		Help: `The entities: resource names separated by commas ("customers, orders"), or a JSON array of declarations ` +
			`({"name", "list", "item", "key", "records", "updatedAt", "since", "paging", "create", "update", "delete", "fields", "readOnly"}; see docs/integration-file.md). ` +
			`Empty: discovered from the OpenAPI document, or from /db with json-server.`},
	{Key: "openapi", Label: "OpenAPI document", Kind: spec.KindString,
		Help: "The URL of the API's OpenAPI 3 document in JSON (absolute, or relative to the base URL), to discover the entities from.",
		Doc: "Every path without parameters whose GET answers a list of objects (or an object holding one list) is an entity named by " +
			"its last segment, the path below it with one parameter its item path, the record schema its fields."},
	{Key: "records", Label: "Records path", Kind: spec.KindString, Advanced: true,
		Help: `The JSON path of the records in a list response, e.g. "data" or "result.items"; empty when the body is the list itself.`,
		Doc:  "Empty also finds the only list in the body."},
	{Key: "key", Label: "Key field", Kind: spec.KindString, Default: "id", Advanced: true, Help: "The field that identifies a record."},
	{Key: "updatedat", Label: "Updated-at field", Kind: spec.KindString, Advanced: true,
		Help: "The timestamp field the API sets on every change: the change cursor of incremental reads (json-server preset: updatedAt)."},
	{Key: "since", Label: "Changes-since query", Kind: spec.KindString, Advanced: true,
		Help: "How to ask for changes since a time: a query with {field} and {value}, e.g. {field}_gte={value} (json-server) or modifiedSince={value}.",
		Doc:  "The value is sent in UTC, ISO 8601 with milliseconds."},
	{Key: "paging", Label: "Pagination", Kind: spec.KindEnum, Choices: []string{PagingNone, PagingLink, PagingNextURL, PagingCursor, PagingPage, PagingOffset}, Advanced: true,
		Help: "link (Link header rel=next), nexturl or cursor (found in the body at the next path), page (page number + size), offset (offset + limit) or none. json-server preset: link.",
		Doc:  "How a read ends: see Paging below."},
	{Key: "pageparam", Label: "Page parameter", Kind: spec.KindString, Advanced: true, Help: "The query parameter of the page number (page and link styles), e.g. page or _page."},
	{Key: "sizeparam", Label: "Page size parameter", Kind: spec.KindString, Advanced: true, Help: "The query parameter of the page size or limit, e.g. limit, per_page or _limit."},
	{Key: "offsetparam", Label: "Offset parameter", Kind: spec.KindString, Advanced: true, Help: "The query parameter of the offset (offset style), e.g. offset."},
	{Key: "cursorparam", Label: "Cursor parameter", Kind: spec.KindString, Advanced: true, Help: "The query parameter that sends a cursor back (cursor style), e.g. cursor."},
	{Key: "next", Label: "Next path", Kind: spec.KindString, Advanced: true, Help: "The JSON path of the next URL (nexturl) or cursor (cursor) in a list response, e.g. links.next or meta.next_cursor."},
	{Key: "total", Label: "Total path", Kind: spec.KindString, Advanced: true,
		Help: "The JSON path of the total record count in a list response, e.g. meta.total. Without it (and without totalheader), a total, totalCount or total_count beside the records is read. Reads go on until the total and fail when the API sends fewer.",
		Doc: "The names looked for beside the records are total, totalCount, total_count, totalItems, total_items, totalResults and " +
			"total_results; set total to a path the response lacks to use none."},
	{Key: "totalheader", Label: "Total header", Kind: spec.KindString, Advanced: true, Help: "The response header holding the total record count, e.g. X-Total-Count."},
	{Key: "totalpages", Label: "Total pages path", Kind: spec.KindString, Advanced: true, Help: "The JSON path of the number of pages in a list response (page style)."},
	{Key: "sortparam", Label: "Sort parameter", Kind: spec.KindString, Advanced: true,
		Help: "The query parameter that orders a list by fields separated by commas, e.g. sort or _sort; with {field} in it, one parameter per field valued 1, e.g. $sort[{field}] (Feathers).",
		Doc:  "Incremental reads ask for cursor then key order; page and offset reads for key order."},
	{Key: "orderparam", Label: "Order parameter", Kind: spec.KindString, Advanced: true, Help: "The query parameter of the sort direction (asc), e.g. _order; empty when the API has none."},
	{Key: "filters", Label: "Filter style", Kind: spec.KindEnum, Choices: []string{FiltersNone, FiltersJSONServer}, Advanced: true,
		Help: "How filters are sent to the server: none (applied in Switchyard only) or json-server (field=v, field_gte=v, ...). Filters are always checked in Switchyard too."},
	{Key: "updatemethod", Label: "Update method", Kind: spec.KindEnum, Default: "PATCH", Choices: []string{"PATCH", "PUT", "POST"}, Advanced: true,
		Help: "The HTTP method of updates: PATCH (the changed fields) or PUT/POST."},
	{Key: "pagesize", Label: "Page size", Kind: spec.KindInt, Default: "100", Advanced: true,
		Help: "Records asked for per page (an entity's paging.size overrides it). A server that sends fewer, as many cap their pages, is followed at its own size when it gives a total.",
		Doc:  "A run that sets a page size overrides both."},
	{Key: "sample", Label: "Records sampled", Kind: spec.KindInt, Default: "50", Advanced: true,
		Help: "How many records are read, across pages, to infer an entity's fields."},
	{Key: "maxurl", Label: "Longest URL", Kind: spec.KindInt, Default: strconv.Itoa(DefaultMaxURL), Advanced: true,
		Help: "The longest request URL, in characters, that the API and any proxy before it take: reads by a list of keys sent as filters (id=a&id=b) are split to fit."},
	{Key: "timeout", Label: "Timeout (seconds)", Kind: spec.KindInt, Default: "60", Advanced: true, Help: "How long one HTTP request may take."},
	{Key: "concurrency", Label: "Requests in flight", Kind: spec.KindInt, Default: "4", Advanced: true, Help: "The most write requests sent at once."},
}

func init() {
	connector.Register(connector.Info{
		Name:        Name,
		Title:       "REST/JSON",
		Description: "A REST API that speaks JSON: resources with list and item URLs, paged, with schemas inferred from the records.",
		Options:     options,
		New: func(ctx context.Context, v spec.Values) (connector.Connector, error) {
			return New(ctx, v)
		},
	})
}

// Options returns the connector's settings declaration.
func Options() spec.Options { return options }

// Settings are the connector's options, parsed, with the preset applied.
type Settings struct {
	URL                string
	Auth               string
	Username, Password string
	Token              string
	OAuth              httpx.OAuth
	Preset             string
	// Defaults is what every entity declaration starts from.
	Defaults Endpoint
	// Declared are the entity declarations of the entities option; empty means discover.
	Declared []Endpoint
	OpenAPI  string
	Filters  string
	Sample   int
	// MaxURL is the longest request URL sent (the maxurl setting): reads by
	// a list of keys are split to fit.
	MaxURL  int
	Timeout time.Duration
	// Concurrency caps the write requests in flight.
	Concurrency int
}

// ParseSettings applies the defaults and the preset to v and returns the typed settings.
func ParseSettings(v spec.Values) (Settings, error) {
	v = options.WithDefaults(v)
	if err := options.Validate(v); err != nil {
		return Settings{}, fmt.Errorf("check REST settings: %w", err)
	}
	s := Settings{
		URL: strings.TrimSpace(v["url"]), Auth: v["auth"], Username: v["username"], Password: v["password"],
		Token: strings.TrimSpace(v["token"]), Preset: v["preset"], OpenAPI: strings.TrimSpace(v["openapi"]),
		Filters: v["filters"], Sample: options.Int(v, "sample"), MaxURL: options.Int(v, "maxurl"),
		Timeout: time.Duration(options.Int(v, "timeout")) * time.Second, Concurrency: options.Int(v, "concurrency"),
	}
	if s.Auth == AuthOAuth2 {
		s.OAuth = httpx.OAuth{ClientID: v["clientid"], ClientSecret: v["clientsecret"], TokenURL: v["tokenurl"], Scopes: strings.Fields(v["scope"])}
	}
	d := presetEndpoint(&s, v)
	overrideEndpoint(&d, v)
	s.Defaults = d
	problems := s.problems(v)
	declared, err := ParseEntities(v["entities"], d)
	if err != nil {
		problems = append(problems, err.Error())
	}
	s.Declared = declared
	if len(problems) > 0 {
		return Settings{}, fmt.Errorf("check REST settings: %s", strings.Join(problems, "; "))
	}
	return s, nil
}

// presetEndpoint is the entity declaration that s.Preset starts every entity
// from; it sets s.Filters to the preset's filter style when none is given.
func presetEndpoint(s *Settings, v spec.Values) Endpoint {
	d := Endpoint{Key: "id", UpdateMethod: v["updatemethod"], Paging: Paging{Style: PagingNone, Size: options.Int(v, "pagesize"), FirstPage: 1}}
	if s.Preset == PresetJSONServer {
		d.UpdatedAt, d.Since = "updatedAt", "{field}_gte={value}"
		d.ReadOnly = []string{"createdAt", "updatedAt"}
		d.SortParam, d.OrderParam = "_sort", "_order"
		d.Paging.Style, d.Paging.PageParam, d.Paging.SizeParam, d.Paging.TotalHeader = PagingLink, "_page", "_limit", "X-Total-Count"
		d.itemKnown = true
		if s.Filters == "" {
			s.Filters = FiltersJSONServer
		}
	}
	if s.Preset == PresetFeathers {
		d.Records, d.Since, d.SortParam = "data", "{field}[$gte]={value}", "$sort[{field}]"
		d.Paging.Style, d.Paging.OffsetParam, d.Paging.SizeParam, d.Paging.Total = PagingOffset, "$skip", "$limit", "total"
		d.itemKnown = true
	}
	if s.Filters == "" {
		s.Filters = FiltersNone
	}
	return d
}

// overrideEndpoint sets in d the entity defaults that v gives.
func overrideEndpoint(d *Endpoint, v spec.Values) {
	set := func(dst *string, key string) {
		if x := strings.TrimSpace(v[key]); x != "" {
			*dst = x
		}
	}
	set(&d.Records, "records")
	set(&d.Key, "key")
	set(&d.UpdatedAt, "updatedat")
	set(&d.Since, "since")
	set(&d.SortParam, "sortparam")
	set(&d.OrderParam, "orderparam")
	set(&d.Paging.Style, "paging")
	set(&d.Paging.PageParam, "pageparam")
	set(&d.Paging.SizeParam, "sizeparam")
	set(&d.Paging.OffsetParam, "offsetparam")
	set(&d.Paging.CursorParam, "cursorparam")
	set(&d.Paging.Next, "next")
	set(&d.Paging.Total, "total")
	set(&d.Paging.TotalHeader, "totalheader")
	set(&d.Paging.TotalPages, "totalpages")
}

// problems lists the numbers of s (and its Defaults) that are out of range, with their values in v.
func (s Settings) problems(v spec.Values) []string {
	var problems []string
	if s.Timeout <= 0 {
		problems = append(problems, fmt.Sprintf("timeout must be at least 1 second, not %q", v["timeout"]))
	}
	if s.Defaults.Paging.Size <= 0 {
		problems = append(problems, fmt.Sprintf("pagesize must be at least 1, not %q", v["pagesize"]))
	}
	if s.Sample <= 0 {
		problems = append(problems, fmt.Sprintf("sample must be at least 1, not %q", v["sample"]))
	}
	if s.MaxURL < minMaxURL {
		problems = append(problems, fmt.Sprintf("maxurl must be at least %d characters, not %q", minMaxURL, v["maxurl"]))
	}
	if s.Concurrency <= 0 {
		problems = append(problems, fmt.Sprintf("concurrency must be at least 1, not %q", v["concurrency"]))
	}
	return problems
}

// Client is an open REST connector.
type Client struct {
	settings Settings
	http     *httpx.Client

	mu        sync.Mutex
	endpoints map[string]Endpoint    // by entity name, once resolved
	order     []string               // entity names in declaration order
	entities  map[string]meta.Entity // the catalog, once read
	sizes     map[string]listSize    // what unfiltered reads of each entity found
}

var (
	_ connector.Connector   = (*Client)(nil)
	_ connector.Tester      = (*Client)(nil)
	_ connector.Reader      = (*Client)(nil)
	_ connector.FilterSizer = (*Client)(nil)
	_ connector.Writer      = (*Client)(nil)
)

// New opens a connector from option values; it does not contact the API.
func New(ctx context.Context, v spec.Values) (*Client, error) {
	s, err := ParseSettings(v)
	if err != nil {
		return nil, err
	}
	return newClient(s, connector.Logger(ctx), nil), nil
}

// newClient builds a client for s; tune, when not nil, adjusts the HTTP configuration.
func newClient(s Settings, log *slog.Logger, tune func(*httpx.Config)) *Client {
	cfg := httpx.Config{BaseURL: s.URL, Timeout: s.Timeout, MaxInFlight: -1, Logger: log}
	switch s.Auth {
	case AuthBasic:
		cfg.Auth, cfg.Username, cfg.Password = httpx.AuthBasic, s.Username, s.Password
	case AuthBearer:
		cfg.Auth, cfg.Token = httpx.AuthBearer, s.Token
	case AuthOAuth2:
		cfg.Auth, cfg.OAuth = httpx.AuthClientCredentials, s.OAuth
	}
	if tune != nil {
		tune(&cfg)
	}
	return &Client{settings: s, http: httpx.New(cfg)}
}

// Settings returns the parsed settings.
func (c *Client) Settings() Settings { return c.settings }

// Close releases the client; it holds no resources beyond idle connections.
func (c *Client) Close() error { return nil }

// Test reads the catalog: the entities and a sample of each.
func (c *Client) Test(ctx context.Context) (connector.Report, error) {
	cat, err := c.Catalog(ctx)
	if err != nil {
		return connector.Report{}, err
	}
	r := connector.Report{System: "REST/JSON", Entities: len(cat)}
	switch c.settings.Preset {
	case PresetJSONServer:
		r.System = "json-server"
	case PresetFeathers:
		r.System = "Feathers"
	}
	for _, e := range cat {
		ep, _ := c.endpoint(e.Name)
		r.Details = append(r.Details, fmt.Sprintf("%s: %d fields, key %s, list %s, paging %s", e.Name, len(e.Fields), strings.Join(e.Key, ","), ep.List, ep.Paging.Style))
	}
	return r, nil
}
