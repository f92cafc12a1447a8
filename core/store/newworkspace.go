package store

import (
	"context"
	"errors"
	"fmt"
)

// A command that creates a workspace and then fails (integration import)
// leaves the workspace as it found it: Created says whether this Open made
// the workspace, and DiscardNew removes what it made.

// errNotCreated is DiscardNew's refusal of a workspace that this Open did not
// create.
var errNotCreated = errors.New("this Switchyard did not create it")

// Created reports whether this Open made the workspace: the SQLite file did
// not exist, or was empty, or the PostgreSQL schema held no tables, and this
// Open applied the first migration. Of two Switchyards that open a new
// workspace at once, one created it; the other finds it made.
func (s *Store) Created() bool { return s.created }

// DiscardNew removes what Open made in a workspace that it created
// (Created), for a command that creates a workspace and then fails. It
// refuses, changing nothing, when the store did not create the workspace.
//
// On PostgreSQL it drops, in one transaction, every object of the workspace
// in its schema: Switchyard's (named sy_) and the local entities' tables,
// with their indexes, triggers and sequences. The schema itself, its owner
// and grants stay. It refuses, changing nothing, while another Switchyard
// has the workspace open; when the workspace holds an integration or a row
// of a local entity (a failed integration import saves neither: another
// Switchyard did since); and when an object that is not Switchyard's
// depends on one of them (a view of someone else's). An object that is not
// Switchyard's and depends on none of them stays, and the error names it.
//
// On SQLite the workspace is its file, which the caller removes after Close
// when the file was not there before (only it knows which folders it made):
// DiscardNew does nothing there.
//
// Close the store afterwards: it holds an empty schema.
func (s *Store) DiscardNew(ctx context.Context) error {
	if !s.created {
		return fmt.Errorf("discard the new workspace %s: %w: left as it is", s.name(), errNotCreated)
	}
	if !s.d.postgres() {
		return nil
	}
	if err := s.pgDiscard(ctx); err != nil {
		return fmt.Errorf("discard the new workspace %s: %w", s.name(), err)
	}
	if err := s.pgDropMadeSchema(ctx); err != nil {
		return fmt.Errorf("discard the new workspace %s: %w", s.name(), err)
	}
	return nil
}
