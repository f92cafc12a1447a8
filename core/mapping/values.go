package mapping

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"switchyard/core/values"
)

// ValueMap pairs one external value with one local value, e.g. an option
// set's 1 with "new". Values are compared as text: 1, 1.0 written as "1", and
// "1" are the same external value.
type ValueMap struct {
	External string `json:"external"`
	Local    string `json:"local"`
	// Label is the value's display name, from the external schema where it has one.
	Label string `json:"label,omitempty"`
}

// What becomes of a value that a field's value map does not list.
const (
	OtherFail  = "fail"  // the record fails, naming the value (the default)
	OtherKeep  = "keep"  // the value passes unchanged
	OtherEmpty = "empty" // the field is left empty
)

// ValueError is a value that a field mapping refuses: a value missing from
// the value map, or a broken data-quality rule. The engine reports it on the
// record instead of writing the record.
type ValueError struct {
	// Field is the local field.
	Field string
	// Rule is the broken rule's kind, or "values" for a value missing from the value map.
	Rule string
	// Msg says what is wrong: the rule's own message when it has one.
	Msg string
}

func (e *ValueError) Error() string { return fmt.Sprintf("field %q: %s", e.Field, e.Msg) }

// Apply turns an external value into the local value of f, for a download:
// a Constant replaces any value; an empty value (nil or "") takes the
// Default; otherwise a value map, when there is one, maps the value (a value
// it lacks is handled as OtherValues says). The result then has to pass the
// Rules. Mapped, default and constant values come back as the text written
// in the mapping; the caller converts them to the local field's type as it
// does any external value. Apply fails with a *ValueError.
func (f FieldMapping) Apply(value any) (any, error) {
	switch {
	case f.Constant != "":
		value = f.Constant
	case isEmpty(value):
		if f.Default != "" {
			value = f.Default
		}
	case len(f.Values) > 0:
		text := Text(value)
		found := false
		for _, vm := range f.Values {
			if sameText(vm.External, text) {
				value, found = vm.Local, true
				break
			}
		}
		if !found {
			var err error
			if value, err = f.other(value, text, "external"); err != nil {
				return nil, err
			}
		}
	}
	if err := f.Rules.Check(value); err != nil {
		return nil, f.ruleError(err)
	}
	return value, nil
}

// ApplyUpload turns a local value into the external value of f, for an
// upload: the value must first pass the Rules; then a value map, when there
// is one, maps it back (the first entry with that local value wins). Default
// and Constant concern the local side and do not apply. It fails with a *ValueError.
func (f FieldMapping) ApplyUpload(value any) (any, error) {
	if err := f.Rules.Check(value); err != nil {
		return nil, f.ruleError(err)
	}
	if len(f.Values) == 0 || isEmpty(value) {
		return value, nil
	}
	text := Text(value)
	for _, vm := range f.Values {
		if sameText(vm.Local, text) {
			return vm.External, nil
		}
	}
	return f.other(value, text, "local")
}

// other handles a value missing from the value map.
func (f FieldMapping) other(value any, text, side string) (any, error) {
	switch f.OtherValues {
	case OtherKeep:
		return value, nil
	case OtherEmpty:
		return nil, nil
	}
	return nil, &ValueError{Field: f.Local, Rule: "values", Msg: fmt.Sprintf(
		"%s value %q is not in the value map: add it to the field's values, or set otherValues to %q or %q", side, text, OtherKeep, OtherEmpty)}
}

func (f FieldMapping) ruleError(err error) error {
	re := err.(*RuleError)
	return &ValueError{Field: f.Local, Rule: string(re.Rule.Kind), Msg: re.Msg}
}

// isEmpty reports whether v counts as no value: nil or the empty string.
// Keeps reports whether f leaves the target as it is for value: KeepWhenEmpty
// is set, value is empty, and neither a Constant nor a Default replaces it.
func (f FieldMapping) Keeps(value any) bool {
	return f.KeepWhenEmpty && f.Constant == "" && f.Default == "" && isEmpty(value)
}

func isEmpty(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && s == ""
}

// Text renders a record value as the text value maps and rules compare:
// numbers without exponent or trailing zeros, booleans as true/false, times
// in RFC 3339, nil as "".
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return numberText(x.String())
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		return values.FormatRFC3339(x)
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

// numberText renders a number literal without exponent or trailing zeros
// ("1.50" → "1.5", "1e3" → "1000"); anything else stays as it is.
func numberText(s string) string {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return s
	}
	if r.IsInt() {
		return r.Num().String()
	}
	out := strings.TrimRight(r.FloatString(len(s)+20), "0")
	return strings.TrimSuffix(out, ".")
}

// sameText reports whether a value map's entry a stands for the value text:
// the same text, or the same number written otherwise ("1.0" and "1").
// Codes with leading zeros ("010") are text, never numbers.
func sameText(a, text string) bool {
	if a == text {
		return true
	}
	if !plainNumber.MatchString(a) || !plainNumber.MatchString(text) {
		return false
	}
	ra, ok1 := new(big.Rat).SetString(a)
	rb, ok2 := new(big.Rat).SetString(text)
	return ok1 && ok2 && ra.Cmp(rb) == 0
}

// plainNumber matches a decimal number as people write one: no exponent, no
// leading zeros.
var plainNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?$`)

// checkValues reports what is wrong with the value map, default, constant and rules of f at path fp.
func checkValues(ps *Problems, fp string, f FieldMapping) {
	switch {
	case f.MissingParent == "":
	case f.Lookup == "":
		ps.add(fp+".missingParent", "only a lookup (a field with \"lookup\") has a parent that can be missing: remove missingParent")
	case f.MissingParent != MissingWarn && f.MissingParent != MissingFail && f.MissingParent != MissingSkip:
		ps.add(fp+".missingParent", "%q: use %s (the default), %s or %s", f.MissingParent, MissingWarn, MissingFail, MissingSkip)
	}
	switch f.OtherValues {
	case "", OtherFail, OtherKeep, OtherEmpty:
	default:
		ps.add(fp+".otherValues", "%q: use %s, %s or %s", f.OtherValues, OtherFail, OtherKeep, OtherEmpty)
	}
	seen := map[string]int{}
	for k, vm := range f.Values {
		vp := fmt.Sprintf("%s.values[%d]", fp, k)
		if first, dup := seen[vm.External]; dup {
			ps.add(vp+".external", "%q is already mapped by values[%d]: list each external value once", vm.External, first)
		} else {
			seen[vm.External] = k
		}
	}
	if f.Constant != "" && f.Default != "" {
		ps.add(fp+".default", "a field with a constant never uses its default: keep one of the two")
	}
	if f.Constant != "" && len(f.Values) > 0 {
		ps.add(fp+".values", "a field with a constant never uses its value map: keep one of the two")
	}
	for k, r := range f.Rules {
		if msg := r.problem(); msg != "" {
			ps.add(fmt.Sprintf("%s.rules[%d]", fp, k), "%s", msg)
		}
	}
	if f.Constant == "" {
		return
	}
	if err := f.Rules.Check(f.Constant); err != nil {
		ps.add(fp+".constant", "%q breaks the field's own rule: %s", f.Constant, strings.TrimSpace(err.Error()))
	}
}
