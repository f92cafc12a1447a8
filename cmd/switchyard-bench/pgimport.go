package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"switchyard/core/store"
)

// Part 8: the full import of part 1c into a PostgreSQL workspace (a fresh
// schema on the server at $SWITCHYARD_PG_URL, in a child process) against
// psql's \copy of the same rows: the rows the import wrote, every column,
// dumped to a CSV file once, then read by psql into a fresh table made as
// the import's (the same columns, defaults, stamping and change capture
// triggers, primary key and index on externalid). Skipped without the URL.

// pgVar names the PostgreSQL server part 8 uses (scripts/pgserver.sh).
const pgVar = "SWITCHYARD_PG_URL"

// pgTimes are part 8's figures.
type pgTimes struct {
	imp, psql time.Duration
	cpu       time.Duration
}

// measurePG runs part 8 with records in pages of pageSize.
func measurePG(ctx context.Context, records, pageSize int) (pgTimes, error) {
	base := os.Getenv(pgVar)
	if base == "" {
		return pgTimes{}, errors.New(pgVar + " is not set (scripts/pgserver.sh start)")
	}
	psql, err := findPSQL()
	if err != nil {
		return pgTimes{}, err
	}
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return pgTimes{}, fmt.Errorf("connect to %s: %w", pgVar, err)
	}
	defer conn.Close(ctx)
	schema := fmt.Sprintf("switchyard_bench_%d", os.Getpid())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return pgTimes{}, err
	}
	defer conn.Exec(context.WithoutCancel(ctx), "DROP SCHEMA "+schema+" CASCADE")
	ws, err := withSearchPath(base, schema)
	if err != nil {
		return pgTimes{}, err
	}
	var t pgTimes
	t.imp, _, t.cpu, err = runChild("import into PostgreSQL in a child process", "-records", strconv.Itoa(records),
		"-pagesize", strconv.Itoa(pageSize), "-child-workspace", ws)
	if err != nil {
		return pgTimes{}, err
	}
	t.psql, err = psqlCopy(ctx, conn, psql, ws, schema, records)
	return t, err
}

// psqlCopy dumps the imported rows of item to a CSV file, makes the table
// item_copy as the import made item, and times psql's \copy of the file
// into it.
func psqlCopy(ctx context.Context, conn *pgx.Conn, psql, ws, schema string, records int) (time.Duration, error) {
	dir, err := os.MkdirTemp("", "switchyard-bench-pg-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	csv := filepath.Join(dir, "item.csv")
	f, err := os.Create(csv)
	if err != nil {
		return 0, err
	}
	_, err = conn.PgConn().CopyTo(ctx, f, "COPY "+schema+".item TO STDOUT CSV")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("dump the imported rows: %w", err)
	}
	st, err := store.Open(ctx, ws)
	if err != nil {
		return 0, err
	}
	local, err := st.Entity(ctx, "item")
	if err == nil {
		local.Name = "item_copy"
		fields := local.Fields[:0]
		for _, f := range local.Fields {
			switch f.Name {
			case "id", "createdon", "modifiedon", "versionnumber": // every table's own
			default:
				fields = append(fields, f)
			}
		}
		local.Fields = fields
		if err = st.CreateEntity(ctx, local); err == nil {
			err = st.IndexField(ctx, local.Name, "externalid")
		}
	}
	st.Close()
	if err != nil {
		return 0, fmt.Errorf("make the table item_copy: %w", err)
	}
	var cols string
	err = conn.QueryRow(ctx, `SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'item'`, schema).Scan(&cols)
	if err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(ctx, psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", ws,
		"-c", fmt.Sprintf(`\copy item_copy (%s) FROM '%s' CSV`, cols, csv))
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("psql \\copy: %w", err)
	}
	d := time.Since(start)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+schema+".item_copy").Scan(&n); err != nil || n != records {
		return 0, fmt.Errorf("psql \\copy wrote %d rows (%v), want %d", n, err, records)
	}
	return d, nil
}

// findPSQL returns the path of psql: on the PATH, else Debian's
// /usr/lib/postgresql/*/bin.
func findPSQL() (string, error) {
	if p, err := exec.LookPath("psql"); err == nil {
		return p, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/psql")
	if len(found) == 0 {
		return "", errors.New("psql not found (Debian's postgresql package)")
	}
	return found[len(found)-1], nil
}

// withSearchPath returns rawURL with its connections' search_path set to
// schema (the libpq parameter options=-csearch_path=…, without a space).
func withSearchPath(rawURL, schema string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", pgVar, err)
	}
	q := u.Query()
	q.Set("options", "-csearch_path="+schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// printPG prints part 8.
func printPG(tw io.Writer, o options, t pgTimes, err error) {
	if err != nil {
		fmt.Fprintf(tw, "8  PostgreSQL: import against psql \\copy\tskipped: %v\t\t≤ 1.5\n", err)
		return
	}
	rate := func(d time.Duration) string { return perSecond(o.records, d) }
	fmt.Fprintf(tw, "8  PostgreSQL: psql \\copy of the same %d rows (CSV)\t%s\t%s\t\n", o.records, t.psql.Round(time.Millisecond), rate(t.psql))
	fmt.Fprintf(tw, "8  PostgreSQL: full import into a PostgreSQL workspace\t%s\t%s\t\n", t.imp.Round(time.Millisecond), rate(t.imp))
	fmt.Fprintf(tw, "8  ratio import / psql \\copy\t%.2f\t\t≤ 1.5\n", t.imp.Seconds()/t.psql.Seconds())
	fmt.Fprintf(tw, "8  CPU time of the import (this side only)\t%s\t%.1f µs/record\t\n", t.cpu.Round(time.Millisecond), float64(t.cpu.Microseconds())/float64(o.records))
}

// pgWorkspace is the workspace the child's import writes (-child-workspace):
// a PostgreSQL URL, or "" for a new SQLite file.
var pgWorkspace string
