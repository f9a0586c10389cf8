package cloudtrail

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// The spool: a replay's first pass ([Trace.Prepare]) writes the calls it
// mapped, and what the replay counts and reports of the other records, in
// the order the replay takes them; the replay reads them back instead of
// decompressing and scanning the trace again. A spool holds about 17 bytes
// a call of W1's mix (what a sim.TraceCall needs: the time, the caller and
// pipeline by their table index, the execution IDs, the token, a Start's
// parameters) and a few bytes per run of skipped records. It is kept in
// memory up to spoolMem bytes, then written to a temporary file in
// os.TempDir that is removed as soon as it is created (it lives as long as
// it is open, so nothing is left behind on any exit), read back through a
// small buffer.

// spoolMem is the size up to which a spool stays in memory (a trace of
// about 60,000 calls), and spoolBuf the buffer a replay reads a spool
// file through; variables so that a test can send every spool to a file
// and read it a few bytes at a time.
var (
	spoolMem = 1 << 20
	spoolBuf = 32 << 10
)

// The entries of a spool: a tag byte, then its fields. The entries that
// the replay applies (item, counts, problem, end) begin with the records
// the first pass read since the entry before, so that Stats.Records goes
// as it would reading the files.
const (
	tagItem    = iota // a call; the tag's high bits say which optional fields follow
	tagCaller         // a caller of the table, before its first call
	tagTarget         // a pipeline of the table, before its first call
	tagCounts         // records skipped under the reasons of spoolReasons since the entry before
	tagProblem        // a malformed record: its line, "" past the maxWarnings described
	tagEnd            // the end of the trace
	tagKind    = 7    // the bits of the kind
)

// The optional fields of a call, in its tag's high bits.
const (
	flagExecution = 8 << iota // the execution the call names
	flagStarts                // the execution ID a recorded Start returned
	flagToken                 // its ClientRequestToken
	flagParams                // a Start's parameters
	flagNanos                 // the time from the call before is in nanoseconds, not whole seconds
)

// spoolReasons are the skip reasons counted by the first pass that a
// counts entry carries (malformed records are problem entries).
var spoolReasons = [...]string{SkipOtherEvent, SkipIdentity, SkipNoTarget, SkipDuplicate}

// spool is a written spool: in memory, or an open temporary file.
type spool struct {
	mem  []byte
	f    *os.File
	name string // f's name while it is still in its folder
}

// close lets go of the spool.
func (sp *spool) close() {
	if sp.f != nil {
		sp.f.Close()
		if sp.name != "" {
			os.Remove(sp.name)
		}
	}
	*sp = spool{}
}

// spoolWriter writes a spool as the first pass reads the trace.
type spoolWriter struct {
	spool
	b        []byte // the entries not in f yet (all of them while f is nil)
	err      error
	at       int64                    // the last call's eventTime
	records  int64                    // Stats.Records at the last entry
	skips    int64                    // stream.skips at the last entry
	skipped  [len(spoolReasons)]int64 // Stats.Skipped at the last entry
	callers  []bool                   // the callers written, by table index
	targets  []bool                   // the pipelines written, by table index
	problems int                      // problem entries written
}

// recordsRead appends the records read since the entry before.
func (w *spoolWriter) recordsRead(s *stream) {
	w.b = binary.AppendUvarint(w.b, uint64(s.stats.Records-w.records))
	w.records = s.stats.Records
}

// counts writes, when some were, the records skipped since the entry
// before.
func (w *spoolWriter) counts(s *stream) {
	if s.skips == w.skips {
		return
	}
	w.skips = s.skips
	w.b = append(w.b, tagCounts)
	w.recordsRead(s)
	for i, why := range spoolReasons {
		n := s.stats.Skipped[why]
		w.b = binary.AppendUvarint(w.b, uint64(n-w.skipped[i]))
		w.skipped[i] = n
	}
}

// problem writes a malformed record: the line a replay reports, for the
// first ones it describes.
func (w *spoolWriter) problem(s *stream, file string, rec int, msg string) {
	w.counts(s)
	w.b = append(w.b, tagProblem)
	w.recordsRead(s)
	line := ""
	if w.problems < maxWarnings {
		line = problemLine(file, rec, msg)
	}
	w.problems++
	w.str(line)
	w.flush()
}

