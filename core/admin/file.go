package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/core/store"
)

// ImportResult says what importing an integration file did.
type ImportResult struct {
	Integration string
	// Replaced is true when an integration of that name existed and was replaced.
	Replaced bool
	// CreatedEntities are the local entities created for the mapping.
	CreatedEntities []string
	// AddedFields are the local fields added, as "entity.field".
	AddedFields []string
	// Warnings are things the admin should know but that did not stop the import.
	Warnings []string
	// MissingSecrets are the secret settings the integration still needs:
	// it is saved, and its mapping is checked against the external schema
	// (and its local entities created) once they are given (CompleteImport).
	MissingSecrets []string
}

// ImportFile reads an integration file, checks it against the connector's
// options, the external catalog and the local schema, creates the local
// entities and fields the mapping names and the workspace lacks, and saves
// the integration, replacing one of the same name (whose stored secrets are kept).
// Problems with the file come back as mapping.Problems naming their path.
func (s *Service) ImportFile(ctx context.Context, r io.Reader) (ImportResult, error) {
	if err := s.mayWrite(); err != nil {
		return ImportResult{}, err
	}
	in, err := mapping.Decode(r)
	if err != nil {
		return ImportResult{}, configError(err)
	}
	res := ImportResult{Integration: in.Name}
	ps := in.Check()
	info, err := s.Registry.Lookup(in.Connector)
	if err != nil && in.Connector != "" {
		ps = append(ps, mapping.Problem{Path: "connector", Msg: err.Error()})
	}
	if len(ps) > 0 {
		return res, configError(ps)
	}

	old, err := s.Store.Integration(ctx, in.Name)
	switch {
	case err == nil:
		res.Replaced = true
	case errors.Is(err, store.ErrNotFound):
	default:
		return res, err
	}
	// Secrets written into the file are moved to the workspace's secrets.
	settings, secrets := info.Options.Split(in.Settings)
	in.Settings = settings
	if len(secrets) > 0 {
		merged := spec.Values{}
		for k, v := range old.Secrets {
			merged[k] = v
		}
		for _, k := range secrets.Keys() {
			merged[k] = secrets[k]
			res.Warnings = append(res.Warnings, fmt.Sprintf("settings.%s is a secret: it is stored in the workspace only and never exported; next time give it in %s", k, SecretEnv(in.Name, k)))
		}
		in.Secrets = merged
	}
	known := in
	if known.Secrets == nil {
		known.Secrets = old.Secrets
	}
	if err := info.Options.Validate(info.Options.WithDefaults(s.values(info, known))); err != nil {
		ps = settingProblems(err, info.Options, &res)
		if len(ps) > 0 {
			return res, configError(ps)
		}
	}

	if len(res.MissingSecrets) > 0 {
		if _, err := s.Store.Snapshot(ctx, in.Name); err != nil || !res.Replaced {
			// Nothing to check the mapping against until the system can be
			// read: save the integration, and complete it when the secrets come.
			return res, s.Store.SaveIntegration(ctx, in)
		}
	}
	if err := s.checkAndSave(ctx, in, old, &res); err != nil {
		return res, err
	}
	return res, nil
}

// checkAndSave reads the external catalog of in (or the snapshot of old),
// checks the mapping against it and the local schema, creates what the
// workspace lacks, and saves the integration with the catalog's snapshot.
func (s *Service) checkAndSave(ctx context.Context, in, old mapping.Integration, res *ImportResult) error {
	external, warn, err := s.importCatalog(ctx, in, old, res.Replaced)
	if err != nil {
		return err
	}
	if warn != "" {
		res.Warnings = append(res.Warnings, warn)
	}
	local, err := s.Store.Entities(ctx)
	if err != nil {
		return err
	}
	plan, ps := mapping.CheckSchemas(in, external, local)
	if len(ps) > 0 {
		return configError(ps)
	}
	if err := s.applyPlan(ctx, plan, res); err != nil {
		return err
	}
	if err := s.Store.SaveIntegration(ctx, in); err != nil {
		return err
	}
	return s.Store.SaveSnapshot(ctx, in.Name, external)
}

