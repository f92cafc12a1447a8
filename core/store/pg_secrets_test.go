package store

import (
	"testing"
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
