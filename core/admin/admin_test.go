package admin

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"switchyard/core/connector"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/core/store"
)

// catalogConnector is a test double of the Connector port: a fixed catalog, or an error.
type catalogConnector struct {
	entities []meta.Entity
	err      error
}

func (c catalogConnector) Catalog(context.Context) ([]meta.Entity, error) { return c.entities, c.err }
func (c catalogConnector) Close() error                                   { return nil }

var testCatalog = []meta.Entity{{Name: "Things", Key: []string{"ID"}, Fields: []meta.Field{
	{Name: "ID", Type: meta.Int}, {Name: "title", Type: meta.String, MaxLength: 80}, {Name: "price", Type: meta.Decimal},
}}}

// newService returns a Service over an in-memory workspace and a registry with the "mem" connector,
// which fails to connect while *down is true and records the values it was opened with.
func newService(t *testing.T, down *bool, opened *spec.Values) *Service {
	t.Helper()
	st, err := store.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	reg := connector.NewRegistry()
	err = reg.Add(connector.Info{Name: "mem", Title: "Memory", Options: spec.Options{
		{Key: "url", Label: "URL", Kind: spec.KindURL, Required: true},
		{Key: "password", Label: "Password", Kind: spec.KindSecret, Required: true},
	}, New: func(_ context.Context, v spec.Values) (connector.Connector, error) {
		*opened = v
		if *down {
			return catalogConnector{err: errors.New("connection refused")}, nil
		}
		return catalogConnector{entities: testCatalog}, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	svc := New(st, reg)
	svc.Getenv = func(string) string { return "" }
	return svc
}

const memFile = `{"format": "switchyard.integration/v1", "name": "things", "connector": "mem",
 "settings": {"url": "http://127.0.0.1:1/", "password": "from-file"},
 "entities": [{"external": "Things", "local": "thing", "primaryKey": "externalid", "direction": "download",
   "fields": [{"external": "ID", "local": "externalid"}, {"external": "title", "local": "title"}]}],
 "schedules": []}`

func TestImportFile(t *testing.T) {
	ctx := context.Background()
	var down bool
	var opened spec.Values
	svc := newService(t, &down, &opened)

	res, err := svc.ImportFile(ctx, strings.NewReader(memFile))
	if err != nil {
		t.Fatal(err)
	}
	if res.Replaced || len(res.CreatedEntities) != 1 || res.CreatedEntities[0] != "thing" {
		t.Fatalf("ImportFile() = %+v", res)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "settings.password is a secret") || !strings.Contains(res.Warnings[0], "SWITCHYARD_THINGS_PASSWORD") {
		t.Errorf("warnings = %q, want one about the secret", res.Warnings)
	}
	in, err := svc.Store.Integration(ctx, "things")
	if err != nil {
		t.Fatal(err)
	}
	if in.Settings["password"] != "" || in.Secrets["password"] != "from-file" {
		t.Errorf("the secret was not moved: settings %v, secrets %v", in.Settings, in.Secrets)
	}
	local, err := svc.Store.Entity(ctx, "thing")
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := local.Field("title"); f.Type != meta.String || f.MaxLength != 80 {
		t.Errorf("title typed %+v, want string(80)", f)
	}

	// Export carries no secret; importing the export while the system is down keeps the stored secret
	// and checks the mapping against the cached schema.
	var buf bytes.Buffer
	if err := svc.ExportFile(ctx, "things", &buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "from-file") || strings.Contains(buf.String(), "password") {
		t.Fatalf("export carries the secret:\n%s", buf.String())
	}
	down = true
	res, err = svc.ImportFile(ctx, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Replaced || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "checked against the schema cached") {
		t.Errorf("re-import while down = %+v", res)
	}
	if opened["password"] != "from-file" {
		t.Errorf("the connector was opened without the stored secret: %v", opened)
	}
	if in, _ = svc.Store.Integration(ctx, "things"); in.Secrets["password"] != "from-file" {
		t.Errorf("re-import lost the stored secret: %v", in.Secrets)
	}

	// An integration that never was imported has no cache to fall back on.
	_, err = svc.ImportFile(ctx, strings.NewReader(strings.Replace(memFile, `"things"`, `"other"`, 1)))
	if err == nil || !strings.Contains(err.Error(), `read the external catalog of "other"`) || IsConfigError(err) {
		t.Errorf("import while down without cache = %v, want a run failure", err)
	}
}

func TestImportFileProblems(t *testing.T) {
	var down bool
	var opened spec.Values
	svc := newService(t, &down, &opened)
	tests := []struct {
		name, from, to, want string
	}{
		{"bad url", `"http://127.0.0.1:1/"`, `"ftp:/x"`, `settings.url: URL must be an absolute http:// or https:// URL`},
		{"unknown setting", `"password": "from-file"`, `"pasword": "x"`, `settings.pasword: unknown setting`},
		{"unknown field", `"external": "title"`, `"external": "titel"`, `entities[0].fields[1].external: unknown field "titel" in external entity "Things"; did you mean "title"?`},
		{"unknown connector", `"mem"`, `"ftp"`, `connector: unknown connector "ftp": use one of mem`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.ImportFile(context.Background(), strings.NewReader(strings.Replace(memFile, tt.from, tt.to, 1)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ImportFile() = %v, want %q", err, tt.want)
			}
			if !IsConfigError(err) {
				t.Errorf("ImportFile() error is not a configuration error: %v", err)
			}
			var ps mapping.Problems
			if !errors.As(err, &ps) {
				t.Errorf("ImportFile() error %T carries no Problems", err)
			}
		})
	}
	if list, _ := svc.Store.Integrations(context.Background()); len(list) != 0 {
		t.Errorf("failed imports saved %d integrations", len(list))
	}
}

func TestSecretFromEnvironment(t *testing.T) {
	var down bool
	var opened spec.Values
	svc := newService(t, &down, &opened)
	svc.Getenv = func(k string) string {
		if k == "SWITCHYARD_MY_CRM_2_PASSWORD" {
			return "from-env"
		}
		return ""
	}
	in := mapping.Integration{Name: "my-crm 2", Connector: "mem", Settings: spec.Values{"url": "http://x/"}, Secrets: spec.Values{"password": "stored"}}
	if _, err := svc.Test(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if opened["password"] != "from-env" {
		t.Errorf("password = %q, want the environment's", opened["password"])
	}
}
