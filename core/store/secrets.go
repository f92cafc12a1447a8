package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/zalando/go-keyring"

	"switchyard/core/spec"
)

// Secrets at rest. sy_integration_secret.value holds sealed text only:
//
//	sy:aes256gcm:<key id>:<base64url of nonce ‖ ciphertext ‖ tag>
//
// The prefix names the scheme (AES-256-GCM with a 12-byte random nonce) and
// the key id (8 hex digits of the key's SHA-256) names the workspace key that
// sealed it. The 256-bit workspace key lives in the OS keyring when one is
// reachable (service "switchyard", user the workspace's absolute path), else
// in a key file beside the workspace (workspace.db.key, mode 0600). A
// :memory: workspace uses a key made once per process. Values without the
// prefix, written by older releases, are read as they are and sealed on the
// integration's next save.

// SealPrefix starts every sealed secret value.
const SealPrefix = "sy:aes256gcm:"

// KeyringService is the OS keyring service under which workspace keys are kept.
const KeyringService = "switchyard"

// KeyringEnv is the environment variable that, set to "off", keeps workspace
// keys out of the OS keyring (in the key file beside the workspace).
const KeyringEnv = "SWITCHYARD_KEYRING"

// ErrSecretKey is wrapped by errors about the workspace key: missing,
// unreadable, or not the one a secret was sealed with.
var ErrSecretKey = errors.New("workspace key")

// keyringTimeout bounds one call to the OS keyring, which may wait on D-Bus.
const keyringTimeout = 5 * time.Second

// keyStore is where a workspace key may live besides the key file: the OS
// keyring (go-keyring); tests replace it.
type keyStore interface {
	Get(service, user string) (string, error)
	Set(service, user, value string) error
}

// osKeyring is the OS keyring through go-keyring, each call bounded in time.
type osKeyring struct{}

func (osKeyring) Get(service, user string) (string, error) {
	var v string
	err := withTimeout(func() (err error) { v, err = keyring.Get(service, user); return err })
	return v, err
}

func (osKeyring) Set(service, user, value string) error {
	return withTimeout(func() error { return keyring.Set(service, user, value) })
}

func withTimeout(fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(keyringTimeout):
		return fmt.Errorf("the OS keyring did not answer within %s", keyringTimeout)
	}
}

var (
	// keys is the OS keyring, or nil where none is reachable.
	keys keyStore = defaultKeyring()

	sealersMu sync.Mutex
	sealers   = map[string]*sealer{} // absolute workspace path → its keys, loaded once

	processOnce sync.Once
	processKey  *sealer // the key of :memory: workspaces
	processErr  error
)

// defaultKeyring returns the OS keyring where one can be reached without
// starting anything: always on macOS and Windows, on other systems only in a
// desktop session (DBUS_SESSION_BUS_ADDRESS set); never when
// SWITCHYARD_KEYRING=off.
func defaultKeyring() keyStore {
	if strings.EqualFold(os.Getenv(KeyringEnv), "off") {
		return nil
	}
	if runtime.GOOS != "darwin" && runtime.GOOS != "windows" && os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return nil
	}
	return osKeyring{}
}

// sealer holds a workspace's keys: the one that seals, and every one found
// that can open; looked says where a missing key was looked for ("" for the
// key file and the OS keyring).
type sealer struct {
	seal   workspaceKey
	known  map[string]workspaceKey // by id
	looked string
}

// workspaceKey is one 256-bit key and where it was found.
type workspaceKey struct {
	id    string
	aead  cipher.AEAD
	where string // "key file PATH", "OS keyring" or "process key"
}

