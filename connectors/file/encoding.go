package file

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// The values of the encoding setting: how the text of CSV files is encoded.
const (
	EncodingUTF8        = "utf-8"
	EncodingUTF16       = "utf-16"
	EncodingWindows1252 = "windows-1252"
	EncodingLatin1      = "latin-1"
)

// textEncoding is the encoding setting of a CSV folder. UTF-8 is read as it
// is (a byte-order mark skipped) and checked: text that is not UTF-8 is an
// error naming the file, the line and the setting to set. The others are
// decoded with golang.org/x/text; a file is written back in its encoding,
// with the byte-order mark and line breaks it had.
type textEncoding string

// byteOrderMarks by encoding.
var (
	bomUTF8    = []byte{0xef, 0xbb, 0xbf}
	bomUTF16LE = []byte{0xff, 0xfe}
	bomUTF16BE = []byte{0xfe, 0xff}
)

// fileLayout is how one file's text is laid out: its byte-order mark, its
// byte order (UTF-16) and its line breaks.
type fileLayout struct {
	enc       textEncoding
	bom       []byte
	bigEndian bool // UTF-16 only
	crlf      bool
}

// charmap is the single-byte character map of e, nil for the Unicode encodings.
func (e textEncoding) charmap() *charmap.Charmap {
	switch e {
	case EncodingWindows1252:
		return charmap.Windows1252
	case EncodingLatin1:
		return charmap.ISO8859_1
	}
	return nil
}

// layoutOf reads how the text of the file at path is laid out from its
// first bytes; a file that does not exist is laid out as e writes new files
// (UTF-16 little-endian with a byte-order mark, the others without one; line
// feeds).
func (e textEncoding) layoutOf(path string) (fileLayout, error) {
	l := fileLayout{enc: e}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		if e == EncodingUTF16 {
			l.bom = bomUTF16LE
		}
		return l, nil
	}
	if err != nil {
		return l, err
	}
	defer f.Close()
	// The first line tells the line breaks: read 4 KiB, 64 KiB when it is longer.
	head := make([]byte, 4<<10)
	n, err := io.ReadFull(f, head)
	head = head[:n]
	if err == nil && bytes.IndexByte(head, '\n') < 0 {
		more := make([]byte, 60<<10)
		m, _ := io.ReadFull(f, more)
		head = append(head, more[:m]...)
	} else if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return l, err
	}
	return e.layoutOfHead(path, head)
}

// layoutOfHead is layoutOf for the first bytes of a file.
func (e textEncoding) layoutOfHead(path string, head []byte) (fileLayout, error) {
	l := fileLayout{enc: e}
	switch {
	case e == EncodingUTF16:
		if bytes.HasPrefix(head, bomUTF8) {
			return l, fmt.Errorf("%s starts with the byte-order mark of UTF-8: set encoding to %s", path, EncodingUTF8)
		}
		if probe := head[:min(len(head), 64)]; len(probe) >= 2 && !bytes.HasPrefix(head, bomUTF16LE) && !bytes.HasPrefix(head, bomUTF16BE) && bytes.IndexByte(probe, 0) < 0 {
			// Delimiters and line breaks in UTF-16 have a zero byte.
			return l, fmt.Errorf("%s is not UTF-16 (no byte-order mark, no zero byte in its first line): set encoding to %s, %s or %s", path, EncodingUTF8, EncodingWindows1252, EncodingLatin1)
		}
		switch {
		case bytes.HasPrefix(head, bomUTF16LE):
			l.bom = bomUTF16LE
		case bytes.HasPrefix(head, bomUTF16BE):
			l.bom, l.bigEndian = bomUTF16BE, true
		case len(head) >= 2 && head[0] == 0 && head[1] != 0:
			l.bigEndian = true // no mark: the zero byte of an ASCII character comes first
		}
		lf, cr := []byte{'\n', 0}, []byte{'\r', 0, '\n', 0}
		if l.bigEndian {
			lf, cr = []byte{0, '\n'}, []byte{0, '\r', 0, '\n'}
		}
		for i := len(l.bom); i+len(lf) <= len(head); i += 2 {
			if bytes.Equal(head[i:i+2], lf) {
				l.crlf = i >= 2 && bytes.Equal(head[i-2:i+2], cr)
				break
			}
		}
		return l, nil
	case bytes.HasPrefix(head, bomUTF8):
		if e != EncodingUTF8 {
			return l, fmt.Errorf("%s starts with the byte-order mark of UTF-8: set encoding to %s", path, EncodingUTF8)
		}
		l.bom = bomUTF8
	case bytes.HasPrefix(head, bomUTF16LE) || bytes.HasPrefix(head, bomUTF16BE):
		return l, fmt.Errorf("%s starts with the byte-order mark of UTF-16: set encoding to %s", path, EncodingUTF16)
	}
	if i := bytes.IndexByte(head, '\n'); i > 0 {
		l.crlf = head[i-1] == '\r'
	}
	return l, nil
}

