package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"

	"switchyard/core/values"
)

// The PostgreSQL workspace's connection: pgx's database/sql driver
// (github.com/jackc/pgx/v5/stdlib), wrapped so that the store's SQL and
// values cross it as they cross SQLite's:
//
//   - placeholders: the store writes ? and ?N; every statement is rebound
//     to PostgreSQL's $N once, here (rebind), not at each call site;
//   - values read: a boolean comes back as int64 0 or 1, a date as
//     "YYYY-MM-DD", a timestamptz as the workspace's time text
//     (values.FormatStored), a numeric as its exact text: what SQLite
//     returns for the same columns;
//   - values written: an integer 0 or 1 is accepted for a boolean (the store
//     writes SQLite's 0/1); text goes as text, which PostgreSQL parses into
//     the column's type (a time in the workspace's form into timestamptz).

// openPostgres opens the PostgreSQL workspace at rawURL (postgres:// or
// postgresql://; the schema is the connections' search_path, e.g.
// options=-csearch_path=team).
func openPostgres(rawURL string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, err
	}
	inner := stdlib.GetConnector(*cfg, stdlib.OptionAfterConnect(func(_ context.Context, c *pgx.Conn) error {
		c.TypeMap().RegisterType(&pgtype.Type{Name: "bool", OID: pgtype.BoolOID, Codec: intBoolCodec{}})
		return nil
	}))
	return sql.OpenDB(pgConnector{inner}), nil
}

// pgConnector makes pgConns.
type pgConnector struct{ inner driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{Conn: conn.(*stdlib.Conn)}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.inner.Driver() }

// pgConn is pgx's connection with the store's placeholders and values.
// The methods it does not override (transactions, ping, session reset,
// CheckNamedValue) are pgx's own. Every statement first writes the rows
// that wait to be copied (pg_copy.go).
type pgConn struct {
	*stdlib.Conn
	copies *pgCopy // Apply's new rows, until they are copied; nil elsewhere
}

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.flushCopies(ctx); err != nil {
		return nil, err
	}
	st, err := c.Conn.PrepareContext(ctx, rebind(query))
	if err != nil {
		return nil, err
	}
	return pgStmt{st, c}, nil
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.flushCopies(ctx); err != nil {
		return nil, err
	}
	res, err := c.Conn.ExecContext(ctx, rebind(query), args)
	if err != nil {
		return nil, err
	}
	return pgResult{res, c.Conn.Conn()}, nil
}

// pgResult is a statement's result, whose LastInsertId is the number an
// INSERT took for its table's identity column: the session's lastval(),
// read at once on the same connection (the transaction holds it), as
// SQLite's last_insert_rowid(). Only an INSERT into a table with an
// identity (sy_integration_log, sy_entity_mapping, …) has one.
type pgResult struct {
	driver.Result
	conn *pgx.Conn
}

func (r pgResult) LastInsertId() (int64, error) {
	var id int64
	if err := r.conn.QueryRow(context.Background(), `SELECT lastval()`).Scan(&id); err != nil {
		return 0, fmt.Errorf("the id the insert took: %w", err)
	}
	return id, nil
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.flushCopies(ctx); err != nil {
		return nil, err
	}
	rows, err := c.Conn.QueryContext(ctx, rebind(query), args)
	if err != nil {
		return nil, err
	}
	return newPGRows(rows), nil
}

// pgStmt is a prepared statement whose rows are pgRows.
type pgStmt struct {
	driver.Stmt
	conn *pgConn
}

func (s pgStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if err := s.conn.flushCopies(ctx); err != nil {
		return nil, err
	}
	res, err := s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
	if err != nil {
		return nil, err
	}
	return pgResult{res, s.conn.Conn.Conn()}, nil
}

func (s pgStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if err := s.conn.flushCopies(ctx); err != nil {
		return nil, err
	}
	rows, err := s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	return newPGRows(rows), nil
}

// The column kinds pgRows converts.
const (
	pgKeep = iota
	pgBool
	pgDate
	pgTimestamp
)

// pgRows converts what pgx reads into what SQLite returns for the same
// column (see the top of this file).
type pgRows struct {
	driver.Rows
	kinds []int
}

