package connector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"switchyard/core/meta"
)

// Upsert creates the record or, when one with its key exists, updates it.
// Writers that cannot upsert return ErrUnsupported in each record's Result.
const Upsert Op = "upsert"

// ETagKey is the record key under which a Reader may return a record's
// version tag (an OData ETag, a row version). A Writer that finds it in a
// record to update or delete sends it back, so that the write fails with
// ErrConflict when someone else changed the record in between; without it
// the write overwrites unconditionally. Mappings never see it as a field.
const ETagKey = "@etag"

// Errors a Writer puts in a Result (wrapped, with the system's own message) so
// that the engine can tell these outcomes apart from other failures.
var (
	// ErrDeleted: the record to update or delete no longer exists in the
	// external system (an HTTP 404 on update or delete). The engine reports it
	// as "deleted in the external system" and does not retry.
	ErrDeleted = errors.New("deleted in the external system")
	// ErrConflict: the record changed in the external system since it was read
	// (an ETag or row-version mismatch, HTTP 412); read it again and retry.
	ErrConflict = errors.New("changed in the external system since it was read (conflict)")
	// ErrUnsupported: the connector or the external entity cannot do the
	// operation asked for (e.g. a write to a read-only entity set).
	ErrUnsupported = errors.New("not supported by the external system")
)

// DeltaReader is implemented by connectors whose systems track changes
// themselves (OData delta links, as Dataverse does). Read with Query.Track
// set to start tracking: the last page's Delta is a token to keep; a later
// read with Query.Delta set to it returns only what changed since then,
// deletions in Page.Deleted, and a new Delta on its last page.
type DeltaReader interface {
	Reader
	// TracksChanges reports whether the system tracks changes of entity, so
	// that Track and Delta are worth setting; false for no error means the
	// caller should fall back to a cursor (Query.Since).
	TracksChanges(ctx context.Context, entity string) (bool, error)
}

// KeyString returns the key of rec under the fields key as text: the value
// alone for a single key, "name=value,name=value" for a composite one, in the
// order of key. Values are formatted with %v; a missing one is an error.
func KeyString(rec meta.Record, key []string) (string, error) {
	if len(key) == 0 {
		return "", errors.New("build a record key: the entity declares no key")
	}
	parts := make([]string, len(key))
	for i, k := range key {
		v, ok := rec[k]
		if !ok || v == nil {
			return "", fmt.Errorf("build a record key: key field %s is empty", k)
		}
		parts[i] = fmt.Sprint(v)
		if len(key) > 1 {
			parts[i] = k + "=" + parts[i]
		}
	}
	return strings.Join(parts, ","), nil
}

// BusinessFields returns the field names of rec that are not system keys such
// as ETagKey (names starting with "@"), sorted.
func BusinessFields(rec meta.Record) []string {
	out := make([]string, 0, len(rec))
	for k := range rec {
		if !strings.HasPrefix(k, "@") {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

type logKey struct{}

// WithLogger returns ctx carrying the connection log l: connectors write to
// it what an administrator must see while a connection is made or used, such
// as the code and address of an OAuth2 device sign-in.
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, logKey{}, l)
}

// Logger returns the connection log carried by ctx, or one that discards everything.
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(logKey{}).(*slog.Logger); ok && l != nil {
		return l
	}
	return slog.New(slog.DiscardHandler)
}

// SecretSaver stores a secret option's new value, e.g. a refresh token that
// an OAuth2 sign-in produced, so that later runs need no new sign-in.
type SecretSaver func(ctx context.Context, key, value string) error

type saverKey struct{}

// WithSecretSaver returns ctx carrying save, which connectors opened with
// that ctx call when a secret option gets a new value.
func WithSecretSaver(ctx context.Context, save SecretSaver) context.Context {
	return context.WithValue(ctx, saverKey{}, save)
}

// SecretSaverFrom returns the SecretSaver carried by ctx, or nil.
func SecretSaverFrom(ctx context.Context) SecretSaver {
	s, _ := ctx.Value(saverKey{}).(SecretSaver)
	return s
}

// TargetKey returns the record key under which a Writer may find the external
// entity that the value of field points to: field is a lookup, or the plain
// field that holds a lookup's key (such as Dataverse's _parentcustomerid_value).
// The engine sets it for every lookup it writes, so that a writer can choose
// among several navigation properties that share one foreign key (a
// polymorphic lookup: parentcustomerid_account or parentcustomerid_contact).
// Like ETagKey it starts with "@": BusinessFields leaves it out.
func TargetKey(field string) string { return "@target:" + field }