// decoder is what turns l's text into UTF-8, nil for UTF-8.
func (l fileLayout) decoder() transform.Transformer {
	switch l.enc {
	case EncodingUTF16:
		order := unicode.LittleEndian
		if l.bigEndian {
			order = unicode.BigEndian
		}
		return unicode.UTF16(order, unicode.IgnoreBOM).NewDecoder()
	}
	if m := l.enc.charmap(); m != nil {
		return m.NewDecoder()
	}
	return nil
}

// encoder is what turns UTF-8 into l's text, nil for UTF-8.
func (l fileLayout) encoder() *encoding.Encoder {
	switch l.enc {
	case EncodingUTF16:
		order := unicode.LittleEndian
		if l.bigEndian {
			order = unicode.BigEndian
		}
		return unicode.UTF16(order, unicode.IgnoreBOM).NewEncoder()
	}
	if m := l.enc.charmap(); m != nil {
		return m.NewEncoder()
	}
	return nil
}

// newline is a line feed in l's text.
func (l fileLayout) newline() []byte {
	switch {
	case l.enc != EncodingUTF16:
		return []byte{'\n'}
	case l.bigEndian:
		return []byte{0, '\n'}
	}
	return []byte{'\n', 0}
}

// runeWidth is how many bytes of the file a decoded rune took: one in a
// single-byte encoding, two or four (a surrogate pair) in UTF-16.
func (l fileLayout) runeWidth(r rune) int64 {
	switch {
	case l.enc != EncodingUTF16:
		return 1
	case r > 0xffff:
		return 4
	}
	return 2
}

// check returns what is wrong with the text of a field read in l's encoding
// ("" when nothing is): UTF-8 must be valid; windows-1252 leaves five bytes
// undefined, which decode as U+FFFD.
func (l fileLayout) check(s string) string {
	switch l.enc {
	case EncodingUTF8:
		if !utf8.ValidString(s) {
			return "is not UTF-8"
		}
	case EncodingWindows1252:
		if strings.ContainsRune(s, utf8.RuneError) {
			return "has a byte that windows-1252 does not define"
		}
	}
	return ""
}

// advice says which setting to set for a file whose text check refused.
func (l fileLayout) advice() string {
	if l.enc == EncodingWindows1252 {
		return fmt.Sprintf("set encoding to %s, or %s if it is UTF-8", EncodingLatin1, EncodingUTF8)
	}
	return fmt.Sprintf("set encoding to %s or %s if it was written by Excel on Windows (%s for Excel's Unicode text)", EncodingWindows1252, EncodingLatin1, EncodingUTF16)
}

// unencodable returns the first character of s that e cannot write, and
// whether there is one.
func (e textEncoding) unencodable(s string) (rune, bool) {
	m := e.charmap()
	if m == nil {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			for _, r := range s[i:] {
				if _, ok := m.EncodeRune(r); !ok {
					return r, true
				}
			}
			return 0, false
		}
	}
	return 0, false
}

// checkWritable fails a value of field that e cannot write.
func (e textEncoding) checkWritable(field, s string) error {
	if r, bad := e.unencodable(s); bad {
		return fmt.Errorf("field %s: %q cannot be written in %s (the character %q): set encoding to %s or %s", field, s, e, r, EncodingUTF8, EncodingUTF16)
	}
	return nil
}

// decodedInput decodes a file's text to UTF-8 for the CSV reader and maps
// offsets in what it gave back to offsets in the file, so that a read can
// go on from a row's file offset. It keeps the decoded text it gave since
// the last offset mapped: a row and the reader's read-ahead.
type decodedInput struct {
	r      io.Reader
	layout fileLayout
	kept   []byte // decoded text from keptAt on
	keptAt int64  // decoded offset of kept[0]
	fileAt int64  // file offset of kept[0]
}

func (d *decodedInput) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	d.kept = append(d.kept, p[:n]...)
	return n, err
}

// fileOffset returns the file offset of the decoded offset at (not before
// the last one mapped), and forgets the text before it.
func (d *decodedInput) fileOffset(at int64) int64 {
	n := int(at - d.keptAt)
	text := d.kept[:n]
	off := d.fileAt
	if d.layout.enc == EncodingUTF16 {
		for len(text) > 0 {
			if text[0] < utf8.RuneSelf {
				off += 2
				text = text[1:]
				continue
			}
			r, size := utf8.DecodeRune(text)
			off += d.layout.runeWidth(r)
			text = text[size:]
		}
	} else {
		off += int64(utf8.RuneCount(text))
	}
	d.kept, d.keptAt, d.fileAt = d.kept[n:], at, off
	return off
}
