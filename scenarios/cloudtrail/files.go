package cloudtrail

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// Trace is a CloudTrail trace: a list of files, in the order a read opens
// them (by delivery stamp, then by name).
type Trace struct {
	files []traceFile
	opts  Options
	// Added lists the principals Prepare added ("ACCT/role/X"), and
	// AddedAccounts the accounts.
	Added         []string
	AddedAccounts []string
	// What Prepare read for the next replay, nil before it and after
	// Source took it: the spool of the calls, and the counts of the calls
	// that name each execution (a replay takes one off per call it hands
	// over, so that the simulation can forget an execution no later call
	// names).
	spool *spool
	named *namedCounts
}

type traceFile struct {
	path  string
	stamp int64 // delivery stamp from the name, or math.MinInt64
}

// Open lists the files of paths: each a file, or a folder walked for
// *.json, *.jsonl and *.gz files (CloudTrail-Digest folders are skipped).
// "-" is refused by name: a trace is named files, which diff reads once
// per replay and a command checks against its outputs.
func Open(paths []string, opts Options) (*Trace, error) {
	t := &Trace{opts: opts}
	for _, p := range paths {
		if p == "-" {
			return nil, errors.New("-: a trace is read from its files or folders, not from stdin (write it to a file)")
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			t.files = append(t.files, traceFile{path: p, stamp: deliveryStamp(p)})
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "CloudTrail-Digest" {
					return filepath.SkipDir
				}
				return nil
			}
			n := d.Name()
			if strings.HasPrefix(n, ".") {
				return nil
			}
			for _, ext := range []string{".json", ".jsonl", ".gz"} {
				if strings.HasSuffix(n, ext) {
					found = append(found, path)
					break
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no CloudTrail files (*.json, *.jsonl, *.gz)", p)
		}
		sort.Strings(found)
		for _, f := range found {
			t.files = append(t.files, traceFile{path: f, stamp: deliveryStamp(f)})
		}
	}
	slices.SortStableFunc(t.files, func(a, b traceFile) int {
		if a.stamp != b.stamp {
			if a.stamp < b.stamp {
				return -1
			}
			return 1
		}
		return strings.Compare(a.path, b.path)
	})
	return t, nil
}

// Files returns the trace's files in the order they are opened (a
// command records them as its inputs, so that no output replaces one).
func (t *Trace) Files() []string {
	out := make([]string, len(t.files))
	for i, f := range t.files {
		out[i] = f.path
	}
	return out
}

// deliveryStamp parses the _YYYYMMDDTHHMMZ_ stamp of a CloudTrail S3 object
// name (ACCT_CloudTrail_REGION_20251027T0005Z_UNIQUE.json.gz).
func deliveryStamp(path string) int64 {
	base := filepath.Base(path)
	for i := 0; i+15 <= len(base); i++ {
		s := base[i:]
		if len(s) >= 15 && s[8] == 'T' && s[13] == 'Z' && (i == 0 || base[i-1] == '_') {
			if tm, err := time.Parse("20060102T1504Z", s[:14]); err == nil {
				return tm.UnixNano()
			}
		}
	}
	return math.MinInt64
}

// fileReader decompresses one file in its own goroutine and hands the bytes
// over in chunks.
type fileReader struct {
	ch   chan chunk
	free chan []byte
	done chan struct{}
	cur  chunk
	off  int
}

type chunk struct {
	b   []byte
	err error // why the file cannot be read on: it ends the read of the trace
}

// chunkSize is the size of a chunk; a file's first chunk is
// firstChunkSize, so that a small file open beside many others holds
// little. At most three chunks of a file are in use at once (chunksAhead
// handed over, one being read, one being filled): 784 KiB a file.
const (
	chunkSize      = 256 << 10
	firstChunkSize = 16 << 10
	chunksAhead    = 1
)

// The gzip ratio cap: a file may decompress to gzipFree bytes, then to at
// most gzipRatio times the compressed bytes read, all its members
// together. CloudTrail's files compress about 10:1 (the samples of
// testdata/real/cloudtrail 9.6:1, JSON Lines of generated records 12:1);
// a stream of one repeated byte compresses about 1000:1.
const (
	gzipFree  = 1 << 20
	gzipRatio = 100
)

// countingReader adds the bytes read through it to *n.
type countingReader struct {
	r io.Reader
	n *int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}

// openFile starts decompressing path (gzip detected by its magic bytes).
func openFile(path string) *fileReader {
	fr := &fileReader{ch: make(chan chunk, chunksAhead), free: make(chan []byte, chunksAhead+2), done: make(chan struct{})}
	go fr.run(path)
	return fr
}

func (fr *fileReader) send(c chunk) bool {
	select {
	case fr.ch <- c:
		return true
	case <-fr.done:
		return false
	}
}

func (fr *fileReader) run(path string) {
	defer close(fr.ch)
	f, err := os.Open(path)
	if err != nil {
		fr.send(chunk{err: err})
		return
	}
	defer f.Close()
	var in int64 // compressed bytes read, for the gzip ratio cap
	br := bufio.NewReaderSize(&countingReader{r: f, n: &in}, 64<<10)
	var r io.Reader = br
	var out int64 // decompressed bytes, for the gzip ratio cap
	gz := false
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			fr.send(chunk{err: gzipError(err)})
			return
		}
		r, gz = zr, true
	}
	// The chunks' sizes do not depend on the goroutines' timing, so
	// neither do where the ratio cap is checked and what the error says.
	for size := firstChunkSize; ; size = chunkSize {
		var b []byte
		select {
		case b = <-fr.free:
		default:
		}
		if cap(b) < size {
			b = make([]byte, size)
		}
		b = b[:size]
		n := 0
		var err error
		for n < len(b) && err == nil {
			var m int
			m, err = r.Read(b[n:])
			n += m
		}
		if out += int64(n); gz && out > gzipFree+gzipRatio*(in-int64(br.Buffered())) {
			fr.send(chunk{err: fmt.Errorf("gzip: %d bytes decompress to more than %d, over the limit of 1 MiB plus %d times the compressed size (a gzip bomb?)",
				in-int64(br.Buffered()), out, gzipRatio)})
			return
		}
		if n > 0 && !fr.send(chunk{b: b[:n]}) {
			return
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			switch {
			case err == io.ErrUnexpectedEOF:
				err = errors.New("truncated gzip stream (unexpected end of file)")
			case gz:
				err = gzipError(err)
			}
			fr.send(chunk{err: err})
			return
		}
	}
}

// gzipError says that err is the gzip stream's.
func gzipError(err error) error {
	if strings.HasPrefix(err.Error(), "gzip: ") {
		return err
	}
	return fmt.Errorf("gzip: %v", err)
}

// Read implements io.Reader over the chunks.
func (fr *fileReader) Read(p []byte) (int, error) {
	for fr.off >= len(fr.cur.b) {
		if fr.cur.err != nil {
			return 0, fr.cur.err
		}
		if fr.cur.b != nil {
			select {
			case fr.free <- fr.cur.b[:cap(fr.cur.b)]:
			default:
			}
		}
		c, ok := <-fr.ch
		if !ok {
			fr.cur = chunk{err: io.EOF}
			continue
		}
		fr.cur, fr.off = c, 0
	}
	n := copy(p, fr.cur.b[fr.off:])
	fr.off += n
	return n, nil
}

// Close stops the goroutine and lets go of the chunks.
func (fr *fileReader) Close() {
	select {
	case <-fr.done:
	default:
		close(fr.done)
	}
	for range fr.ch { // let the goroutine finish
	}
	fr.cur, fr.free = chunk{err: io.EOF}, nil
}
