package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// The new rows of a Store.Apply transaction on PostgreSQL go to their
// tables by COPY, which is several times faster than an INSERT per row
// (docs/performance.md, part 8). Insert does not write the row at once: it
// hands the row, with its id, versionnumber-less and stamped with the
// transaction's clock as any INSERT of the plan would be, to the
// transaction's pgCopy, and returns its id. The connection (pgConn) copies
// what waits before it runs any other statement of the transaction, and
// runRecordTx before the transaction commits: every statement, the store's
// own and the triggers', sees the rows in the order they were inserted.
// COPY runs the same column defaults (the versionnumber, in row order) and
// row triggers (stamping; capture, off under Apply) as INSERT, and reads
// each value from its text as PostgreSQL parses the INSERT's text
// parameters.
//
// A table that has no statistics yet (never analyzed, or analyzed empty) is
// analyzed after its first copy: without them PostgreSQL guesses that each
// key of FindBy's IN list matches 0.5 % of the table, so that a list of 500
// keys matches it all, and scans the whole table instead of the index for
// every page of an import. With them (a key that is unique stays unique as
// the table grows) it keeps to the index: an import of 300,000 records took
// 16.9 s with 602 scans of the whole table, 4.0 s without (docs/performance.md).
//
// A COPY that fails is undone (a savepoint) and its rows are inserted one
// by one, so that the error is the failing row's own, as without COPY. A
// batch of fewer than pgCopyMin rows is inserted row by row at once: COPY
// and its savepoint cost more than it saves.

// pgCopyMin is the fewest rows a batch copies; smaller batches are inserted
// row by row.
var pgCopyMin = 8

// pgCopyMax is the most rows that wait: Insert copies them when there are
// as many, so that a transaction of many pages holds one page's worth.
const pgCopyMax = 10_000

// pgCopy holds the rows that wait to be copied, in batches of one insert
// plan each, in the order they were inserted.
type pgCopy struct {
	batches []*copyBatch
	rows    int // in all batches
}

// full reports whether pgCopyMax rows wait.
func (c *pgCopy) full() bool { return c.rows >= pgCopyMax }

// copyBatch is rows of one insert plan (its table and columns).
type copyBatch struct {
	plan  *insertPlan
	table string
	rows  [][]any
}

// copyable reports whether v crosses COPY's text as the INSERT's parameter
// would: the Go types the store's values come as (values.Stored). Other
// values go by INSERT.
func copyable(v any) bool {
	switch x := v.(type) {
	case nil, string, int64, []byte:
		return true
	case float64:
		return !math.IsNaN(x) && !math.IsInf(x, 0)
	}
	return false
}

// add queues a row of plan into table with args (a copy is kept) and
// reports whether it did: false when a value is not copyable, and the row
// is for INSERT.
func (c *pgCopy) add(plan *insertPlan, table string, args []any) bool {
	for _, a := range args {
		if !copyable(a) {
			return false
		}
	}
	var b *copyBatch
	if n := len(c.batches); n > 0 && c.batches[n-1].plan == plan {
		b = c.batches[n-1]
	} else {
		b = &copyBatch{plan: plan, table: table}
		c.batches = append(c.batches, b)
	}
	b.rows = append(b.rows, append([]any(nil), args...))
	c.rows++
	return true
}

// flush writes the rows that wait on conn, the transaction's session, and
// forgets them.
func (c *pgCopy) flush(ctx context.Context, conn *pgx.Conn) error {
	batches := c.batches
	c.batches, c.rows = nil, 0
	for _, b := range batches {
		if err := b.write(ctx, conn); err != nil {
			return err
		}
	}
	return nil
}

// write copies b, or inserts its rows one by one when it is small or the
// copy fails.
func (b *copyBatch) write(ctx context.Context, conn *pgx.Conn) error {
	if len(b.rows) >= pgCopyMin {
		err := b.copy(ctx, conn)
		if err == nil {
			return analyzeNew(ctx, conn, b.table)
		}
		if _, rerr := conn.Exec(ctx, "ROLLBACK TO SAVEPOINT sy_copy"); rerr != nil {
			return fmt.Errorf("insert into %s: %w", b.table, errors.Join(err, rerr))
		}
		if ierr := b.insertEach(ctx, conn); ierr != nil {
			return ierr
		}
		// Every row went in alone: the copy failed for another reason.
		return fmt.Errorf("insert into %s: %w", b.table, err)
	}
	return b.insertEach(ctx, conn)
}

// copy runs COPY … FROM STDIN with b's rows within a savepoint, released
// when it succeeds.
func (b *copyBatch) copy(ctx context.Context, conn *pgx.Conn) error {
	var buf bytes.Buffer
	for _, row := range b.rows {
		for i, v := range row {
			if i > 0 {
				buf.WriteByte('\t')
			}
			writeCopyText(&buf, v)
		}
		buf.WriteByte('\n')
	}
	if _, err := conn.Exec(ctx, "SAVEPOINT sy_copy"); err != nil {
		return err
	}
	q := fmt.Sprintf("COPY %s (%s) FROM STDIN", quote(b.table), quoteAll(b.plan.columns()))
	if _, err := conn.PgConn().CopyFrom(ctx, &buf, q); err != nil {
		return err
	}
	_, err := conn.Exec(ctx, "RELEASE SAVEPOINT sy_copy")
	return err
}

