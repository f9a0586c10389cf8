package input

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"strconv"
)

// DefaultLimit is the largest document read when no --max-input is given.
const DefaultLimit = 64 << 20

// TooLargeError is the error of a document over the limit.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return "file too large (limit " + FormatSize(e.Limit) + ", raise with --max-input)"
}

// NotRegularError is the error of a document that is not a regular file.
type NotRegularError struct{ Mode fs.FileMode }

func (e *NotRegularError) Error() string {
	switch m := e.Mode; {
	case m.IsDir():
		return "is a folder, not a file"
	case m&fs.ModeNamedPipe != 0:
		return "is a named pipe, not a regular file"
	case m&fs.ModeDevice != 0:
		return "is a device, not a regular file"
	case m&fs.ModeSocket != 0:
		return "is a socket, not a regular file"
	}
	return "is not a regular file"
}

// FormatSize formats a byte count: "64 MiB", "2 KiB" or "100 bytes".
func FormatSize(n int64) string {
	switch {
	case n > 0 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n > 0 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// Read reads r to its end, at most limit bytes: it reads limit+1 bytes
// at most, and returns a *TooLargeError when there are more than limit. A
// negative limit is no limit.
func Read(r io.Reader, limit int64) ([]byte, error) {
	return read(r, limit, 0)
}

// read is Read with a hint of the size to expect (a regular file's). It
// reads into chunks that grow up to maxChunk, so that a stream refused at
// the limit has cost the limit in memory, not the twice or more of a
// growing buffer, and joins them at the end; a file read whole into its
// first chunk (of hint+1 bytes, to see its end) is not copied.
func read(r io.Reader, limit, hint int64) ([]byte, error) {
	size := max(hint+1, minChunk)
	if limit >= 0 {
		r = io.LimitReader(r, limit+1)
		size = min(size, limit+1)
	}
	var chunks [][]byte
	var total int64
	for {
		buf := make([]byte, size)
		n, err := io.ReadFull(r, buf)
		chunks = append(chunks, buf[:n])
		total += int64(n)
		if limit >= 0 && total > limit {
			return nil, &TooLargeError{Limit: limit}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
		size = min(max(size, total), maxChunk)
	}
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	return bytes.Join(chunks, nil), nil
}

// The chunks read grows from minChunk to maxChunk bytes.
const (
	minChunk = 4 << 10
	maxChunk = 4 << 20
)

// ReadFile reads the document name of fsys, at most limit bytes (a
// negative limit is no limit). It refuses a name that is not a regular
// file before opening it (so a named pipe cannot block and a device cannot
// be read), and a file larger than the limit before reading it; a file
// that grows past the limit while it is read is refused after limit+1
// bytes. Errors are *fs.PathError naming name, with a *NotRegularError or
// *TooLargeError when it is refused.
func ReadFile(fsys fs.FS, name string, limit int64) ([]byte, error) {
	data, err := readFile(fsys, name, limit)
	var pe *fs.PathError
	if err != nil && !errors.As(err, &pe) {
		err = &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return data, err
}

func readFile(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, size, err := open(fsys, name, limit)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return read(f, limit, size)
}

// open opens the regular file name of fsys, no larger than limit (a
// negative limit is none), and returns its size.
func open(fsys fs.FS, name string, limit int64) (fs.File, int64, error) {
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, &NotRegularError{Mode: fi.Mode()}
	}
	if limit >= 0 && fi.Size() > limit {
		return nil, 0, &TooLargeError{Limit: limit}
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, 0, err
	}
	// The name may have been replaced between the two looks.
	if fi, err = f.Stat(); err != nil {
		f.Close()
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, &NotRegularError{Mode: fi.Mode()}
	}
	return f, fi.Size(), nil
}

// Stream is a document read as a stream rather than whole, for inputs
// too large to hold in memory (a price list of hundreds of MiB): its Read
// returns a *TooLargeError once more than its limit has been read, and
// never reads more than limit+1 bytes.
type Stream struct {
	r     io.Reader
	c     io.Closer // nil for a stream it did not open
	limit int64
	n     int64
	// Size is the document's size when it was opened, or -1 when unknown
	// (standard input).
	Size int64
}

// NewStream reads r as a document of at most limit bytes (a negative
// limit is none), of unknown size.
func NewStream(r io.Reader, limit int64) *Stream {
	if limit >= 0 {
		r = io.LimitReader(r, limit+1)
	}
	return &Stream{r: r, limit: limit, Size: -1}
}

// OpenStream opens the document name of fsys as a stream of at most limit
// bytes, refusing what [ReadFile] refuses before reading a byte. Errors
// are *fs.PathError naming name.
func OpenStream(fsys fs.FS, name string, limit int64) (*Stream, error) {
	f, size, err := open(fsys, name, limit)
	if err != nil {
		var pe *fs.PathError
		if !errors.As(err, &pe) {
			err = &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return nil, err
	}
	s := NewStream(f, limit)
	s.c, s.Size = f, size
	return s, nil
}

// Read reads the document, failing with a *TooLargeError past the limit.
func (s *Stream) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.n += int64(n)
	if s.limit >= 0 && s.n > s.limit {
		return max(n-int(s.n-s.limit), 0), &TooLargeError{Limit: s.limit}
	}
	return n, err
}

// Offset returns the number of bytes read so far.
func (s *Stream) Offset() int64 { return s.n }

// Close closes the file OpenStream opened.
func (s *Stream) Close() error {
	if s.c == nil {
		return nil
	}
	return s.c.Close()
}

// FS returns fsys whose ReadFile is [ReadFile] with limit, so that
// fs.ReadFile on it is bounded; Open and Stat are fsys's.
func FS(fsys fs.FS, limit int64) fs.FS {
	return boundedFS{fsys: fsys, limit: limit}
}

type boundedFS struct {
	fsys  fs.FS
	limit int64
}

func (b boundedFS) Open(name string) (fs.File, error) { return b.fsys.Open(name) }

func (b boundedFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(b.fsys, name) }

func (b boundedFS) ReadFile(name string) ([]byte, error) { return ReadFile(b.fsys, name, b.limit) }
