package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"switchyard/core/spec"
)

// fakeKeyring is an in-memory OS keyring; broken makes every call fail.
type fakeKeyring struct {
	mu     sync.Mutex
	items  map[string]string
	broken bool
}

func (k *fakeKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.broken {
		return "", errors.New("no secret service")
	}
	v, ok := k.items[service+"/"+user]
	if !ok {
		return "", errors.New("not found")
	}
	return v, nil
}

func (k *fakeKeyring) Set(service, user, value string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.broken {
		return errors.New("no secret service")
	}
	k.items[service+"/"+user] = value
	return nil
}

// useKeyring replaces the OS keyring (nil: none) and forgets the loaded keys for the test.
func useKeyring(t *testing.T, ks keyStore) {
	t.Helper()
	old := keys
	keys = ks
	forgetKeys()
	t.Cleanup(func() { keys = old; forgetKeys() })
}

func forgetKeys() {
	sealersMu.Lock()
	sealers = map[string]*sealer{}
	sealersMu.Unlock()
}

// rawSecrets reads sy_integration_secret as stored.
func rawSecrets(t *testing.T, s *Store, integration string) map[string]string {
	t.Helper()
	rows, err := s.db.Query(`SELECT key, value FROM sy_integration_secret WHERE integration = ?`, integration)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	return out
}

func TestSecretsAreSealedAtRest(t *testing.T) {
	tests := []struct {
		name        string
		keyring     keyStore
		wantKeyFile bool
	}{
		{"no keyring: key file", nil, true},
		{"keyring that fails: key file", &fakeKeyring{broken: true}, true},
		{"keyring", &fakeKeyring{items: map[string]string{}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			useKeyring(t, tt.keyring)
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "w.db")
			s := openFile(t, path)
			in := crm()
			in.Secrets = spec.Values{"client_secret": "Sup3r-S3cret-Value", "password": "Pa55-word-long"}
			if err := s.SaveIntegration(ctx, in); err != nil {
				t.Fatal(err)
			}
			for k, v := range rawSecrets(t, s, "crm") {
				if !Sealed(v) || showsPlain(v, in.Secrets[k]) {
					t.Errorf("stored %s = %q: not sealed", k, v)
				}
			}
			got, err := s.Integration(ctx, "crm")
			if err != nil {
				t.Fatal(err)
			}
			if got.Secrets["client_secret"] != "Sup3r-S3cret-Value" || got.Secrets["password"] != "Pa55-word-long" {
				t.Errorf("secrets read back = %v", got.Secrets)
			}
			fi, err := os.Stat(KeyFile(path))
			if tt.wantKeyFile {
				if err != nil {
					t.Fatalf("no key file: %v", err)
				}
				if fi.Mode().Perm() != 0o600 {
					t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
				}
			} else if err == nil {
				t.Errorf("a key file %s beside a workspace whose key is in the keyring", KeyFile(path))
			}
			// A second process (fresh key cache) opens them too.
			s.Close()
			forgetKeys()
			s2 := openFile(t, path)
			if got, err := s2.Integration(ctx, "crm"); err != nil || got.Secrets["client_secret"] != "Sup3r-S3cret-Value" {
				t.Errorf("after reopening: %v, %v", got.Secrets, err)
			}
			for _, f := range []string{path, path + "-wal"} {
				data, _ := os.ReadFile(f)
				if bytes.Contains(data, []byte("Sup3r-S3cret-Value")) {
					t.Errorf("%s holds the secret in clear", f)
				}
			}
		})
	}
}

// TestPlainSecretsFromOlderWorkspacesAreResealed: on both backends (a
// PostgreSQL workspace copied from an older file may hold them too).
func TestPlainSecretsFromOlderWorkspacesAreResealed(t *testing.T) {
	for _, b := range backends {
		t.Run(b, func(t *testing.T) {
			sealWithTestKey(t)
			var s *Store
			if b == "sqlite" { // a file: sealed with its key file
				s = openFile(t, filepath.Join(t.TempDir(), "w.db"))
			} else {
				s, _ = openBackend(t, b)
			}
			testPlainSecretsResealed(t, s)
		})
	}
}

func testPlainSecretsResealed(t *testing.T, s *Store) {
	ctx := context.Background()
	in := crm()
	in.Secrets = spec.Values{}
	if err := s.SaveIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	// What an older release wrote: the value in clear.
	if _, err := s.db.Exec(`INSERT INTO sy_integration_secret (integration, key, value) VALUES ('crm', 'password', 'old-plain-pw')`); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Integration(ctx, "crm"); err != nil || got.Secrets["password"] != "old-plain-pw" {
		t.Fatalf("plain secret read as %v, %v", got.Secrets, err)
	}
	in.Secrets = nil // keep the stored ones: they are sealed on this save
	if err := s.SaveIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	if v := rawSecrets(t, s, "crm")["password"]; !Sealed(v) {
		t.Errorf("after the next save the secret is stored as %q", v)
	}
	if got, _ := s.Integration(ctx, "crm"); got.Secrets["password"] != "old-plain-pw" {
		t.Errorf("resealed secret reads %q", got.Secrets["password"])
	}
}

