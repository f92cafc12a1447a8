package spec

import (
	"errors"
	"strings"
	"testing"
)

var testOptions = Options{
	{Key: "url", Label: "Service URL", Kind: KindURL, Required: true},
	{Key: "auth", Label: "Authentication", Kind: KindEnum, Choices: []string{"none", "basic"}, Default: "none"},
	{Key: "username", Label: "User name", Kind: KindString, Required: true, When: &Condition{Key: "auth", Values: []string{"basic"}}},
	{Key: "password", Label: "Password", Kind: KindSecret, When: &Condition{Key: "auth", Values: []string{"basic"}}},
	{Key: "pagesize", Label: "Page size", Kind: KindInt, Advanced: true},
	{Key: "verify", Label: "Verify TLS", Kind: KindBool},
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		in   Values
		want []string // substrings, one per expected problem; none means valid
	}{
		{"valid minimal", Values{"url": "https://example.org/odata/"}, nil},
		{"valid basic", Values{"url": "http://127.0.0.1:4004/", "auth": "basic", "username": "u", "password": "p"}, nil},
		{"missing url", Values{}, []string{"url: Service URL is required"}},
		{"relative url", Values{"url": "example.org"}, []string{"url: Service URL must be an absolute"}},
		{"bad enum", Values{"url": "http://x/", "auth": "kerberos"}, []string{"auth: Authentication must be one of none, basic"}},
		{"conditional required", Values{"url": "http://x/", "auth": "basic"}, []string{"username: User name is required"}},
		{"condition off", Values{"url": "http://x/", "auth": "none"}, nil},
		{"bad int and bool", Values{"url": "http://x/", "pagesize": "ten", "verify": "maybe"}, []string{"pagesize: Page size must be a whole number", "verify: Verify TLS must be true or false"}},
		{"unknown key", Values{"url": "http://x/", "nmae": "x"}, []string{"nmae: unknown setting; known settings are url, auth"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := testOptions.Validate(tt.in)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Errorf("Validate() error %T has no *FieldError", err)
			}
		})
	}
}

func TestDefaultsAndSplit(t *testing.T) {
	v := testOptions.WithDefaults(Values{"url": "http://x/", "password": "s3cret"})
	if v["auth"] != "none" {
		t.Fatalf("WithDefaults auth = %q, want none", v["auth"])
	}
	settings, secrets := testOptions.Split(v)
	if _, ok := settings["password"]; ok {
		t.Fatal("Split left the password among the settings")
	}
	if secrets["password"] != "s3cret" || settings["url"] != "http://x/" {
		t.Fatalf("Split() = %v, %v", settings, secrets)
	}
	if v.Int("pagesize", 500) != 500 || (Values{"pagesize": "20"}).Int("pagesize", 0) != 20 {
		t.Fatal("Int() did not fall back or parse")
	}
}

// TestTypedAccessorsReadTheDeclaredDefault: Options.Int and Options.Bool give
// the value when there is one, else the option's declared default.
func TestTypedAccessorsReadTheDeclaredDefault(t *testing.T) {
	opts := Options{
		{Key: "sample", Kind: KindInt, Default: "50"},
		{Key: "limit", Kind: KindInt},
		{Key: "readonly", Kind: KindBool, Default: "true"},
		{Key: "verify", Kind: KindBool},
	}
	ints := []struct {
		key, value string
		want       int
	}{
		{"sample", "", 50},
		{"sample", "7", 7},
		{"sample", " 8 ", 8},
		{"sample", "many", 50},
		{"limit", "", 0},
		{"limit", "3", 3},
	}
	for _, tt := range ints {
		if got := opts.Int(Values{tt.key: tt.value}, tt.key); got != tt.want {
			t.Errorf("Int(%s=%q) = %d, want %d", tt.key, tt.value, got, tt.want)
		}
	}
	bools := []struct {
		key, value string
		want       bool
	}{
		{"readonly", "", true},
		{"readonly", "false", false},
		{"verify", "", false},
		{"verify", "true", true},
	}
	for _, tt := range bools {
		if got := opts.Bool(Values{tt.key: tt.value}, tt.key); got != tt.want {
			t.Errorf("Bool(%s=%q) = %v, want %v", tt.key, tt.value, got, tt.want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Int of an undeclared option did not panic")
		}
	}()
	opts.Int(Values{}, "nosuch")
}
