package odata

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"switchyard/core/meta"
)

// decodePage decodes an OData JSON collection response as
// json.Decoder.Decode with UseNumber would (values as map[string]any,
// []any, string, json.Number, bool and nil), several times faster: it scans
// the bytes once, shares the field names between records and sizes each
// record's map from the one before. Whatever it does not take on (invalid
// JSON, unusual escapes or encodings, a field of the wrong kind) it hands to
// encoding/json, so the results and the errors stay those of encoding/json.
func decodePage(data []byte) (pageBody, error) {
	return decodePageReusing(data, nil, nil)
}

// decodePageReusing is decodePage taking the maps of the page's records from
// spare while it has some (empty maps, see Client.Recycle). With types (the
// entity's field types, see typedRecord) the records' values come converted
// (pageBody.Typed), unless the page took encoding/json's way.
func decodePageReusing(data []byte, spare chan map[string]any, types map[string]meta.Type) (pageBody, error) {
	p := pageScanner{data: data, keys: map[string]string{}, spare: spare, types: types}
	if body, ok := p.page(); ok {
		body.Typed, body.Annotated = types != nil, p.annotated
		return body, nil
	}
	var body pageBody
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	err := d.Decode(&body)
	return body, err
}

// errGiveUp stops the fast scanner; the page goes to encoding/json.
var errGiveUp = errors.New("not for the fast scanner")

// maxDepth bounds the nesting the fast scanner follows.
const maxDepth = 200

// pageScanner is the state of decodePage's fast path.
type pageScanner struct {
	data    []byte
	pos     int
	keys    map[string]string   // field names seen, shared by every record
	lastLen int                 // fields of the last record, to size the next
	spare   chan map[string]any // empty maps for records, may be nil
	// types, when set, has records scanned by typedRecord, and annotated
	// tells which of them carry annotations.
	types     map[string]meta.Type
	annotated []bool
}

// page scans the top-level object. Like the struct decoding it replaces, it
// takes the first JSON value and ignores what follows it.
func (p *pageScanner) page() (body pageBody, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if r != errGiveUp {
				panic(r)
			}
			ok = false
		}
	}()
	p.skipSpace()
	p.expect('{')
	p.skipSpace()
	seen := map[string]bool{}
	if p.peek() == '}' {
		p.pos++
		return body, true
	}
	for {
		key := p.string()
		p.skipSpace()
		p.expect(':')
		p.skipSpace()
		known := ""
		for _, k := range [...]string{"@odata.count", "value", "@odata.nextLink", "@odata.deltaLink"} {
			if bytes.EqualFold([]byte(key), []byte(k)) {
				if key != k || seen[k] {
					panic(errGiveUp) // encoding/json matches names in any case; leave that to it
				}
				known, seen[k] = k, true
			}
		}
		switch known {
		case "value":
			body.Value = p.records()
		case "@odata.count":
			n, isNum := p.value(1).(json.Number)
			if !isNum {
				panic(errGiveUp)
			}
			body.Count = n
		case "@odata.nextLink", "@odata.deltaLink":
			var s string
			switch v := p.value(1).(type) {
			case string:
				s = v
			case nil:
			default:
				panic(errGiveUp)
			}
			if known == "@odata.nextLink" {
				body.Next = s
			} else {
				body.Delta = s
			}
		default:
			v := p.value(1)
			if key == countCappedKey {
				capped, isBool := v.(bool)
				body.CountCapped = isBool && capped
			}
		}
		p.skipSpace()
		switch p.next() {
		case ',':
			p.skipSpace()
		case '}':
			return body, true
		default:
			panic(errGiveUp)
		}
	}
}

// records scans the value array: objects, or null.
func (p *pageScanner) records() []map[string]any {
	if p.peek() == 'n' {
		p.literal("null")
		return nil
	}
	p.expect('[')
	out := []map[string]any{}
	p.skipSpace()
	if p.peek() == ']' {
		p.pos++
		return out
	}
	for {
		p.skipSpace()
		if p.peek() != '{' {
			panic(errGiveUp) // null or another kind in the list: encoding/json knows what to make of it
		}
		p.pos++
		if p.types != nil {
			rec, annotated := p.typedRecord(p.spareMap(), p.lastLen)
			out, p.annotated = append(out, rec), append(p.annotated, annotated)
		} else {
			out = append(out, p.objectInto(p.spareMap(), 2, p.lastLen))
		}
		p.lastLen = len(out[len(out)-1])
		p.skipSpace()
		switch p.next() {
		case ',':
		case ']':
			return out
		default:
			panic(errGiveUp)
		}
	}
}

