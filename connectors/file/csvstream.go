package file

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/text/transform"

	"switchyard/core/connector"
	"switchyard/core/filter"
	"switchyard/core/meta"
)

// A CSV file is read page by page from where the page before ended, so that
// a read holds one page in memory however large the file is. Its fields'
// types come from a first pass over all its values, kept while the file keeps
// its size and modification time. A page token of such a read is
// "@OFFSET:ROW:SIZE:MTIME": the byte offset and number of the next row, and
// the file's stamp, so that a file that changes during a read is noticed
// rather than read from the middle of a row.

// csvCursor reads the rows of a CSV file after its header.
type csvCursor struct {
	f      *os.File
	r      *csv.Reader
	in     *decodedInput // what the reader reads, when the file is not UTF-8
	base   int64         // the file offset the reader started at
	header []string
	path   string
	comma  rune
	layout fileLayout
	// check: check the text's encoding row by row (a read from the start;
	// a read from an offset goes on from one that was checked).
	check bool
}

// openCSV opens the CSV file called name at byte offset (0: its first row),
// its header read.
func (s csvFolder) openCSV(name string, offset int64) (*csvCursor, error) {
	path := s.path(name)
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errFileGone
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	head := make([]byte, 512)
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	layout, err := s.encoding().layoutOfHead(path, head[:n])
	if err != nil {
		f.Close()
		return nil, err
	}
	c := &csvCursor{f: f, path: path, comma: s.comma, layout: layout, check: offset == 0}
	if err := c.readFrom(int64(len(layout.bom))); err != nil {
		f.Close()
		return nil, err
	}
	header, err := c.r.Read()
	switch {
	case errors.Is(err, io.EOF):
		header = nil
	case err != nil:
		f.Close()
		return nil, c.bad(err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // a byte-order mark from Excel
	}
	if err := c.checkText(header); err != nil {
		f.Close()
		return nil, err
	}
	c.header = header
	if offset > 0 {
		if err := c.readFrom(offset); err != nil {
			f.Close()
			return nil, err
		}
	}
	return c, nil
}

// errFileGone: the CSV file does not exist (any more).
var errFileGone = errors.New("the file does not exist")

// readFrom makes the reader read from the file offset.
func (c *csvCursor) readFrom(offset int64) error {
	if _, err := c.f.Seek(offset, io.SeekStart); err != nil {
		return fmt.Errorf("read %s: %w", c.path, err)
	}
	var src io.Reader = c.f
	c.base, c.in = offset, nil
	if dec := c.layout.decoder(); dec != nil {
		c.in = &decodedInput{r: transform.NewReader(c.f, dec), layout: c.layout, fileAt: offset}
		src = c.in
	}
	r := csv.NewReader(bufio.NewReaderSize(src, 64<<10))
	r.Comma = c.comma
	r.FieldsPerRecord = -1
	c.r = r
	return nil
}

func (c *csvCursor) bad(err error) error {
	return fmt.Errorf("read %s: %w: check that it is CSV with the delimiter %q", c.path, err, string(c.comma))
}

// checkText fails a row whose text is not in the file's encoding, naming the
// line and the setting to set.
func (c *csvCursor) checkText(row []string) error {
	if !c.check {
		return nil
	}
	for i, field := range row {
		if msg := c.layout.check(field); msg != "" {
			line, _ := c.r.FieldPos(i)
			return fmt.Errorf("%s %s at line %d: %s", c.path, msg, line, c.layout.advice())
		}
	}
	return nil
}

// next returns the next row and the file offset after it; io.EOF at the end.
func (c *csvCursor) next() ([]string, int64, error) {
	row, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return nil, 0, io.EOF
	}
	if err != nil {
		return nil, 0, c.bad(err)
	}
	if err := c.checkText(row); err != nil {
		return nil, 0, err
	}
	if c.in != nil {
		return row, c.in.fileOffset(c.r.InputOffset()), nil
	}
	return row, c.base + c.r.InputOffset(), nil
}

func (c *csvCursor) close() { c.f.Close() }

// errNoHeader: the file or sheet has no header row (an empty one is no entity).
var errNoHeader = errors.New("it has no header row naming the fields")

// streamedEntity is a CSV file's entity as a pass over all its rows found it.
type streamedEntity struct {
	stamp  fileStamp
	entity meta.Entity
	header []string
	rows   int          // the rows a read returns
	ct     *columnTypes // what entity was inferred from, for rows appended later
	layout *fileLayout  // how the file\'s text is laid out, once an append has needed it
	// problems are the rows a read leaves out, by their index among the
	// file's rows: few in a file in order, so kept while the file is.
	problems map[int]RecordProblem
	// keys and top are the keys of the rows and the largest whole-number one,
	// once a create has needed them (csvappend.go).
	keys map[string]bool
	top  int64
}

