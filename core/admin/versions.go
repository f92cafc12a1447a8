package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"switchyard/core/mapping"
	"switchyard/core/schedule"
	"switchyard/core/store"
)

// Versions: the app's editors (the integration editor, Map metadata, the
// schedules) keep the version of the integration they loaded and save from
// it. When another save came in between (another window, another admin, a
// headless import), the save is refused with a *ConflictError saying what
// changed, and the editor keeps its draft: never a silent overwrite.

// Version is an integration's version number and when it was saved.
type Version = store.Version

// ErrChanged is returned, wrapped in a *ConflictError, when a save started
// from a version another save has since replaced.
var ErrChanged = store.ErrChanged

// Loaded is an integration as an editor loaded it, and the version its
// saves start from. The version is the workspace's: the integration file
// carries none.
type Loaded struct {
	Integration mapping.Integration
	// Version is the stored version; its Number is 0 for an integration not
	// saved yet, whose save creates it (or replaces one of its name).
	Version Version
}

// ConflictError refuses a save that started from a version of Name another
// save has since replaced, and says what that save changed.
type ConflictError struct {
	// Name is the integration the save was for.
	Name string
	// From is the version the refused save started from.
	From int64
	// Current is the integration as stored now; its Version.Number is 0
	// when it was deleted.
	Current Loaded
	// Changes says what differs between the version the save started from
	// and the stored one (mapping.Changes).
	Changes []string
}

