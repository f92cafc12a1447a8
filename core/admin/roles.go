package admin

// A PostgreSQL workspace opened by a read-only role (docs/workspace.md
// "Roles") can be browsed and previewed: every use case that writes refuses
// it up front with mayWrite's error, before it connects to anything.

// ReadOnly reports whether the workspace may only be read: a PostgreSQL
// workspace opened by a role without the owner's grants. The app disables
// its edit and run controls then.
func (s *Service) ReadOnly() bool {
	return s != nil && s.Store != nil && s.Store.ReadOnly()
}

// Role returns the PostgreSQL role the workspace was opened as, for
// messages; "" for a SQLite workspace.
func (s *Service) Role() string {
	if s == nil || s.Store == nil {
		return ""
	}
	return s.Store.Role()
}

// mayWrite returns nil when the workspace may be written, else a
// *ConfigError wrapping the store's *store.ReadOnlyError, which names the
// role and the fix (headless commands exit 3 on it).
func (s *Service) mayWrite() error {
	return configError(s.Store.Writable())
}