// streamedEntityOf describes the CSV file called name from all its values,
// or returns the description kept from before while the file is unchanged.
// The same pass finds the rows a read leaves out. Under c.mu.
func (c *Client) streamedEntityOf(s csvFolder, name string) (*streamedEntity, error) {
	stamp, err := stampOf(s.path(name))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, c.missing(name)
		}
		return nil, fmt.Errorf("read %s: %w", s.path(name), err)
	}
	if d := c.streamed[name]; d != nil && d.stamp == stamp {
		return d, nil
	}
	cur, err := s.openCSV(name, 0)
	if errors.Is(err, errFileGone) {
		return nil, c.missing(name)
	}
	if err != nil {
		return nil, err
	}
	defer cur.close()
	if len(cur.header) == 0 {
		return nil, fmt.Errorf("read %s: %w", name, errNoHeader)
	}
	ct := newColumnTypes(cur.header, c.kindOf())
	chk := newRowChecker(len(cur.header), c.keyColumn(cur.header), true, func(i int) int { return i + 2 }, 0)
	chk.clone = true
	var problems map[int]RecordProblem
	for i := 0; ; i++ {
		row, _, err := cur.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if p := chk.check(row, i); p != nil {
			if problems == nil {
				problems = map[int]RecordProblem{}
			}
			problems[i] = *p
			continue
		}
		ct.add(row)
	}
	d := &streamedEntity{stamp: stamp, entity: c.entityOf(name, ct), header: cur.header, rows: ct.rows, ct: ct, problems: problems}
	if c.streamed == nil {
		c.streamed = map[string]*streamedEntity{}
	}
	c.streamed[name] = d
	return d, nil
}

// streamPage reads the page of the CSV file q.Entity that token starts, of
// size matching rows, and the problems of the rows it passed that the query
// could match. Under c.mu.
func (c *Client) streamPage(s csvFolder, q connector.Query, token string, size int) (connector.Page, []RecordProblem, error) {
	d, err := c.streamedEntityOf(s, q.Entity)
	if err != nil {
		return connector.Page{}, nil, err
	}
	offset, row, err := d.readToken(s, q.Entity, token)
	if err != nil {
		return connector.Page{}, nil, err
	}
	cond, err := condition(d.entity, q)
	if err != nil {
		return connector.Page{}, nil, err
	}
	cur, err := s.openCSV(q.Entity, offset)
	if errors.Is(err, errFileGone) {
		return connector.Page{}, nil, connector.ReadErr(q.Entity, fmt.Errorf("%s changed during the read: start the read again", s.path(q.Entity)))
	}
	if err != nil {
		return connector.Page{}, nil, err
	}
	defer cur.close()
	t := &table{name: q.Entity, header: cur.header}
	cols := make([]int, len(d.entity.Fields)) // the column of each field
	for i, f := range d.entity.Fields {
		cols[i] = t.column(f.Name)
	}
	page := connector.Page{Total: -1}
	if q.Count && cond == nil {
		page.Total = int64(d.rows)
	}
	var problems []RecordProblem
	wanted := keyPrefilter(c.loc, cond, d.entity, cols)
	for {
		cells, next, err := cur.next()
		if errors.Is(err, io.EOF) {
			return page, problems, nil
		}
		if err != nil {
			return connector.Page{}, nil, connector.ReadErr(q.Entity, err)
		}
		if p, bad := d.problems[int(row)]; bad {
			row++
			if c.problemMatches(p, cells, d.entity, cols, cond, wanted) {
				problems = append(problems, p)
			}
			continue
		}
		if wanted != nil && !wanted(cells) {
			row++
			continue
		}
		rec, err := decodeRow(c.loc, cells, d.entity, cols)
		if err != nil {
			return connector.Page{}, nil, connector.ReadErr(q.Entity, fmt.Errorf("row %d, %w", row+2, err))
		}
		row++
		ok, err := filter.Eval(cond, rec)
		if err != nil {
			return connector.Page{}, nil, connector.ReadErr(q.Entity, fmt.Errorf("apply the filter: %w", err))
		}
		if !ok {
			continue
		}
		page.Records = append(page.Records, rec)
		if len(page.Records) == size {
			// The next page starts after this row, unless the file ends here.
			if _, _, err := cur.next(); errors.Is(err, io.EOF) {
				return page, problems, nil
			}
			page.Next = d.token(next, row)
			return page, problems, nil
		}
	}
}