func TestSecretWhoseKeyIsGone(t *testing.T) {
	useKeyring(t, nil)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	s := openFile(t, path)
	in := crm()
	in.Secrets = spec.Values{"password": "pw-1234"}
	if err := s.SaveIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	sealedBefore := rawSecrets(t, s, "crm")["password"]
	if err := os.Remove(KeyFile(path)); err != nil {
		t.Fatal(err)
	}
	forgetKeys()
	got, err := s.Integration(ctx, "crm")
	if err != nil {
		t.Fatalf("an unreadable secret must not make the integration unreadable: %v", err)
	}
	if _, ok := got.Secrets["password"]; ok {
		t.Errorf("an unreadable secret read as %q", got.Secrets["password"])
	}
	// Saving the integration with the secrets it could read keeps the sealed
	// one it could not: restoring the key file brings it back.
	if err := s.SaveIntegration(ctx, got); err != nil {
		t.Fatal(err)
	}
	if v := rawSecrets(t, s, "crm")["password"]; v != sealedBefore {
		t.Errorf("the unreadable secret was not kept: %q", v)
	}
	// Setting it again seals it under a new key.
	if err := s.SetSecret(ctx, "crm", "password", "pw-5678"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Integration(ctx, "crm"); got.Secrets["password"] != "pw-5678" {
		t.Errorf("secret set again reads %q", got.Secrets["password"])
	}
}

func TestSetSecret(t *testing.T) { eachBackend(t, testSetSecret) }

func testSetSecret(t *testing.T, s *Store, _ *clock) {
	sealWithTestKey(t)
	ctx := context.Background()
	in := crm()
	in.Secrets = spec.Values{"password": "a"}
	if err := s.SaveIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, integration, key, value string
		want                          spec.Values
		wantErr                       string
	}{
		{"add", "crm", "token", "tok-1", spec.Values{"password": "a", "token": "tok-1"}, ""},
		{"replace", "crm", "password", "b", spec.Values{"password": "b", "token": "tok-1"}, ""},
		{"empty deletes", "crm", "token", "", spec.Values{"password": "b"}, ""},
		{"unknown integration", "nope", "password", "x", nil, `integration "nope": not found`},
		{"empty key", "crm", " ", "x", nil, "the key is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.SetSecret(ctx, tt.integration, tt.key, tt.value)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("SetSecret error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Integration(ctx, "crm")
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Secrets) != len(tt.want) {
				t.Fatalf("secrets %v, want %v", got.Secrets, tt.want)
			}
			for k, v := range tt.want {
				if got.Secrets[k] != v {
					t.Errorf("secret %s = %q, want %q", k, got.Secrets[k], v)
				}
			}
		})
	}
}

func TestSealedTextDamaged(t *testing.T) { eachBackend(t, testSealedTextDamaged) }

func testSealedTextDamaged(t *testing.T, s *Store, _ *clock) {
	sealWithTestKey(t)
	unknown := "neither in the key file nor in the OS keyring"
	if s.d.postgres() {
		unknown = "neither in SWITCHYARD_KEY nor in the OS keyring"
	}
	sl, err := s.sealer(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	good, err := sl.sealValue("hello")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, stored, want, wantErr string
	}{
		{"good", good, "hello", ""},
		{"plain from an older release", "hello", "hello", ""},
		{"no key id", SealPrefix + "abc", "", "damaged"},
		{"unknown key", SealPrefix + "00000000:AAAA", "", unknown},
		{"bad base64", SealPrefix + sl.seal.id + ":!!", "", "damaged"},
		{"tampered", good[:len(good)-2] + "AA", "", "does not open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sl.open(tt.stored)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("open(%q) = %q, %v; want error %q", tt.stored, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("open(%q) = %q, %v; want %q", tt.stored, got, err, tt.want)
			}
		})
	}
}

func TestKeyFileReadableByOthersIsMadePrivate(t *testing.T) {
	useKeyring(t, nil)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	s := openFile(t, path)
	in := crm()
	if err := s.SaveIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(KeyFile(path), 0o644); err != nil {
		t.Fatal(err)
	}
	forgetKeys()
	if got, err := s.Integration(ctx, "crm"); err != nil || got.Secrets["password"] != "pw" {
		t.Fatalf("read: %v, %v", got.Secrets, err)
	}
	if fi, _ := os.Stat(KeyFile(path)); fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
}

// showsPlain reports whether the stored text v shows the secret plain: is it,
// or holds it when it is long enough (6 characters and more) not to turn up
// in random base64 by chance, as a two-letter secret would about once in a
// hundred sealings.
func showsPlain(v, plain string) bool {
	return v == plain || len(plain) >= 6 && strings.Contains(v, plain)
}