// Error says who won, when, and what changed: "crm was changed by another
// save at 16:58 (version 7, you started from 5): settings url; entity
// accounts: fields name, email; schedules".
func (e *ConflictError) Error() string {
	v := e.Current.Version
	if v.Number == 0 {
		return fmt.Sprintf("%s was deleted by another save (you started from version %d)", e.Name, e.From)
	}
	msg := fmt.Sprintf("%s was changed by another save at %s (version %d, you started from %d)",
		e.Name, v.SavedAt.Local().Format("15:04"), v.Number, e.From)
	if len(e.Changes) > 0 {
		msg += ": " + strings.Join(e.Changes, "; ")
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrChanged) true.
func (e *ConflictError) Unwrap() error { return ErrChanged }

// LoadIntegration returns the integration called name with the version an
// editor saves from (ErrNotFound when there is none).
func (s *Service) LoadIntegration(ctx context.Context, name string) (Loaded, error) {
	in, v, err := s.Store.VersionedIntegration(ctx, name)
	if err != nil {
		return Loaded{}, err
	}
	return Loaded{Integration: in, Version: v}, nil
}

// SaveIntegrationFrom saves in, edited from the integration as loaded in
// from, and returns it as saved; secrets left nil keep the stored ones. A
// *ConflictError refuses it when another save came in between. From
// nothing loaded (the zero Loaded), it creates in, refused with ErrExists
// when its name is taken meanwhile.
func (s *Service) SaveIntegrationFrom(ctx context.Context, from Loaded, in mapping.Integration) (Loaded, error) {
	if err := s.mayWrite(); err != nil {
		return Loaded{}, err
	}
	if from.Version.Number == 0 && from.Integration.Name == "" {
		v, err := s.Store.CreateIntegration(ctx, in)
		if err != nil {
			return Loaded{}, err
		}
		return Loaded{Integration: in, Version: v}, nil
	}
	v, err := s.Store.SaveIntegrationFrom(ctx, in, from.Version.Number)
	if err != nil {
		return Loaded{}, s.conflict(ctx, in.Name, from, err)
	}
	if in.Secrets == nil { // kept: the stored ones, those loaded
		in.Secrets = from.Integration.Secrets.Clone()
	}
	return Loaded{Integration: in, Version: v}, nil
}

// RenameIntegrationFrom renames the integration loaded in from to newName,
// with everything that belongs to it, and returns it as saved (ErrExists
// when newName is taken, a *ConflictError when another save came in between).
func (s *Service) RenameIntegrationFrom(ctx context.Context, from Loaded, newName string) (Loaded, error) {
	if err := s.mayWrite(); err != nil {
		return Loaded{}, err
	}
	oldName := from.Integration.Name
	v, err := s.Store.RenameIntegrationFrom(ctx, oldName, newName, from.Version.Number)
	if err != nil {
		return Loaded{}, s.conflict(ctx, oldName, from, err)
	}
	renamed := from.Integration
	renamed.Name = newName
	return Loaded{Integration: renamed, Version: v}, nil
}

// SaveSchedulesFrom replaces the schedules of the integration loaded in
// from with schedules, in order, after checking each, and keeps the rest as
// stored; it returns the integration as saved. A *ConflictError refuses it
// when another save came in between.
func (s *Service) SaveSchedulesFrom(ctx context.Context, from Loaded, schedules []schedule.Schedule) (Loaded, error) {
	if err := s.mayWrite(); err != nil {
		return Loaded{}, err
	}
	name := from.Integration.Name
	for i, sc := range schedules {
		if err := sc.Validate(); err != nil {
			return Loaded{}, configError(fmt.Errorf("schedule %d of %q: %w", i+1, name, err))
		}
	}
	if from.Version.Number == 0 { // nothing loaded: the schedules of what is stored
		var err error
		if from, err = s.LoadIntegration(ctx, name); err != nil {
			return Loaded{}, err
		}
	}
	in := from.Integration
	in.Secrets = nil // keeps the stored secrets as they are
	in.Schedules = append([]schedule.Schedule{}, schedules...)
	saved, err := s.SaveIntegrationFrom(ctx, from, in)
	if err != nil && !errors.Is(err, ErrChanged) { // a conflict says it all
		return Loaded{}, fmt.Errorf("save the schedules of %q: %w", name, err)
	}
	return saved, err
}

// SaveEntityMappingFrom is SaveEntityMapping into the integration loaded in
// from (with version 0: as stored now), and returns the integration as
// saved: a *ConflictError refuses it, before anything is created, when
// another save came in between.
func (s *Service) SaveEntityMappingFrom(ctx context.Context, from Loaded, em mapping.EntityMapping) (EntityImportResult, Loaded, error) {
	if err := s.mayWrite(); err != nil {
		return EntityImportResult{}, Loaded{}, err
	}
	var err error
	if from.Version.Number == 0 {
		from, err = s.LoadIntegration(ctx, from.Integration.Name)
	} else {
		err = s.stillCurrent(ctx, from)
	}
	if err != nil {
		return EntityImportResult{}, Loaded{}, err
	}
	catalog, err := s.Catalog(ctx, from.Integration.Name, false)
	if err != nil {
		return EntityImportResult{}, Loaded{}, err
	}
	return s.saveEntityMapping(ctx, from, em, catalog)
}

// stillCurrent returns a *ConflictError when from is no longer the stored
// version of its integration.
func (s *Service) stillCurrent(ctx context.Context, from Loaded) error {
	name := from.Integration.Name
	vs, err := s.Store.IntegrationVersions(ctx)
	if err != nil {
		return err
	}
	if v := vs[name]; v.Number != from.Version.Number {
		return s.conflict(ctx, name, from, &store.ChangedError{Integration: name, From: from.Version.Number, Current: v})
	}
	return nil
}

// conflict turns err, when it refuses a save of the integration called name
// started from from, into a *ConflictError saying what changed since; other
// errors are returned as they are.
func (s *Service) conflict(ctx context.Context, name string, from Loaded, err error) error {
	if !errors.Is(err, store.ErrChanged) {
		return err
	}
	ce := &ConflictError{Name: name, From: from.Version.Number}
	current, lerr := s.LoadIntegration(ctx, name)
	switch {
	case errors.Is(lerr, store.ErrNotFound): // deleted (or renamed) meanwhile
		return ce
	case lerr != nil:
		return fmt.Errorf("%w (and reading what changed failed: %v)", err, lerr)
	}
	ce.Current = current
	ce.Changes = mapping.Changes(from.Integration, current.Integration)
	return ce
}
