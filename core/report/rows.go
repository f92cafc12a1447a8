package report

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"switchyard/core/engine"
)

// An entity sheet's rows are written as the records come, as the XML that
// excelize's StreamWriter writes for a row of strings (inline strings, no
// style): `<row r="2"><c r="A2" t="inlineStr"><is><t>…</t></is></c>…</row>`.
// TestRowsAsExcelize holds the two to the same bytes.

// newRecord is what "Changed fields" says of a record created by a run:
// every field is new (the run does not list them, see engine.showsChanges).
const newRecord = "all (a new record)"

// rowEncoder renders records as sheet rows; its buffers are reused from one
// record to the next, so a record costs no allocation of its own.
type rowEncoder struct {
	row  []byte // the row's XML
	text []byte // one cell's text before escaping
	esc  []byte // escaped text, when it must go through bstrMarshal
}

// encode renders r as row n of its sheet and returns the XML, valid until the next call.
func (e *rowEncoder) encode(r engine.RecordResult, n int) []byte {
	status, text := "ok", r.Error
	switch r.Action {
	case engine.Fail:
		status = "failed"
	case engine.Warn:
		status, text = "warning", r.Warning
	}
	e.row = append(e.row[:0], `<row r="`...)
	e.row = strconv.AppendInt(e.row, int64(n), 10)
	e.row = append(e.row, `">`...)
	e.cell('A', n, append(e.text[:0], r.Key...))
	e.cell('B', n, append(e.text[:0], r.Action...))
	e.cell('C', n, append(e.text[:0], status...))
	changes := appendChanges(e.text[:0], r.Changes)
	if len(r.Changes) == 0 && r.Action == engine.Create {
		changes = append(changes, newRecord...)
	}
	e.cell('D', n, changes)
	e.cell('E', n, append(e.text[:0], text...))
	e.row = append(e.row, `</row>`...)
	return e.row
}

// cell appends cell col n holding text, as excelize's StreamWriter writes a string.
func (e *rowEncoder) cell(col byte, n int, text []byte) {
	e.text = text // keep the grown buffer
	if len(text) > excelize.TotalCellChars && utf16Len(text) > excelize.TotalCellChars {
		text = truncateUTF16(text, excelize.TotalCellChars) // as excelize cuts a cell
	}
	e.row = append(e.row, `<c r="`...)
	e.row = append(e.row, col)
	e.row = strconv.AppendInt(e.row, int64(n), 10)
	e.row = append(e.row, `" t="inlineStr"><is><t`...)
	if len(text) > 0 && (isXMLSpace(text[0]) || isXMLSpace(text[len(text)-1])) {
		e.row = append(e.row, ` xml:space="preserve"`...)
	}
	e.row = append(e.row, '>')
	if bytes.Contains(text, []byte("_x")) { // rare: may hold an escape of its own
		e.esc = appendEscaped(e.esc[:0], text)
		e.row = append(e.row, bstrMarshal(string(e.esc))...)
	} else {
		e.row = appendEscaped(e.row, text)
	}
	e.row = append(e.row, `</t></is></c>`...)
}

// isXMLSpace reports whether b makes excelize keep a cell's spaces (xml:space="preserve").
func isXMLSpace(b byte) bool { return b == '\t' || b == '\n' || b == '\r' || b == ' ' }

// escapes are what xml.EscapeText writes for the ASCII bytes it escapes, a
// new line kept as it is (excelize puts it back), and U+FFFD for the control
// characters XML 1.0 does not allow.
var escapes = func() (t [utf8.RuneSelf]string) {
	for c := range 0x20 {
		t[c] = "\uFFFD"
	}
	t['\t'], t['\r'], t['\n'] = "&#x9;", "&#xD;", ""
	t['"'], t['\''], t['&'], t['<'], t['>'] = "&#34;", "&#39;", "&amp;", "&lt;", "&gt;"
	return t
}()

// plain marks the ASCII bytes that a cell's text keeps as they are.
var plain = func() (t [256]bool) {
	for c := range utf8.RuneSelf {
		t[c] = escapes[c] == "" && (c >= 0x20 || c == '\n')
	}
	return t
}()

