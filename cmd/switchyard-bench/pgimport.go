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
	"strings"
	"time"

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

// measurePG runs part 8 with records in pages of pageSize. Only core/store
// speaks to the database from Go (internal/archtest): what the store does
// not do here, psql does.
func measurePG(ctx context.Context, records, pageSize int) (pgTimes, error) {
	base := os.Getenv(pgVar)
	if base == "" {
		return pgTimes{}, errors.New(pgVar + " is not set (scripts/pgserver.sh start)")
	}
	psql, err := findPSQL()
	if err != nil {
		return pgTimes{}, err
	}
	schema := fmt.Sprintf("switchyard_bench_%d", os.Getpid())
	if _, err := runPSQL(ctx, psql, base, "CREATE SCHEMA "+schema); err != nil {
		return pgTimes{}, err
	}
	defer runPSQL(context.WithoutCancel(ctx), psql, base, "DROP SCHEMA "+schema+" CASCADE")
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
	t.psql, err = psqlCopy(ctx, psql, ws, records)
	return t, err
}

// psqlCopy dumps the imported rows of item to a CSV file, makes the table
// item_copy as the import made item, and times psql's \copy of the file
// into it.
func psqlCopy(ctx context.Context, psql, ws string, records int) (time.Duration, error) {
	dir, err := os.MkdirTemp("", "switchyard-bench-pg-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	csv := filepath.Join(dir, "item.csv")
	if _, err := runPSQL(ctx, psql, ws, fmt.Sprintf(`\copy item TO '%s' CSV`, csv)); err != nil {
		return 0, fmt.Errorf("dump the imported rows: %w", err)
	}
	if err := makeCopyTable(ctx, ws); err != nil {
		return 0, err
	}
	cols, err := runPSQL(ctx, psql, ws, `SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'item'`)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if _, err := runPSQL(ctx, psql, ws, fmt.Sprintf(`\copy item_copy (%s) FROM '%s' CSV`, cols, csv)); err != nil {
		return 0, err
	}
	d := time.Since(start)
	n, err := runPSQL(ctx, psql, ws, "SELECT count(*) FROM item_copy")
	if err != nil || n != strconv.Itoa(records) {
		return 0, fmt.Errorf("psql \\copy wrote %s rows (%v), want %d", n, err, records)
	}
	return d, nil
}

// makeCopyTable makes the entity item_copy in the workspace ws with the
// fields of item, and indexes its externalid as the import did item's.
func makeCopyTable(ctx context.Context, ws string) error {
	st, err := store.Open(ctx, ws)
	if err != nil {
		return err
	}
	defer st.Close()
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
	if err != nil {
		return fmt.Errorf("make the table item_copy: %w", err)
	}
	return nil
}

// runPSQL runs one command with psql on the database at url and returns
// what it printed, unaligned and without headers, trimmed; notices are
// not shown.
func runPSQL(ctx context.Context, psql, url, command string) (string, error) {
	cmd := exec.CommandContext(ctx, psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", url,
		"-c", "SET client_min_messages = warning", "-c", command)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("psql %.40q: %w", command, err)
	}
	return strings.TrimSpace(string(out)), nil
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
