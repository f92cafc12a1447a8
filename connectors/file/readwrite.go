package file

import (
	"context"
	"crypto/rand"
	"fmt"
	"sort"
	"strconv"
	"strings"
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
func (c *Client) ReadPage(ctx context.Context, q connector.Query, token string) (connector.Page, error) {
	size := q.PageSize
	if size <= 0 {
		size = defaultPageSize
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if csv, ok := c.src.(csvFolder); ok && q.Since.IsZero() {
		return c.streamPage(csv, q, token, size)
	}
	start := 0
	if token != "" {
		var err error
		if start, err = strconv.Atoi(token); err != nil || start < 0 {
			return connector.Page{}, fmt.Errorf("read %s: page token %q is not valid: start the read again", q.Entity, token)
		}
	}
	all, err := c.matching(q)
	if err != nil {
		return connector.Page{}, err
	}
	page := connector.Page{Total: -1}
	if q.Count {
		page.Total = int64(len(all))
	}
	if start < len(all) {
		page.Records = all[start:min(start+size, len(all))]
	}
	if start+size < len(all) {
		page.Next = strconv.Itoa(start + size)
	} else {
		c.read = nil // the last page: nothing to keep
	}
	return page, nil
}

// cachedRead is what a read matched in a file as it was.
type cachedRead struct {
	entity, filter, cursor string
	since                  time.Time
	stamp                  fileStamp
	records                []meta.Record
}

// matching returns the records of q.Entity that q matches, in order: those
// kept from the read's page before when the file is unchanged. Under c.mu.
func (c *Client) matching(q connector.Query) ([]meta.Record, error) {
	stamp, stampErr := stampOf(c.src.file(q.Entity))
	if r := c.read; r != nil && stampErr == nil && r.stamp == stamp && r.entity == q.Entity &&
		r.filter == q.Filter && r.cursor == q.CursorField && r.since.Equal(q.Since) {
		return r.records, nil
	}
	c.read = nil
	t, e, err := c.table(q.Entity)
	if err != nil {
		return nil, err
	}
	cond, err := condition(e, q)
	if err != nil {
		return nil, err
	}
	cols := make([]int, len(e.Fields)) // the column of each field
	for i, f := range e.Fields {
		cols[i] = t.column(f.Name)
	}
	var all []meta.Record
	for r := range t.rows {
		rec, err := decodeRow(t.rows[r], e, cols)
		if err != nil {
			return nil, fmt.Errorf("read %s: row %d, %w", q.Entity, r+2, err)
		}
		ok, err := filter.Eval(cond, rec)
		if err != nil {
			return nil, fmt.Errorf("read %s: apply the filter: %w", q.Entity, err)
		}
		if ok {
			all = append(all, rec)
		}
	}
	if !q.Since.IsZero() {
		cursor, key := cursorOf(e, q), e.Key[0]
		sort.SliceStable(all, func(i, j int) bool {
			a, _ := all[i][cursor].(time.Time)
			b, _ := all[j][cursor].(time.Time)
			if !a.Equal(b) {
				return a.Before(b)
			}
			return fmt.Sprint(all[i][key]) < fmt.Sprint(all[j][key])
		})
	}
	if stampErr == nil {
		c.read = &cachedRead{entity: q.Entity, filter: q.Filter, cursor: q.CursorField, since: q.Since, stamp: stamp, records: all}
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
	if strings.TrimSpace(q.Filter) != "" {
		x, err := filter.Parse(q.Filter)
		if err != nil {
			return nil, fmt.Errorf("read %s: filter %q: %w", e.Name, q.Filter, err)
		}
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
	switch len(terms) {
	case 0:
		return nil, nil
	case 1:
		return terms[0], nil
	}
	return &filter.Logical{Op: filter.And, Terms: terms}, nil
}

// decodeRow converts the cells of a row into a record of e's types; cols
// holds the column of each of e's fields (-1 for none).
func decodeRow(cells []string, e meta.Entity, cols []int) (meta.Record, error) {
	rec := make(meta.Record, len(e.Fields))
	for i, f := range e.Fields {
		cell := ""
		if c := cols[i]; c >= 0 && c < len(cells) {
			cell = cells[c]
		}
		v, err := decodeCell(f.Type, cell)
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
	if err != nil {
		return nil, err
	}
	key := e.Key[0]
	kc := t.column(key)
	index := map[string]int{}
	for r := range t.rows {
		index[strings.TrimSpace(t.cell(r, kc))] = r
	}
	kf, _ := e.Field(key)
	results := make([]connector.Result, len(recs))
	deleted := map[int]bool{}
	for i, rec := range recs {
		res, err := c.writeRow(t, e, kf, index, deleted, op, rec)
		if err != nil {
			res.Err = fmt.Errorf("%s record %d of %s: %w", op, i+1, entity, err)
		}
		results[i] = res
	}
	if len(deleted) > 0 {
		kept := t.rows[:0]
		for r, row := range t.rows {
			if !deleted[r] {
				kept = append(kept, row)
			}
		}
		t.rows = kept
	}
	numeric := func() []bool { // the types of the columns as the batch leaves them
		out := make([]bool, len(t.header))
		after := c.describe(t)
		for i, h := range t.header {
			if f, ok := after.Field(h); ok {
				out[i] = f.Type == meta.Int || f.Type == meta.Decimal || f.Type == meta.Double
			}
		}
		return out
	}
	c.read = nil // the file changes
	delete(c.streamed, entity)
	if err := c.src.save(t, numeric); err != nil {
		return nil, err
	}
	return results, nil
}

// writeRow applies one record to t.
func (c *Client) writeRow(t *table, e meta.Entity, kf meta.Field, index map[string]int, deleted map[int]bool, op connector.Op, rec meta.Record) (connector.Result, error) {
	key := ""
	if v := rec[kf.Name]; v != nil {
		s, err := encodeCell(kf, v)
		if err != nil {
			return connector.Result{}, err
		}
		key = s
	}
	if op != connector.Create && key == "" {
		return connector.Result{}, fmt.Errorf("the key field %s is empty", kf.Name)
	}
	r, found := index[key]
	if found && deleted[r] {
		found = false
	}
	res := connector.Result{Key: key}
	switch {
	case op == connector.Delete || op == connector.Update:
		if !found {
			return res, fmt.Errorf("%w: no row has %s %s", connector.ErrDeleted, kf.Name, key)
		}
		if op == connector.Delete {
			deleted[r] = true
			return res, nil
		}
	case op == connector.Create && found:
		return res, fmt.Errorf("a row with %s %s exists already", kf.Name, key)
	}
	cells := map[int]string{}
	if err := encodeFields(e, rec, func(name, s string) { cells[columnFor(t, name)] = s }); err != nil {
		return res, err
	}
	if !found {
		if key == "" {
			key = nextKey(t, kf, index)
			cells[columnFor(t, kf.Name)] = key
		}
		t.rows = append(t.rows, make([]string, len(t.header)))
		r = len(t.rows) - 1
		index[key] = r
		res.Key, res.Created = key, op == connector.Upsert
	}
	row := t.rows[r]
	for len(row) < len(t.header) {
		row = append(row, "")
	}
	for i, s := range cells {
		row[i] = s
	}
	t.rows[r] = row
	return res, nil
}

// encodeFields encodes the business fields of rec as cells, each as its
// field of e (text when e has no such field), and hands them to put.
func encodeFields(e meta.Entity, rec meta.Record, put func(name, cell string)) error {
	for _, name := range connector.BusinessFields(rec) {
		f, ok := e.Field(name)
		if !ok {
			f = meta.Field{Name: name, Type: meta.String}
		}
		s, err := encodeCell(f, rec[name])
		if err != nil {
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

// nextKey makes the key of a new row: the next whole number when the key
// column holds whole numbers (or nothing yet), else a new GUID.
func nextKey(t *table, kf meta.Field, index map[string]int) string {
	if kf.Type == meta.Int || (kf.Type == meta.String && len(index) == 0) {
		var top int64
		for k := range index {
			if n, err := strconv.ParseInt(k, 10, 64); err == nil && n > top {
				top = n
			}
		}
		return strconv.FormatInt(top+1, 10)
	}
	return newGUID()
}

// newGUID returns a new random UUID (version 4).
func newGUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
