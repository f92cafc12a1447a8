package workspace

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"switchyard/core/connector"
	"switchyard/core/filter"
	"switchyard/core/meta"
	"switchyard/core/store"
	"switchyard/core/values"
)

// The page tokens: "id:<last id>" pages by id, "v:<last versionnumber>" by versionnumber.
const (
	idToken      = "id:"
	versionToken = "v:"
)

// The system columns of a local entity table.
const (
	colID         = "id"
	colModifiedOn = "modifiedon"
	colVersion    = "versionnumber"
)

// defaultPageSize is the page size when the query names none.
const defaultPageSize = 500

// ReadPage reads one page of a local entity of the other workspace. A plain
// read pages by id. A read of changes — Since set (the cursor must be
// modifiedon, the default), Track or Delta — pages by versionnumber, which
// every write stamps in order: records come in the order they were last
// changed, and one changed during the read moves forward and is read again
// later, so none is lost. Delta tokens are "v:<versionnumber>"; deletions
// are not reported (the workspace keeps no tombstones for other readers).
// Each record's versionnumber is its ETag.
func (c *Client) ReadPage(ctx context.Context, q connector.Query, token string) (connector.Page, error) {
	e, err := c.entity(ctx, q.Entity)
	if err != nil {
		return connector.Page{}, err
	}
	size := q.PageSize
	if size <= 0 {
		size = defaultPageSize
	}
	cond, err := c.condition(e, q)
	if err != nil {
		return connector.Page{}, err
	}
	byVersion := !q.Since.IsZero() || q.Track || q.Delta != ""
	if strings.HasPrefix(token, versionToken) || strings.HasPrefix(token, idToken) {
		byVersion = strings.HasPrefix(token, versionToken)
	} else if token != "" {
		return connector.Page{}, connector.ReadErr(q.Entity, fmt.Errorf("page token %q is not valid: start the read again", token))
	}
	fields := readFields(e)
	page := connector.Page{Total: -1}
	err = c.st.View(ctx, func(tx *store.Tx) error {
		if q.Count && token == "" && !byVersion {
			n, err := tx.Count(e.Name, cond)
			if err != nil {
				return err
			}
			page.Total = n
		}
		var rows []store.Row
		var err error
		if byVersion {
			rows, err = c.versionPage(tx, e, q, token, cond, fields, size)
		} else {
			rows, err = tx.Scan(e.Name, fields, cond, strings.TrimPrefix(token, idToken), size)
		}
		if err != nil {
			return err
		}
		for _, r := range rows {
			rec, err := decodeRow(e, r)
			if err != nil {
				return err
			}
			page.Records = append(page.Records, rec)
		}
		if len(rows) == size {
			if byVersion {
				page.Next = versionToken + fmt.Sprint(rows[len(rows)-1].Values[colVersion])
			} else {
				page.Next = idToken + rows[len(rows)-1].ID
			}
		}
		return nil
	})
	if err != nil {
		return connector.Page{}, fmt.Errorf("read %s of workspace %s: %w", q.Entity, c.path, err)
	}
	if page.Next == "" && (q.Track || q.Delta != "") {
		last := strings.TrimPrefix(q.Delta, versionToken)
		if token != "" {
			last = strings.TrimPrefix(token, versionToken)
		}
		if n := len(page.Records); n > 0 {
			last = fmt.Sprint(page.Records[n-1][colVersion])
		}
		if last == "" {
			last = "0"
		}
		page.Delta = versionToken + last
	}
	return page, nil
}

// TracksChanges is true: every workspace stamps its writes with versionnumber.
func (c *Client) TracksChanges(ctx context.Context, entity string) (bool, error) {
	_, err := c.entity(ctx, entity)
	return err == nil, err
}

// condition is the condition of q's filter and Since on e; nil for none.
func (c *Client) condition(e meta.Entity, q connector.Query) (filter.Expr, error) {
	if q.Delta != "" {
		return nil, nil
	}
	var terms []filter.Expr
	x, err := q.Condition()
	if err == nil && x != nil {
		err = filter.Check(x, e)
	}
	if err != nil {
		return nil, connector.ReadErr(e.Name, fmt.Errorf("filter %q: %w", q.Filter, err))
	}
	if x != nil {
		terms = append(terms, filter.Resolve(x, time.Now()))
	}
	if !q.Since.IsZero() {
		if q.CursorField != "" && q.CursorField != colModifiedOn {
			return nil, fmt.Errorf("read %s incrementally: cursor %q: a workspace reads changes by modifiedon (and versionnumber): leave the cursor field empty or set it to modifiedon", e.Name, q.CursorField)
		}
		terms = append(terms, &filter.Compare{Op: filter.Ge, Left: &filter.Field{Name: colModifiedOn},
			Right: &filter.Literal{Value: filter.DateTimeValue(q.Since.Add(-q.Overlap).UTC())}})
	}
	return filter.AllOf(terms...), nil
}

// versionPage reads the next size rows in versionnumber order after the
// token's (or the delta's) versionnumber.
func (c *Client) versionPage(tx *store.Tx, e meta.Entity, q connector.Query, token string, cond filter.Expr, fields []string, size int) ([]store.Row, error) {
	after := int64(0)
	from := strings.TrimPrefix(token, versionToken)
	if token == "" {
		from = strings.TrimPrefix(q.Delta, versionToken)
	}
	if from != "" {
		n, err := strconv.ParseInt(from, 10, 64)
		if err != nil {
			return nil, connector.ReadErr(e.Name, fmt.Errorf("change token %q is not valid: read everything again", from))
		}
		after = n
	}
	return tx.ScanVersions(e.Name, fields, cond, after, size)
}

// readFields are the columns read: every field but id, which Scan returns apart.
func readFields(e meta.Entity) []string {
	out := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		if f.Name != colID {
			out = append(out, f.Name)
		}
	}
	return out
}

// decodeRow converts a stored row into a record of the types connector.Query
// documents, by the codec (values.FromStored).
func decodeRow(e meta.Entity, r store.Row) (meta.Record, error) {
	rec := meta.Record{colID: r.ID, connector.ETagKey: fmt.Sprint(r.Values[colVersion])}
	for _, f := range e.Fields {
		if f.Name == colID {
			continue
		}
		v, err := values.FromStored(f.Type, r.Values[f.Name])
		if err != nil {
			return nil, fmt.Errorf("row %s field %s: %w", r.ID, f.Name, err)
		}
		rec[f.Name] = v
	}
	return rec, nil
}