// CompleteImport finishes the import of an integration saved without its
// secrets (ImportResult.MissingSecrets), once they are given: it reads the
// external catalog, checks the mapping and creates the local entities. It
// reports false when nothing was done: the integration was complete already
// (it has a schema snapshot), or still lacks secrets (res.MissingSecrets).
func (s *Service) CompleteImport(ctx context.Context, name string) (ImportResult, bool, error) {
	res := ImportResult{Integration: name, Replaced: true}
	if _, err := s.Store.Snapshot(ctx, name); err == nil {
		return res, false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return res, false, err
	}
	in, err := s.Store.Integration(ctx, name)
	if err != nil {
		return res, false, err
	}
	info, err := s.Registry.Lookup(in.Connector)
	if err != nil {
		return res, false, configError(fmt.Errorf("integration %q: %w", name, err))
	}
	if err := info.Options.Validate(info.Options.WithDefaults(s.values(info, in))); err != nil {
		if ps := settingProblems(err, info.Options, &res); len(ps) > 0 {
			return res, false, configError(ps)
		}
		if len(res.MissingSecrets) > 0 {
			return res, false, nil // more secrets to come
		}
	}
	if err := s.mayWrite(); err != nil {
		return res, false, err
	}
	res.Replaced = false // no snapshot to fall back on
	if err := s.checkAndSave(ctx, in, in, &res); err != nil {
		return res, true, fmt.Errorf("complete integration %q: %w", name, err)
	}
	return res, true, nil
}

// settingProblems turns a settings validation error into Problems at
// settings.KEY; a missing secret is only a warning, as secrets come later.
func settingProblems(err error, opts spec.Options, res *ImportResult) mapping.Problems {
	var ps mapping.Problems
	for _, e := range unjoin(err) {
		var fe *spec.FieldError
		if !errors.As(e, &fe) {
			ps = append(ps, mapping.Problem{Path: "settings", Msg: e.Error()})
			continue
		}
		if o, ok := opts.Get(fe.Key); ok && o.Secret() {
			res.MissingSecrets = append(res.MissingSecrets, fe.Key)
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: give it with `switchyard integration secret %s %s` (or in the app, or as %s); "+
				"the mapping is checked against the external system, and its local entities created, once it is there",
				fe.Msg, res.Integration, fe.Key, SecretEnv(res.Integration, fe.Key)))
			continue
		}
		ps = append(ps, mapping.Problem{Path: "settings." + fe.Key, Msg: fe.Msg})
	}
	return ps
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// importCatalog reads the external catalog for an import; when the system
// cannot be reached it falls back to the snapshot of the integration being replaced.
func (s *Service) importCatalog(ctx context.Context, in, old mapping.Integration, replaced bool) ([]meta.Entity, string, error) {
	if in.Secrets == nil {
		in.Secrets = old.Secrets
	}
	c, err := s.Connect(ctx, in)
	if err == nil {
		defer c.Close()
		var cat []meta.Entity
		if cat, err = c.Catalog(ctx); err == nil {
			return cat, "", nil
		}
	}
	if replaced {
		if snap, serr := s.Store.Snapshot(ctx, in.Name); serr == nil {
			return snap.Entities, fmt.Sprintf("the external system could not be read (%v); the mapping was checked against the schema cached on %s", err, snap.TakenAt.Format("2006-01-02 15:04 MST")), nil
		}
	}
	return nil, "", fmt.Errorf("read the external catalog of %q to check the mapping: %w", in.Name, err)
}

// applyPlan creates the local entities and fields of plan.
func (s *Service) applyPlan(ctx context.Context, plan mapping.LocalPlan, res *ImportResult) error {
	for _, e := range plan.Entities {
		if err := s.Store.CreateEntity(ctx, e); err != nil {
			return err
		}
		res.CreatedEntities = append(res.CreatedEntities, e.Name)
	}
	for _, f := range plan.AddFields {
		if err := s.Store.AddField(ctx, f.Entity, f.Field); err != nil {
			return err
		}
		res.AddedFields = append(res.AddedFields, f.Entity+"."+f.Field.Name)
	}
	return nil
}

// ExportFile writes the integration called name as an integration file, without secrets.
func (s *Service) ExportFile(ctx context.Context, name string, w io.Writer) error {
	in, err := s.Store.Integration(ctx, name)
	if err != nil {
		return err
	}
	if info, err := s.Registry.Lookup(in.Connector); err == nil {
		in.Settings, _ = info.Options.Split(in.Settings)
	}
	in.Secrets = nil
	return mapping.Encode(w, in)
}

// Summary describes res in a few lines for a terminal.
func (res ImportResult) Summary() string {
	var b strings.Builder
	verb := "created"
	if res.Replaced {
		verb = "replaced"
	}
	fmt.Fprintf(&b, "integration %q %s\n", res.Integration, verb)
	for _, e := range res.CreatedEntities {
		fmt.Fprintf(&b, "created local entity %s\n", e)
	}
	for _, f := range res.AddedFields {
		fmt.Fprintf(&b, "added local field %s\n", f)
	}
	return b.String()
}
