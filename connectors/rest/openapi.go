package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"switchyard/connectors/httpx"
	"switchyard/core/meta"
)

// openAPIDoc is the part of an OpenAPI 3 document that discovery reads.
type openAPIDoc struct {
	OpenAPI    string                         `json:"openapi"`
	Paths      map[string]map[string]opMethod `json:"paths"`
	Components struct {
		Schemas map[string]*schema `json:"schemas"`
	} `json:"components"`
}

type opMethod struct {
	Responses map[string]struct {
		Content map[string]struct {
			Schema *schema `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

type schema struct {
	Ref        string             `json:"$ref"`
	Type       any                `json:"type"` // a string, or a list in 3.1
	Format     string             `json:"format"`
	Items      *schema            `json:"items"`
	Properties map[string]*schema `json:"properties"`
	Required   []string           `json:"required"`
	ReadOnly   bool               `json:"readOnly"`
	Nullable   bool               `json:"nullable"`
	MaxLength  int                `json:"maxLength"`
	AllOf      []*schema          `json:"allOf"`
}

// discoverOpenAPI reads the entities from the API's OpenAPI 3 document (JSON):
// each path without parameters whose GET answers a list of objects (or an
// object holding one list) is an entity named by its last segment; a path
// below it with one parameter is its item path, the parameter its key when
// the records have such a field; the record schema gives the fields.
func (c *Client) discoverOpenAPI(ctx context.Context) ([]Endpoint, error) {
	resp, err := c.http.Get(ctx, c.settings.OpenAPI, nil)
	if err != nil {
		return nil, fmt.Errorf("read the OpenAPI document: %w", err)
	}
	var doc openAPIDoc
	if err := json.Unmarshal(resp.Body, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		return nil, fmt.Errorf("read the OpenAPI document %s: %w: it is not an OpenAPI 3 document in JSON (YAML is not read: give the JSON form)",
			httpx.RedactURL(resp.URL), ErrBadResponse)
	}
	paths := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var out []Endpoint
	seen := map[string]bool{}
	for _, p := range paths {
		if strings.Contains(p, "{") {
			continue
		}
		get, ok := doc.Paths[p]["get"]
		if !ok {
			continue
		}
		list, records := doc.listSchema(get)
		if list == nil {
			continue
		}
		name := p[strings.LastIndex(strings.TrimSuffix(p, "/"), "/")+1:]
		name = strings.TrimSuffix(name, "/")
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		ep := c.settings.Defaults.clone()
		ep.Name, ep.List, ep.Records = name, p, records
		ep.Fields = doc.fields(list, "")
		for _, q := range paths {
			rest, ok := strings.CutPrefix(q, strings.TrimSuffix(p, "/")+"/")
			if !ok || strings.Count(rest, "{") != 1 || !strings.HasPrefix(rest, "{") || !strings.HasSuffix(rest, "}") {
				continue
			}
			ep.Item, ep.itemKnown = q, true
			param := strings.Trim(rest, "{}")
			if hasField(ep.Fields, param) {
				ep.Key = param
			}
			ops := doc.Paths[q]
			if _, ok := ops["patch"]; !ok {
				if _, ok := ops["put"]; ok {
					ep.UpdateMethod = "PUT"
				}
			}
			break
		}
		out = append(out, ep.complete())
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("read the OpenAPI document %s: it lists no path whose GET returns a list of records: declare the entities in the entities setting",
			httpx.RedactURL(resp.URL))
	}
	return out, nil
}

// resolve follows $ref and merges allOf.
func (d *openAPIDoc) resolve(s *schema) *schema {
	for i := 0; s != nil && s.Ref != "" && i < 32; i++ {
		s = d.Components.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
	}
	if s != nil && len(s.AllOf) > 0 {
		merged := &schema{Type: "object", Properties: map[string]*schema{}}
		for _, part := range s.AllOf {
			p := d.resolve(part)
			if p == nil {
				continue
			}
			for k, v := range p.Properties {
				merged.Properties[k] = v
			}
			merged.Required = append(merged.Required, p.Required...)
		}
		return merged
	}
	return s
}

// listSchema returns the record schema of a GET that answers a list, and the
// records path ("" when the body is the list).
func (d *openAPIDoc) listSchema(op opMethod) (*schema, string) {
	for _, code := range []string{"200", "2XX", "default"} {
		r, ok := op.Responses[code]
		if !ok {
			continue
		}
		for ct, media := range r.Content {
			if !strings.Contains(ct, "json") {
				continue
			}
			s := d.resolve(media.Schema)
			if s == nil {
				continue
			}
			if typeOf(s) == "array" {
				return d.resolve(s.Items), ""
			}
			if typeOf(s) == "object" || len(s.Properties) > 0 {
				names := make([]string, 0, len(s.Properties))
				for k := range s.Properties {
					names = append(names, k)
				}
				sort.Strings(names)
				for _, k := range names {
					if p := d.resolve(s.Properties[k]); p != nil && typeOf(p) == "array" {
						return d.resolve(p.Items), k
					}
				}
			}
		}
	}
	return nil, ""
}

// fields flattens a record schema into fields.
func (d *openAPIDoc) fields(s *schema, prefix string) []meta.Field {
	s = d.resolve(s)
	if s == nil {
		return nil
	}
	required := map[string]bool{}
	for _, r := range s.Required {
		required[r] = true
	}
	names := make([]string, 0, len(s.Properties))
	for k := range s.Properties {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []meta.Field
	for _, k := range names {
		p := d.resolve(s.Properties[k])
		if p == nil {
			continue
		}
		if typeOf(p) == "object" && len(p.Properties) > 0 {
			out = append(out, d.fields(p, prefix+k+".")...)
			continue
		}
		t := schemaType(p)
		out = append(out, meta.Field{Name: prefix + k, Type: t, ExternalType: typeOf(p), Nullable: !required[k] || p.Nullable,
			ReadOnly: p.ReadOnly, MaxLength: p.MaxLength})
	}
	return out
}

// typeOf returns the schema's type; the first non-null one of a 3.1 list.
func typeOf(s *schema) string {
	switch t := s.Type.(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if str, ok := x.(string); ok && str != "null" {
				return str
			}
		}
	}
	return ""
}

// schemaType maps an OpenAPI type and format onto a field type.
func schemaType(s *schema) meta.Type {
	switch typeOf(s) {
	case "integer":
		return meta.Int
	case "number":
		if s.Format == "double" || s.Format == "float" {
			return meta.Double
		}
		return meta.Decimal
	case "boolean":
		return meta.Bool
	case "string":
		switch s.Format {
		case "date-time":
			return meta.DateTime
		case "date":
			return meta.Date
		case "uuid":
			return meta.GUID
		case "byte":
			return meta.Binary
		}
	}
	return meta.String
}
