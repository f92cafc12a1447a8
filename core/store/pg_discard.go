package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// DiscardNew on PostgreSQL (newworkspace.go): the workspace's in-use lock,
// and the drop of everything the workspace holds.
//
// Every store of a PostgreSQL workspace holds the workspace's in-use lock, a
// shared session advisory lock of its schema, from before it looks at the
// schema until Close, on a connection set aside for it. DiscardNew takes the
// lock exclusively without waiting: it gets it only when no other Switchyard
// has the workspace open, so nothing that another one saved is dropped; and
// an Open that begins meanwhile waits for the drop to end, then finds an
// empty schema and creates the workspace itself. (Sessions that are not
// Switchyard's take no lock: what they wrote in the new workspace goes too.)

// pgInUseKey is the in-use lock's key: the schema's, with seed 4, apart
// from the migration lock's (seed 1) and the keys of the run locks, saves
// and version gates (seeds 0, 2 and 3), which add an integration or table.
const pgInUseKey = `hashtextextended(current_schema(), 4)`

// errOpenElsewhere is DiscardNew's refusal while another Switchyard has the
// workspace open.
var errOpenElsewhere = errors.New("another Switchyard has it open and may have saved something in it: left as it is")

// errHoldsWork is DiscardNew's refusal of a workspace that holds an
// integration or a local row, followed by which (pgRefuseWork).
var errHoldsWork = errors.New("it holds what another Switchyard may have saved, left as it is")

// pgHoldInUse takes the in-use lock, shared, on a connection set aside for
// the store's life. When the schema does not exist (current_schema() is
// NULL) it takes none, and Open refuses the workspace.
func (s *Store) pgHoldInUse(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock_shared(`+pgInUseKey+`)`); err != nil {
		conn.Close()
		return fmt.Errorf("take the workspace's in-use lock: %w", err)
	}
	s.inUse = conn
	return nil
}

// pgReleaseInUse releases the in-use lock, if the store holds it, before
// Close: at once, rather than when the server gets round to ending the
// session of the connection closed.
func (s *Store) pgReleaseInUse() {
	if s.inUse == nil {
		return
	}
	s.inUse.ExecContext(context.Background(), `SELECT pg_advisory_unlock_shared(`+pgInUseKey+`)`)
	s.inUse.Close() // back to the pool, which Close closes
	s.inUse = nil
}

// pgDiscard drops the workspace's objects while no other Switchyard has it
// open, holding the in-use lock exclusively, and holds it shared again
// afterwards.
func (s *Store) pgDiscard(ctx context.Context) error {
	conn := s.inUse
	if conn == nil {
		return errors.New("its in-use lock was lost: left as it is")
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock_shared(`+pgInUseKey+`)`); err != nil {
		return fmt.Errorf("release the workspace's in-use lock: %w", err)
	}
	var alone bool
	err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(`+pgInUseKey+`)`).Scan(&alone)
	defer func() { s.pgHoldInUseAgain(alone) }()
	switch {
	case err != nil:
		return fmt.Errorf("lock the workspace: %w", err)
	case !alone:
		return errOpenElsewhere
	}
	var left []string
	tx, err := conn.BeginTx(ctx, nil)
	err = finishTx(tx, err, func(tx *sql.Tx) (dropErr error) {
		left, dropErr = pgDropWorkspace(ctx, tx)
		return dropErr
	})
	if err != nil {
		return err
	}
	if len(left) > 0 {
		return fmt.Errorf("its schema still holds what is not Switchyard's, left as it is: %s", strings.Join(left, ", "))
	}
	return nil
}

// pgHoldInUseAgain releases the in-use lock held exclusively (exclusive) and
// takes it shared again, as the store held it before pgDiscard. Should that
// fail, the connection is closed: its session's locks end with it.
func (s *Store) pgHoldInUseAgain(exclusive bool) {
	ctx := context.Background()
	q := `SELECT pg_advisory_lock_shared(` + pgInUseKey + `)`
	if exclusive {
		q = `SELECT pg_advisory_unlock(` + pgInUseKey + `), pg_advisory_lock_shared(` + pgInUseKey + `)`
	}
	if _, err := s.inUse.ExecContext(ctx, q); err != nil {
		s.inUse.Raw(func(any) error { return driver.ErrBadConn })
		s.inUse.Close()
		s.inUse = nil
	}
}

// pgDiscardSteps drop the workspace's objects, one kind a step, in an order
// in which none is still needed by another: the objects the step's query
// lists (schema-qualified, quoted), with its DROP. The relations are those
// named sy_ and the local entities' tables; their indexes, triggers, row
// types and the sequences of their identity columns go with them.
var pgDiscardSteps = []struct{ drop, list string }{
	{"DROP VIEW", pgRelationsSQL("'v'", "")},
	{"DROP MATERIALIZED VIEW", pgRelationsSQL("'m'", "")},
	{"DROP TABLE", pgRelationsSQL("'r', 'p'", " OR c.relname IN (SELECT name FROM sy_entity)")},
	{"DROP SEQUENCE", pgRelationsSQL("'S'", "")},
	{"DROP ROUTINE", `SELECT format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = current_schema() AND p.proname LIKE 'sy\_%'`},
	{"DROP DOMAIN", pgTypesSQL("'d'")},
	{"DROP TYPE", pgTypesSQL("'e', 'r', 'c'")},
}

// pgRelationsSQL lists the relations of the kinds (pg_class.relkind) named
// sy_, or (orNamed, a condition on c.relname) otherwise Switchyard's.
func pgRelationsSQL(kinds, orNamed string) string {
	return `SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN (` + kinds + `) AND (c.relname LIKE 'sy\_%'` + orNamed + `)`
}

// pgTypesSQL lists the types of the kinds (pg_type.typtype) named sy_ that
// are no relation's row type.
func pgTypesSQL(kinds string) string {
	return `SELECT format('%I.%I', n.nspname, t.typname) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = current_schema() AND t.typtype IN (` + kinds + `) AND t.typname LIKE 'sy\_%'
	AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')`
}

