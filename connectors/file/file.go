// Package file is the connector to files: a folder of CSV files (one per
// entity, ENTITY.csv) or an Excel workbook (one sheet per entity). The first
// row holds the field names; types are inferred from the values; records
// are read in pages and written back to the file (atomically, by renaming a
// new copy over it).
package file

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"switchyard/core/connector"
	"switchyard/core/meta"
	"switchyard/core/spec"
)

// Name is the connector's identifier in integration files.
const Name = "file"

// The values of the format option.
const (
	FormatAuto = "auto"
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

var options = spec.Options{
	{Key: "path", Label: "Folder or workbook", Kind: spec.KindString, Required: true,
		Help: "A folder of CSV files (one per entity, named ENTITY.csv) or an Excel workbook (.xlsx, one sheet per entity)."},
	{Key: "format", Label: "Format", Kind: spec.KindEnum, Default: FormatAuto, Choices: []string{FormatAuto, FormatCSV, FormatXLSX},
		Help: "auto (a folder is CSV, a .xlsx file a workbook), csv or xlsx."},
	{Key: "delimiter", Label: "CSV delimiter", Kind: spec.KindString, Default: ",", Advanced: true,
		Help: `The character between CSV fields: "," (default), ";" or "\t" for a tab.`},
	{Key: "key", Label: "Key field", Kind: spec.KindString, Default: "id",
		Help: "The column that identifies a row; an entity without it is keyed by its first column."},
}

func init() {
	connector.Register(connector.Info{
		Name:        Name,
		Title:       "CSV or Excel files",
		Description: "A folder of CSV files or an Excel workbook: one file or sheet per entity, the first row naming the fields.",
		Options:     options,
		New: func(ctx context.Context, v spec.Values) (connector.Connector, error) {
			return Open(ctx, v)
		},
	})
}

// Client is an open file connector.
type Client struct {
	src  source
	path string
	key  string

	mu sync.Mutex // one read or write of the files at a time
	// read is the last read's matching records, for its next pages while the
	// file stays as it was (readwrite.go).
	read *cachedRead
	// streamed are the CSV files' entities as their last pass found them (csvstream.go).
	streamed map[string]*streamedEntity
}

var (
	_ connector.Connector = (*Client)(nil)
	_ connector.Tester    = (*Client)(nil)
	_ connector.Reader    = (*Client)(nil)
	_ connector.Writer    = (*Client)(nil)
)

// Open checks the settings and that the folder or workbook exists.
func Open(_ context.Context, v spec.Values) (*Client, error) {
	v = options.WithDefaults(v)
	if err := options.Validate(v); err != nil {
		return nil, fmt.Errorf("check file settings: %w", err)
	}
	path := strings.TrimSpace(v["path"])
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w: check the path setting", path, err)
	}
	format := v["format"]
	if format == FormatAuto {
		format = FormatXLSX
		if fi.IsDir() {
			format = FormatCSV
		}
	}
	c := &Client{path: path, key: strings.TrimSpace(v["key"])}
	switch {
	case format == FormatCSV && fi.IsDir():
		d := strings.ReplaceAll(v["delimiter"], `\t`, "\t")
		r, n := utf8.DecodeRuneInString(d)
		if n == 0 || n != len(d) || r == '"' || r == '\n' || r == '\r' {
			return nil, fmt.Errorf("check file settings: delimiter must be one character other than a quote or line break, not %q", v["delimiter"])
		}
		c.src = csvFolder{dir: path, comma: r}
	case format == FormatXLSX && !fi.IsDir():
		if !strings.EqualFold(filepath.Ext(path), ".xlsx") {
			return nil, fmt.Errorf("open %s: an Excel workbook must be a .xlsx file (save .xls and .ods as .xlsx first)", path)
		}
		c.src = workbook{path: path}
	default:
		return nil, fmt.Errorf("open %s: format %s needs %s", path, format, map[string]string{FormatCSV: "a folder of .csv files", FormatXLSX: "an .xlsx file"}[format])
	}
	return c, nil
}