// analyzeNew analyzes table when it has no statistics.
func analyzeNew(ctx context.Context, conn *pgx.Conn, table string) error {
	var stats bool
	err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stats WHERE schemaname = current_schema() AND tablename = $1)`, table).Scan(&stats)
	if err == nil && !stats {
		_, err = conn.Exec(ctx, "ANALYZE "+quote(table))
	}
	if err != nil {
		return fmt.Errorf("analyze %s: %w", table, err)
	}
	return nil
}

// insertEach inserts b's rows one by one with the plan's INSERT; the first
// row that fails ends it with that row's error.
func (b *copyBatch) insertEach(ctx context.Context, conn *pgx.Conn) error {
	q := rebind(b.plan.query)
	for _, row := range b.rows {
		if _, err := conn.Exec(ctx, q, row...); err != nil {
			return fmt.Errorf("insert into %s: %w", b.table, err)
		}
	}
	return nil
}

// writeCopyText writes v as a field of COPY's text format: \N for NULL, a
// bytea as \\x and hex, text with backslash, tab, newline and carriage
// return escaped.
func writeCopyText(buf *bytes.Buffer, v any) {
	switch x := v.(type) {
	case nil:
		buf.WriteString(`\N`)
	case int64:
		buf.Write(strconv.AppendInt(buf.AvailableBuffer(), x, 10))
	case float64:
		buf.Write(strconv.AppendFloat(buf.AvailableBuffer(), x, 'g', -1, 64))
	case []byte:
		buf.WriteString(`\\x`)
		buf.WriteString(hex.EncodeToString(x))
	case string:
		start := 0
		for i := 0; i < len(x); i++ {
			var esc string
			switch x[i] {
			case '\\':
				esc = `\\`
			case '\t':
				esc = `\t`
			case '\n':
				esc = `\n`
			case '\r':
				esc = `\r`
			default:
				continue
			}
			buf.WriteString(x[start:i])
			buf.WriteString(esc)
			start = i + 1
		}
		buf.WriteString(x[start:])
	}
}

// pgArgs puts the datetime values of args, the values of p's columns, in
// PostgreSQL's form (pgDateTimeValue), in place.
func (p *insertPlan) pgArgs(args []any) error {
	for _, i := range p.dateTimes {
		if args[i] == nil {
			continue
		}
		v, err := pgDateTimeValue(args[i])
		if err != nil {
			return fmt.Errorf("field %s: %w", p.cols[i], err)
		}
		args[i] = v
	}
	return nil
}

// columns are the columns of the plan's INSERT, in the order of its
// arguments.
func (p *insertPlan) columns() []string {
	all := append([]string(nil), p.cols...)
	if p.newID {
		all = append(all, colID)
	}
	if p.stamp {
		all = append(all, colVersionNumber)
	}
	if p.created {
		all = append(all, colCreatedOn)
	}
	if p.modified {
		all = append(all, colModifiedOn)
	}
	return all
}

// startCopies gives the Apply transaction on conn a pgCopy, which its
// connection copies before any other statement (pgConn).
func (t *Tx) startCopies(conn *sql.Conn) error {
	t.copies, t.conn = &pgCopy{}, conn
	return t.onPGConn(func(pc *pgConn) error {
		pc.copies = t.copies
		return nil
	})
}

// flushCopies writes the rows that wait to be copied.
func (t *Tx) flushCopies() error {
	if t.copies == nil || len(t.copies.batches) == 0 {
		return nil
	}
	return t.onPGConn(func(pc *pgConn) error { return pc.flushCopies(t.ctx) })
}

// stopCopies detaches the pgCopy from the connection, which goes back to
// the pool; rows still waiting (the transaction failed) are dropped.
func (t *Tx) stopCopies() {
	if t.copies == nil {
		return
	}
	t.onPGConn(func(pc *pgConn) error {
		pc.copies = nil
		return nil
	})
	t.copies.batches, t.copies.rows = nil, 0
}

// onPGConn runs fn with the transaction's PostgreSQL connection.
func (t *Tx) onPGConn(fn func(pc *pgConn) error) error {
	return t.conn.Raw(func(dc any) error {
		pc, ok := dc.(*pgConn)
		if !ok {
			return fmt.Errorf("the workspace connection is a %T, not PostgreSQL's", dc)
		}
		return fn(pc)
	})
}

// flushCopies writes the rows of the transaction's inserts that wait to be
// copied, if any: before each statement the connection runs.
func (c *pgConn) flushCopies(ctx context.Context) error {
	if c.copies == nil || len(c.copies.batches) == 0 {
		return nil
	}
	return c.copies.flush(ctx, c.Conn.Conn())
}
