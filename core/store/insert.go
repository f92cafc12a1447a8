package store

import (
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
)

// insertPlan is the prepared INSERT of one column set of an entity: the
// columns of the values in order, then the id when Insert makes it, then the
// versionnumber when Insert stamps it.
type insertPlan struct {
	cols  []string
	newID bool
	stamp bool
	// created and modified: Insert writes createdon, modifiedon (the
	// transaction's time) because values does not set it.
	created, modified bool
	// dateTimes are the positions in cols of the datetime fields, whose
	// values PostgreSQL stores in its own form (pgvalues.go); nil on SQLite.
	dateTimes []int
	query     string
	stmt      *sql.Stmt
}

// insertPlan returns the plan for inserting values into entity, and args
// with the values of its columns appended. A page of records sets the same
// fields row after row, so the plan of the entity's last column set is tried
// first, without sorting or building SQL.
func (t *Tx) insertPlan(entity string, values map[string]any, args []any) (*insertPlan, []any, error) {
	if p := t.inserts[entity]; p != nil {
		if out, ok := p.argsFor(values, args); ok {
			return p, out, nil
		}
	}
	cols := make([]string, 0, len(values))
	for c := range values {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	_, hasID := values[colID]
	_, hasVersion := values[colVersionNumber]
	_, hasCreated := values[colCreatedOn]
	_, hasModified := values[colModifiedOn]
	// On PostgreSQL the column's default takes the next versionnumber.
	p := &insertPlan{cols: cols, newID: !hasID, stamp: !hasVersion && !t.pg, created: !hasCreated, modified: !hasModified}
	if t.pg {
		types := t.fieldTypes(entity)
		for i, c := range cols {
			if _, ok := types[c]; ok {
				p.dateTimes = append(p.dateTimes, i)
			}
		}
	}
	all := p.columns()
	q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", quote(entity), quoteAll(all), placeholders(len(all)))
	st, err := t.stmt(q)
	if err != nil {
		return nil, args, err
	}
	p.stmt, p.query = st, q
	if t.inserts == nil {
		t.inserts = map[string]*insertPlan{}
	}
	t.inserts[entity] = p
	out, _ := p.argsFor(values, args) // p was made from values
	return p, out, nil
}

// argsFor appends the values of p's columns, in order, to args; ok is false
// (and args as given) when values does not set exactly the columns of p.
func (p *insertPlan) argsFor(values map[string]any, args []any) (out []any, ok bool) {
	if len(values) != len(p.cols) {
		return args, false
	}
	out = args
	for _, c := range p.cols {
		v, ok := values[c]
		if !ok {
			clear(out[len(args):])
			return args, false
		}
		out = append(out, v)
	}
	return out, true
}

// idSource makes the ids of new rows: lower-case UUIDs version 7 (RFC 9562):
// 48 bits of Unix time in milliseconds, a 12-bit counter, then 62 random bits.
// Successive ids of one source increase, so the rows an import writes go to
// the end of the id index instead of to random places in it: with random ids
// (version 4) every transaction of a large import rewrites thousands of
// scattered index pages (docs/performance.md).
type idSource struct {
	buf []byte
	ms  int64            // the time part of the last id
	seq uint16           // the counter of the last id, below 4096
	now func() time.Time // the store's clock (Store.now)
}

func (s *idSource) next() string {
	if len(s.buf) < 16 {
		s.buf = make([]byte, 16*256)
		rand.Read(s.buf) // never fails (crypto/rand)
	}
	u := s.buf[:16]
	s.buf = s.buf[16:]
	ms := s.now().UnixMilli()
	switch {
	case ms > s.ms:
		// A new millisecond: the counter starts at a random value in its
		// lower half, so ids are not guessable and it has room to count.
		s.ms, s.seq = ms, binary.BigEndian.Uint16(u[6:8])&0x07ff
	case s.seq < 0x0fff:
		s.seq++ // the same millisecond, or the clock went back: count on
	default:
		s.ms, s.seq = s.ms+1, 0 // 4,096 ids in one millisecond: borrow the next
	}
	var t [8]byte
	binary.BigEndian.PutUint64(t[:], uint64(s.ms)<<16)
	copy(u[0:6], t[0:6])
	u[6] = 0x70 | byte(s.seq>>8) // version 7
	u[7] = byte(s.seq)
	u[8] = u[8]&0x3f | 0x80      // the RFC 9562 variant
	return uuid.UUID(u).String() // lower case, 8-4-4-4-12
}