func newPGRows(rows driver.Rows) *pgRows {
	r := &pgRows{Rows: rows}
	typed, ok := rows.(driver.RowsColumnTypeDatabaseTypeName)
	r.kinds = make([]int, len(rows.Columns()))
	for i := range r.kinds {
		if !ok {
			break
		}
		switch typed.ColumnTypeDatabaseTypeName(i) {
		case "BOOL":
			r.kinds[i] = pgBool
		case "DATE":
			r.kinds[i] = pgDate
		case "TIMESTAMPTZ", "TIMESTAMP":
			r.kinds[i] = pgTimestamp
		}
	}
	return r
}

func (r *pgRows) Next(dest []driver.Value) error {
	if err := r.Rows.Next(dest); err != nil {
		return err
	}
	for i, k := range r.kinds {
		switch v := dest[i].(type) {
		case bool:
			dest[i] = int64(boolInt(v))
		case time.Time:
			if k == pgDate {
				dest[i] = values.FormatDate(v.UTC())
			} else {
				dest[i] = values.FormatStored(v)
			}
		}
	}
	return nil
}

// rebind rewrites the store's placeholders, ? (numbered in order) and ?N,
// as PostgreSQL's $N. Text in quotes ('…', "…", $tag$…$tag$) and comments
// (-- and /* */) is left alone.
func rebind(query string) string {
	if strings.IndexByte(query, '?') < 0 {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			stop := len(query)
			if end := strings.IndexByte(query[i+1:], c); end >= 0 {
				stop = i + end + 2
			}
			b.WriteString(query[i:stop])
			i = stop
		case c == '-' && strings.HasPrefix(query[i:], "--"), c == '/' && strings.HasPrefix(query[i:], "/*"):
			closer := "\n"
			if c == '/' {
				closer = "*/"
			}
			stop := len(query)
			if end := strings.Index(query[i+2:], closer); end >= 0 {
				stop = i + 2 + end + len(closer)
			}
			b.WriteString(query[i:stop])
			i = stop
		case c == '$':
			tag := dollarTag(query[i:])
			if tag == "" {
				b.WriteByte(c)
				i++
				continue
			}
			end := strings.Index(query[i+len(tag):], tag)
			stop := len(query)
			if end >= 0 {
				stop = i + len(tag) + end + len(tag)
			}
			b.WriteString(query[i:stop])
			i = stop
		case c == '?':
			digits := values.LeadingDigits(query[i+1:])
			if digits > 0 {
				b.WriteString("$" + query[i+1:i+1+digits])
			} else {
				n++
				b.WriteString("$" + strconv.Itoa(n))
			}
			i += 1 + digits
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// dollarTag returns the dollar-quote opener that s starts with ($$ or
// $tag$), or "" when s does not start one ($1 is a parameter).
func dollarTag(s string) string {
	for j := 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '$':
			return s[:j+1]
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 1 && c >= '0' && c <= '9':
		default:
			return ""
		}
	}
	return ""
}

// intBoolCodec is PostgreSQL's boolean, which also takes the integers 0 and
// 1 that the store writes for SQLite (boolInt, values.Stored).
type intBoolCodec struct{ pgtype.BoolCodec }

func (c intBoolCodec) PlanEncode(m *pgtype.Map, oid uint32, format int16, value any) pgtype.EncodePlan {
	switch value.(type) {
	case int64, int:
		return intBoolPlan{format: format}
	}
	return c.BoolCodec.PlanEncode(m, oid, format, value)
}

// intBoolPlan writes 0 as false and 1 as true.
type intBoolPlan struct{ format int16 }

func (p intBoolPlan) Encode(value any, buf []byte) ([]byte, error) {
	var n int64
	switch v := value.(type) {
	case int64:
		n = v
	case int:
		n = int64(v)
	}
	if n != 0 && n != 1 {
		return nil, fmt.Errorf("%d is not a boolean: store 0 or 1", n)
	}
	if p.format == pgtype.BinaryFormatCode {
		return append(buf, byte(n)), nil
	}
	return append(buf, "ft"[n]), nil
}