// item writes a call.
func (w *spoolWriter) item(s *stream, it *item) {
	w.counts(s)
	c, t := it.caller, it.target
	if c.id >= 0 && !firstUse(&w.callers, c.id) {
		w.b = append(w.b, tagCaller)
		w.b = binary.AppendUvarint(w.b, uint64(c.id))
		w.principal(c.p)
	}
	if t != nil && t.id >= 0 && !firstUse(&w.targets, t.id) {
		w.b = append(w.b, tagTarget)
		w.b = binary.AppendUvarint(w.b, uint64(t.id))
		w.target(t)
	}
	tag := byte(tagItem)
	if it.execution != "" {
		tag |= flagExecution
	}
	if it.startsExecution != "" {
		tag |= flagStarts
	}
	if it.token != "" {
		tag |= flagToken
	}
	if len(it.parameters) > 0 {
		tag |= flagParams
	}
	d := it.at - w.at
	if d%1e9 == 0 {
		d /= 1e9 // CloudTrail's eventTime is in whole seconds
	} else {
		tag |= flagNanos
	}
	w.at = it.at
	w.b = append(w.b, tag)
	w.recordsRead(s)
	w.b = binary.AppendVarint(w.b, d)
	w.b = append(w.b, byte(it.action)|byte(it.recorded)<<4)
	switch {
	case c.id >= 0:
		w.b = binary.AppendUvarint(w.b, uint64(c.id)+1)
	default:
		w.b = append(w.b, 0)
		w.principal(c.p)
	}
	switch {
	case t == nil:
		w.b = append(w.b, 0)
	case t.id >= 0:
		w.b = binary.AppendUvarint(w.b, uint64(t.id)+2)
	default:
		w.b = append(w.b, 1)
		w.target(t)
	}
	if it.execution != "" {
		w.str(it.execution)
	}
	if it.startsExecution != "" {
		w.str(it.startsExecution)
	}
	if it.token != "" {
		w.str(it.token)
	}
	if len(it.parameters) > 0 {
		w.b = binary.AppendUvarint(w.b, uint64(len(it.parameters)))
		for _, p := range it.parameters {
			w.str(p.Name)
			w.str(p.Value)
		}
	}
	w.flush()
}

// firstUse reports whether (*seen)[id] was set, setting it.
func firstUse(seen *[]bool, id int32) bool {
	was := int(id) < len(*seen) && (*seen)[id]
	put(seen, id, true)
	return was
}

// put sets (*s)[i] to v, growing *s to hold it.
func put[T any](s *[]T, i int32, v T) {
	if n := int(i) + 1 - len(*s); n > 0 {
		*s = append(*s, make([]T, n)...)
	}
	(*s)[i] = v
}

func (w *spoolWriter) principal(p Principal) {
	w.str(string(p.Account))
	w.str(p.Name)
}

func (w *spoolWriter) target(t *target) {
	w.str(t.arn)
	w.str(string(t.pl.Account))
	w.str(t.pl.Name)
}

func (w *spoolWriter) str(s string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(s)))
	w.b = append(w.b, s...)
}

// flush writes the entries to the file once they pass spoolMem bytes,
// creating the file then.
func (w *spoolWriter) flush() {
	if len(w.b) < spoolMem || w.err != nil {
		return
	}
	if w.f == nil {
		if w.f, w.err = os.CreateTemp("", "pipeshare-trace-*.spool"); w.err != nil {
			return
		}
		// Gone from the folder at once, the file lives while it is open;
		// where an open file cannot be removed, close removes it.
		if os.Remove(w.f.Name()) != nil {
			w.name = w.f.Name()
		}
	}
	_, w.err = w.f.Write(w.b)
	w.b = w.b[:0]
}

// end writes the end of the trace and returns the spool, ready to read,
// or why it could not be written.
func (w *spoolWriter) end(s *stream) (spool, error) {
	w.counts(s)
	w.b = append(w.b, tagEnd)
	w.recordsRead(s)
	if w.f != nil && w.err == nil {
		if _, w.err = w.f.Write(w.b); w.err == nil {
			_, w.err = w.f.Seek(0, io.SeekStart)
		}
	}
	if w.err != nil {
		w.abort()
		return spool{}, spoolError(w.err)
	}
	sp := w.spool
	if w.f == nil {
		sp.mem = w.b
	}
	return sp, nil
}

// abort lets go of a spool not ended.
func (w *spoolWriter) abort() {
	w.spool.close()
	w.b = nil
}

// spoolError says that err is the spool file's, naming its folder (the
// file's name is random, and an error reads the same every time).
func spoolError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("the replay's temporary file in %s: %v (set TMPDIR to a writable folder with room for it)", os.TempDir(), err)
}

// errSpoolCorrupt is a spool that does not read back as it was written.
var errSpoolCorrupt = errors.New("the replay's temporary file reads back damaged")

// spoolReader reads a spool back for a replay.
type spoolReader struct {
	sp       spool
	buf      []byte
	off, end int
	eof      bool
	done     bool // the end entry was read
	err      error
	at       int64
	callers  []*caller // by table index
	targets  []*target
}

func newSpoolReader(sp spool) *spoolReader {
	r := &spoolReader{sp: sp}
	if sp.f == nil {
		r.buf, r.end, r.eof = sp.mem, len(sp.mem), true
	} else {
		r.buf = make([]byte, spoolBuf)
	}
	return r
}

func (r *spoolReader) close() {
	r.sp.close()
	r.buf, r.off, r.end, r.eof = nil, 0, 0, true
}

