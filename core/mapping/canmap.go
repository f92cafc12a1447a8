package mapping

import (
	"fmt"

	"switchyard/core/meta"
)

// CanMap says why the field mapping f cannot take the values of the external
// field xf into the existing local field lf, or returns nil when it can: the
// types must convert without loss (see Convertible), and a lookup mapping
// needs a local lookup to the same entity. A value map or a constant maps
// values of its own and fits any local type the engine can convert them to.
// The GUI calls it when an admin picks a local field; CheckSchemas applies
// the same rule to a whole file.
func CanMap(f FieldMapping, xf, lf meta.Field) error {
	if len(f.Values) > 0 || f.Constant != "" {
		return nil
	}
	if lf.Type == meta.Lookup && f.Lookup == "" {
		return fmt.Errorf("local field %q is a lookup to %q: set the mapping's lookup to %q, or map a field that is not a lookup", lf.Name, lf.Target, lf.Target)
	}
	if msg := fitsFor(lf, localFieldFor(f, xf), xf, Download); msg != "" {
		return fmt.Errorf("local field %q %s", lf.Name, msg)
	}
	return nil
}