// appendEscaped appends text escaped as excelize escapes a cell: xml.EscapeText,
// with new lines left as they are.
func appendEscaped(dst, text []byte) []byte {
	last := 0
	for i := 0; i < len(text); {
		for i < len(text) && plain[text[i]] {
			i++
		}
		if i == len(text) {
			break
		}
		c := text[i]
		if c < utf8.RuneSelf {
			if esc := escapes[c]; esc != "" {
				dst = append(append(dst, text[last:i]...), esc...)
				last = i + 1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(text[i:])
		if (r == utf8.RuneError && size == 1) || !inXMLCharRange(r) {
			dst = append(append(dst, text[last:i]...), "\uFFFD"...)
			last = i + size
		}
		i += size
	}
	return append(dst, text[last:]...)
}

// inXMLCharRange reports whether XML 1.0 allows r (as encoding/xml decides).
func inXMLCharRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// utf16Len is the length of text in UTF-16 code units, as Excel counts a cell's characters.
func utf16Len(text []byte) int {
	n := 0
	for _, r := range string(text) {
		n += utf16.RuneLen(r)
	}
	return n
}

// truncateUTF16 cuts text to at most units UTF-16 code units, at a character boundary.
func truncateUTF16(text []byte, units int) []byte {
	n := 0
	for i, r := range string(text) {
		if n += utf16.RuneLen(r); n > units {
			return text[:i]
		}
	}
	return text
}

var (
	bstrExp       = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)
	bstrEscapeExp = regexp.MustCompile(`x[a-fA-F\d]{4}_`)
)

// bstrMarshal escapes the literal `_xHHHH_` sequences of s as excelize does
// for every string cell (its unexported bstrMarshal, followed to the letter,
// so that a report reads back as excelize would have written it).
func bstrMarshal(s string) (result string) {
	matches, l, cursor := bstrExp.FindAllStringSubmatchIndex(s, -1), len(s), 0
	for _, match := range matches {
		result += s[cursor:match[0]]
		subStr := s[match[0]:match[1]]
		if subStr == "_x005F_" {
			cursor = match[1]
			if match[1]+6 <= l && bstrEscapeExp.MatchString(s[match[1]:match[1]+6]) {
				_, err := strconv.Unquote(`"\u` + s[match[1]+1:match[1]+5] + `"`)
				if err == nil {
					result += subStr + "x005F" + subStr
					continue
				}
			}
			result += subStr + "x005F_"
			continue
		}
		if bstrExp.MatchString(subStr) {
			cursor = match[1]
			if _, err := strconv.Unquote(`"\u` + s[match[0]+2:match[1]-1] + `"`); err == nil {
				result += "_x005F" + subStr
				continue
			}
		}
	}
	if cursor < l {
		result += s[cursor:]
	}
	return result
}

// appendChanges appends changed fields as `name: old → new` (`name: new`
// when there was no old value), one per line: the "Changed fields" cell.
func appendChanges(dst []byte, cs []engine.Change) []byte {
	for i, c := range cs {
		if i > 0 {
			dst = append(dst, '\n')
		}
		dst = append(append(dst, c.Field...), ": "...)
		if c.Old != nil {
			dst = append(appendValue(dst, c.Old), " → "...)
		}
		dst = appendValue(dst, c.New)
	}
	return dst
}

// appendValue appends v as fmt's %v prints it, without fmt for the types records hold.
func appendValue(dst []byte, v any) []byte {
	switch v := v.(type) {
	case string:
		return append(dst, v...)
	case int64:
		return strconv.AppendInt(dst, v, 10)
	case int:
		return strconv.AppendInt(dst, int64(v), 10)
	case float64:
		if !math.IsInf(v, 0) && !math.IsNaN(v) {
			return strconv.AppendFloat(dst, v, 'g', -1, 64)
		}
	case bool:
		return strconv.AppendBool(dst, v)
	}
	return fmt.Append(dst, v)
}
