package filter

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"switchyard/core/values"
)

// tokKind is the kind of a lexical token.
type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tLiteral  // string, number, guid, date, date-time, time
	tDuration // duration'P30D'
	tLParen
	tRParen
	tComma
)

// token is one lexical token of a filter.
type token struct {
	kind tokKind
	text string // the source text of the token
	val  Value  // for tLiteral
	dur  time.Duration
	col  int // 1-based column (in characters)
	off  int // byte offset
	end  int // byte offset after the token
}

// describe names the token for a message: "end of the filter", "name", "'x'".
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "the end of the filter"
	case tIdent:
		return "`" + t.text + "`"
	}
	return t.text
}

// lexer splits a filter into tokens.
type lexer struct {
	src string
	off int
	col int
}

// Error is a problem with a filter at a column of its text.
type Error struct {
	// Column is the 1-based position, in characters, of the problem in the filter text.
	Column int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("column %d: %s", e.Column, e.Msg) }

func errAt(col int, format string, args ...any) *Error {
	return &Error{Column: col, Msg: fmt.Sprintf(format, args...)}
}

// advance moves past n bytes of src, counting characters.
func (l *lexer) advance(n int) {
	l.col += utf8.RuneCountInString(l.src[l.off : l.off+n])
	l.off += n
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
func isIdentStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}
func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) }

// next returns the next token.
func (l *lexer) next() (token, error) {
	for l.off < len(l.src) && isSpace(l.src[l.off]) {
		l.advance(1)
	}
	t := token{col: l.col, off: l.off}
	if l.off >= len(l.src) {
		t.end = l.off
		return t, nil
	}
	rest := l.src[l.off:]
	c := rest[0]
	n := 0
	var err error
	switch {
	case c == '(':
		t.kind, n = tLParen, 1
	case c == ')':
		t.kind, n = tRParen, 1
	case c == ',':
		t.kind, n = tComma, 1
	case c == '\'':
		t.kind = tLiteral
		var s string
		s, n, err = scanString(rest)
		t.val = StringValue(s)
	case guidLen(rest) > 0:
		t.kind, n = tLiteral, guidLen(rest)
		t.val = Value{Kind: KindGUID, Text: strings.ToLower(rest[:n])}
	case isDigit(c) || c == '-' && len(rest) > 1 && isDigit(rest[1]):
		t.kind = tLiteral
		t.val, n, err = scanNumeric(rest)
	case isIdentStart(c):
		for n < len(rest) && isIdentChar(rest[n]) {
			n++
		}
		t.kind = tIdent
		if strings.EqualFold(rest[:n], "duration") && n < len(rest) && rest[n] == '\'' {
			var s string
			var m int
			s, m, err = scanString(rest[n:])
			if err == nil {
				t.kind = tDuration
				t.dur, err = parseDuration(s)
			}
			n += m
		}
	default:
		r, _ := utf8.DecodeRuneInString(rest)
		return t, errAt(t.col, "unexpected character %q: expected a field, a value, an operator or a parenthesis", r)
	}
	if err != nil {
		return t, errAt(t.col, "%s", err.Error())
	}
	t.text = rest[:n]
	t.end = l.off + n
	l.advance(n)
	return t, nil
}

// scanString reads a quoted string at the start of s, in which a doubled
// quote stands for one quote; it returns the value and the length of the source text.
func scanString(s string) (string, int, error) {
	var b strings.Builder
	i := 1
	for {
		j := strings.IndexByte(s[i:], '\'')
		if j < 0 {
			return "", 0, fmt.Errorf("the string is not closed: end it with ' (write '' for a quote inside it)")
		}
		b.WriteString(s[i : i+j])
		i += j + 1
		if i < len(s) && s[i] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		return b.String(), i, nil
	}
}

// guidLen returns 36 when s starts with a GUID that no name character follows, else 0.
func guidLen(s string) int {
	if len(s) < 36 || len(s) > 36 && (isIdentChar(s[36]) || s[36] == '-') {
		return 0
	}
	for i := 0; i < 36; i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return 0
			}
		} else if !isHex(s[i]) {
			return 0
		}
	}
	return 36
}

// digits returns how many ASCII digits s starts with.
func digits(s string) int {
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	return n
}

