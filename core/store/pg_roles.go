package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// The roles of a PostgreSQL workspace (docs/workspace.md "Roles"): its owner,
// the role that created and migrates it, runs and edits; a read-only role,
// granted what deploy/postgres/roles.sql grants, browses and previews. A
// store opened by a role that may not write the workspace knows it
// (ReadOnly) and writes nothing: not on open, and every write it is asked
// for is refused with a *ReadOnlyError before it reaches the database.

// ErrReadOnly is returned, as a *ReadOnlyError, for a write to a workspace
// that the store's role may only read.
var ErrReadOnly = errors.New("may only read the workspace")

// ErrPrivilege is returned, as a *PrivilegeError, when PostgreSQL refuses a
// statement for a privilege the role lacks (SQLSTATE 42501).
var ErrPrivilege = errors.New("lacks a privilege on the workspace")

// RolesDoc is where the grants of a workspace's roles are described.
const RolesDoc = `docs/workspace.md "Roles"`

// ReadOnlyError says that Role may only read the workspace.
type ReadOnlyError struct {
	// Role is the PostgreSQL role the workspace was opened as.
	Role string
	// Workspace is the workspace's URL without its password.
	Workspace string
}

func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("the role %q may only read workspace %s: it can browse and preview; run and edit as the workspace's owner, or ask for the grants in %s",
		e.Role, e.Workspace, RolesDoc)
}

// Unwrap returns ErrReadOnly.
func (e *ReadOnlyError) Unwrap() error { return ErrReadOnly }

// PrivilegeError is PostgreSQL's refusal of a statement for a privilege
// that Role lacks on the workspace.
type PrivilegeError struct {
	Role, Workspace string
	// Err is the server's error (a *pgconn.PgError).
	Err error
}

func (e *PrivilegeError) Error() string {
	var pe *pgconn.PgError
	what := e.Err.Error()
	if errors.As(e.Err, &pe) {
		what = pe.Message
	}
	return fmt.Sprintf("the role %q lacks a privilege on workspace %s (%s): see the grants in %s", e.Role, e.Workspace, what, RolesDoc)
}

// Unwrap returns ErrPrivilege and the server's error.
func (e *PrivilegeError) Unwrap() []error { return []error{ErrPrivilege, e.Err} }

// ReadOnly reports whether the workspace's role may only read it (a
// PostgreSQL workspace opened by a role without the owner's grants). A
// SQLite workspace is never read-only.
func (s *Store) ReadOnly() bool { return s.readOnly }

// Role returns the PostgreSQL role the workspace was opened as; "" for SQLite.
func (s *Store) Role() string { return s.role }

// readOnlyError is the refusal of a write to a read-only workspace.
func (s *Store) readOnlyError() error { return &ReadOnlyError{Role: s.role, Workspace: s.name()} }

// denied makes PostgreSQL's insufficient_privilege error a *PrivilegeError
// naming the role; other errors pass unchanged.
func (s *Store) denied(err error) error {
	var pe *pgconn.PgError
	if err == nil || !errors.As(err, &pe) || pe.Code != "42501" {
		return err
	}
	return &PrivilegeError{Role: s.role, Workspace: s.name(), Err: err}
}

// pgReadAccess sets s.role, and s.readOnly when the role can neither insert
// nor update the workspace's integrations (or, in a schema without them,
// cannot create tables in it).
func (s *Store) pgReadAccess(ctx context.Context) error {
	return s.db.QueryRowContext(ctx, `SELECT current_user, CASE WHEN to_regclass('sy_integration') IS NULL
	THEN NOT has_schema_privilege(current_schema(), 'CREATE')
	ELSE NOT (has_table_privilege(to_regclass('sy_integration'), 'INSERT') AND has_table_privilege(to_regclass('sy_integration'), 'UPDATE')) END`).
		Scan(&s.role, &s.readOnly)
}

// checkCurrent is migrate for a read-only workspace: it writes nothing, and
// refuses a workspace that is not at version latest, which only its owner
// can migrate.
func (s *Store) checkCurrent(ctx context.Context, latest int) error {
	var made bool
	if err := s.db.QueryRowContext(ctx, `SELECT to_regclass('sy_migration') IS NOT NULL`).Scan(&made); err != nil {
		return err
	}
	if !made {
		return fmt.Errorf("%w: its schema holds no workspace yet: its owner must create it (open it once)", s.readOnlyError())
	}
	found, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case found > latest:
		return &newerError{path: s.name(), found: found, latest: latest}
	case found < latest:
		return fmt.Errorf("%w: it is at schema version %d and this Switchyard needs %d: its owner must open it once with this version to upgrade it",
			s.readOnlyError(), found, latest)
	}
	return nil
}

// Writable returns nil when the workspace may be written, else the
// *ReadOnlyError that a write would get.
func (s *Store) Writable() error {
	if s.readOnly {
		return s.readOnlyError()
	}
	return nil
}
