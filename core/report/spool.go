package report

import (
	"bufio"
	"compress/flate"
	"encoding/csv"
	"hash/crc32"
	"os"
)

// maxRows is how many records one sheet holds: Excel's 1,048,576 rows less
// the header. An entity with more continues on a sheet of its own ("Items 2").
// A variable so that tests can lower it.
var maxRows = 1_048_575

// maxDeflaters is how many entities' rows are being compressed at a time;
// records of another entity take over the least recently used compressor. A
// compressor holds about 1 MB: the report's memory does not grow with the
// number of entities, and a sync that alternates between a few keeps its
// compression.
const maxDeflaters = 4

// spool holds one entity's records while the run goes: its rows, sheet by
// sheet, and its failed records for the CSV.
type spool struct {
	entity string
	parts  []*part // one a sheet; the last takes the rows that come
	failed *os.File
	fbuf   *bufio.Writer
	fcsv   *csv.Writer
}

// part is one sheet's rows: their XML deflated, as it comes, into a
// temporary file. The file is a run of deflate segments, each ended by a
// sync flush (byte-aligned, not final), that the workbook splices between
// the sheet's header and its end (see splice.go).
type part struct {
	f    *os.File
	rows int       // records written
	size int64     // bytes of XML before compression
	crc  uint32    // CRC-32 of those bytes
	z    *deflater // the compressor it holds, nil when it holds none
}

// deflater is a compressor and the buffer it writes through, held by one part at a time.
type deflater struct {
	fw   *flate.Writer
	bw   *bufio.Writer
	p    *part
	used uint64
}

// release ends p's current deflate segment and gives the compressor back.
func (d *deflater) release() error {
	if d.p == nil {
		return nil
	}
	d.p.z, d.p = nil, nil
	if err := d.fw.Flush(); err != nil {
		return err
	}
	return d.bw.Flush()
}

// write adds one row's XML to p.
func (w *Writer) write(p *part, row []byte) error {
	if p.z == nil {
		if err := w.deflaterFor(p); err != nil {
			return err
		}
	}
	w.tick++
	p.z.used = w.tick
	p.crc = crc32.Update(p.crc, crc32.IEEETable, row)
	p.size += int64(len(row))
	p.rows++
	_, err := p.z.fw.Write(row)
	return err
}

// deflaterFor gives p a compressor: a new one while there are fewer than
// maxDeflaters, else the least recently used, whose part's segment ends.
func (w *Writer) deflaterFor(p *part) error {
	if len(w.deflaters) < maxDeflaters {
		bw := bufio.NewWriterSize(p.f, 64<<10)
		fw, err := flate.NewWriter(bw, flate.BestSpeed)
		if err != nil {
			return err
		}
		d := &deflater{fw: fw, bw: bw, p: p}
		w.deflaters = append(w.deflaters, d)
		p.z = d
		return nil
	}
	d := w.deflaters[0]
	for _, o := range w.deflaters[1:] {
		if o.used < d.used {
			d = o
		}
	}
	if err := d.release(); err != nil {
		return err
	}
	d.bw.Reset(p.f)
	d.fw.Reset(d.bw)
	d.p, p.z = p, d
	return nil
}

// fail adds a failed record to the entity's part of the CSV.
func (s *spool) fail(dir, key, msg string) error {
	if s.failed == nil {
		f, err := os.CreateTemp(dir, "failed-*.csv")
		if err != nil {
			return err
		}
		s.failed, s.fbuf = f, bufio.NewWriterSize(f, 16<<10)
		s.fcsv = csv.NewWriter(s.fbuf)
	}
	return s.fcsv.Write([]string{s.entity, key, msg})
}

// finish flushes what the spool still buffers.
func (s *spool) finish() error {
	if s.fcsv == nil {
		return nil
	}
	s.fcsv.Flush()
	if err := s.fcsv.Error(); err != nil {
		return err
	}
	return s.fbuf.Flush()
}

// close closes the spool's temporary files (the folder holding them goes whole).
func (s *spool) close() {
	for _, p := range s.parts {
		p.f.Close()
	}
	if s.failed != nil {
		s.failed.Close()
	}
}
