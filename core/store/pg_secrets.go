package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
)

// The key of a PostgreSQL workspace. Its secrets are sealed as a SQLite
// workspace's are (secrets.go), but the key is never in the database, nor
// in a file named after the URL: it is
//
//   - SWITCHYARD_KEY, when set: the base64 text of 32 bytes (what a SQLite
//     key file holds; `openssl rand -base64 32` makes one). It seals, and
//     is the way to give the key to a server or a CronJob;
//   - else the OS keyring's entry of the workspace: service "switchyard",
//     user pgKeyName's name (postgres://HOST:PORT/DATABASE/SCHEMA, without
//     the role, so that every role of one workspace finds the same key).
//
// Both are read; either opens what it sealed. A machine with neither makes
// a key in its keyring when it first seals a secret, unless the workspace
// already holds secrets sealed with another key: then it refuses, so that a
// team's workspace never ends up sealed with one key per workstation.

// KeyEnv is the environment variable that gives a PostgreSQL workspace's key.
const KeyEnv = "SWITCHYARD_KEY"

// pgKeyNames are the names pgKeyName found, by workspace URL: a URL's
// schema does not change while it is open.
var pgKeyNames sync.Map

// pgKeyName returns the name of the workspace's keyring entry:
// postgres://HOST:PORT/DATABASE/SCHEMA, from its URL and current schema.
func (s *Store) pgKeyName(ctx context.Context) (string, error) {
	if name, ok := pgKeyNames.Load(s.path); ok {
		return name.(string), nil
	}
	cfg, err := pgconn.ParseConfig(s.path)
	if err != nil {
		return "", fmt.Errorf("name the workspace key: %w", err)
	}
	var schema string
	if err := s.db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return "", fmt.Errorf("name the workspace key: %w", err)
	}
	host := strings.ToLower(cfg.Host) + ":" + strconv.Itoa(int(cfg.Port))
	name := "postgres://" + host + "/" + cfg.Database + "/" + schema
	pgKeyNames.Store(s.path, name)
	return name, nil
}

// pgSealer is sealer for a PostgreSQL workspace: its keys from KeyEnv and
// the keyring entry; with create, a new key in the keyring when there is
// none and the workspace holds no secret sealed with another.
func (s *Store) pgSealer(ctx context.Context, create bool) (*sealer, error) {
	name, err := s.pgKeyName(ctx)
	if err != nil {
		return nil, err
	}
	sealersMu.Lock()
	defer sealersMu.Unlock()
	if sl := sealers[name]; sl != nil && sl.seal.aead != nil {
		return sl, nil
	}
	sl, err := pgLoadKeys(name)
	if err != nil {
		return nil, err
	}
	if sl.seal.aead == nil && create {
		k, err := s.pgCreateKey(ctx, name)
		if err != nil {
			return nil, err
		}
		sl.seal, sl.known[k.id] = k, k
	}
	sealers[name] = sl
	return sl, nil
}

// pgLoadKeys reads KeyEnv and the keyring entry name. KeyEnv's key seals
// when it is set; else the keyring's.
func pgLoadKeys(name string) (*sealer, error) {
	sl := &sealer{known: map[string]workspaceKey{}, looked: "neither in " + KeyEnv + " nor in the OS keyring (" + KeyringService + ", " + name + ")"}
	if keys != nil {
		if text, err := keys.Get(KeyringService, name); err == nil {
			k, err := decodeKey(text, "the OS keyring ("+KeyringService+", "+name+")")
			if err != nil {
				return nil, err
			}
			sl.seal, sl.known[k.id] = k, k
		}
	}
	if text := os.Getenv(KeyEnv); strings.TrimSpace(text) != "" {
		k, err := decodeKey(text, KeyEnv)
		if err != nil {
			return nil, err
		}
		sl.seal, sl.known[k.id] = k, k
	}
	return sl, nil
}

// decodeKey reads a key written as base64 text (a key file's, KeyEnv's or
// the keyring's).
func decodeKey(text, where string) (workspaceKey, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil {
		return workspaceKey{}, fmt.Errorf("%w in %s: not the base64 text of 32 bytes (openssl rand -base64 32): %w", ErrSecretKey, where, err)
	}
	return newKey(raw, where)
}

// errNoPgKey says how to give a PostgreSQL workspace its key.
var errNoPgKey = fmt.Errorf("%w: a PostgreSQL workspace takes its key from %s or the OS keyring, never from the database nor a file: set %s to the team's key (the base64 text of 32 bytes: openssl rand -base64 32), the same on every machine and in the CronJob's Secret, or give secrets in the environment (SWITCHYARD_<INTEGRATION>_<SETTING>)",
	ErrSecretKey, KeyEnv, KeyEnv)

// pgCreateKey makes a new key for the workspace and keeps it in the OS
// keyring's entry name. It refuses where there is no keyring, and where the
// workspace holds secrets sealed with keys this machine lacks (another
// admin's): a second key would leave each machine unable to open the
// other's secrets.
func (s *Store) pgCreateKey(ctx context.Context, name string) (workspaceKey, error) {
	var ids string
	err := s.db.QueryRowContext(ctx, `SELECT coalesce(string_agg(DISTINCT split_part(value, ':', 3), ', '), '')
FROM sy_integration_secret WHERE starts_with(value, ?)`, SealPrefix).Scan(&ids)
	if err != nil {
		return workspaceKey{}, fmt.Errorf("find the workspace's keys: %w", err)
	}
	if ids != "" {
		return workspaceKey{}, fmt.Errorf("the workspace's secrets are sealed with %w %s, which is neither in %s nor in the OS keyring (%s, %s): set %s to that key",
			ErrSecretKey, ids, KeyEnv, KeyringService, name, KeyEnv)
	}
	if keys == nil {
		return workspaceKey{}, errNoPgKey
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return workspaceKey{}, fmt.Errorf("make a %w: %w", ErrSecretKey, err)
	}
	if err := keys.Set(KeyringService, name, base64.StdEncoding.EncodeToString(raw)); err != nil {
		return workspaceKey{}, fmt.Errorf("%w (the OS keyring cannot keep it: %w)", errNoPgKey, err)
	}
	return newKey(raw, "the OS keyring ("+KeyringService+", "+name+")")
}

// keyFix says how to make an unreadable secret readable again, for the
// warning unsealSecrets gives.
func (s *Store) keyFix(ctx context.Context) string {
	if !s.d.postgres() {
		return "restore the key file " + KeyFile(s.path) + " (or run where the keyring is unlocked)"
	}
	name, err := s.pgKeyName(ctx)
	if err != nil {
		name = "postgres://HOST:PORT/DATABASE/SCHEMA"
	}
	return "set " + KeyEnv + " to the workspace key (or run where the OS keyring holds it as " + KeyringService + ", " + name + ")"
}