func newKey(raw []byte, where string) (workspaceKey, error) {
	if len(raw) != 32 {
		return workspaceKey{}, fmt.Errorf("%w in %s: %d bytes, want 32", ErrSecretKey, where, len(raw))
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return workspaceKey{}, fmt.Errorf("%w in %s: %w", ErrSecretKey, where, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return workspaceKey{}, fmt.Errorf("%w in %s: %w", ErrSecretKey, where, err)
	}
	sum := sha256.Sum256(raw)
	return workspaceKey{id: hex.EncodeToString(sum[:4]), aead: aead, where: where}, nil
}

// KeyFile returns the key file of the workspace at path: the path with ".key" added.
func KeyFile(path string) string { return path + ".key" }

// sealer returns the keys of the workspace; with create, it makes a key
// (in the OS keyring, else in the key file) when there is none yet.
func (s *Store) sealer(ctx context.Context, create bool) (*sealer, error) {
	if s.d.postgres() {
		return s.pgSealer(ctx, create) // pg_secrets.go
	}
	if s.path == memoryPath {
		processOnce.Do(func() {
			raw := make([]byte, 32)
			if _, processErr = rand.Read(raw); processErr != nil {
				return
			}
			var k workspaceKey
			if k, processErr = newKey(raw, "process key"); processErr == nil {
				processKey = &sealer{seal: k, known: map[string]workspaceKey{k.id: k}}
			}
		})
		return processKey, processErr
	}
	abs, err := filepath.Abs(s.path)
	if err != nil {
		return nil, fmt.Errorf("find the workspace key: %w", err)
	}
	sealersMu.Lock()
	defer sealersMu.Unlock()
	if sl := sealers[abs]; sl != nil && sl.seal.aead != nil {
		return sl, nil
	}
	sl, err := loadKeys(abs)
	if err != nil {
		return nil, err
	}
	if sl.seal.aead == nil && create {
		k, err := createKey(abs)
		if err != nil {
			return nil, err
		}
		sl.seal, sl.known[k.id] = k, k
	}
	sealers[abs] = sl
	return sl, nil
}

// loadKeys reads the key file and the keyring entry of the workspace at abs.
// The key file's key seals when there is one; else the keyring's.
func loadKeys(abs string) (*sealer, error) {
	sl := &sealer{known: map[string]workspaceKey{}}
	if keys != nil {
		if text, err := keys.Get(KeyringService, abs); err == nil {
			raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
			if err != nil {
				return nil, fmt.Errorf("%w in the OS keyring (%s, %s): %w", ErrSecretKey, KeyringService, abs, err)
			}
			k, err := newKey(raw, "the OS keyring")
			if err != nil {
				return nil, err
			}
			sl.seal, sl.known[k.id] = k, k
		}
	}
	file := KeyFile(abs)
	text, err := os.ReadFile(file)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return sl, nil
	case err != nil:
		return nil, fmt.Errorf("read %w file %s: %w", ErrSecretKey, file, err)
	}
	if fi, err := os.Stat(file); err == nil && fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(file, 0o600); err != nil {
			return nil, fmt.Errorf("%w file %s is readable by others and cannot be made private: %w", ErrSecretKey, file, err)
		}
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(text)))
	if err != nil {
		return nil, fmt.Errorf("read %w file %s: not a key written by Switchyard: %w", ErrSecretKey, file, err)
	}
	k, err := newKey(raw, "key file "+file)
	if err != nil {
		return nil, err
	}
	sl.seal, sl.known[k.id] = k, k
	return sl, nil
}

// createKey makes a new workspace key and keeps it in the OS keyring, or,
// where there is none, in the key file (created exclusively with mode 0600;
// when another process created it first, that one is used).
func createKey(abs string) (workspaceKey, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return workspaceKey{}, fmt.Errorf("make a %w: %w", ErrSecretKey, err)
	}
	text := base64.StdEncoding.EncodeToString(raw)
	if keys != nil {
		err := keys.Set(KeyringService, abs, text)
		if err == nil {
			return newKey(raw, "the OS keyring")
		}
		// Headless machines have no keyring: the key file beside the workspace
		// is the documented fallback, not something to warn about every time.
		slog.Info("the OS keyring cannot keep the workspace key: using a key file", "workspace", abs, "error", err)
	}
	file := KeyFile(abs)
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		sl, err := loadKeys(abs)
		if err != nil {
			return workspaceKey{}, err
		}
		return sl.seal, nil
	}
	if err != nil {
		return workspaceKey{}, fmt.Errorf("create %w file %s: %w: make its folder writable, or keep secrets in the environment (SWITCHYARD_<INTEGRATION>_<SETTING>)", ErrSecretKey, file, err)
	}
	if _, err := f.WriteString(text + "\n"); err != nil {
		f.Close()
		os.Remove(file)
		return workspaceKey{}, fmt.Errorf("write %w file %s: %w", ErrSecretKey, file, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(file)
		return workspaceKey{}, fmt.Errorf("write %w file %s: %w", ErrSecretKey, file, err)
	}
	return newKey(raw, "key file "+file)
}

// Sealed reports whether a stored secret value is sealed text.
func Sealed(value string) bool { return strings.HasPrefix(value, SealPrefix) }

// seal encrypts one secret value.
func (sl *sealer) sealValue(plain string) (string, error) {
	nonce := make([]byte, sl.seal.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal secret: %w", err)
	}
	out := sl.seal.aead.Seal(nonce, nonce, []byte(plain), nil)
	return SealPrefix + sl.seal.id + ":" + base64.RawURLEncoding.EncodeToString(out), nil
}

