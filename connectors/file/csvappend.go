package file

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"switchyard/core/connector"
	"switchyard/core/meta"
)

// Creating rows in a CSV file appends them, instead of reading and writing
// the whole file again for every batch: an export of a hundred thousand rows
// in batches of a few hundred rewrote a file that grew to megabytes hundreds
// of times. This needs what the file holds as the connector last saw it (its
// description and its keys, kept in streamedEntity while the file keeps its
// size and modification time) and records whose fields are all columns of
// the file already; anything else takes the way of Write that rewrites it.

// keysOf fills in d's keys and largest whole-number key with a pass over the
// file, unless d has them. Under c.mu.
func (c *Client) keysOf(s csvFolder, name string, d *streamedEntity) error {
	if d.keys != nil {
		return nil
	}
	cur, err := s.openCSV(name, 0)
	if err != nil {
		return err
	}
	defer cur.close()
	kc := (&table{header: cur.header}).column(d.entity.Key[0])
	keys := map[string]bool{}
	var top int64
	for {
		row, _, err := cur.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		k := keyText(row, kc)
		keys[strings.Clone(k)] = true // not a slice of the row's text, which it would keep
		if n, err := strconv.ParseInt(k, 10, 64); err == nil && n > top {
			top = n
		}
	}
	d.keys, d.top = keys, top
	return nil
}

// appendCreates creates recs by appending them to the CSV file entity; ok is
// false when they must be written the long way (nothing was written then).
// Under c.mu.
func (c *Client) appendCreates(s csvFolder, entity string, recs []meta.Record) (results []connector.Result, ok bool, err error) {
	stamp, err := stampOf(s.path(entity))
	d := c.streamed[entity]
	if err != nil || d == nil || d.stamp != stamp {
		if d, err = c.streamedEntityOf(s, entity); err != nil {
			return nil, false, nil // the long way says what is wrong
		}
	}
	column := make(map[string]int, len(d.header))
	for i, h := range d.header {
		if _, dup := column[h]; !dup {
			column[h] = i
		}
	}
	for _, rec := range recs {
		for _, name := range connector.BusinessFields(rec) {
			if _, ok := column[name]; !ok {
				return nil, false, nil // a new column: the file is written again
			}
		}
	}
	if err := c.keysOf(s, entity, d); err != nil {
		return nil, false, nil
	}
	e := d.entity
	kf, _ := e.Field(e.Key[0])
	results = make([]connector.Result, len(recs))
	var rows [][]string
	added := map[string]bool{}
	top := d.top
	for i, rec := range recs {
		exists := func(k string) bool { k = keyText([]string{k}, 0); return d.keys[k] || added[k] }
		row, key, err := c.createRow(e, kf, column, len(d.header), rec, exists, &top)
		results[i].Key = key
		if err != nil {
			results[i].Err = fmt.Errorf("%s record %d of %s: %w", connector.Create, i+1, entity, err)
			continue
		}
		added[keyText([]string{key}, 0)] = true
		rows = append(rows, row)
	}
	if d.layout == nil {
		layout, err := s.encoding().layoutOf(s.path(entity))
		if err != nil {
			return nil, false, nil // the long way says what is wrong
		}
		d.layout = &layout
	}
	if err := appendRows(s, entity, *d.layout, rows); err != nil {
		c.read, c.streamed[entity] = nil, nil
		return nil, true, err
	}
	// What the connector knows of the file now: its new stamp, rows and keys,
	// and the types its values have (the rows may widen them).
	for _, r := range rows {
		d.ct.add(r)
	}
	for k := range added {
		d.keys[k] = true
	}
	d.top, d.rows, d.entity = top, d.ct.rows, c.entityOf(entity, d.ct)
	if d.stamp, err = stampOf(s.path(entity)); err != nil {
		c.streamed[entity] = nil
	}
	c.read = nil
	return results, true, nil
}

// createRow is the row of rec, created in a file of width columns as
// writeRow makes it: a missing key is the next whole number after top when
// the key holds whole numbers, or nothing yet, else a new GUID.
func (c *Client) createRow(e meta.Entity, kf meta.Field, column map[string]int, width int, rec meta.Record, exists func(string) bool, top *int64) ([]string, string, error) {
	key := ""
	if v := rec[kf.Name]; v != nil {
		s, err := c.loc.encode(kf, v, false)
		if err != nil {
			return nil, "", err
		}
		key = s
	}
	if key != "" && exists(key) {
		return nil, key, fmt.Errorf("a row with %s %s exists already", kf.Name, key)
	}
	row := make([]string, width)
	if err := c.encodeFields(e, rec, func(name, s string) { row[column[name]] = s }); err != nil {
		return nil, key, err
	}
	if key == "" {
		if numberedKeys(kf) {
			*top++
			key = strconv.FormatInt(*top, 10)
		} else {
			key = meta.NewGUID()
		}
		row[column[kf.Name]] = key
	} else if n, err := strconv.ParseInt(key, 10, 64); err == nil && n > *top {
		*top = n
	}
	return row, key, nil
}

// appendRows appends rows to the CSV file called name, in its encoding and
// line breaks (layout), after a line break when the file does not end with one.
func appendRows(s csvFolder, name string, layout fileLayout, rows [][]string) error {
	if len(rows) == 0 {
		return nil
	}
	path := s.path(name)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// The batch goes in one write, so that a fault leaves it whole or hardly
	// begun rather than cut at any row.
	var buf bytes.Buffer
	nl := layout.newline()
	fi, err := f.Stat()
	if err == nil && fi.Size() > int64(len(layout.bom)) {
		last := make([]byte, len(nl))
		if _, err = f.ReadAt(last, fi.Size()-int64(len(nl))); err == nil && !bytes.Equal(last, nl) {
			if layout.crlf {
				buf.WriteString("\r")
			}
			buf.WriteString("\n")
		}
	}
	if werr := writeRows(&buf, s.comma, layout.crlf, rows); err == nil {
		err = werr
	}
	out := buf.Bytes()
	if e := layout.encoder(); e != nil && err == nil {
		out, err = e.Bytes(out)
	}
	if err == nil {
		_, err = f.Write(out)
	}
	if err := errors.Join(err, f.Close()); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
