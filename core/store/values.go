package store

import (
	"switchyard/core/meta"
	"switchyard/core/values"
)

// EncodeValue converts v to the value the workspace stores for a field of
// type t: values.Stored, the codec's workspace rule (see docs/workspace.md).
func EncodeValue(t meta.Type, v any) (any, error) { return values.Stored(t, v) }

// SameStored reports whether the encoded value a (from EncodeValue) equals b
// as read back from a column of type t: values.SameStored.
func SameStored(t meta.Type, a, b any) bool { return values.SameStored(t, a, b) }
