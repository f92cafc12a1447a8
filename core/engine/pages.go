package engine

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"switchyard/core/connector"
	"switchyard/core/values"
)

// pageMode says what eachPage hands on of each page.
type pageMode int

const (
	rawPages                pageMode = iota // the records as read
	convertedPages                          // the records converted (items); the records themselves are let go
	convertedKeepingRecords                 // the records converted, each item keeping its record (a sync reads its cursor)
)

// eachPage reads q one page ahead and hands each page, with the total the
// source announced (-1 when unknown), to fn until the last page, until fn
// says stop or fails, or until ctx is done — checked after fn, so that the
// page being written is written to the end. Unless mode is rawPages, fn also
// gets the page's records converted by p (convertRecord), done while the page
// before was being written; with convertedPages, the page's Records are then gone.
func (r *run) eachPage(ctx context.Context, p *entityPlan, reader connector.Reader, q connector.Query, lg *readLog, mode pageMode, fn func(page connector.Page, items []*item, total int64) (stop bool, err error)) error {
	readCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var conv func(*connector.Page) []*item
	if mode != rawPages {
		// Only a sync reads the records themselves (their change cursor) after
		// the conversion; an import lets them go at once, so that a page held
		// in the pipeline weighs its values only.
		keep := mode == convertedKeepingRecords
		recycler, _ := reader.(connector.Recycler)
		conv = func(pg *connector.Page) []*item {
			items := make([]*item, len(pg.Records))
			block := make([]item, len(pg.Records)) // one allocation for the page's items
			for i, rec := range pg.Records {
				items[i] = &block[i]
				convertRecord(p, rec, items[i])
				if !keep {
					items[i].rec = nil
				}
			}
			if !keep {
				if recycler != nil {
					recycler.Recycle(pg.Records)
				}
				pg.Records = nil
			}
			return items
		}
	}
	total := int64(-1)
	pages, stopReading := readAhead(readCtx, reader, q, conv)
	defer stopReading()
	for pg := range pages {
		if pg.err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if re := (*connector.ReadError)(nil); errors.As(pg.err, &re) && re.Entity == p.em.External {
				return pg.err // the connector named the entity already
			}
			return connector.ReadErr(p.em.External, pg.err)
		}
		if pg.page.Total >= 0 && total < 0 {
			total = pg.page.Total
		}
		n := len(pg.page.Records)
		if pg.items != nil {
			n = len(pg.items) // the records themselves are gone once converted
		}
		n += len(pg.page.Problems) // read, though left out of the page
		lg.page(r, pg.page, n, total)
		stop, err := fn(pg.page, pg.items, total)
		if err != nil || stop {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return lg.reconcile(r, p)
}

// CountCheck is the reconciliation of a read with the count the external
// system gave for it: every record it counted must have been read.
type CountCheck struct {
	Counted int64 `json:"counted"` // what the system counted for the read's query
	Read    int64 `json:"read"`    // the records read
}

// reconcile checks a finished read that asked for the count against the
// count the system gave with its first page: a shortfall (a server that cut
// its pages, records deleted while the read ran) is no success, and fails
// the read naming both numbers. A system that gives no count (or one it
// capped) is not checked.
func (lg *readLog) reconcile(r *run, p *entityPlan) error {
	if lg == nil || !lg.count || lg.counted < 0 {
		return nil
	}
	check := r.res.Entities[lg.idx].Check
	if check.Read < check.Counted {
		return fmt.Errorf("read %s: the external system counted %d records, but the read ended after %d: "+
			"it cut its pages short or records were deleted meanwhile; the records read were written, run it again", p.em.External, check.Counted, check.Read)
	}
	return nil
}

// readLog is the log line of one read of an entity: what it asked for until
// its first page came, then the request as the connector sent it, with the
// number of pages.
type readLog struct {
	idx, line int
	note      string
	first     string
	pages     int
	// read counts the records read; counted is what the system counted, -1 when it did not say.
	read, counted int64
	// count is true for the entity's main read, which asked for the count.
	count bool
}

// logRead adds the log line of a read of q for entity idx, with a note on
// what the read is for.
func (r *run) logRead(idx int, q connector.Query, note string) *readLog {
	er := &r.res.Entities[idx]
	lg := &readLog{idx: idx, line: len(er.Queries), note: note, first: describeQuery(q), counted: -1, count: q.Count}
	er.Queries = append(er.Queries, lg.first+note)
	return lg
}

// page accounts for a page of the read, of n records, in its log line:
// the request, the pages and the records read, against the count the system
// gave (total, -1 when none).
func (lg *readLog) page(r *run, pg connector.Page, n int, total int64) {
	if lg == nil {
		return
	}
	lg.pages++
	lg.read += int64(n)
	lg.counted = total
	if lg.count && total >= 0 {
		// How far the entity's read has got against what the system counted:
		// a preview's sample, a run that stops, a read to reconcile.
		r.res.Entities[lg.idx].Check = &CountCheck{Counted: total, Read: lg.read}
	}
	if lg.pages == 1 && pg.Request != "" {
		lg.first = pg.Request
	}
	s := lg.first + lg.note
	var parts []string
	if lg.pages > 1 {
		parts = append(parts, fmt.Sprintf("%d pages", lg.pages))
	}
	if total >= 0 {
		parts = append(parts, fmt.Sprintf("%d read of %d counted", lg.read, total))
	}
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	r.res.Entities[lg.idx].Queries[lg.line] = s
}

// describeQuery renders q as the log keeps it, in OData query terms, for
// connectors that do not say what they sent.
func describeQuery(q connector.Query) string {
	var parts []string
	if len(q.Fields) > 0 {
		parts = append(parts, "$select="+strings.Join(q.Fields, ","))
	}
	if q.Filter != "" {
		parts = append(parts, "$filter="+q.Filter)
	}
	if len(q.OrderBy) > 0 {
		parts = append(parts, "$orderby="+strings.Join(q.OrderBy, ","))
	}
	if q.Count {
		parts = append(parts, "$count=true")
	}
	s := "GET " + url.PathEscape(q.Entity)
	if len(parts) > 0 {
		s += "?" + strings.Join(parts, "&")
	}
	return s
}

// keyText is how a key value is compared: values.KeyText, the text the
// store's FindBy keys its rows by.
func keyText(v any) string { return values.KeyText(v) }
