package jsonpos

import (
	"bytes"
	"io"
	"unicode/utf8"

	"github.com/pipeshare/pipeshare/model"
)

// Reader gives positions in a document read as a stream, too large to
// hold (a price list of hundreds of MiB), as [LineCol] counts them in the
// whole document: it passes the stream through and keeps only the bytes
// after the last point its reader has consumed ([Reader.Forget]), so its
// memory is what the reader holds ahead, not the document. It serves JSON
// and CSV ([Reader.Column]) streams alike.
type Reader struct {
	r      io.Reader
	buf    []byte // buf[dead:] are the bytes read from base on
	dead   int    // the forgotten bytes at buf's start, dropped in bulk
	base   int64  // offset of buf[dead]
	line   int    // the line of buf[dead]
	col    int    // the column of buf[dead]
	lineAt int64  // the offset where buf[dead]'s line starts
}

// NewReader passes r through, keeping positions.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: r, line: 1, col: 1}
}

// Read reads from the stream, keeping what it reads.
func (r *Reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.buf = append(r.buf, p[:n]...)
	return n, err
}

// kept returns the bytes from base on.
func (r *Reader) kept() []byte { return r.buf[r.dead:] }

// Forget drops what lies before offset off: no position before it will be
// asked for.
func (r *Reader) Forget(off int64) {
	k := int(min(off-r.base, int64(len(r.kept()))))
	if k <= 0 {
		return
	}
	seg := r.kept()[:k]
	if i := bytes.LastIndexByte(seg, '\n'); i >= 0 {
		r.line += bytes.Count(seg, []byte{'\n'})
		r.col = column(seg, i+1, k)
		r.lineAt = r.base + int64(i) + 1
	} else {
		r.col += utf8.RuneCount(seg)
	}
	r.dead += k
	r.base += int64(k)
	if r.dead >= minCompact && r.dead >= len(r.buf)/2 {
		r.buf = r.buf[:copy(r.buf, r.kept())]
		r.dead = 0
	}
}

// minCompact is how many forgotten bytes a Reader drops at once.
const minCompact = 64 << 10

// LineCol returns the line and column of offset off, which is at or after
// the last Forget (an earlier one is taken as the Forget's).
func (r *Reader) LineCol(off int64) (line, col int) {
	kept := r.kept()
	k := int(min(max(off-r.base, 0), int64(len(kept))))
	seg := kept[:k]
	i := bytes.LastIndexByte(seg, '\n')
	if i < 0 {
		return r.line, r.col + utf8.RuneCount(seg)
	}
	return r.line + bytes.Count(seg, []byte{'\n'}), column(seg, i+1, k)
}

// Column returns the column, counted as [LineCol] counts it, of the byte
// at 1-based byte column byteCol of line (as encoding/csv gives
// positions), a line not forgotten before that byte; otherwise byteCol.
func (r *Reader) Column(line, byteCol int) int {
	start, kept := r.lineAt, r.kept()
	for l, rest := r.line, kept; l < line; l++ {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			return byteCol
		}
		rest = rest[i+1:]
		start = r.base + int64(len(kept)-len(rest))
	}
	off := start + int64(byteCol) - 1
	if line < r.line || off < r.base {
		return byteCol
	}
	_, col := r.LineCol(off)
	return col
}

// At returns a *model.PosError at offset off of the document file.
func (r *Reader) At(file string, off int64, msg string) *model.PosError {
	line, col := r.LineCol(off)
	return &model.PosError{Pos: model.Pos{File: file, Line: line, Col: col}, Msg: msg}
}
