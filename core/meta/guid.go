package meta

import "github.com/google/uuid"

// NewGUID returns a new random UUID (version 4) in lower case: the key a
// record gets before it is sent, where a system takes keys from its clients.
func NewGUID() string { return uuid.NewString() }

// IsGUIDText reports whether s is a GUID as text: 8-4-4-4-12 hexadecimal
// digits of either case (not the braced, URN or unhyphenated forms).
func IsGUIDText(s string) bool { return len(s) == 36 && uuid.Validate(s) == nil }
