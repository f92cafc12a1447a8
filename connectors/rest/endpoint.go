package rest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"switchyard/core/meta"
)

// Endpoint declares one entity of a REST API. Zero fields take the
// connector-wide defaults (the settings), then the conventions: List is the
// entity's name, Item is List + "/{key}", Create posts to List, Update sends
// UpdateMethod to Item, Delete sends DELETE to Item.
type Endpoint struct {
	// Name is the entity's name in the catalog and in mappings.
	Name string `json:"name"`
	// List is the path (relative to the base URL) that lists records.
	List string `json:"list"`
	// Item is the path template of one record; {key} (or {<key field>}) stands for its key.
	Item string `json:"item"`
	// Create, Update and Delete override the method and path of each write.
	Create Method `json:"create"`
	Update Method `json:"update"`
	Delete Method `json:"delete"`
	// UpdateMethod is the default method of updates (PATCH).
	UpdateMethod string `json:"updateMethod"`
	// Records is the JSON path of the records in a list response; "" when the body is the list.
	Records string `json:"records"`
	// Key is the field that identifies a record.
	Key string `json:"key"`
	// UpdatedAt is the change cursor: a timestamp the API sets on every change.
	UpdatedAt string `json:"updatedAt"`
	// Since is the query that asks for changes since a time, with {field} and {value}.
	Since string `json:"since"`
	// SortParam and OrderParam order a list: SortParam=a,b&OrderParam=asc,asc;
	// a SortParam with {field} is sent once per field, valued 1 ($sort[{field}]=1, Feathers).
	SortParam  string `json:"sortParam"`
	OrderParam string `json:"orderParam"`
	// Paging says how the list is paged.
	Paging Paging `json:"paging"`
	// Fields override or add inferred fields, by name.
	Fields []meta.Field `json:"fields"`
	// ReadOnly names fields the API sets itself; they are never written.
	ReadOnly []string `json:"readOnly"`

	// itemKnown is true when Item is the API's own (declared, discovered, or
	// the preset's), not only the convention: then a read by a few keys the
	// API cannot filter GETs each item, and a 404 means "no such record".
	itemKnown bool
}

// Method is the HTTP method and path template of a write.
type Method struct {
	Method string `json:"method"`
	Path   string `json:"path"`
}

// Paging describes a list's pagination.
type Paging struct {
	// Style is one of the Paging constants.
	Style string `json:"style"`
	// Size is the page size asked for.
	Size int `json:"size"`
	// FirstPage is the number of the first page (1, sometimes 0).
	FirstPage   int    `json:"firstPage"`
	PageParam   string `json:"pageParam"`
	SizeParam   string `json:"sizeParam"`
	OffsetParam string `json:"offsetParam"`
	CursorParam string `json:"cursorParam"`
	// Next is the JSON path of the next URL (nexturl) or cursor (cursor).
	Next string `json:"next"`
	// Total is the JSON path of the total count; TotalHeader the header holding it.
	Total       string `json:"total"`
	TotalHeader string `json:"totalHeader"`
	// TotalPages is the JSON path of the number of pages (page style).
	TotalPages string `json:"totalPages"`
}

var nameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// ParseEntities reads the entities option: names separated by commas, or a
// JSON array of Endpoint declarations (a name alone may stand for one).
// Each starts from defaults and is completed by the conventions.
func ParseEntities(text string, defaults Endpoint) ([]Endpoint, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	var out []Endpoint
	if strings.HasPrefix(text, "[") {
		var raw []json.RawMessage
		if err := json.Unmarshal([]byte(text), &raw); err != nil {
			return nil, fmt.Errorf("entities: not a JSON array of entity declarations: %v", err)
		}
		for i, r := range raw {
			ep := defaults.clone()
			var name string
			if json.Unmarshal(r, &name) == nil {
				ep.Name = name
			} else {
				d := json.NewDecoder(strings.NewReader(string(r)))
				d.DisallowUnknownFields()
				if err := d.Decode(&ep); err != nil {
					return nil, fmt.Errorf("entities[%d]: %v: use the keys name, list, item, key, records, updatedAt, since, sortParam, orderParam, paging, create, update, delete, updateMethod, fields, readOnly", i, err)
				}
				if ep.Item != "" {
					ep.itemKnown = true
				}
			}
			out = append(out, ep)
		}
	} else {
		for _, n := range strings.Split(text, ",") {
			if n = strings.TrimSpace(n); n != "" {
				ep := defaults.clone()
				ep.Name = n
				out = append(out, ep)
			}
		}
	}
	seen := map[string]bool{}
	for i := range out {
		if !nameRE.MatchString(out[i].Name) {
			return nil, fmt.Errorf("entities: %q is not a valid entity name: use letters, digits, _, . and -", out[i].Name)
		}
		if seen[out[i].Name] {
			return nil, fmt.Errorf("entities: %q is declared twice", out[i].Name)
		}
		seen[out[i].Name] = true
		out[i] = out[i].complete()
		if err := out[i].check(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// clone copies e, so that declarations do not share slices.
func (e Endpoint) clone() Endpoint {
	e.Fields = append([]meta.Field(nil), e.Fields...)
	e.ReadOnly = append([]string(nil), e.ReadOnly...)
	return e
}

// complete fills what the declaration left empty by the conventions.
func (e Endpoint) complete() Endpoint {
	if e.List == "" {
		e.List = e.Name
	}
	e.List = strings.TrimPrefix(e.List, "/")
	if e.Key == "" {
		e.Key = "id"
	}
	if e.Item == "" {
		e.Item = strings.TrimSuffix(e.List, "/") + "/{key}"
	}
	e.Item = strings.TrimPrefix(e.Item, "/")
	if e.UpdateMethod == "" {
		e.UpdateMethod = "PATCH"
	}
	if e.Create.Method == "" {
		e.Create.Method = "POST"
	}
	if e.Create.Path == "" {
		e.Create.Path = e.List
	}
	if e.Update.Method == "" {
		e.Update.Method = e.UpdateMethod
	}
	if e.Update.Path == "" {
		e.Update.Path = e.Item
	}
	if e.Delete.Method == "" {
		e.Delete.Method = "DELETE"
	}
	if e.Delete.Path == "" {
		e.Delete.Path = e.Item
	}
	for _, m := range []*Method{&e.Create, &e.Update, &e.Delete} {
		m.Method = strings.ToUpper(m.Method)
		m.Path = strings.TrimPrefix(m.Path, "/")
	}
	if e.Paging.Style == "" {
		e.Paging.Style = PagingNone
	}
	if e.Paging.Size <= 0 {
		e.Paging.Size = 100
	}
	return e
}

// check reports what makes the declaration unusable.
func (e Endpoint) check() error {
	switch e.Paging.Style {
	case PagingNone, PagingLink:
	case PagingNextURL, PagingCursor:
		if e.Paging.Next == "" {
			return fmt.Errorf("entity %s: paging %s needs the JSON path of the next link or cursor (paging.next, or the next setting)", e.Name, e.Paging.Style)
		}
		if e.Paging.Style == PagingCursor && e.Paging.CursorParam == "" {
			return fmt.Errorf("entity %s: paging cursor needs the query parameter that sends the cursor back (paging.cursorParam, or the cursorparam setting)", e.Name)
		}
	case PagingPage:
		if e.Paging.PageParam == "" {
			return fmt.Errorf("entity %s: paging page needs the page number parameter (paging.pageParam, or the pageparam setting)", e.Name)
		}
	case PagingOffset:
		if e.Paging.OffsetParam == "" {
			return fmt.Errorf("entity %s: paging offset needs the offset parameter (paging.offsetParam, or the offsetparam setting)", e.Name)
		}
	default:
		return fmt.Errorf("entity %s: unknown paging style %q: use none, link, nexturl, cursor, page or offset", e.Name, e.Paging.Style)
	}
	if e.Since != "" && !strings.Contains(e.Since, "{value}") {
		return fmt.Errorf("entity %s: since %q must contain {value}, e.g. {field}_gte={value}", e.Name, e.Since)
	}
	return nil
}

// readOnly reports whether the API sets the field itself.
func (e Endpoint) readOnly(field string) bool {
	for _, f := range e.ReadOnly {
		if f == field {
			return true
		}
	}
	return field == e.UpdatedAt && field != ""
}

// path expands a path template for the record with key text key: {key} and
// {<key field>} become the path-escaped key.
func (e Endpoint) path(template, key string) string {
	esc := url.PathEscape(key)
	p := strings.ReplaceAll(template, "{key}", esc)
	return strings.ReplaceAll(p, "{"+e.Key+"}", esc)
}

// endpoint returns the resolved declaration of the entity called name.
func (c *Client) endpoint(name string) (Endpoint, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ep, ok := c.endpoints[name]
	return ep, ok
}