// scanNumeric reads a number, date, date-time or time of day at the start of s.
func scanNumeric(s string) (Value, int, error) {
	if digits(s) == 4 && len(s) >= 10 && s[4] == '-' && digits(s[5:]) == 2 && s[7] == '-' && digits(s[8:]) == 2 {
		if len(s) > 10 && s[10] == 'T' {
			return scanDateTime(s)
		}
		if !values.IsDate(s[:10]) {
			return Value{}, 0, fmt.Errorf("%s is not a valid date: write YYYY-MM-DD", s[:10])
		}
		return Value{Kind: KindDate, Text: s[:10]}, 10, nil
	}
	if digits(s) == 2 && len(s) >= 5 && s[2] == ':' && digits(s[3:]) == 2 {
		n, text, err := scanClock(s)
		if err != nil {
			return Value{}, 0, err
		}
		return Value{Kind: KindTime, Text: text}, n, nil
	}
	return scanNumber(s)
}

// scanClock reads HH:MM[:SS[.fff]] at the start of s and returns its
// length and its text with seconds.
func scanClock(s string) (int, string, error) {
	n := 5
	if len(s) > 7 && s[5] == ':' && digits(s[6:]) == 2 {
		n = 8
		if len(s) > 9 && s[8] == '.' && digits(s[9:]) > 0 {
			n = 9 + digits(s[9:])
		}
	}
	text := s[:n]
	if n == 5 {
		text += ":00"
	}
	h, _ := strconv.Atoi(text[0:2])
	m, _ := strconv.Atoi(text[3:5])
	sec, _ := strconv.Atoi(text[6:8])
	if h > 23 || m > 59 || sec > 59 {
		return 0, "", fmt.Errorf("%s is not a valid time of day: write HH:MM:SS from 00:00:00 to 23:59:59", s[:n])
	}
	return n, text, nil
}

// scanDateTime reads YYYY-MM-DDTHH:MM[:SS[.f]](Z|±HH:MM) at the start of s.
func scanDateTime(s string) (Value, int, error) {
	const hint = "write a date-time such as 2024-01-31T09:30:00Z or 2024-01-31T09:30:00+02:00"
	if len(s) < 16 || digits(s[11:]) != 2 || s[13] != ':' || digits(s[14:]) != 2 {
		return Value{}, 0, fmt.Errorf("%s is not a valid date-time: %s", prefixWord(s), hint)
	}
	n, clock, err := scanClock(s[11:])
	if err != nil {
		return Value{}, 0, fmt.Errorf("%s is not a valid date-time: %s", prefixWord(s), hint)
	}
	n += 11
	zone := ""
	switch {
	case n < len(s) && s[n] == 'Z':
		zone, n = "Z", n+1
	case n+6 <= len(s) && (s[n] == '+' || s[n] == '-') && digits(s[n+1:]) == 2 && s[n+3] == ':' && digits(s[n+4:]) == 2:
		zone, n = s[n:n+6], n+6
	default:
		return Value{}, 0, fmt.Errorf("%s has no time zone: add Z for UTC or an offset such as +02:00", s[:n])
	}
	if whole, frac, ok := strings.Cut(clock, "."); ok && len(frac) > 9 {
		clock = whole + "." + frac[:9]
	}
	t, err := time.Parse(time.RFC3339Nano, s[:11]+clock+zone)
	if err != nil {
		return Value{}, 0, fmt.Errorf("%s is not a valid date-time: %s", s[:n], hint)
	}
	return DateTimeValue(t), n, nil
}

// scanNumber reads -?D+(.D+)?([eE][+-]?D+)? at the start of s.
func scanNumber(s string) (Value, int, error) {
	n := 0
	if s[0] == '-' {
		n++
	}
	n += digits(s[n:])
	kind := KindInt
	if n+1 < len(s) && s[n] == '.' && isDigit(s[n+1]) {
		n += 1 + digits(s[n+1:])
		kind = KindDecimal
	}
	if n+1 < len(s) && (s[n] == 'e' || s[n] == 'E') {
		m := n + 1
		if s[m] == '+' || s[m] == '-' {
			m++
		}
		if d := digits(s[m:]); d > 0 {
			n, kind = m+d, KindDouble
		}
	}
	text := s[:n]
	if kind == KindInt {
		if i, err := strconv.ParseInt(text, 10, 64); err == nil {
			return IntValue(i), n, nil
		}
		kind = KindDecimal
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return Value{}, 0, fmt.Errorf("%s is out of range: use a smaller number", text)
	}
	return Value{Kind: kind, Float: f, Text: text}, n, nil
}

// prefixWord returns s up to the first space or parenthesis, for messages.
func prefixWord(s string) string {
	if i := strings.IndexAny(s, " \t\r\n(),"); i >= 0 {
		return s[:i]
	}
	return s
}