// value scans any JSON value.
func (p *pageScanner) value(depth int) any {
	if depth > maxDepth {
		panic(errGiveUp)
	}
	switch c := p.peek(); {
	case c == '"':
		return p.string()
	case c == '{':
		p.pos++
		return p.object(depth+1, 0)
	case c == '[':
		p.pos++
		return p.array(depth + 1)
	case c == 't':
		p.literal("true")
		return true
	case c == 'f':
		p.literal("false")
		return false
	case c == 'n':
		p.literal("null")
		return nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	panic(errGiveUp)
}

// spareMap returns an empty map from p.spare, nil when there is none.
func (p *pageScanner) spareMap() map[string]any {
	select {
	case m := <-p.spare:
		return m
	default:
		return nil
	}
}

// object scans the members of an object after its '{'.
func (p *pageScanner) object(depth, hint int) map[string]any {
	return p.objectInto(nil, depth, hint)
}

// objectInto is object filling m, an empty map; nil makes a new one.
func (p *pageScanner) objectInto(m map[string]any, depth, hint int) map[string]any {
	if m == nil {
		m = make(map[string]any, hint)
	}
	p.skipSpace()
	if p.peek() == '}' {
		p.pos++
		return m
	}
	for {
		p.skipSpace()
		key := p.key()
		p.skipSpace()
		p.expect(':')
		p.skipSpace()
		m[key] = p.value(depth)
		p.skipSpace()
		switch p.next() {
		case ',':
		case '}':
			return m
		default:
			panic(errGiveUp)
		}
	}
}

// typedRecord scans the members of a record after its '{' into m (empty, or
// nil for a new map), converting the value of every field in p.types as it
// comes, as decodeRecord would afterwards: decodeValue, whole numbers read
// straight from the bytes, and keeps annotations, telling whether there were
// any. A value decodeValue refuses, an object under a name that is no field
// (a complex property, which decodeRecord flattens), or a deleted entry gives
// the page up to encoding/json and decodeRecord, whose answer it then is.
// Its loop over the members is objectInto's: scanning them through one
// function with a callback for both cost 4-5 % of decoding
// (BenchmarkDecodePage).
func (p *pageScanner) typedRecord(m map[string]any, hint int) (map[string]any, bool) {
	if m == nil {
		m = make(map[string]any, hint)
	}
	annotated := false
	p.skipSpace()
	if p.peek() == '}' {
		p.pos++
		return m, false
	}
	for {
		p.skipSpace()
		key := p.key()
		p.skipSpace()
		p.expect(':')
		p.skipSpace()
		if t, ok := p.types[key]; ok {
			if n, isInt := p.wholeNumber(t); isInt {
				m[key] = n
			} else if x, err := decodeValue(t, p.value(2)); err == nil {
				m[key] = x
			} else {
				panic(errGiveUp)
			}
		} else {
			v := p.value(2)
			switch _, isObj := v.(map[string]any); {
			case strings.IndexByte(key, '@') >= 0:
				if key == "@removed" || key == "@odata.removed" || key == "@odata.context" {
					panic(errGiveUp) // a deleted entry: decodePageResponse reads its key from the raw values
				}
				annotated = true
				m[key] = v
			case isObj:
				panic(errGiveUp) // a complex property: decodeRecord flattens it into the entity's fields
			default:
				m[key] = v
			}
		}
		p.skipSpace()
		switch p.next() {
		case ',':
		case '}':
			return m, annotated
		default:
			panic(errGiveUp)
		}
	}
}

// wholeNumber scans the value of a field of type t when t is meta.Int and the
// value is a whole number of at most 18 digits, as json.Number.Int64 would
// read it; else it scans nothing.
func (p *pageScanner) wholeNumber(t meta.Type) (int64, bool) {
	if t != meta.Int {
		return 0, false
	}
	i, neg := p.pos, false
	if i < len(p.data) && p.data[i] == '-' {
		i, neg = i+1, true
	}
	start := i
	var n int64
	for i < len(p.data) && p.data[i] >= '0' && p.data[i] <= '9' && i-start < 18 {
		n = n*10 + int64(p.data[i]-'0')
		i++
	}
	switch {
	case i == start, i-start > 1 && p.data[start] == '0':
		return 0, false // no digits, or a leading zero: not JSON
	case i < len(p.data) && (p.data[i] == '.' || p.data[i] == 'e' || p.data[i] == 'E' || (p.data[i] >= '0' && p.data[i] <= '9')):
		return 0, false // a fraction, an exponent or more digits: the long way
	}
	p.pos = i
	if neg {
		n = -n
	}
	return n, true
}

// array scans the elements of an array after its '['.
func (p *pageScanner) array(depth int) []any {
	out := []any{}
	p.skipSpace()
	if p.peek() == ']' {
		p.pos++
		return out
	}
	for {
		p.skipSpace()
		out = append(out, p.value(depth))
		p.skipSpace()
		switch p.next() {
		case ',':
		case ']':
			return out
		default:
			panic(errGiveUp)
		}
	}
}

// key scans a member name, shared with the same name seen before.
func (p *pageScanner) key() string {
	start := p.pos
	raw, plain := p.rawString()
	if !plain {
		p.pos = start
		return p.string()
	}
	if k, ok := p.keys[string(raw)]; ok {
		return k
	}
	k := string(raw)
	p.keys[k] = k
	return k
}

// rawString scans a string and returns its bytes between the quotes, and
// whether they need no unescaping or checking (no '\\', all ASCII).
func (p *pageScanner) rawString() ([]byte, bool) {
	p.expect('"')
	start := p.pos
	plain := true
	for i := start; i < len(p.data); i++ {
		switch c := p.data[i]; {
		case c == '"':
			p.pos = i + 1
			return p.data[start:i], plain
		case c == '\\':
			plain = false
			i++ // the escaped byte cannot end the string
		case c < 0x20:
			panic(errGiveUp)
		case c >= 0x80:
			plain = false
		}
	}
	panic(errGiveUp)
}

// string scans a string value.
func (p *pageScanner) string() string {
	raw, plain := p.rawString()
	if plain {
		return string(raw)
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		if !utf8.Valid(raw) {
			panic(errGiveUp) // encoding/json puts U+FFFD for invalid UTF-8
		}
		return string(raw)
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		switch raw[i] {
		case '"', '\\', '/':
			out = append(out, raw[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(raw, i+1)
			i += 4
			if utf16.IsSurrogate(r) {
				if i+2 >= len(raw) || raw[i+1] != '\\' || raw[i+2] != 'u' {
					panic(errGiveUp)
				}
				r2 := hex4(raw, i+3)
				if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
					panic(errGiveUp)
				}
				i += 6
			}
			out = utf8.AppendRune(out, r)
		default:
			panic(errGiveUp)
		}
	}
	if !utf8.Valid(out) {
		panic(errGiveUp)
	}
	return string(out)
}

// hex4 reads the four hex digits of a \u escape at raw[i:].
func hex4(raw []byte, i int) rune {
	if i+4 > len(raw) {
		panic(errGiveUp)
	}
	n, err := strconv.ParseUint(string(raw[i:i+4]), 16, 32)
	if err != nil {
		panic(errGiveUp)
	}
	return rune(n)
}

// number scans a number as JSON writes it, kept as its text.
func (p *pageScanner) number() json.Number {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	switch {
	case p.peek() == '0':
		p.pos++
	case p.digits() == 0:
		panic(errGiveUp)
	}
	if p.peek() == '.' {
		p.pos++
		if p.digits() == 0 {
			panic(errGiveUp)
		}
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.pos++
		if c := p.peek(); c == '+' || c == '-' {
			p.pos++
		}
		if p.digits() == 0 {
			panic(errGiveUp)
		}
	}
	return json.Number(p.data[start:p.pos])
}

func (p *pageScanner) digits() int {
	start := p.pos
	for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
		p.pos++
	}
	return p.pos - start
}

func (p *pageScanner) literal(word string) {
	if !bytes.HasPrefix(p.data[p.pos:], []byte(word)) {
		panic(errGiveUp)
	}
	p.pos += len(word)
}

func (p *pageScanner) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// peek returns the next byte, or 0 at the end.
func (p *pageScanner) peek() byte {
	if p.pos < len(p.data) {
		return p.data[p.pos]
	}
	return 0
}

// next consumes and returns the next byte; the end gives up.
func (p *pageScanner) next() byte {
	if p.pos >= len(p.data) {
		panic(errGiveUp)
	}
	p.pos++
	return p.data[p.pos-1]
}

func (p *pageScanner) expect(c byte) {
	if p.next() != c {
		panic(errGiveUp)
	}
}
