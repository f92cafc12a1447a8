package store

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// insertPlan is the prepared INSERT of one column set of an entity: the
// columns of the values in order, then the id when Insert makes it, then the
// versionnumber when Insert stamps it.
type insertPlan struct {
	cols  []string
	newID bool
	stamp bool
	stmt  *sql.Stmt
}

// insertPlan returns the plan for inserting values into entity. A page of
// records sets the same fields row after row, so the plan of the entity's
// last column set is checked first, without sorting or building SQL.
func (t *Tx) insertPlan(entity string, values map[string]any) (*insertPlan, error) {
	if p := t.inserts[entity]; p != nil && p.fits(values) {
		return p, nil
	}
	cols := make([]string, 0, len(values))
	for c := range values {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	_, hasID := values[colID]
	_, hasVersion := values[colVersionNumber]
	p := &insertPlan{cols: cols, newID: !hasID, stamp: !hasVersion}
	all := cols
	if p.newID {
		all = append(all[:len(all):len(all)], colID)
	}
	if p.stamp {
		all = append(all[:len(all):len(all)], colVersionNumber)
	}
	q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", quote(entity), quoteAll(all), placeholders(len(all)))
	st, err := t.stmt(q)
	if err != nil {
		return nil, err
	}
	p.stmt = st
	if t.inserts == nil {
		t.inserts = map[string]*insertPlan{}
	}
	t.inserts[entity] = p
	return p, nil
}

// fits reports whether values sets exactly the columns of p.
func (p *insertPlan) fits(values map[string]any) bool {
	if len(values) != len(p.cols) {
		return false
	}
	for _, c := range p.cols {
		if _, ok := values[c]; !ok {
			return false
		}
	}
	return true
}

// idSource makes the ids of new rows: lower-case UUIDs version 4, as the
// id column's default makes them, from random bytes read a block at a time.
type idSource struct {
	buf []byte
}

func (s *idSource) next() string {
	if len(s.buf) < 16 {
		s.buf = make([]byte, 16*256)
		rand.Read(s.buf) // never fails (crypto/rand)
	}
	u := s.buf[:16]
	s.buf = s.buf[16:]
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var b strings.Builder
	b.Grow(36)
	var h [32]byte
	hex.Encode(h[:], u)
	b.Write(h[0:8])
	b.WriteByte('-')
	b.Write(h[8:12])
	b.WriteByte('-')
	b.Write(h[12:16])
	b.WriteByte('-')
	b.Write(h[16:20])
	b.WriteByte('-')
	b.Write(h[20:32])
	return b.String()
}
