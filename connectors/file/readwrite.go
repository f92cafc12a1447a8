package file

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"switchyard/core/connector"
	"switchyard/core/filter"
	"switchyard/core/meta"
)

// defaultPageSize is the page size when the query names none.
const defaultPageSize = 500

// ReadPage reads one page of the file or sheet q.Entity. Filters and Since
// (on a date or date-time column, ordered by it and then the key) are applied
// in Go. A CSV file read without Since is read page by page from where the
// page before ended (csvstream.go). Otherwise the token is the index of the
// next matching row ("" is 0), and the matching records are kept for the
// read's next pages as long as the file keeps its size and modification
// time; a page thus reflects the file as it is, without reading and decoding
// all of it again for every page.
//
// Rows a read cannot take whole (problems.go) are left out of the pages and
// handed on as Page.Problems (each a failed record of the run), and written
// to the connection log.
func (c *Client) ReadPage(ctx context.Context, q connector.Query, token string) (connector.Page, error) {
	page, problems, err := c.readPage(q, token)
	if err != nil {
		return page, err
	}
	for _, p := range problems {
		page.Problems = append(page.Problems, connector.RecordProblem(p))
	}
	report(ctx, q.Entity, problems) // and in the connection log
	return page, nil
}

// readPage is ReadPage, with the problems of the rows the page passed.
func (c *Client) readPage(q connector.Query, token string) (connector.Page, []RecordProblem, error) {
	size := q.PageSize
	if size <= 0 {
		size = defaultPageSize
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	page, problems, err := c.readPageLocked(q, token, size)
	var gone *noEntityError
	if errors.As(err, &gone) && isKeyList(q) {
		// A read of some keys (what an export asks before it writes) finds
		// none in a file that is not there: the export creates it.
		return connector.Page{Total: -1}, nil, nil
	}
	if errors.As(err, &gone) {
		err = connector.ReadErr(q.Entity, err)
	}
	return page, problems, err
}

// isKeyList reports whether the filter of q asks for a list of values of one
// field, "field in (…)", as the engine reads records by key.
func isKeyList(q connector.Query) bool {
	x, err := q.Condition()
	if err != nil {
		return false
	}
	in, ok := x.(*filter.In)
	if !ok {
		return false
	}
	_, ok = in.X.(*filter.Field)
	return ok
}

func (c *Client) readPageLocked(q connector.Query, token string, size int) (connector.Page, []RecordProblem, error) {
	if csv, ok := c.src.(csvFolder); ok && q.Since.IsZero() {
		return c.streamPage(csv, q, token, size)
	}
	start := 0
	if token != "" {
		var err error
		if start, err = strconv.Atoi(token); err != nil || start < 0 {
			return connector.Page{}, nil, connector.ReadErr(q.Entity, fmt.Errorf("page token %q is not valid: start the read again", token))
		}
	}
	all, err := c.matching(q)
	if err != nil {
		return connector.Page{}, nil, err
	}
	page := connector.Page{Total: -1}
	if q.Count {
		page.Total = int64(len(all.records))
	}
	if start < len(all.records) {
		page.Records = all.records[start:min(start+size, len(all.records))]
	}
	var problems []RecordProblem
	if start == 0 {
		problems = all.problems // with the first page
	}
	if start+size < len(all.records) {
		page.Next = strconv.Itoa(start + size)
	} else {
		c.read = nil // the last page: nothing to keep
	}
	return page, problems, nil
}

// cachedRead is what a read matched in a file as it was.
type cachedRead struct {
	entity, filter, cursor string
	since                  time.Time
	stamp                  fileStamp
	matched
}

// matched are the records a read matched, and the problems of the rows it
// left out that it could have matched.
type matched struct {
	records  []meta.Record
	problems []RecordProblem
}

// matching returns the records of q.Entity that q matches, in order: those
// kept from the read's page before when the file is unchanged. Under c.mu.
func (c *Client) matching(q connector.Query) (matched, error) {
	stamp, stampErr := stampOf(c.src.file(q.Entity))
	if r := c.read; r != nil && stampErr == nil && r.stamp == stamp && r.entity == q.Entity &&
		r.filter == q.Filter && r.cursor == q.CursorField && r.since.Equal(q.Since) {
		return r.matched, nil
	}
	c.read = nil
	t, e, err := c.table(q.Entity)
	if err != nil {
		return matched{}, err
	}
	cond, err := condition(e, q)
	if err != nil {
		return matched{}, err
	}
	cols := make([]int, len(e.Fields)) // the column of each field
	for i, f := range e.Fields {
		cols[i] = t.column(f.Name)
	}
	var all matched
	wanted := keyPrefilter(c.loc, cond, e, cols)
	for r := range t.rows {
		if p, bad := t.problems[r]; bad {
			if c.problemMatches(p, t.rows[r], e, cols, cond, wanted) {
				all.problems = append(all.problems, p)
			}
			continue
		}
		rec, err := decodeRow(c.loc, t.rows[r], e, cols)
		if err != nil {
			return matched{}, connector.ReadErr(q.Entity, fmt.Errorf("row %d, %w", t.rowNumber(r), err))
		}
		ok, err := filter.Eval(cond, rec)
		if err != nil {
			return matched{}, connector.ReadErr(q.Entity, fmt.Errorf("apply the filter: %w", err))
		}
		if ok {
			all.records = append(all.records, rec)
		}
	}
	if !q.Since.IsZero() {
		cursor, key := cursorOf(e, q), e.Key[0]
		sort.SliceStable(all.records, func(i, j int) bool {
			a, _ := all.records[i][cursor].(time.Time)
			b, _ := all.records[j][cursor].(time.Time)
			if !a.Equal(b) {
				return a.Before(b)
			}
			return fmt.Sprint(all.records[i][key]) < fmt.Sprint(all.records[j][key])
		})
	}
	if stampErr == nil {
		c.read = &cachedRead{entity: q.Entity, filter: q.Filter, cursor: q.CursorField, since: q.Since, stamp: stamp, matched: all}
	}
	return all, nil
}

// cursorOf is the change cursor of an incremental read.
func cursorOf(e meta.Entity, q connector.Query) string {
	if q.CursorField != "" {
		return q.CursorField
	}
	for _, n := range []string{"modifiedon", "updatedAt", "updated_at", "modified"} {
		if _, ok := e.Field(n); ok {
			return n
		}
	}
	return ""
}

// condition is q's filter and Since as one condition.
func condition(e meta.Entity, q connector.Query) (filter.Expr, error) {
	var terms []filter.Expr
	x, err := q.Condition()
	if err != nil {
		return nil, connector.ReadErr(e.Name, fmt.Errorf("filter %q: %w", q.Filter, err))
	}
	if x != nil {
		terms = append(terms, x)
	}
	if !q.Since.IsZero() {
		cursor := cursorOf(e, q)
		f, ok := e.Field(cursor)
		if !ok || (f.Type != meta.DateTime && f.Type != meta.Date) {
			return nil, fmt.Errorf("read %s incrementally: no date-time column %q: name the column that holds each row's last change", e.Name, cursor)
		}
		terms = append(terms, &filter.Compare{Op: filter.Ge, Left: &filter.Field{Name: cursor}, Right: &filter.Literal{Value: filter.DateTimeValue(q.Since.Add(-q.Overlap))}})
	}
	return filter.AllOf(terms...), nil
}

// decodeRow converts the cells of a row into a record of e's types, as l
// writes them; cols holds the column of each of e's fields (-1 for none).
func decodeRow(l locale, cells []string, e meta.Entity, cols []int) (meta.Record, error) {
	rec := make(meta.Record, len(e.Fields))
	plain := l.plain()
	for i, f := range e.Fields {
		cell := ""
		if c := cols[i]; c >= 0 && c < len(cells) {
			cell = cells[c]
		}
		var v any
		var err error
		if plain {
			v, err = decodeCell(f.Type, cell)
		} else {
			v, err = l.decode(f.Type, cell)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		rec[f.Name] = v
	}
	return rec, nil
}

// Write creates, updates, upserts or deletes rows and writes the file or
// sheet back once for the whole batch. A create without a key gets the next
// whole number when the key column holds numbers, else a new GUID. Fields
// the file lacks become new columns. An update or delete of a key not in the
// file fails with connector.ErrDeleted; a create of a key already there fails.
// A create or upsert into a file or sheet that does not exist makes it, with
// a header of the key column and the records' fields. A cell whose value
// does not change keeps its text.
func (c *Client) Write(ctx context.Context, entity string, op connector.Op, recs []meta.Record) ([]connector.Result, error) {
	switch op {
	case connector.Create, connector.Update, connector.Delete, connector.Upsert:
	default:
		return nil, fmt.Errorf("write %s: operation %q: %w", entity, op, connector.ErrUnsupported)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if csv, isCSV := c.src.(csvFolder); isCSV && op == connector.Create {
		if results, ok, err := c.appendCreates(csv, entity, recs); ok {
			return results, err
		}
	}
	t, e, err := c.table(entity)
	var gone *noEntityError
	if errors.As(err, &gone) && (op == connector.Create || op == connector.Upsert) {
		t, e, err = c.newTable(entity, recs)
	}
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", entity, err)
	}
	index := t.index // the first of rows that share a key, as a read has it
	kf, _ := e.Field(e.Key[0])
	results := make([]connector.Result, len(recs))
	deleted := map[int]bool{}
	keys := &keyMaker{numbered: numberedKeys(kf)}
	for i, rec := range recs {
		res, err := c.writeRow(t, e, kf, index, deleted, keys, op, rec)
		if err != nil {
			res.Err = fmt.Errorf("%s record %d of %s: %w", op, i+1, entity, err)
		}
		results[i] = res
	}
	t.drop(deleted)
	types := func() []meta.Type { // the types of the columns as the batch leaves them
		out := make([]meta.Type, len(t.header))
		after := c.describe(t)
		for i, h := range t.header {
			if f, ok := after.Field(h); ok && f.ExternalType != untypedColumn {
				out[i] = f.Type
			}
		}
		return out
	}
	c.read = nil // the file changes
	delete(c.streamed, entity)
	if err := c.src.save(t, types); err != nil {
		return nil, err
	}
	return results, nil
}

// newTable is the table of a file or sheet called name that does not exist
// yet, for recs to be written into: a header of the key column (the key
// setting's) and then the records' fields, in order of name.
func (c *Client) newTable(name string, recs []meta.Record) (*table, meta.Entity, error) {
	seen := map[string]bool{c.key: true}
	header := []string{c.key}
	var rest []string
	for _, rec := range recs {
		for _, f := range connector.BusinessFields(rec) {
			if !seen[f] {
				seen[f] = true
				rest = append(rest, f)
			}
		}
	}
	sort.Strings(rest)
	t := &table{name: name, header: append(header, rest...)}
	if _, ok := c.src.(workbook); ok {
		t.lines = []int{}
	}
	return t, c.describe(t), nil
}

// writeRow applies one record to t, setting only the cells whose value changes.
func (c *Client) writeRow(t *table, e meta.Entity, kf meta.Field, index map[string]int, deleted map[int]bool, keys *keyMaker, op connector.Op, rec meta.Record) (connector.Result, error) {
	key := ""
	if v := rec[kf.Name]; v != nil {
		s, err := c.loc.encode(kf, v, false)
		if err != nil {
			return connector.Result{}, err
		}
		key = s
	}
	if op != connector.Create && key == "" {
		return connector.Result{}, fmt.Errorf("the key field %s is empty", kf.Name)
	}
	r, found := index[keyText([]string{key}, 0)]
	if found && deleted[r] {
		found = false
	}
	res := connector.Result{Key: key}
	switch {
	case op == connector.Delete || op == connector.Update:
		if !found {
			return res, fmt.Errorf("%w: no row has %s %s", connector.ErrDeleted, kf.Name, key)
		}
		if p, bad := t.problems[r]; bad && errors.Is(p.Err, ErrRowWidth) {
			return res, fmt.Errorf("%s: correct the file first", p.Err)
		}
		if op == connector.Delete {
			deleted[r] = true
			return res, nil
		}
	case op == connector.Create && found:
		return res, fmt.Errorf("a row with %s %s exists already", kf.Name, key)
	case found:
		if p, bad := t.problems[r]; bad && errors.Is(p.Err, ErrRowWidth) {
			return res, fmt.Errorf("%s: correct the file first", p.Err)
		}
	}
	type cell struct{ name, text string }
	var cells []cell // in the order of the fields' names, which new columns take
	if err := c.encodeFields(e, rec, func(name, s string) { cells = append(cells, cell{name, s}) }); err != nil {
		return res, err
	}
	for _, cl := range cells {
		if name := cl.name; t.column(name) < 0 {
			if p, bad := t.widthProblem(); bad {
				return res, fmt.Errorf("field %s needs a new column, and %s: correct that row first", name, p.Err)
			}
		}
	}
	if !found {
		if key == "" {
			key = keys.next(index)
			cells = append(cells, cell{kf.Name, key})
		} else if keys.scanned {
			keys.saw(key)
		}
		r = t.addRow()
		index[keyText([]string{key}, 0)] = r
		res.Key, res.Created = key, op == connector.Upsert
	}
	for _, cl := range cells {
		name, s := cl.name, cl.text
		i := columnFor(t, name)
		if f, ok := e.Field(name); found && ok && c.loc.sameText(f.Type, t.cell(r, i), s) {
			continue // the same value: the cell keeps its text
		}
		if found || s != "" {
			t.set(r, i, s)
		}
	}
	return res, nil
}

// encodeFields encodes the business fields of rec as cells, each as its
// field of e (text when e has no such field), and hands them to put. A value
// the file's encoding cannot write fails the record.
func (c *Client) encodeFields(e meta.Entity, rec meta.Record, put func(name, cell string)) error {
	for _, name := range connector.BusinessFields(rec) {
		f, ok := e.Field(name)
		if !ok {
			f = meta.Field{Name: name, Type: meta.String}
		}
		s, err := c.loc.encode(f, rec[name], !ok || f.ExternalType == untypedColumn)
		if err != nil {
			return err
		}
		if !ok {
			if err := c.enc.checkWritable(name, name); err != nil {
				return fmt.Errorf("a new column: %w", err)
			}
		}
		if err := c.enc.checkWritable(name, s); err != nil {
			return err
		}
		put(name, s)
	}
	return nil
}

// columnFor returns the column of name, adding it to the header when it is new.
func columnFor(t *table, name string) int {
	if i := t.column(name); i >= 0 {
		return i
	}
	t.header = append(t.header, name)
	return len(t.header) - 1
}

// numberedKeys reports whether new rows get whole numbers as keys: when the
// key column holds whole numbers, or nothing yet; else they get GUIDs.
func numberedKeys(kf meta.Field) bool {
	return kf.Type == meta.Int || kf.ExternalType == untypedColumn
}

// keyMaker makes the keys of a batch's new rows: the next whole number
// after the largest key (found once) when keys are numbered, else new GUIDs.
type keyMaker struct {
	numbered, scanned bool
	top               int64
}

// next returns a new key for a row of t, whose keys index holds.
func (m *keyMaker) next(index map[string]int) string {
	if !m.numbered {
		return meta.NewGUID()
	}
	if !m.scanned {
		for k := range index {
			m.saw(k)
		}
		m.scanned = true
	}
	m.top++
	return strconv.FormatInt(m.top, 10)
}

// saw takes note of the key of a row.
func (m *keyMaker) saw(key string) {
	if n, err := strconv.ParseInt(key, 10, 64); err == nil && n > m.top {
		m.top = n
	}
}