// Close drops the records kept for a read's next pages; files are opened for
// each read and write.
func (c *Client) Close() error {
	c.mu.Lock()
	c.read, c.streamed = nil, nil
	c.mu.Unlock()
	return nil
}

// Catalog returns one entity per CSV file or sheet, fields named by the
// header row and typed from the values, keyed by the key setting's column
// (or the first column).
func (c *Client) Catalog(ctx context.Context) ([]meta.Entity, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	names, err := c.src.names()
	if err != nil {
		return nil, err
	}
	out := make([]meta.Entity, 0, len(names))
	for _, n := range names {
		if csv, ok := c.src.(csvFolder); ok { // described as it streams, not loaded whole
			d, err := c.streamedEntityOf(csv, n)
			switch {
			case errors.Is(err, errNoHeader):
				continue // an empty file is no entity
			case err != nil:
				return nil, err
			}
			out = append(out, d.entity)
			continue
		}
		t, err := c.src.load(n)
		if err != nil {
			return nil, err
		}
		if len(t.header) == 0 {
			continue // an empty file or sheet is no entity
		}
		out = append(out, c.describe(t))
	}
	return out, nil
}

// Test reads the catalog and counts the rows.
func (c *Client) Test(ctx context.Context) (connector.Report, error) {
	cat, err := c.Catalog(ctx)
	if err != nil {
		return connector.Report{}, err
	}
	r := connector.Report{System: "CSV folder", Entities: len(cat)}
	if _, ok := c.src.(workbook); ok {
		r.System = "Excel workbook"
	}
	for _, e := range cat {
		r.Details = append(r.Details, fmt.Sprintf("%s: %d fields, key %s", e.Name, len(e.Fields), e.Key[0]))
	}
	return r, nil
}

// describe infers t's entity.
func (c *Client) describe(t *table) meta.Entity {
	ct := newColumnTypes(t.header)
	for _, r := range t.rows {
		ct.add(r)
	}
	return c.entityOf(t.name, ct)
}

// columnTypes infers the types of a table's columns from their values, one
// row after the other: the narrowest type that holds every value.
type columnTypes struct {
	header   []string
	types    []meta.Type
	nullable []bool
	rows     int
}

func newColumnTypes(header []string) *columnTypes {
	return &columnTypes{header: header, types: make([]meta.Type, len(header)), nullable: make([]bool, len(header))}
}

// add takes the values of a row.
func (ct *columnTypes) add(row []string) {
	ct.rows++
	for i := range ct.header {
		s := ""
		if i < len(row) {
			s = strings.TrimSpace(row[i])
		}
		if s == "" {
			ct.nullable[i] = true
			continue
		}
		ct.types[i] = widen(ct.types[i], kindOf(s))
	}
}

// entityOf is the entity called name with the columns of ct, keyed by the
// key setting's column (or the first column).
func (c *Client) entityOf(name string, ct *columnTypes) meta.Entity {
	key := c.key
	if !slices.Contains(ct.header, key) {
		key = ct.header[0]
	}
	e := meta.Entity{Name: name, Key: []string{key}}
	for i, h := range ct.header {
		if h == "" {
			continue
		}
		typ := ct.types[i]
		if typ == "" {
			typ = meta.String
		}
		e.Fields = append(e.Fields, meta.Field{Name: h, Type: typ, Nullable: ct.nullable[i] && h != key})
	}
	return e
}

// table loads the entity called name and describes it.
func (c *Client) table(name string) (*table, meta.Entity, error) {
	names, err := c.src.names()
	if err != nil {
		return nil, meta.Entity{}, err
	}
	found := false
	for _, n := range names {
		found = found || n == name
	}
	if !found {
		return nil, meta.Entity{}, fmt.Errorf("find entity %q: %s has no such file or sheet: refresh the catalog and check the mapping", name, c.path)
	}
	t, err := c.src.load(name)
	if err != nil {
		return nil, meta.Entity{}, err
	}
	if len(t.header) == 0 {
		return nil, meta.Entity{}, fmt.Errorf("read %s: it has no header row naming the fields", name)
	}
	return t, c.describe(t), nil
}
