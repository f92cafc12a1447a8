package store

import (
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// searchPathOption finds the schema in a URL's options parameter:
// -csearch_path=team, -c search_path=team (the first schema of a list).
var searchPathOption = regexp.MustCompile(`-c\s*search_path=([^,\s]+)`)

// Title names the workspace at path for people, as a window title does: a
// file's name ("workspace.db"), or a PostgreSQL workspace's schema, server
// and database ("team on db.example.com:5432/switchyard"; the password is
// never shown). It reads nothing: the schema is the one the URL names.
func Title(path string) string {
	if !IsPostgres(path) {
		if path == memoryPath {
			return path
		}
		return filepath.Base(path)
	}
	cfg, err := pgconn.ParseConfig(path)
	if err != nil {
		return redactURL(path)
	}
	where := cfg.Host + ":" + strconv.Itoa(int(cfg.Port)) + "/" + cfg.Database
	if name := searchPath(cfg); name != "" {
		return name + " on " + where
	}
	return where
}

// searchPath is the first schema of the search_path a URL gives its
// connections, as written: in options (options=-csearch_path=team, the form
// psql also reads) or as a parameter of its own (search_path=team, which pgx
// passes on); "" when it gives none.
func searchPath(cfg *pgconn.Config) string {
	if m := searchPathOption.FindStringSubmatch(cfg.RuntimeParams["options"]); m != nil {
		return m[1]
	}
	first, _, _ := strings.Cut(cfg.RuntimeParams["search_path"], ",")
	return strings.TrimSpace(first)
}

// WithoutPassword is path as a script or a snippet may show it: a file's
// path as it is, a PostgreSQL URL without its password (which then comes
// from PGPASSWORD or the password file, ~/.pgpass, as for psql).
func WithoutPassword(path string) string {
	if !IsPostgres(path) {
		return path
	}
	u, err := url.Parse(path)
	if err != nil {
		return redactURL(path)
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}
