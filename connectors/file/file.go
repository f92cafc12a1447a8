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
	{Key: "encoding", Label: "CSV encoding", Kind: spec.KindEnum, Default: EncodingUTF8, Advanced: true,
		Choices: []string{EncodingUTF8, EncodingUTF16, EncodingWindows1252, EncodingLatin1},
		Help:    "How the text of the CSV files is encoded: utf-8 (default; a byte-order mark is skipped), utf-16 (with a byte-order mark, as Excel's Unicode text), windows-1252 or latin-1 (ISO-8859-1). Files are written back in it.",
		Doc:     "UTF-16 is little- or big-endian by its byte-order mark, little-endian without one."},
	{Key: "decimal", Label: "CSV decimal separator", Kind: spec.KindEnum, Default: DecimalPoint, Advanced: true,
		Choices: []string{DecimalPoint, DecimalComma},
		Help:    `The decimal separator of numbers in CSV files: "." (default) or ","; with ",", "." or a space may separate thousands on read (none are written).`,
		Doc:     "Thousands are read in groups of three, a no-break space too: 1.234,56 and 1 234,56 are 1234.56."},
	{Key: "dateformat", Label: "CSV date format", Kind: spec.KindString, Default: DateISO, Advanced: true,
		Help: "How CSV files write dates: YYYY-MM-DD (default, ISO 8601), DD.MM.YYYY, DD/MM/YYYY, MM/DD/YYYY, DD-MM-YYYY or a Go layout such as 02.01.2006; date-times are the date, a space and the time of day in UTC. ISO 8601 is read too.",
		Doc:  "Days and months of one digit are read too (1.2.2024); the time of day has a fraction of a second when there is one."},
}

// untypedColumn is the ExternalType of a column that holds no values yet:
// its Type is string, and a write may put any value in it.
const untypedColumn = "untyped"

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
	// loc is how a CSV folder writes numbers and dates (the zero locale for
	// a workbook); enc its encoding ("" for a workbook).
	loc locale
	enc textEncoding

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
		loc, err := newLocale(v["decimal"], v["dateformat"])
		if err != nil {
			return nil, fmt.Errorf("check file settings: %w", err)
		}
		c.loc, c.enc = loc, textEncoding(v["encoding"])
		c.src = csvFolder{dir: path, comma: r, enc: c.enc}
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
		line := fmt.Sprintf("%s: %d fields, key %s", e.Name, len(e.Fields), e.Key[0])
		if n, first := c.problemsOf(e.Name); n > 0 {
			line += "; " + summary(n, first)
		}
		r.Details = append(r.Details, line)
	}
	return r, nil
}

// problemsOf counts the rows a read of entity leaves out, and returns the first.
func (c *Client) problemsOf(entity string) (int, RecordProblem) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var rows map[int]RecordProblem
	if csv, ok := c.src.(csvFolder); ok {
		d, err := c.streamedEntityOf(csv, entity)
		if err != nil {
			return 0, RecordProblem{}
		}
		rows = d.problems
	} else {
		t, err := c.src.load(entity)
		if err != nil || len(t.header) == 0 {
			return 0, RecordProblem{}
		}
		c.describe(t)
		rows = t.problems
	}
	first := RecordProblem{Row: -1}
	for _, p := range rows {
		if first.Row < 0 || p.Row < first.Row {
			first = p
		}
	}
	return len(rows), first
}

// kindOf is how the client types a value: kindOf, or as its locale writes it.
func (c *Client) kindOf() func(string) meta.Type {
	if c.loc.plain() {
		return kindOf
	}
	return c.loc.kind
}

// keyColumn is the column of header that keys its rows: the key setting's,
// or the first.
func (c *Client) keyColumn(header []string) int {
	return max(0, slices.Index(header, c.key))
}

// describe infers t's entity from its rows, and finds the rows a read
// leaves out (t.problems), which tell nothing of the types.
func (c *Client) describe(t *table) meta.Entity {
	ct := newColumnTypes(t.header, c.kindOf())
	kc := c.keyColumn(t.header)
	chk := newRowChecker(len(t.header), kc, t.lines == nil, t.rowNumber, len(t.rows))
	t.problems = nil
	for i, r := range t.rows {
		if p := chk.check(r, i); p != nil {
			if t.problems == nil {
				t.problems = map[int]RecordProblem{}
			}
			t.problems[i] = *p
			continue
		}
		ct.add(r)
	}
	// The rows by key, for a write: the first with a key, as a read has it;
	// a row that does not fit the header has its key too (it is taken).
	t.index = chk.seen
	for i, p := range t.problems {
		if k := keyText(t.rows[i], kc); k != "" && errors.Is(p.Err, ErrRowWidth) {
			if j, ok := t.index[k]; !ok || (i < j && t.problems[j].Err != nil) {
				t.index[k] = i
			}
		}
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
	kind     func(string) meta.Type // kindOf, or a locale's
}

func newColumnTypes(header []string, kind func(string) meta.Type) *columnTypes {
	return &columnTypes{header: header, types: make([]meta.Type, len(header)), nullable: make([]bool, len(header)), kind: kind}
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
		ct.types[i] = meta.Widen(ct.types[i], ct.kind(s))
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
		f := meta.Field{Name: h, Type: ct.types[i], Nullable: ct.nullable[i] && h != key}
		if f.Type == "" { // no values yet: text, and a write may put anything in it
			f.Type, f.ExternalType, f.Nullable = meta.String, untypedColumn, h != key
		}
		e.Fields = append(e.Fields, f)
	}
	return e
}

// noEntityError: no file or sheet holds the entity.
type noEntityError struct{ msg string }

func (e *noEntityError) Error() string { return e.msg }

// missing is the error for the entity called name that no file or sheet
// holds: it names the file and the entities there are.
func (c *Client) missing(name string) error {
	names, err := c.src.names()
	if err != nil {
		return err
	}
	if _, ok := c.src.(csvFolder); ok {
		if len(names) == 0 {
			return &noEntityError{fmt.Sprintf("%s does not exist, and the folder %s has no CSV files: check the path setting", c.src.file(name), c.path)}
		}
		return &noEntityError{fmt.Sprintf("%s does not exist; the folder's entities are %s: refresh the catalog and check the mapping", c.src.file(name), strings.Join(names, ", "))}
	}
	if len(names) == 0 {
		return &noEntityError{fmt.Sprintf("workbook %s has no sheets", c.path)}
	}
	return &noEntityError{fmt.Sprintf("workbook %s has no sheet %q; its sheets are %s: refresh the catalog and check the mapping", c.path, name, strings.Join(names, ", "))}
}

// table loads the entity called name and describes it.
func (c *Client) table(name string) (*table, meta.Entity, error) {
	names, err := c.src.names()
	if err != nil {
		return nil, meta.Entity{}, err
	}
	if !slices.Contains(names, name) {
		return nil, meta.Entity{}, c.missing(name)
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
