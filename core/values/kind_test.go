package values

import (
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"testing"

	"switchyard/core/meta"
)

// The shapes KindOfText checks, as regular expressions: the reference.
var (
	intRE      = regexp.MustCompile(`^[+-]?\d{1,18}$`)
	numberRE   = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)
	dateRE     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	dateTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$`)
	guidRE     = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// checkShapes fails when a hand-made check and its expression disagree on s.
func checkShapes(t *testing.T, s string) {
	for _, c := range []struct {
		name string
		re   *regexp.Regexp
		is   func(string) bool
	}{
		{"int", intRE, IsIntText}, {"number", numberRE, IsNumberText}, {"date", dateRE, IsDateText},
		{"datetime", dateTimeRE, IsDateTimeText}, {"guid", guidRE, meta.IsGUIDText},
	} {
		if want := c.re.MatchString(s); c.is(s) != want {
			t.Errorf("%s of %q = %v, the expression says %v", c.name, s, !want, want)
		}
	}
}

var shapeSeeds = []string{
	"", "0", "7", "-7", "+7", "007", "123456789012345678", "1234567890123456789", "-", "+", "1.", ".5", "1.5", "-.5",
	"1e5", "1E+5", "1e-5", "1e", "e5", ".", "1.2.3", "1,5", " 1", "1 ", "١٢٣",
	"2024-01-31", "2024-1-31", "2024-01-31x", "2024-01-31T10:00", "2024-01-31 10:00:00", "2024-01-31T10:00:00.123Z",
	"2024-01-31T10:00:00+01:00", "2024-01-31T10:00:00+0100", "2024-01-31T10:00:00.Z", "2024-01-31T10:00Z", "2024-01-31T10:00:0",
	"0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0001", "0A7F9A9E-58E5-4F5B-9C6E-2B9C4C1D0001", "0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d000g",
	"0a7f9a9e58e54f5b9c6e2b9c4c1d0001", "true", "FALSE",
}

func TestKindOfShapes(t *testing.T) {
	for _, s := range shapeSeeds {
		checkShapes(t, s)
	}
	// Random strings of the characters the shapes are made of.
	const alphabet = "0123456789+-.eEZT: aAfFgx"
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		checkShapes(t, string(b))
	}
	// Mutations of the shapes themselves, where the random ones rarely land.
	for _, s := range shapeSeeds {
		for i := range len(s) {
			for _, c := range []byte(alphabet) {
				checkShapes(t, s[:i]+string(c)+s[i+1:])
				checkShapes(t, s[:i]+s[i+1:])
			}
		}
	}
}

func FuzzKindOfShapes(f *testing.F) {
	for _, s := range shapeSeeds {
		f.Add(s)
	}
	f.Fuzz(checkShapes)
}

func TestKindOfText(t *testing.T) {
	tests := []struct {
		in   string
		want meta.Type
	}{
		{"42", meta.Int}, {"-42", meta.Int}, {"007", meta.String}, {"0", meta.Int}, {"4.25", meta.Decimal}, {"1e5", meta.Decimal},
		{"TRUE", meta.Bool}, {"2024-02-29", meta.Date}, {"2023-02-29", meta.String},
		{"2024-02-29T10:00:00", meta.DateTime}, {"2024-02-29 10:00", meta.DateTime}, {"2024-02-29T10:00:00+01:00", meta.DateTime},
		{"2024-02-29T10:00:00+0100", meta.String}, {"0A7F9A9E-58E5-4F5B-9C6E-2B9C4C1D0001", meta.GUID}, {"item 7", meta.String}, {"", meta.String},
	}
	for _, tt := range tests {
		if got := KindOfText(tt.in); got != tt.want {
			t.Errorf("KindOfText(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestKindOfJSON(t *testing.T) {
	tests := []struct {
		in   any
		want meta.Type
	}{
		{true, meta.Bool}, {json.Number("42"), meta.Int}, {json.Number("42.0"), meta.Decimal}, {json.Number("1e3"), meta.Decimal},
		{json.Number("99999999999999999999"), meta.Decimal}, {"42", meta.String}, {"2024-02-29", meta.Date},
		{"2024-02-29T10:00:00Z", meta.DateTime}, {"2024-02-29T10:00:00+0100", meta.DateTime}, {"2024-02-29 10:00+01:00", meta.DateTime},
		{"2024-02-29T10:00:00", meta.String}, // an instant in JSON gives its offset
		{"2024-02-30T10:00:00Z", meta.String}, {"0a7f9a9e-58e5-4f5b-9c6e-2b9c4c1d0001", meta.GUID}, {nil, meta.String},
	}
	for _, tt := range tests {
		if got := KindOfJSON(tt.in); got != tt.want {
			t.Errorf("KindOfJSON(%#v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
