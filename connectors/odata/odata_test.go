package odata

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"switchyard/connectors/httpx"
	"switchyard/core/connector"
	"switchyard/core/spec"
)

func TestRegistered(t *testing.T) {
	info, err := connector.Default.Lookup(Name)
	if err != nil {
		t.Fatal(err)
	}
	if info.Title != "OData v4" || info.Description == "" {
		t.Errorf("title %q, description %q", info.Title, info.Description)
	}
	var keys []string
	for _, o := range info.Options {
		keys = append(keys, o.Key)
		if o.Label == "" || o.Help == "" {
			t.Errorf("option %s has no label or help", o.Key)
		}
	}
	if want := []string{"url", "auth", "username", "password", "token", "tenant", "clientid", "clientsecret", "refreshtoken", "scope", "tokenurl", "deviceurl",
		"preset", "company", "timeout", "pagesize", "maxurl", "paging", "cursorfield", "lookups", "batch", "batchsize", "concurrency", "cafile"}; !slices.Equal(keys, want) {
		t.Errorf("option keys = %v, want %v", keys, want)
	}
	tests := []struct {
		key      string
		kind     spec.Kind
		def      string
		required bool
		advanced bool
		when     string
	}{
		{"url", spec.KindURL, "", true, false, ""},
		{"auth", spec.KindEnum, "none", false, false, ""},
		{"username", spec.KindString, "", true, false, "basic"},
		{"password", spec.KindSecret, "", false, false, "basic"},
		{"token", spec.KindSecret, "", true, false, "bearer"},
		{"timeout", spec.KindInt, "60", false, true, ""},
		{"pagesize", spec.KindInt, "", false, true, ""},
		{"clientid", spec.KindString, "", true, false, "oauth2,devicecode"},
		{"clientsecret", spec.KindSecret, "", true, false, "oauth2"},
		{"refreshtoken", spec.KindSecret, "", false, false, "devicecode"},
		{"preset", spec.KindEnum, "auto", false, false, ""},
		{"concurrency", spec.KindInt, "4", false, true, ""},
	}
	for _, tt := range tests {
		o, _ := info.Options.Get(tt.key)
		when := ""
		if o.When != nil {
			when = strings.Join(o.When.Values, ",")
			if o.When.Key != "auth" && o.When.Key != "preset" {
				t.Errorf("%s applies when %s, want auth", tt.key, o.When.Key)
			}
		}
		if o.Kind != tt.kind || o.Default != tt.def || o.Required != tt.required || o.Advanced != tt.advanced || when != tt.when {
			t.Errorf("option %s = %+v", tt.key, o)
		}
	}
	if a, _ := info.Options.Get("auth"); !slices.Equal(a.Choices, []string{"none", "basic", "bearer", "oauth2", "devicecode"}) {
		t.Errorf("auth choices = %v", a.Choices)
	}
	c, err := connector.Default.Open(context.Background(), Name, spec.Values{"url": "http://127.0.0.1:1/svc"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.(connector.Tester); !ok {
		t.Error("the OData connector is not a connector.Tester")
	}
}

func TestParseSettings(t *testing.T) {
	tests := []struct {
		name    string
		in      spec.Values
		want    Settings
		wantErr string
	}{
		{"defaults", spec.Values{"url": "https://h/odata/v4/crm"},
			Settings{URL: "https://h/odata/v4/crm/", Auth: AuthNone, Timeout: time.Minute, PageSize: 1000, Preset: Presets[PresetCAP],
				Paging: PagingServer, CursorField: "modifiedAt", Lookups: LookupsFK, Batch: BatchJSON, BatchSize: 100, Concurrency: 4, MaxURL: DefaultMaxURL}, ""},
		{"basic", spec.Values{"url": "https://h/svc/", "auth": "basic", "username": "bob", "password": "pw", "timeout": "5", "pagesize": "200"},
			Settings{URL: "https://h/svc/", Auth: AuthBasic, Username: "bob", Password: "pw", Timeout: 5 * time.Second, PageSize: 200,
				Preset: Presets[PresetGeneric], Paging: PagingServer, Lookups: LookupsAuto, Batch: BatchMultipart, BatchSize: 100, Concurrency: 4, MaxURL: DefaultMaxURL}, ""},
		{"bearer", spec.Values{"url": "https://h/svc/", "auth": "bearer", "token": " t0k "},
			Settings{URL: "https://h/svc/", Auth: AuthBearer, Token: "t0k", Timeout: time.Minute, PageSize: 1000,
				Preset: Presets[PresetGeneric], Paging: PagingServer, Lookups: LookupsAuto, Batch: BatchMultipart, BatchSize: 100, Concurrency: 4, MaxURL: DefaultMaxURL}, ""},
		{"dataverse by URL", spec.Values{"url": "https://contoso.crm4.dynamics.com/api/data/v9.2/", "auth": "oauth2", "tenant": "contoso.onmicrosoft.com",
			"clientid": "app", "clientsecret": "s"},
			Settings{URL: "https://contoso.crm4.dynamics.com/api/data/v9.2/", Auth: AuthClientCredentials, Tenant: "contoso.onmicrosoft.com", ClientID: "app",
				ClientSecret: "s", Timeout: time.Minute, PageSize: 5000, Preset: Presets[PresetDynamics], Paging: PagingServer, CursorField: "modifiedon",
				Lookups: LookupsBind, Batch: BatchMultipart, BatchSize: 100, Concurrency: 4, MaxURL: DataverseMaxURL}, ""},
		{"business central, overrides", spec.Values{"url": "https://api.businesscentral.dynamics.com/v2.0/t/production/api/v2.0/", "company": "c1",
			"batch": "none", "batchsize": "50", "cursorfield": "systemModifiedAt", "paging": "client"},
			Settings{URL: "https://api.businesscentral.dynamics.com/v2.0/t/production/api/v2.0/", Auth: AuthNone, Company: "c1", Timeout: time.Minute,
				PageSize: 1000, Preset: Presets[PresetBusinessCentral], Paging: PagingClient, CursorField: "systemModifiedAt", Lookups: LookupsFK,
				Batch: BatchNone, BatchSize: 50, Concurrency: 4, MaxURL: DefaultMaxURL}, ""},
		{"maxurl", spec.Values{"url": "https://h/svc/", "maxurl": "2048"},
			Settings{URL: "https://h/svc/", Auth: AuthNone, Timeout: time.Minute, PageSize: 1000, Preset: Presets[PresetGeneric], Paging: PagingServer,
				Lookups: LookupsAuto, Batch: BatchMultipart, BatchSize: 100, Concurrency: 4, MaxURL: 2048}, ""},
		{"maxurl too small", spec.Values{"url": "https://h/", "maxurl": "100"}, Settings{}, "maxurl must be at least 512"},
		{"oauth2 without tenant", spec.Values{"url": "https://h/", "auth": "oauth2", "clientid": "a", "clientsecret": "s"}, Settings{}, "need the tenant or the token URL"},
		{"batch too big", spec.Values{"url": "https://h/", "batchsize": "500"}, Settings{}, "batchsize must be between 1 and 100"},
		{"no url", spec.Values{}, Settings{}, "url: Service root URL is required"},
		{"relative url", spec.Values{"url": "odata/v4"}, Settings{}, "absolute http:// or https:// URL"},
		{"basic without user", spec.Values{"url": "https://h/", "auth": "basic"}, Settings{}, "username: User name is required"},
		{"bearer without token", spec.Values{"url": "https://h/", "auth": "bearer"}, Settings{}, "token: Token is required"},
		{"unknown auth", spec.Values{"url": "https://h/", "auth": "oauth"}, Settings{}, "must be one of none, basic, bearer, oauth2, devicecode"},
		{"zero timeout", spec.Values{"url": "https://h/", "timeout": "0"}, Settings{}, "timeout must be at least 1 second"},
		{"negative page size", spec.Values{"url": "https://h/", "pagesize": "-5"}, Settings{}, "pagesize must be at least 1"},
		{"unknown key", spec.Values{"url": "https://h/", "colour": "red"}, Settings{}, "colour: unknown setting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSettings(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseSettings() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseSettings() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// fastClient returns a client for url whose retries wait a millisecond.
func fastClient(t *testing.T, v spec.Values) *Client {
	t.Helper()
	s, err := ParseSettings(v)
	if err != nil {
		t.Fatal(err)
	}
	return newClient(s, func(c *httpx.Config) {
		c.Retries, c.RetryWait, c.MaxRetryWait = 1, time.Millisecond, time.Millisecond
	})
}

// fakeService answers the service document and $metadata like an OData service would.
func fakeService(t *testing.T, header http.Header, serviceDoc, metadata string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		switch r.URL.Path {
		case "/svc/":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(serviceDoc))
		case "/svc/$metadata":
			w.Header().Set("Content-Type", "application/xml")
			_, _ = w.Write([]byte(metadata))
		case "/svc/accounts":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"value":[{"accountid":"0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0001","name":"A"}]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestTestDetectsDynamics(t *testing.T) {
	raw := fixture(t, "dynamics-crm-webapi-v8.xml")
	srv := fakeService(t, http.Header{"Odata-Version": {"4.0"}},
		`{"@odata.context":"https://org.example/api/data/v8.2/$metadata","value":[{"name":"accounts","kind":"EntitySet","url":"accounts"}]}`, string(raw))
	rep, err := fastClient(t, spec.Values{"url": srv.URL + "/svc"}).Test(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.System != SystemDynamics || rep.Version != "4.0" || rep.Entities != 237 {
		t.Errorf("report = %+v", rep)
	}
	joined := strings.Join(rep.Details, "\n")
	for _, want := range []string{"OData 4.0 service at " + srv.URL + "/svc/", "237 entity sets", "Microsoft.Dynamics.CRM (alias mscrm)", "collection-valued",
		"read one record of entity set accounts"} {
		if !strings.Contains(joined, want) {
			t.Errorf("details lack %q:\n%s", want, joined)
		}
	}
}

func TestTestVersionFallsBackToCSDL(t *testing.T) {
	raw := fixture(t, "trippin-v4.xml")
	srv := fakeService(t, nil, `{"@odata.context":"http://x/$metadata","value":[]}`, string(raw))
	rep, err := fastClient(t, spec.Values{"url": srv.URL + "/svc/"}).Test(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Version != "4.0" || rep.System != "" || rep.Entities != 4 {
		t.Errorf("report = %+v; want version 4.0 from the CSDL, no system, 4 entity sets", rep)
	}
	if last := rep.Details[len(rep.Details)-1]; last != "read entity set Photos: it is not found (404) at the service root; the catalog names it, so check that the user may see it" {
		t.Errorf("last detail = %q", last)
	}
}

func TestTestErrors(t *testing.T) {
	const csdl = `<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="N"/></edmx:DataServices></edmx:Edmx>`
	statusServer := func(status int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"error":{"code":"x","message":"server says no"}}`))
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/svc"
	}
	// Port 1 of the loopback: nothing listens there (binding it needs root), so
	// the connection is refused. A closed httptest server's port would be
	// free again for the servers the table starts next, and could answer.
	closedURL := "http://127.0.0.1:1/svc"

	tests := []struct {
		name  string
		url   string
		extra spec.Values
		want  error
		texts []string
	}{
		{"unreachable", closedURL, nil, ErrUnreachable, []string{"check the URL and that the service is running", "connection refused"}},
		{"401 basic", statusServer(401), spec.Values{"auth": "basic", "username": "bob", "password": "pw"}, ErrUnauthorized, []string{"check the user name and password", "server says no"}},
		{"401 bearer", statusServer(401), spec.Values{"auth": "bearer", "token": "tok"}, ErrUnauthorized, []string{"check the token"}},
		{"401 without credentials", statusServer(401), nil, ErrUnauthorized, []string{"the service needs credentials: choose an authentication"}},
		{"403", statusServer(403), nil, ErrForbidden, []string{"may read the service"}},
		{"404", statusServer(404), nil, ErrNotFound, []string{"check the service root URL", "404 Not Found"}},
		{"HTML at the root", fakeService(t, nil, "<html><body>Hello</body></html>", csdl).URL + "/svc", nil, ErrNotOData, []string{"does not answer with an OData service document"}},
		{"JSON that is not a service document", fakeService(t, nil, `{"hello":"world"}`, csdl).URL + "/svc", nil, ErrNotOData, []string{`no "value" list`}},
		{"metadata not CSDL", fakeService(t, nil, `{"value":[]}`, `{"not":"xml"}`).URL + "/svc", nil, ErrNotOData, []string{"is not CSDL", "$metadata"}},
		{"OData v2 metadata", fakeService(t, nil, `{"value":[]}`, `<edmx:Edmx Version="1.0" xmlns:edmx="x"><edmx:DataServices><Schema Namespace="N"/></edmx:DataServices></edmx:Edmx>`).URL + "/svc",
			nil, ErrNotOData, []string{`CSDL version "1.0"`, "use the service's v4 endpoint"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := spec.Values{"url": tt.url}
			for k, x := range tt.extra {
				v[k] = x
			}
			_, err := fastClient(t, v).Test(context.Background())
			if !errors.Is(err, tt.want) {
				t.Fatalf("Test() error = %v, want %v", err, tt.want)
			}
			for _, s := range tt.texts {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}
