package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// rawInserts runs the INSERTs of a Store.Apply transaction on SQLite's
// connection itself, past database/sql: a statement prepared once per column
// set and values bound from one reused list. database/sql converted and
// copied the arguments of every row, which took about a tenth of a large
// import's writing. Everything else in the transaction goes through
// database/sql as usual, on the same connection.
type rawInserts struct {
	conn  *sql.Conn
	stmts map[*insertPlan]driver.Stmt
	args  []driver.NamedValue
}

// rawValue reports whether v reaches SQLite as it is, without the
// conversions database/sql would make.
func rawValue(v any) bool {
	switch v.(type) {
	case nil, string, int64, float64, bool, []byte, time.Time:
		return true
	}
	return false
}

// exec runs the INSERT of plan with args. ok is false when an argument needs
// database/sql's conversions: the caller runs it through plan.stmt instead.
func (r *rawInserts) exec(ctx context.Context, plan *insertPlan, args []any) (ok bool, err error) {
	for _, a := range args {
		if !rawValue(a) {
			return false, nil
		}
	}
	named := r.args[:0]
	for i, a := range args {
		named = append(named, driver.NamedValue{Ordinal: i + 1, Value: a})
	}
	r.args = named
	err = r.conn.Raw(func(dc any) error {
		st := r.stmts[plan]
		if st == nil {
			c, isSQLite := dc.(*sqlite3.SQLiteConn)
			if !isSQLite {
				return fmt.Errorf("the workspace connection is a %T, not SQLite's", dc)
			}
			var err error
			if st, err = c.Prepare(plan.query); err != nil {
				return err
			}
			r.stmts[plan] = st
		}
		_, err := st.(driver.StmtExecContext).ExecContext(ctx, named)
		return err
	})
	clear(named)
	return true, err
}

// close finalizes the statements; the transaction's connection goes back to
// the pool afterwards.
func (r *rawInserts) close() {
	if len(r.stmts) == 0 {
		return
	}
	r.conn.Raw(func(any) error {
		for _, st := range r.stmts {
			st.Close()
		}
		return nil
	})
	clear(r.stmts)
}
