// Package spec declares connector settings once: each Option drives the
// settings form, validation, the command line and the docs.
package spec

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Kind is the kind of value an option holds; it picks the form widget and the validation.
type Kind string

// The option kinds.
const (
	KindString Kind = "string"
	KindSecret Kind = "secret"
	KindInt    Kind = "int"
	KindBool   Kind = "bool"
	KindEnum   Kind = "enum"
	KindURL    Kind = "url"
)

// Condition makes an option apply only when another option has one of the given values.
type Condition struct {
	Key    string
	Values []string
}

// Option is one connector setting.
type Option struct {
	Key   string
	Label string
	Help  string
	// Doc adds to Help what the reference in docs/integration-file.md says
	// beyond the settings form's hint; both are generated from here.
	Doc      string
	Kind     Kind
	Default  string
	Choices  []string // for KindEnum
	Required bool
	Advanced bool // folded away in forms
	// When, if set, makes the option apply only when the condition holds;
	// an option that does not apply is neither required nor shown.
	When *Condition
}

// Secret reports whether the option holds a secret, kept apart from settings and never exported.
func (o Option) Secret() bool { return o.Kind == KindSecret }

// Applies reports whether the option is in force for the values v.
func (o Option) Applies(v Values) bool {
	if o.When == nil {
		return true
	}
	return slices.Contains(o.When.Values, v[o.When.Key])
}

// Values holds option values by key, as text.
type Values map[string]string

// Clone returns a copy of v.
func (v Values) Clone() Values {
	out := make(Values, len(v))
	for k, x := range v {
		out[k] = x
	}
	return out
}

// Keys returns the keys of v, sorted.
func (v Values) Keys() []string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Int returns the value of key as an int, or def when it is empty or not a number.
func (v Values) Int(key string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(v[key]))
	if err != nil {
		return def
	}
	return n
}

// Bool returns the value of key as a bool, or def when it is empty or not a boolean.
func (v Values) Bool(key string, def bool) bool {
	b, err := strconv.ParseBool(strings.TrimSpace(v[key]))
	if err != nil {
		return def
	}
	return b
}

// Options is the ordered list of a connector's settings.
type Options []Option

// Get returns the option with the given key.
func (os Options) Get(key string) (Option, bool) {
	for _, o := range os {
		if o.Key == key {
			return o, true
		}
	}
	return Option{}, false
}

// WithDefaults returns a copy of v in which every empty option that has a default holds it.
func (os Options) WithDefaults(v Values) Values {
	out := v.Clone()
	for _, o := range os {
		if out[o.Key] == "" && o.Default != "" {
			out[o.Key] = o.Default
		}
	}
	return out
}

// Int returns the value of the option key in v as an int; an empty value, or
// one that is not a number, gives the option's declared Default (0 without
// one), so that a connector writes each default once, in its declaration.
// It panics when no option is called key: a programming error that every
// connector's settings tests find.
func (os Options) Int(v Values, key string) int {
	return v.Int(key, atoiOr(os.declared(key).Default, 0))
}

// Bool returns the value of the option key in v as a bool; an empty or
// unreadable value gives the option's declared Default (false without one).
// It panics when no option is called key, as Int does.
func (os Options) Bool(v Values, key string) bool {
	def, _ := strconv.ParseBool(os.declared(key).Default)
	return v.Bool(key, def)
}

// declared returns the option called key, and panics when there is none.
func (os Options) declared(key string) Option {
	o, ok := os.Get(key)
	if !ok {
		panic(fmt.Sprintf("spec: no option %q is declared", key))
	}
	return o
}

func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return def
	}
	return n
}

// Split separates v into plain settings and secrets.
func (os Options) Split(v Values) (settings, secrets Values) {
	settings, secrets = Values{}, Values{}
	for k, x := range v {
		if o, ok := os.Get(k); ok && o.Secret() {
			secrets[k] = x
		} else {
			settings[k] = x
		}
	}
	return settings, secrets
}

// FieldError is a problem with one option's value.
type FieldError struct {
	Key string
	Msg string
}

func (e *FieldError) Error() string { return e.Key + ": " + e.Msg }

// Validate checks v against the options: unknown keys, required values,
// numbers, booleans, choices and URLs. It returns every problem at once,
// each a *FieldError naming the option, joined with errors.Join.
func (os Options) Validate(v Values) error {
	var errs []error
	for _, k := range v.Keys() {
		if _, ok := os.Get(k); !ok {
			errs = append(errs, &FieldError{k, fmt.Sprintf("unknown setting; known settings are %s", strings.Join(os.keys(), ", "))})
		}
	}
	for _, o := range os {
		if !o.Applies(v) {
			continue
		}
		if msg := o.check(strings.TrimSpace(v[o.Key])); msg != "" {
			errs = append(errs, &FieldError{o.Key, msg})
		}
	}
	return errors.Join(errs...)
}

func (os Options) keys() []string {
	keys := make([]string, len(os))
	for i, o := range os {
		keys[i] = o.Key
	}
	return keys
}

// check returns what is wrong with the value s of o, or "".
func (o Option) check(s string) string {
	name := o.Label
	if name == "" {
		name = o.Key
	}
	if s == "" {
		if o.Required {
			return name + " is required"
		}
		return ""
	}
	switch o.Kind {
	case KindInt:
		if _, err := strconv.Atoi(s); err != nil {
			return fmt.Sprintf("%s must be a whole number, not %q", name, s)
		}
	case KindBool:
		if _, err := strconv.ParseBool(s); err != nil {
			return fmt.Sprintf("%s must be true or false, not %q", name, s)
		}
	case KindEnum:
		if !slices.Contains(o.Choices, s) {
			return fmt.Sprintf("%s must be one of %s, not %q", name, strings.Join(o.Choices, ", "), s)
		}
	case KindURL:
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Sprintf("%s must be an absolute http:// or https:// URL, not %q", name, s)
		}
	}
	return ""
}
