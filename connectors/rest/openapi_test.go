package rest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"switchyard/connectors/conntest"
	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

const openAPIDoc3 = `{"openapi": "3.0.3", "info": {"title": "things", "version": "1"},
 "paths": {
  "/things": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"type": "object", "properties": {
      "total": {"type": "integer"}, "data": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}}}}}}},
    "post": {"responses": {"201": {"description": "created"}}}},
  "/things/{thingId}": {"get": {"responses": {"200": {"description": "one"}}}, "put": {"responses": {"200": {"description": "ok"}}},
    "delete": {"responses": {"204": {"description": "gone"}}}},
  "/health": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"type": "object", "properties": {"ok": {"type": "boolean"}}}}}}}}}
 },
 "components": {"schemas": {"Thing": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "required": ["label"], "properties": {
    "label": {"type": "string", "maxLength": 40}, "price": {"type": "number"}, "ratio": {"type": "number", "format": "double"},
    "seen": {"type": "string", "format": "date-time"}, "uid": {"type": "string", "format": "uuid"},
    "meta": {"type": "object", "properties": {"color": {"type": "string"}}}}}]},
  "Base": {"type": "object", "required": ["thingId"], "properties": {"thingId": {"type": "integer", "readOnly": true}}}}}}`

func TestDiscoverOpenAPI(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/openapi.json":
			w.Write([]byte(openAPIDoc3))
		case "/v1/things":
			w.Write([]byte(`{"total": 2, "data": [{"thingId": 1, "label": "a", "price": 2.5, "meta": {"color": "red"}}, {"thingId": 2, "label": "b", "price": 3}]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c, err := New(context.Background(), spec.Values{"url": srv.URL + "/v1/", "openapi": "openapi.json"})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := c.Catalog(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(cat) != 1 || cat[0].Name != "things" || cat[0].Key[0] != "thingId" {
		t.Fatalf("catalog %+v, want the entity things keyed by thingId", cat)
	}
	want := map[string]meta.Type{"thingId": meta.Int, "label": meta.String, "price": meta.Decimal, "ratio": meta.Double,
		"seen": meta.DateTime, "uid": meta.GUID, "meta.color": meta.String}
	for name, typ := range want {
		f, ok := cat[0].Field(name)
		if !ok || f.Type != typ {
			t.Errorf("field %s = %+v, want type %s", name, f, typ)
		}
	}
	if f, _ := cat[0].Field("label"); f.Nullable || f.MaxLength != 40 {
		t.Errorf("label = %+v, want required with maxLength 40", f)
	}
	if f, _ := cat[0].Field("thingId"); !f.ReadOnly {
		t.Errorf("thingId = %+v, want read-only", f)
	}
	ep, _ := c.endpoint("things")
	if ep.Records != "data" || ep.Item != "things/{thingId}" || ep.Update.Method != "PUT" {
		t.Errorf("endpoint %+v, want records data, item things/{thingId}, update PUT", ep)
	}
	recs, _ := conntest.ReadAll(t.Context(), t, c, connector.Query{Entity: "things"})
	if len(recs) != 2 || recs[0]["meta.color"] != "red" || recs[1]["price"] == nil {
		t.Errorf("records %v", recs)
	}
}
