package store

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"switchyard/core/spec"
	"switchyard/internal/pgtest"
)

// testKey is a workspace key for tests: the base64 text of 32 bytes.
const testKey = "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE="

// sealWithTestKey gives the test's PostgreSQL workspaces a key in
// SWITCHYARD_KEY, with no OS keyring; a SQLite workspace in memory keeps
// its process key.
func sealWithTestKey(t *testing.T) {
	t.Helper()
	useKeyring(t, nil)
	t.Setenv(KeyEnv, testKey)
}

// TestPostgresSecretKey: a PostgreSQL workspace's secrets are sealed with
// SWITCHYARD_KEY or the keyring entry named by the workspace, never with a
// key in the database or a file; a machine without the key cannot read them
// and does not seal new ones with a key of its own.
func TestPostgresSecretKey(t *testing.T) {
	ctx := context.Background()
	t.Chdir(t.TempDir())
	schema := pgtest.NewSchema(t)
	open := func() *Store {
		s, err := Open(ctx, schema.URL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a := open()
	name, err := a.pgKeyName(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := "/postgres/" + schema.Name; !strings.HasPrefix(name, "postgres://127.0.0.1:") || !strings.HasSuffix(name, want) {
		t.Errorf("keyring entry %q, want postgres://127.0.0.1:PORT%s", name, want)
	}
	readable := func(s *Store) spec.Values {
		t.Helper()
		forgetKeys()
		in, err := s.Integration(ctx, "crm")
		if err != nil {
			t.Fatal(err)
		}
		return in.Secrets
	}

	// Neither a keyring nor SWITCHYARD_KEY: refused, nothing written.
	useKeyring(t, nil)
	t.Setenv(KeyEnv, "")
	if err := a.SaveIntegration(ctx, crm()); !errors.Is(err, ErrSecretKey) || !strings.Contains(err.Error(), "set SWITCHYARD_KEY") {
		t.Errorf("SaveIntegration without a key = %v, want ErrSecretKey naming SWITCHYARD_KEY", err)
	}
	t.Setenv(KeyEnv, "not base64")
	if err := a.SaveIntegration(ctx, crm()); !errors.Is(err, ErrSecretKey) || !strings.Contains(err.Error(), "in SWITCHYARD_KEY") {
		t.Errorf("SaveIntegration with a bad SWITCHYARD_KEY = %v, want ErrSecretKey", err)
	}

	// The first machine has a keyring: a key is made there, under the workspace's name.
	ring := &fakeKeyring{items: map[string]string{}}
	useKeyring(t, ring)
	t.Setenv(KeyEnv, "")
	if err := a.SaveIntegration(ctx, crm()); err != nil {
		t.Fatal(err)
	}
	text, err := ring.Get(KeyringService, name)
	if err != nil {
		t.Fatalf("no keyring entry %s: %v", name, err)
	}
	for k, v := range rawSecrets(t, a, "crm") {
		if !Sealed(v) || showsPlain(v, crm().Secrets[k]) {
			t.Errorf("secret %s stored as %q, want it sealed", k, v)
		}
	}
	if got := readable(a); got["password"] != "pw" {
		t.Errorf("secrets read back %v", got)
	}

	// Another machine without the key: the secrets cannot be read, and it
	// does not seal new ones with a key of its own.
	b := open()
	useKeyring(t, &fakeKeyring{items: map[string]string{}})
	if got := readable(b); len(got) != 0 {
		t.Errorf("secrets read without the key: %v", got)
	}
	err = b.SetSecret(ctx, "crm", "token", "t2")
	if !errors.Is(err, ErrSecretKey) || !strings.Contains(err.Error(), "set SWITCHYARD_KEY to that key") {
		t.Errorf("SetSecret without the workspace's key = %v, want it refused", err)
	}
	// Given the key in SWITCHYARD_KEY (a CronJob's Secret), it reads and seals.
	t.Setenv(KeyEnv, text)
	if err := b.SetSecret(ctx, "crm", "token", "t2"); err != nil {
		t.Fatal(err)
	}
	if got := readable(b); got["password"] != "pw" || got["token"] != "t2" {
		t.Errorf("secrets with SWITCHYARD_KEY %v", got)
	}
	useKeyring(t, ring)
	t.Setenv(KeyEnv, "")
	if got := readable(a); got["token"] != "t2" {
		t.Errorf("first machine reads %v, want the token sealed with the same key", got)
	}
	if left, err := os.ReadDir("."); err != nil || len(left) > 0 {
		t.Errorf("sealing left files %v (%v)", left, err)
	}
}
