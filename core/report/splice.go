package report

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
)

// spliceZip is the excelize.ZipWriter the workbook is saved through. It
// writes the package straight to the file (excelize's own buffers the whole
// package in memory first), and it completes each entity sheet: excelize
// writes the sheet with only its header row, and the rows spooled during the
// run go in before its `</sheetData>`, copied as they were compressed.
//
// A zip entry's deflate data can be a run of independently compressed
// segments when all but the last end on a sync flush; so the entry is the
// sheet's head compressed and flushed, the part's segments as they are, and
// the sheet's end compressed and closed; its CRC-32 is combined from the
// three pieces'.
type spliceZip struct {
	zw    *zip.Writer
	parts map[string]*part // zip path of an entity sheet → its rows
	name  string           // the entity sheet excelize is writing, "" when none
	sheet bytes.Buffer     // what excelize wrote of it
	done  int              // entity sheets written
}

// Create starts the entry name; an entity sheet is collected until the next entry.
func (z *spliceZip) Create(name string) (io.Writer, error) {
	if err := z.splice(); err != nil {
		return nil, err
	}
	if _, ok := z.parts[name]; ok {
		z.name = name
		z.sheet.Reset()
		return &z.sheet, nil
	}
	return z.zw.Create(name)
}

// AddFS adds the files of fsys.
func (z *spliceZip) AddFS(fsys fs.FS) error {
	if err := z.splice(); err != nil {
		return err
	}
	return z.zw.AddFS(fsys)
}

// Close completes the package.
func (z *spliceZip) Close() error {
	if err := z.splice(); err != nil {
		return err
	}
	if z.done != len(z.parts) {
		return fmt.Errorf("%d of %d sheets of records were not written", len(z.parts)-z.done, len(z.parts))
	}
	return z.zw.Close()
}

// splice writes the entity sheet collected, with its rows.
func (z *spliceZip) splice() error {
	if z.name == "" {
		return nil
	}
	name, p := z.name, z.parts[z.name]
	z.name = ""
	sheet := z.sheet.Bytes()
	at := bytes.LastIndex(sheet, []byte("</sheetData>"))
	if at < 0 {
		return fmt.Errorf("sheet %s: no </sheetData> to put the rows before", name)
	}
	head, err := deflateBytes(sheet[:at], false)
	if err != nil {
		return err
	}
	tail, err := deflateBytes(sheet[at:], true)
	if err != nil {
		return err
	}
	rows, err := p.f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	crc := crc32Combine(crc32.ChecksumIEEE(sheet[:at]), p.crc, p.size)
	crc = crc32Combine(crc, crc32.ChecksumIEEE(sheet[at:]), int64(len(sheet)-at))
	w, err := z.zw.CreateRaw(&zip.FileHeader{
		Name: name, Method: zip.Deflate, CreatorVersion: 20, ReaderVersion: 20, CRC32: crc,
		CompressedSize64:   uint64(int64(len(head)) + rows + int64(len(tail))),
		UncompressedSize64: uint64(int64(len(sheet)) + p.size),
	})
	if err != nil {
		return err
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	if _, err := io.Copy(w, io.NewSectionReader(p.f, 0, rows)); err != nil {
		return err
	}
	if _, err := w.Write(tail); err != nil {
		return err
	}
	z.done++
	return nil
}

// deflateBytes compresses b into one deflate segment: a sync flush at its
// end when more follows, the final block when last.
func deflateBytes(b []byte, last bool) ([]byte, error) {
	var out bytes.Buffer
	fw, err := flate.NewWriter(&out, flate.BestSpeed)
	if err != nil {
		return nil, err
	}
	if _, err := fw.Write(b); err != nil {
		return nil, err
	}
	if last {
		err = fw.Close()
	} else {
		err = fw.Flush()
	}
	return out.Bytes(), err
}

// crc32Combine returns the CRC-32 (IEEE) of a run of bytes A then B from
// crc1 of A, crc2 of B and B's length (zlib's crc32_combine).
func crc32Combine(crc1, crc2 uint32, len2 int64) uint32 {
	if len2 <= 0 {
		return crc1
	}
	var even, odd [32]uint32 // operators that add 2^n zero bits
	odd[0] = 0xedb88320      // the reflected polynomial: one zero bit
	row := uint32(1)
	for n := 1; n < 32; n++ {
		odd[n] = row
		row <<= 1
	}
	gf2Square(&even, &odd) // two zero bits
	gf2Square(&odd, &even) // four
	// Apply len2 zero bytes to crc1, one bit of len2 at a time.
	for {
		gf2Square(&even, &odd)
		if len2&1 != 0 {
			crc1 = gf2Times(&even, crc1)
		}
		if len2 >>= 1; len2 == 0 {
			break
		}
		gf2Square(&odd, &even)
		if len2&1 != 0 {
			crc1 = gf2Times(&odd, crc1)
		}
		if len2 >>= 1; len2 == 0 {
			break
		}
	}
	return crc1 ^ crc2
}

// gf2Times multiplies the GF(2) matrix mat by the vector vec.
func gf2Times(mat *[32]uint32, vec uint32) uint32 {
	var sum uint32
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

// gf2Square sets square to mat × mat.
func gf2Square(square, mat *[32]uint32) {
	for n := range 32 {
		square[n] = gf2Times(mat, mat[n])
	}
}