// pgLeftSQL lists, as "kind name", what the workspace's schema still holds:
// its relations (but indexes), routines and types.
const pgLeftSQL = `SELECT kind || ' ' || name FROM (
	SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence'
		WHEN 'c' THEN 'type' WHEN 'f' THEN 'foreign table' ELSE 'table' END AS kind,
		quote_ident(c.relname) AS name
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname = current_schema() AND c.relkind NOT IN ('i', 'I') -- an index goes with its table
	UNION ALL
	SELECT 'function', format('%I(%s)', p.proname, pg_get_function_identity_arguments(p.oid))
	FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()
	UNION ALL
	SELECT CASE t.typtype WHEN 'd' THEN 'domain' ELSE 'type' END, quote_ident(t.typname)
	FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
	WHERE n.nspname = current_schema() AND t.typtype IN ('d', 'e', 'r')
) o ORDER BY 1`

// pgDropWorkspace drops the workspace's objects in tx (pgDiscardSteps) and
// returns what the schema still holds. It refuses a workspace that holds
// work (pgRefuseWork); a drop that something else depends on fails, and tx
// with it.
func pgDropWorkspace(ctx context.Context, tx *sql.Tx) ([]string, error) {
	if err := pgRefuseWork(ctx, tx); err != nil {
		return nil, err
	}
	for _, step := range pgDiscardSteps {
		names, err := queryStrings(ctx, tx, step.list)
		if err != nil {
			return nil, fmt.Errorf("list what to drop: %w", err)
		}
		if len(names) == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, step.drop+" "+strings.Join(names, ", ")); err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "2BP01" { // dependent_objects_still_exist
				return nil, fmt.Errorf("something that is not Switchyard's depends on the workspace (%s): left as it is: %w", pe.Detail, err)
			}
			return nil, fmt.Errorf("drop the workspace's objects: %w", err)
		}
	}
	left, err := queryStrings(ctx, tx, pgLeftSQL)
	if err != nil {
		return nil, fmt.Errorf("list what is left: %w", err)
	}
	return left, nil
}

// pgRefuseWork refuses a workspace that holds an integration or a local
// row: a failed integration import saves neither (at most it made local
// entities; rarely, it saved its integration and then failed), so another
// Switchyard may have, and closed the workspace since (while it is open,
// the in-use lock refuses).
func pgRefuseWork(ctx context.Context, tx *sql.Tx) error {
	integrations, err := queryStrings(ctx, tx, `SELECT quote_ident(name) FROM sy_integration ORDER BY name`)
	if err != nil {
		return fmt.Errorf("list the integrations: %w", err)
	}
	if len(integrations) > 0 {
		return fmt.Errorf("%w: integration %s", errHoldsWork, strings.Join(integrations, ", "))
	}
	entities, err := queryStrings(ctx, tx, `SELECT name FROM sy_entity ORDER BY name`)
	if err != nil {
		return fmt.Errorf("list the local entities: %w", err)
	}
	for _, e := range entities {
		rows, err := exists(ctx, tx, `SELECT count(*) FROM (SELECT 1 FROM `+quote(e)+` LIMIT 1) r`)
		if err != nil {
			return fmt.Errorf("look for rows of %s: %w", e, err)
		}
		if rows {
			return fmt.Errorf("%w: rows of %s", errHoldsWork, e)
		}
	}
	return nil
}
