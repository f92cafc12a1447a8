// Package admin holds the administrator's use cases on a workspace — import
// and export integration files, test connections, read and cache external
// catalogs — shared by the GUI and the headless commands.
package admin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"switchyard/core/connector"
	"switchyard/core/mapping"
	"switchyard/core/meta"
	"switchyard/core/spec"
	"switchyard/core/store"
)

// Service runs the use cases against one workspace and one connector registry.
type Service struct {
	Store    *store.Store
	Registry *connector.Registry
	// Getenv reads secrets given in the environment (see SecretEnv); os.Getenv when nil.
	Getenv func(string) string
	// Folder is the folder on this machine for the files of a workspace that
	// is not a file (a PostgreSQL one, one in memory): the app's reports go
	// under it. See LocalFolder.
	Folder string
}

// New returns a Service over st and reg.
func New(st *store.Store, reg *connector.Registry) *Service {
	return &Service{Store: st, Registry: reg}
}

// ConfigError is an error in what the admin configured (a file, a setting, a
// name), as opposed to a failure of a system; headless commands exit 3 on it.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

func configError(err error) error {
	if err == nil {
		return nil
	}
	return &ConfigError{Err: err}
}

// IsConfigError reports whether err comes from the configuration rather than from a system.
func IsConfigError(err error) bool {
	var ce *ConfigError
	var ps mapping.Problems
	return errors.As(err, &ce) || errors.As(err, &ps) || errors.Is(err, store.ErrNotFound) || errors.Is(err, connector.ErrUnknown) ||
		errors.Is(err, store.ErrReadOnly) || errors.Is(err, store.ErrPrivilege)
}

// SecretEnv is the environment variable that can supply the secret key of the
// integration called name, e.g. SWITCHYARD_CRM_PASSWORD for ("crm", "password").
func SecretEnv(name, key string) string {
	up := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z':
				return r - 'a' + 'A'
			case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
				return r
			}
			return '_'
		}, s)
	}
	return "SWITCHYARD_" + up(name) + "_" + up(key)
}

func (s *Service) getenv(k string) string {
	if s.Getenv != nil {
		return s.Getenv(k)
	}
	return os.Getenv(k)
}

// values returns in's settings and secrets, with secrets given in the
// environment taking precedence over stored ones.
func (s *Service) values(info connector.Info, in mapping.Integration) spec.Values {
	v := in.Values()
	for _, o := range info.Options {
		if !o.Secret() {
			continue
		}
		if x := s.getenv(SecretEnv(in.Name, o.Key)); x != "" {
			v[o.Key] = x
		}
	}
	return v
}

// Connect opens the connector of in with its settings and secrets.
func (s *Service) Connect(ctx context.Context, in mapping.Integration) (connector.Connector, error) {
	info, err := s.Registry.Lookup(in.Connector)
	if err != nil {
		return nil, configError(fmt.Errorf("integration %q: %w", in.Name, err))
	}
	v := info.Options.WithDefaults(s.values(info, in))
	if err := info.Options.Validate(v); err != nil {
		res := ImportResult{Integration: in.Name}
		if ps := settingProblems(err, info.Options, &res); len(ps) == 0 && len(res.MissingSecrets) > 0 {
			key := res.MissingSecrets[0]
			return nil, configError(fmt.Errorf("integration %q needs its secret %s: give it with `switchyard integration secret %s %s`, in the app, or as %s",
				in.Name, key, in.Name, key, SecretEnv(in.Name, key)))
		}
		return nil, configError(fmt.Errorf("integration %q settings: %w", in.Name, err))
	}
	if connector.SecretSaverFrom(ctx) == nil && !s.ReadOnly() {
		// A secret the connector obtains (a refreshed token) is kept with the
		// integration's secrets; a read-only role uses it without keeping it.
		ctx = connector.WithSecretSaver(ctx, func(ctx context.Context, key, value string) error {
			return s.Store.SetSecret(ctx, in.Name, key, value)
		})
	}
	return s.Registry.Open(ctx, in.Connector, v)
}

// Test opens the connector of in and checks the connection: with the
// connector's own test when it has one, else by reading the catalog.
func (s *Service) Test(ctx context.Context, in mapping.Integration) (connector.Report, error) {
	c, err := s.Connect(ctx, in)
	if err != nil {
		return connector.Report{}, err
	}
	defer c.Close()
	if t, ok := c.(connector.Tester); ok {
		return t.Test(ctx)
	}
	cat, err := c.Catalog(ctx)
	if err != nil {
		return connector.Report{}, err
	}
	return connector.Report{Entities: len(cat)}, nil
}

// Catalog returns the external entities of the integration called name: the
// cached schema snapshot, or, when refresh is set or nothing is cached, a
// fresh read that is then cached (not on a read-only workspace).
func (s *Service) Catalog(ctx context.Context, name string, refresh bool) ([]meta.Entity, error) {
	if !refresh {
		snap, err := s.Store.Snapshot(ctx, name)
		if err == nil {
			return snap.Entities, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	in, err := s.Store.Integration(ctx, name)
	if err != nil {
		return nil, err
	}
	return s.readCatalog(ctx, in)
}

// readCatalog reads the external catalog of in and caches it as a snapshot
// (unless the workspace is read-only: then it is read and not kept).
func (s *Service) readCatalog(ctx context.Context, in mapping.Integration) ([]meta.Entity, error) {
	c, err := s.Connect(ctx, in)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	cat, err := c.Catalog(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the catalog of %q: %w", in.Name, err)
	}
	if s.ReadOnly() {
		return cat, nil
	}
	if err := s.Store.SaveSnapshot(ctx, in.Name, cat); err != nil {
		return nil, err
	}
	return cat, nil
}
