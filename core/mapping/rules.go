package mapping

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// RuleKind names a data-quality rule.
type RuleKind string

// The data-quality rules a field mapping can hold.
const (
	RuleRequired  RuleKind = "required"  // the value must not be empty
	RuleMaxLength RuleKind = "maxLength" // the value's text has at most Length characters
	RulePattern   RuleKind = "pattern"   // the value's text matches the regular expression Pattern
	RuleEmail     RuleKind = "email"     // the value is an e-mail address
	RuleRange     RuleKind = "range"     // the value is a number between Min and Max (each optional)
)

// RuleKinds lists every RuleKind.
var RuleKinds = []RuleKind{RuleRequired, RuleMaxLength, RulePattern, RuleEmail, RuleRange}

// Rule is one data-quality rule of a field. Every rule but required lets an
// empty value pass: combine it with required to demand a value.
type Rule struct {
	Kind RuleKind `json:"rule"`
	// Length is the maximum length of a maxLength rule, in characters.
	Length int `json:"length,omitempty"`
	// Pattern is the regular expression (Go syntax, RE2) of a pattern rule;
	// anchor it with ^ and $ to match the whole value.
	Pattern string `json:"pattern,omitempty"`
	// Min and Max bound a range rule; either may be absent.
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
	// Message replaces the rule's own message when a value breaks it.
	Message string `json:"message,omitempty"`
}

// Rules are the data-quality rules of a field, checked in order.
type Rules []Rule

// RuleError is a value that broke a rule.
type RuleError struct {
	Rule Rule
	// Msg is the rule's Message, or a message of its own naming the value.
	Msg string
}

func (e *RuleError) Error() string { return e.Msg }

// Check returns a *RuleError for the first rule that value breaks, or nil.
// Values are compared as Text renders them.
func (rs Rules) Check(value any) error {
	for _, r := range rs {
		if msg := r.broken(value); msg != "" {
			if r.Message != "" {
				msg = r.Message
			}
			return &RuleError{Rule: r, Msg: msg}
		}
	}
	return nil
}

// emailRE is a deliberately plain check: one @, no spaces, a dot in the domain.
var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$`)

// patterns caches compiled patterns: rules run once per record.
var patterns sync.Map // string → *regexp.Regexp

func compiled(p string) (*regexp.Regexp, error) {
	if re, ok := patterns.Load(p); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, err
	}
	patterns.Store(p, re)
	return re, nil
}

// broken says how value breaks r, or "" when it passes.
func (r Rule) broken(value any) string {
	text := Text(value)
	if r.Kind == RuleRequired {
		if strings.TrimSpace(text) == "" {
			return "a value is required"
		}
		return ""
	}
	if text == "" {
		return ""
	}
	switch r.Kind {
	case RuleMaxLength:
		if n := utf8.RuneCountInString(text); n > r.Length {
			return fmt.Sprintf("%q has %d characters, more than the %d allowed", clip(text), n, r.Length)
		}
	case RulePattern:
		re, err := compiled(r.Pattern)
		if err != nil {
			return fmt.Sprintf("the pattern %q is not a valid regular expression", r.Pattern)
		}
		if !re.MatchString(text) {
			return fmt.Sprintf("%q does not match the pattern %s", clip(text), r.Pattern)
		}
	case RuleEmail:
		if !emailRE.MatchString(text) {
			return fmt.Sprintf("%q is not an e-mail address", clip(text))
		}
	case RuleRange:
		n, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil {
			return fmt.Sprintf("%q is not a number", clip(text))
		}
		if (r.Min != nil && n < *r.Min) || (r.Max != nil && n > *r.Max) {
			return fmt.Sprintf("%s is not %s", text, r.bounds())
		}
	default:
		return fmt.Sprintf("unknown rule %q", r.Kind)
	}
	return ""
}

func (r Rule) bounds() string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	switch {
	case r.Min != nil && r.Max != nil:
		return fmt.Sprintf("between %s and %s", f(*r.Min), f(*r.Max))
	case r.Min != nil:
		return "at least " + f(*r.Min)
	case r.Max != nil:
		return "at most " + f(*r.Max)
	}
	return "a number"
}

// clip shortens long values in messages.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	return string([]rune(s)[:57]) + "..."
}

// problem says what is wrong with the rule itself, or "".
func (r Rule) problem() string {
	switch r.Kind {
	case RuleRequired, RuleEmail:
	case RuleMaxLength:
		if r.Length <= 0 {
			return "a maxLength rule needs \"length\" above 0"
		}
	case RulePattern:
		if r.Pattern == "" {
			return "a pattern rule needs \"pattern\", a regular expression"
		}
		if _, err := regexp.Compile(r.Pattern); err != nil {
			return fmt.Sprintf("pattern %q is not a valid regular expression: %v", r.Pattern, err)
		}
	case RuleRange:
		switch {
		case r.Min == nil && r.Max == nil:
			return "a range rule needs \"min\", \"max\" or both"
		case r.Min != nil && r.Max != nil && *r.Min > *r.Max:
			return "min is above max: swap them"
		}
	default:
		names := make([]string, len(RuleKinds))
		for i, k := range RuleKinds {
			names[i] = string(k)
		}
		return fmt.Sprintf("unknown rule %q: use one of %s", r.Kind, strings.Join(names, ", "))
	}
	return ""
}