// token is the page token of the page that starts at byte offset, row row:
// "@offset:row:size:modified", the file's size and time stamping it.
func (d *streamedEntity) token(offset, row int64) string {
	return "@" + strconv.FormatInt(offset, 10) + ":" + strconv.FormatInt(row, 10) + ":" +
		strconv.FormatInt(d.stamp.size, 10) + ":" + strconv.FormatInt(d.stamp.mod.UnixNano(), 10)
}

// readToken reads a page token of entity (see token): the byte offset and
// row the page starts at, both 0 for the first page (token ""). A token of
// another state of the file fails: the read must start again.
func (d *streamedEntity) readToken(s csvFolder, entity, token string) (offset, row int64, err error) {
	if token == "" {
		return 0, 0, nil
	}
	var sz, mod int64
	if n, err := fmt.Sscanf(token, "@%d:%d:%d:%d", &offset, &row, &sz, &mod); err != nil || n != 4 || offset < 0 || row < 0 {
		return 0, 0, connector.ReadErr(entity, fmt.Errorf("page token %q is not valid: start the read again", token))
	}
	if sz != d.stamp.size || mod != d.stamp.mod.UnixNano() {
		return 0, 0, connector.ReadErr(entity, fmt.Errorf("%s changed during the read: start the read again", s.path(entity)))
	}
	return offset, row, nil
}

// problemMatches reports whether the query (cond, and wanted from
// keyPrefilter) could match the row that p leaves out: a row that does not
// fit the header cannot be decoded, and matches unless its key is not one
// asked for; a row whose key repeats matches as its record would.
func (c *Client) problemMatches(p RecordProblem, cells []string, e meta.Entity, cols []int, cond filter.Expr, wanted func([]string) bool) bool {
	if wanted != nil && !wanted(cells) {
		return false
	}
	if !errors.Is(p.Err, ErrRepeatedKey) || cond == nil {
		return true
	}
	rec, err := decodeRow(c.loc, cells, e, cols)
	if err != nil {
		return true
	}
	ok, err := filter.Eval(cond, rec)
	return ok || err != nil
}

// keyPrefilter returns, for a condition that asks only for some values of the
// entity's key (`key in (...)` or `key eq ...`, as an export's read of the
// records it may update), a test of a row's cells that is false only for rows
// the condition cannot match, so that those are neither decoded nor
// evaluated; nil for any other condition. It holds for whole-number and
// text keys compared with literals of their kind, GUIDs in any case.
func keyPrefilter(l locale, cond filter.Expr, e meta.Entity, cols []int) func(cells []string) bool {
	key := e.Key[0]
	var lits []filter.Expr
	switch x := cond.(type) {
	case *filter.In:
		if f, ok := x.X.(*filter.Field); ok && f.Name == key {
			lits = x.List
		}
	case *filter.Compare:
		if f, ok := x.Left.(*filter.Field); ok && f.Name == key && x.Op == filter.Eq {
			lits = []filter.Expr{x.Right}
		}
	}
	col, kf := -1, meta.Field{}
	for i, f := range e.Fields {
		if f.Name == key {
			col, kf = cols[i], f
		}
	}
	if len(lits) == 0 || col < 0 {
		return nil
	}
	canonical := func(v any) (string, bool) {
		switch x := v.(type) {
		case int64:
			return strconv.FormatInt(x, 10), kf.Type == meta.Int
		case string:
			if kf.Type == meta.GUID {
				return strings.ToLower(x), true
			}
			return x, kf.Type == meta.String
		}
		return "", false
	}
	set := make(map[string]bool, len(lits))
	for _, l := range lits {
		lit, ok := l.(*filter.Literal)
		if !ok {
			return nil
		}
		var v any
		switch {
		case lit.Value.Kind == filter.KindInt && kf.Type == meta.Int:
			v = lit.Value.Int
		case lit.Value.Kind == filter.KindString && kf.Type == meta.String,
			(lit.Value.Kind == filter.KindGUID || lit.Value.Kind == filter.KindString) && kf.Type == meta.GUID:
			v = lit.Value.Text
		default:
			return nil // another kind of literal: compared as filter.Eval compares
		}
		k, ok := canonical(v)
		if !ok {
			return nil
		}
		set[k] = true
	}
	return func(cells []string) bool {
		cell := ""
		if col < len(cells) {
			cell = cells[col]
		}
		v, err := l.decode(kf.Type, cell)
		if err != nil {
			return true // decoding the row tells what is wrong
		}
		k, ok := canonical(v)
		return !ok || set[k]
	}
}