// open decrypts one stored value; a value without the prefix is plain text
// from an older release and comes back as it is.
func (sl *sealer) open(stored string) (string, error) {
	if !Sealed(stored) {
		return stored, nil
	}
	id, body, ok := strings.Cut(strings.TrimPrefix(stored, SealPrefix), ":")
	if !ok {
		return "", errors.New("the sealed text is damaged (no key id)")
	}
	k, found := workspaceKey{}, false
	if sl != nil {
		k, found = sl.known[id]
	}
	if !found {
		looked := "neither in the key file nor in the OS keyring"
		if sl != nil && sl.looked != "" {
			looked = sl.looked
		}
		return "", fmt.Errorf("it was sealed with %w %s, which is %s", ErrSecretKey, id, looked)
	}
	data, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(data) < k.aead.NonceSize() {
		return "", errors.New("the sealed text is damaged")
	}
	plain, err := k.aead.Open(nil, data[:k.aead.NonceSize()], data[k.aead.NonceSize():], nil)
	if err != nil {
		return "", fmt.Errorf("it does not open with %w %s from %s: the sealed text is damaged", ErrSecretKey, id, k.where)
	}
	return string(plain), nil
}

// sealSecrets returns secrets sealed for storage. Stored values that this
// process cannot open (their key is out of reach, e.g. a keyring outside a
// desktop session) are kept as they are unless secrets replaces them.
func (s *Store) sealSecrets(ctx context.Context, tx *sql.Tx, integration string, secrets spec.Values) (spec.Values, error) {
	out := spec.Values{}
	if len(secrets) > 0 {
		sl, err := s.sealer(ctx, true)
		if err != nil {
			return nil, fmt.Errorf("seal secrets: %w", err)
		}
		for k, v := range secrets {
			if out[k], err = sl.sealValue(v); err != nil {
				return nil, err
			}
		}
	}
	stored, err := loadSecrets(ctx, tx, integration)
	if err != nil {
		return nil, err
	}
	sl, _ := s.sealer(ctx, false)
	for k, v := range stored {
		if _, replaced := secrets[k]; replaced || !Sealed(v) {
			continue
		}
		if _, err := sl.open(v); err != nil {
			out[k] = v
		}
	}
	return out, nil
}

// resealStored seals the integration's secrets that older releases stored in
// clear; SaveIntegration calls it when it keeps the stored secrets.
func (s *Store) resealStored(ctx context.Context, tx *sql.Tx, integration string) error {
	stored, err := loadSecrets(ctx, tx, integration)
	if err != nil {
		return err
	}
	var sl *sealer
	for k, v := range stored {
		if Sealed(v) {
			continue
		}
		if sl == nil {
			if sl, err = s.sealer(ctx, true); err != nil {
				return fmt.Errorf("seal secrets: %w", err)
			}
		}
		sealed, err := sl.sealValue(v)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sy_integration_secret SET value = ? WHERE integration = ? AND key = ?`,
			sealed, integration, k); err != nil {
			return fmt.Errorf("seal secret %s: %w", k, err)
		}
	}
	return nil
}

// unsealSecrets opens the stored secrets of an integration. A secret that
// cannot be opened is left out, with a warning naming the fix, so that the
// integration stays usable with the secret given in the environment.
func (s *Store) unsealSecrets(ctx context.Context, integration string, stored spec.Values) spec.Values {
	var sl *sealer
	for _, v := range stored {
		if Sealed(v) {
			sl, _ = s.sealer(ctx, false)
			break
		}
	}
	out := spec.Values{}
	for k, v := range stored {
		plain, err := sl.open(v)
		if err != nil {
			slog.Warn(fmt.Sprintf("secret %s of integration %q cannot be read: %v: %s, give it in the environment, or set it again with `switchyard integration secret %s %s`",
				k, integration, err, s.keyFix(ctx), integration, k))
			continue
		}
		out[k] = plain
	}
	return out
}

// SetSecret stores one secret of an integration, sealed; an empty value
// deletes it. The integration must exist; its version grows by one.
func (s *Store) SetSecret(ctx context.Context, integration, key, value string) error {
	if strings.TrimSpace(key) == "" {
		return fmt.Errorf("set secret of %q: the key is empty: name the setting", integration)
	}
	err := s.inTxAt(ctx, func(tx *sql.Tx, now time.Time) error {
		// A secret is part of the integration: setting one is a save of it.
		if err := bumpVersion(ctx, tx, integration, 0, now); err != nil {
			return err
		}
		if value == "" {
			_, err := tx.ExecContext(ctx, `DELETE FROM sy_integration_secret WHERE integration = ? AND key = ?`, integration, key)
			return err
		}
		sl, err := s.sealer(ctx, true)
		if err != nil {
			return err
		}
		sealed, err := sl.sealValue(value)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO sy_integration_secret (integration, key, value) VALUES (?, ?, ?)
ON CONFLICT (integration, key) DO UPDATE SET value = excluded.value`, integration, key, sealed)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return err
		}
		return fmt.Errorf("set secret %s of %q: %w", key, integration, err)
	}
	return nil
}
