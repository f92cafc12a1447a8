package engine

import (
	"context"
	"fmt"
	"strings"

	"switchyard/core/connector"
	"switchyard/core/filter"
	"switchyard/core/meta"
)

// keyChunk is one read's share of a list of keys.
type keyChunk struct {
	filter string // "key in (…)"
	// cond is filter parsed; nil when a key is not a literal of its type
	// (the connector then parses the text, and says what is wrong).
	cond filter.Expr
	keys int // how many keys it names
}

// keysPerRead is the most keys one read by key asks for: a page's worth,
// however much room the URL has. A connector without a URL budget
// (connector.FilterSizer) gets this many per read.
const keysPerRead = 500

// keyFilters splits keys (stored local values of p's primary key) into
// filters "key in (…)" that each fit one request of q: each filter's text
// stays within the room the connector gives (connector.FilterSizer), so that
// no request grows with the data. A key whose filter alone does not fit is
// an error that names the entity and the setting to raise.
func keyFilters(ctx context.Context, reader connector.Reader, q connector.Query, p *entityPlan, keys []any) ([]keyChunk, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	prefix, suffix := p.key.ext+" in (", ")"
	room, measure := -1, func(s string) int { return len(s) }
	if fs, ok := reader.(connector.FilterSizer); ok {
		q.PageSize = keysPerRead // the longest page size the reads may ask for
		var err error
		if room, measure, err = fs.FilterRoom(ctx, q); err != nil {
			return nil, fmt.Errorf("read %s by key: %w", p.em.External, err)
		}
	}
	var out []keyChunk
	var b strings.Builder
	n, used := 0, 0
	flush := func() {
		if n > 0 {
			b.WriteString(suffix)
			c := keyChunk{filter: b.String(), keys: n}
			c.cond, _ = filter.Parse(c.filter)
			out = append(out, c)
			b.Reset()
			n, used = 0, 0
		}
	}
	fixed := measure(prefix) + measure(suffix)
	for _, k := range keys {
		lit := odataLiteral(p.key.local.Type, k)
		cost := measure(lit)
		if n > 0 {
			cost += measure(",")
		}
		if n == keysPerRead || (room >= 0 && n > 0 && fixed+used+cost > room) {
			flush()
			cost = measure(lit)
		}
		if room >= 0 && fixed+cost > room {
			return nil, configErrorf("read %s by key: the filter for key %s needs %d characters of the request URL and only %d are left: "+
				"raise the connector's longest-URL setting (maxurl) or shorten the entity's download filter", p.em.External, connector.ShortRequest(fmt.Sprint(k)), fixed+cost, room)
		}
		if n == 0 {
			b.WriteString(prefix)
		} else {
			b.WriteByte(',')
		}
		b.WriteString(lit)
		n++
		used += cost
	}
	flush()
	return out, nil
}

// readByKeys reads the records of q.Entity whose key is one of keys, in
// reads that each fit the connector's URL budget, and hands each record to
// fn. q gives the fields; its Filter, if any, is combined with the keys'.
// It returns the first request sent and how many reads it took, for the log.
func readByKeys(ctx context.Context, reader connector.Reader, q connector.Query, p *entityPlan, keys []any, fn func(meta.Record)) (first string, reads int, err error) {
	filters, err := keyFilters(ctx, reader, q, p, keys)
	if err != nil {
		return "", 0, err
	}
	base, baseCond := q.Filter, q.Where
	for _, c := range filters {
		q.Filter, q.Where = c.filter, c.cond
		if base != "" {
			q.Filter = "(" + base + ") and (" + c.filter + ")"
			q.Where = nil
			if baseCond != nil && c.cond != nil {
				q.Where = filter.AllOf(baseCond, c.cond)
			}
		}
		q.PageSize = c.keys
		for token := ""; ; {
			pg, err := reader.ReadPage(ctx, q, token)
			if err != nil {
				return first, reads, err
			}
			reads++
			if first == "" {
				first = pg.Request
				if first == "" {
					first = describeQuery(q)
				}
			}
			for _, rec := range pg.Records {
				fn(rec)
			}
			if token = pg.Next; token == "" {
				break
			}
		}
	}
	return first, reads, nil
}

// describeKeyReads is the log line of the reads by key of an entity.
func describeKeyReads(first string, reads int, why string) string {
	s := connector.ShortRequest(first)
	if reads > 1 {
		s += fmt.Sprintf(" and %d more reads by key", reads-1)
	}
	return s + " (" + why + ")"
}

// keyReadLog is where the reads by key of an entity are in its log lines.
type keyReadLog struct {
	line  int // the index in EntityResult.Queries
	first string
	reads int
}

// noteKeyReads accounts for reads by key of the entity being run in its log
// lines: one line for all of them, the first request and how many followed.
func (r *run) noteKeyReads(why, first string, reads int) {
	if reads == 0 {
		return
	}
	idx := len(r.res.Entities) - 1
	er := &r.res.Entities[idx]
	if r.keyReads == nil {
		r.keyReads = map[int]*keyReadLog{}
	}
	l, ok := r.keyReads[idx]
	if !ok {
		l = &keyReadLog{line: len(er.Queries), first: first}
		r.keyReads[idx] = l
		er.Queries = append(er.Queries, "")
	}
	l.reads += reads
	er.Queries[l.line] = describeKeyReads(l.first, l.reads, why)
}