// ensure makes n bytes readable at r.off when the spool has them.
func (r *spoolReader) ensure(n int) bool {
	for r.end-r.off < n && !r.eof && r.err == nil {
		copy(r.buf, r.buf[r.off:r.end])
		r.end -= r.off
		r.off = 0
		if n > len(r.buf) {
			r.buf = append(r.buf, make([]byte, n-len(r.buf))...)
		}
		m, err := r.sp.f.Read(r.buf[r.end:])
		r.end += m
		switch {
		case err == io.EOF:
			r.eof = true
		case err != nil:
			r.err = spoolError(err)
		}
	}
	return r.end-r.off >= n
}

func (r *spoolReader) byte() byte {
	if !r.ensure(1) {
		r.fail()
		return 0
	}
	r.off++
	return r.buf[r.off-1]
}

func (r *spoolReader) uvarint() uint64 {
	r.ensure(binary.MaxVarintLen64)
	v, k := binary.Uvarint(r.buf[r.off:r.end])
	if k <= 0 {
		r.fail()
		return 0
	}
	r.off += k
	return v
}

// varint reads what binary.AppendVarint wrote: zigzag, in a uvarint.
func (r *spoolReader) varint() int64 {
	u := r.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

// str reads a string, at most a record long.
func (r *spoolReader) str() string {
	n := r.uvarint()
	if n > maxRecord || !r.ensure(int(n)) {
		r.fail()
		return ""
	}
	s := string(r.buf[r.off : r.off+int(n)])
	r.off += int(n)
	return s
}

func (r *spoolReader) fail() {
	if r.err == nil {
		r.err = errSpoolCorrupt
	}
}

func (r *spoolReader) principal() Principal {
	return Principal{Account: model.AccountID(r.str()), Name: r.str()}
}

func (r *spoolReader) target(id int32) *target {
	return &target{arn: r.str(), pl: Pipeline{Account: model.AccountID(r.str()), Name: r.str()}, id: id}
}

// index reads a table index of a definition: below maxInterned.
func (r *spoolReader) index() int32 {
	id := r.uvarint()
	if id >= maxInterned {
		r.fail()
		return 0
	}
	return int32(id)
}

// next reads the next call, applying the entries before it to s: the
// records read, the ones skipped, the malformed ones (reported as the
// files' reader reports them).
func (r *spoolReader) next(s *stream) (item, bool) {
	for !r.done && r.err == nil && s.err == nil {
		tag := r.byte()
		switch tag & tagKind {
		case tagItem:
			if it := r.item(s, tag); r.err == nil {
				return it, true
			}
		case tagCaller:
			id := r.index()
			put(&r.callers, id, &caller{id: id, p: r.principal()})
		case tagTarget:
			id := r.index()
			put(&r.targets, id, r.target(id))
		case tagCounts:
			s.stats.Records += int64(r.uvarint())
			for _, why := range spoolReasons {
				if n := r.uvarint(); n > 0 {
					s.stats.Skipped[why] += int64(n)
				}
			}
		case tagProblem:
			s.stats.Records += int64(r.uvarint())
			if line := r.str(); r.err == nil {
				s.report(line)
			}
		case tagEnd:
			s.stats.Records += int64(r.uvarint())
			r.done = true
		default:
			r.fail()
		}
	}
	if r.err != nil && s.err == nil {
		s.err = r.err
	}
	return item{}, false
}

// item reads the fields of a call whose tag has been read.
func (r *spoolReader) item(s *stream, tag byte) item {
	s.stats.Records += int64(r.uvarint())
	d := r.varint()
	if tag&flagNanos == 0 {
		d *= 1e9
	}
	r.at += d
	it := item{at: r.at}
	ar := r.byte()
	it.action, it.recorded = model.Action(ar&15), sim.Recorded(ar>>4)
	if it.action >= model.NumActions || it.recorded >= sim.NumRecorded {
		r.fail()
	}
	switch id := r.uvarint(); {
	case id == 0:
		it.caller = &caller{id: -1, p: r.principal()}
	case id-1 < uint64(len(r.callers)) && r.callers[id-1] != nil:
		it.caller = r.callers[id-1]
	default:
		r.fail()
	}
	switch id := r.uvarint(); {
	case id == 0:
	case id == 1:
		it.target = r.target(-1)
	case id-2 < uint64(len(r.targets)) && r.targets[id-2] != nil:
		it.target = r.targets[id-2]
	default:
		r.fail()
	}
	if tag&flagExecution != 0 {
		it.execution = r.str()
		it.named = namedKey(it.execution)
	}
	if tag&flagStarts != 0 {
		it.startsExecution = r.str()
	}
	if tag&flagToken != 0 {
		it.token = r.str()
	}
	if tag&flagParams != 0 {
		for n := r.uvarint(); n > 0 && r.err == nil; n-- {
			it.parameters = append(it.parameters, sim.Param{Name: r.str(), Value: r.str()})
		}
	}
	return it
}
