package mapping

import (
	"regexp"
	"strings"
)

// localName is the form of a local entity or field name (see core/store).
var localName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// ValidLocalName reports whether s can name a local entity or field.
func ValidLocalName(s string) bool {
	return localName.MatchString(s) && !strings.HasPrefix(s, "sy_")
}
