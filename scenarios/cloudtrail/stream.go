package cloudtrail

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// window is how far out of order records may be inside one file and
// still be read in order; it is also the duplicate-copy window.
const window = 15 * time.Minute

// windowRecords caps each file's reordering window, and the
// duplicate-copy window, in records.
const windowRecords = 1 << 15

// windowBytes caps the records waiting in the windows of all open files
// together, by their size in the file: past it, each file holds one call.
const windowBytes = 256 << 20

// openLead is how long before its delivery stamp a file is opened.
const openLead = int64(time.Hour)

// maxWarnings is how many malformed records a read describes.
const maxWarnings = 20

// maxDetails caps the keys of Stats.OtherEvents and Stats.Identities.
const maxDetails = 100

// maxShown caps the bytes of a record's value a message or a key of Stats
// quotes.
const maxShown = 100

// Options tune a read of a trace.
type Options struct {
	// Align shifts a replay so that its first call is at the scenario
	// start; otherwise a call is replayed at its eventTime minus the start
	// and earlier calls are skipped.
	Align bool
	// Strict makes a malformed record fatal to a replay (a damaged file
	// is fatal to every read).
	Strict bool
	// AddUnknownAccounts makes Prepare add accounts seen only in the
	// trace, outside the organization; otherwise a replay skips their calls
	// as unknown callers.
	AddUnknownAccounts bool
	// Warn receives a line per malformed record ("trace: FILE:record N:
	// ..."); nil discards them.
	Warn io.Writer
	// Progress, when set, receives how far a read of the trace is: the
	// records and the bytes (decompressed) read so far, every
	// progressEvery records and at the end of each file. It is called on
	// the goroutine that reads, for a progress line; it must not block.
	Progress func(records, bytes int64)
}

// progressEvery is how many records a read takes between two calls of
// Options.Progress.
const progressEvery = 1 << 14

// Stats counts what a read took and skipped: every record read is a call
// or skipped for one reason, Records = Calls + the sum of Skipped (for a
// replay, once [Replay.Finish] has counted what its run did not reach).
type Stats struct {
	Files   int
	Records int64            // records read (every event, and every unreadable unit of a file)
	Calls   int64            // calls handed on (by a finished replay: replayed)
	Skipped map[string]int64 // by Skip* reason
	// UnknownAccounts counts a replay's skipped calls of each unknown
	// account.
	UnknownAccounts map[string]int64
	// Malformed describes the first malformed records, "FILE:record N:
	// message" (at most 20; Skipped[SkipMalformed] counts them all).
	Malformed []string
	// OtherEvents counts the records that are not pipeline calls by
	// "eventSource eventName", and Identities the calls skipped for their
	// userIdentity type by type. Only [Trace.Calls] fills them, with at
	// most 100 keys each; the rest count under "other".
	OtherEvents map[string]int64
	Identities  map[string]int64
}

// item is a call waiting in a file's window.
type item struct {
	at       int64 // eventTime, Unix ns
	seq      uint64
	dedup    uint64  // 0 for none
	caller   *caller // a mapped caller (why == "")
	target   *target // nil for a Search that names no pipeline
	region   string  // for Trace.Calls only
	action   model.Action
	recorded sim.Recorded // a replay's: the recorded outcome
	size     int32        // the record's bytes in the file, for windowBytes

	// A replay's: the execution ID an execution-level call names, the one
	// a recorded Start returned, the ClientRequestToken.
	execution, startsExecution, token string
	parameters                        []sim.Param // a recorded Start's pipelineParameters
	// A replay's and its first pass's: namedKey of the execution the call
	// names, 0 for none.
	named uint32
}

// ctFile is an open file of the merge.
type ctFile struct {
	path    string
	fr      *fileReader
	sc      *ctScanner
	rec     int    // records read
	win     []item // the calls read out of order: a min-heap by (at, seq)
	run     []item // the calls read in order, from run[runOff] on
	runOff  int
	maxSeen int64
	eof     bool
}

type dedupEntry struct {
	at  int64
	key uint64
}

// use is what a stream is read for; it decides what the stream keeps.
type use int8

const (
	forPrepare use = iota // a replay's first pass: all a sim.TraceCall holds, to a spool
	forReplay             // the replay: reads the spool back; Options.Strict and Warn apply
	forCalls              // a Call, and what is skipped by name; Options.Warn applies
)

// stream reads the calls of a trace: it applies the record rule to each
// record, reorders each file's records within the window, merges the
// files by eventTime and drops the later copies of a call.
type stream struct {
	t      *Trace
	use    use
	strict bool
	warn   io.Writer
	stats  Stats
	err    error
	warned int
	read   int64 // the bytes the files' scanners have read, for Options.Progress

	nextFile int // the next file of t.files to open
	active   []*ctFile
	winBytes int64 // the sizes of the items in the windows
	seq      uint64
	tab      tables

	dedup    map[uint64]struct{}
	dedupQ   []dedupEntry
	dedupOff int
	f        ctFields

	skips int64        // the records counted under the reasons of spoolReasons
	sw    *spoolWriter // forPrepare's spool
	sr    *spoolReader // what forReplay reads instead of the files
}

func (t *Trace) newStream(u use) *stream {
	s := &stream{t: t, use: u, tab: newTables(),
		stats: Stats{Files: len(t.files), Skipped: map[string]int64{}, UnknownAccounts: map[string]int64{}},
		dedup: map[uint64]struct{}{}}
	switch u {
	case forReplay:
		s.strict, s.warn = t.opts.Strict, t.opts.Warn
	case forCalls:
		s.warn = t.opts.Warn
		s.stats.OtherEvents, s.stats.Identities = map[string]int64{}, map[string]int64{}
	}
	return s
}

// next returns the next call: the earliest ready one across the files
// that is not a copy of one already returned within the window (for a
// replay, the next one its first pass spooled).
func (s *stream) next() (item, bool) {
	if s.sr != nil {
		return s.sr.next(s)
	}
	for {
		it, ok := s.pop()
		if !ok {
			return item{}, false
		}
		if it.dedup != 0 && s.seen(it.at, it.dedup) {
			s.skip(SkipDuplicate)
			continue
		}
		return it, true
	}
}

// close closes the open files, and the spool a replay reads.
func (s *stream) close() {
	for _, f := range s.active {
		f.fr.Close()
	}
	s.active = nil
	if s.sr != nil {
		s.sr.close()
	}
	s.nextFile = len(s.t.files)
	if s.warned > maxWarnings && s.warn != nil {
		fmt.Fprintf(s.warn, "trace: %d more malformed records not shown\n", s.warned-maxWarnings)
	}
	s.warned = 0
}

// seen reports whether key was seen within the window, adding it.
func (s *stream) seen(at int64, key uint64) bool {
	for s.dedupOff < len(s.dedupQ) && (s.dedupQ[s.dedupOff].at < at-int64(window) || len(s.dedupQ)-s.dedupOff > windowRecords) {
		delete(s.dedup, s.dedupQ[s.dedupOff].key)
		s.dedupOff++
	}
	if s.dedupOff > 4096 && s.dedupOff*2 > len(s.dedupQ) {
		s.dedupQ = append(s.dedupQ[:0], s.dedupQ[s.dedupOff:]...)
		s.dedupOff = 0
	}
	if _, ok := s.dedup[key]; ok {
		return true
	}
	s.dedup[key] = struct{}{}
	s.dedupQ = append(s.dedupQ, dedupEntry{at, key})
	return false
}

// pop returns the earliest ready call across the files.
func (s *stream) pop() (item, bool) {
	for s.err == nil {
		// The earliest head among the open files.
		best := -1
		for i, f := range s.active {
			if f.waiting() > 0 && (best < 0 || itemLess(f.head(), s.active[best].head())) {
				best = i
			}
		}
		// Open the files the merge has reached.
		if s.nextFile < len(s.t.files) {
			tf := s.t.files[s.nextFile]
			if best < 0 || tf.stamp == math.MinInt64 || tf.stamp-openLead <= s.active[best].head().at {
				s.nextFile++
				s.open(tf.path)
				continue
			}
		}
		if best < 0 {
			return item{}, false
		}
		f := s.active[best]
		it := f.popItem()
		s.winBytes -= int64(it.size)
		s.fill(f)
		if s.err != nil {
			break
		}
		if f.waiting() == 0 && f.eof {
			f.fr.Close()
			s.active = slices.Delete(s.active, best, best+1)
		}
		return it, true
	}
	return item{}, false
}

func (s *stream) open(path string) {
	f := &ctFile{path: path, fr: openFile(path), maxSeen: math.MinInt64}
	f.sc = newCTScanner(&countingReader{r: f.fr, n: &s.read})
	s.fill(f)
	if f.waiting() == 0 && f.eof {
		f.fr.Close()
		return
	}
	s.active = append(s.active, f)
}

// fill reads f until its earliest call is ready: older than the newest
// by the window, or the window is full, or the file has ended.
func (s *stream) fill(f *ctFile) {
	for !f.eof && (f.waiting() == 0 || (f.head().at > f.maxSeen-int64(window) && f.waiting() < windowRecords && s.winBytes < windowBytes)) {
		res, err := f.sc.next(&s.f)
		switch res {
		case scanEnd:
			f.eof = true
			f.fr.Close() // a file at its end keeps only its window
			f.sc = nil
			s.progress()
			if err != nil {
				s.damaged(f, err)
				return
			}
			continue
		case scanMalformed:
			f.rec++
			s.stats.Records++
			s.problem(f.path, f.rec, err.Error())
			if s.err != nil {
				return
			}
			continue
		}
		f.rec++
		s.stats.Records++
		s.mapRecord(f, f.sc.recLen)
		if s.err != nil {
			return
		}
		if s.stats.Records%progressEvery == 0 {
			s.progress()
		}
	}
}

// progress tells Options.Progress how far the read is.
func (s *stream) progress() {
	if p := s.t.opts.Progress; p != nil {
		p(s.stats.Records, s.read)
	}
}

// damaged ends the read at a file that cannot be read on (a corrupt,
// truncated or over-compressed gzip stream, binary data, a read error),
// whatever Options.Strict says: the records it still holds are unknown.
func (s *stream) damaged(f *ctFile, err error) {
	if s.err != nil {
		return
	}
	if f.rec == 0 {
		s.err = fmt.Errorf("%s: %v", f.path, err)
	} else {
		s.err = fmt.Errorf("%s: after record %d: %v", f.path, f.rec, err)
	}
}

// skip counts a record skipped for a reason of spoolReasons.
func (s *stream) skip(why string) {
	s.stats.Skipped[why]++
	s.skips++
}

// problem counts a malformed record: fatal with Strict, else described in
// Stats.Malformed and on Warn; a first pass leaves that to the replay.
func (s *stream) problem(file string, rec int, msg string) {
	if s.sw != nil {
		s.stats.Skipped[SkipMalformed]++
		s.sw.problem(s, file, rec, msg)
		return
	}
	s.report(problemLine(file, rec, msg))
}

func problemLine(file string, rec int, msg string) string {
	return fmt.Sprintf("%s:record %d: %s", file, rec, msg)
}

// report counts the malformed record of line and reports it.
func (s *stream) report(line string) {
	s.stats.Skipped[SkipMalformed]++
	if s.strict {
		if s.err == nil {
			s.err = errors.New(line)
		}
		return
	}
	s.warned++
	if s.warned > maxWarnings {
		return
	}
	s.stats.Malformed = append(s.stats.Malformed, line)
	if s.warn != nil {
		fmt.Fprintf(s.warn, "trace: %s\n", line)
	}
}

// shown returns b for a message or a key: as it is, or its first maxShown
// bytes and "...".
func shown(b []byte) string {
	if len(b) <= maxShown {
		return string(b)
	}
	return string(b[:maxShown]) + "..."
}

// count adds one to m[key], or to m["other"] once m has maxDetails keys.
func count(m map[string]int64, key string) {
	if _, ok := m[key]; !ok && len(m) >= maxDetails {
		key = "other"
	}
	m[key]++
}

// mapRecord applies the record rule to the record in s.f, of size bytes,
// and adds the call it makes to f's window.
func (s *stream) mapRecord(f *ctFile, size int) {
	rf := &s.f
	action, ok := pipelineAction(rf)
	if !ok {
		s.skip(SkipOtherEvent)
		if s.use == forCalls {
			src := shown(rf.eventSource)
			if src == "" {
				src = "(no eventSource)"
			}
			count(s.stats.OtherEvents, src+" "+shown(rf.eventName))
		}
		return
	}
	at, ok := parseEventTime(rf.eventTime)
	if !ok {
		s.problem(f.path, f.rec, fmt.Sprintf("eventTime %q is not an RFC 3339 time from 1970 to 2262", shown(rf.eventTime)))
		return
	}
	c := s.tab.callerOf(rf)
	switch c.why {
	case SkipMalformed:
		s.problem(f.path, f.rec, c.msg)
		return
	case SkipIdentity:
		s.skip(SkipIdentity)
		if s.use == forCalls {
			count(s.stats.Identities, fmt.Sprintf("%q", shown(rf.uType)))
		}
		return
	}
	it := item{at: at, caller: c, action: action}
	// The target.
	ref := rf.execARN
	var execID []byte
	switch {
	case len(rf.execARN) > 0:
		k := lastIndex(ref, execSep)
		if k < 0 || k+len(execSep) == len(ref) {
			s.badTarget(f, ref)
			return
		}
		it.target = s.tab.arnTarget(ref[:k])
		execID = ref[k+len(execSep):]
	case len(rf.pipelineARN) > 0:
		ref = rf.pipelineARN
		it.target = s.tab.arnTarget(ref)
	case len(rf.pipelineName) > 4 && string(rf.pipelineName[:4]) == "arn:":
		ref = rf.pipelineName // PipelineName accepts an ARN too
		it.target = s.tab.arnTarget(ref)
	case len(rf.pipelineName) > 0:
		// A bare name is a pipeline of the account the record was
		// delivered to, else of the caller's.
		ref = rf.pipelineName
		acct := rf.recipient
		if len(acct) == 0 {
			acct = []byte(c.p.Account)
		}
		it.target = s.tab.nameTarget(acct, ref)
	case action == model.Search && len(rf.searchARN) > 0:
		ref = rf.searchARN
		it.target = s.tab.arnTarget(ref)
	case action == model.Search:
		// A Search that names no pipeline: a replay picks one.
	default:
		s.skip(SkipNoTarget)
		return
	}
	if it.target != nil && it.target.bad {
		s.badTarget(f, ref)
		return
	}
	switch {
	case len(rf.shared) > 0:
		it.dedup = sim.FNV64a(rf.shared) | 1
	case len(rf.reqID) > 0:
		it.dedup = sim.FNV64a(rf.reqID) | 1
	}
	if len(execID) > 0 && s.use != forCalls {
		it.named = namedKey(execID)
	}
	switch s.use {
	case forPrepare:
		s.replayFields(&it, execID)
	case forCalls:
		it.region = s.tab.region(rf.region)
	}
	s.seq++
	it.seq = s.seq
	it.size = int32(size)
	s.winBytes += int64(size)
	f.maxSeen = max(f.maxSeen, at)
	f.pushItem(it)
}

const execSep = "/execution/"

// namedKey is the key of execution ID id in namedCounts: 32 bits of its
// FNV-64a, never 0. IDs with one key share a count, which only delays
// forgetting them (a few dozen of a million IDs).
func namedKey[S ~string | ~[]byte](id S) uint32 { return uint32(sim.FNV64a(id)) | 1 }

// namedCounts counts, by namedKey, the calls of a trace that name each
// execution: sorted keys and their counts, 8 bytes per execution some call
// ahead still names (a replay drops the others as it goes), with nothing
// for the garbage collector to scan. A trace naming more than
// namedMax executions makes the keys coarser (shift) rather than the table
// larger: more IDs then share a count, which only delays forgetting them.
type namedCounts struct {
	keys   []uint32 // namedKey >> shift, sorted, distinct
	counts []uint32
	shift  uint
	added  []uint32 // keys added and not merged yet
	zeros  int      // keys whose count take brought to 0
}

const namedBatch = 1 << 18 // keys added between merges (1 MiB)

// namedMax is the number of distinct keys kept (16 MiB); a variable so
// that a test can coarsen small tables.
var namedMax = 1 << 21

// add counts one call naming the execution of key.
func (n *namedCounts) add(key uint32) {
	n.added = append(n.added, key>>n.shift)
	if len(n.added) == namedBatch {
		n.merge()
	}
}

// merge merges the keys added into the table, then coarsens the keys
// while there are more than namedMax.
func (n *namedCounts) merge() {
	slices.Sort(n.added)
	keys := make([]uint32, 0, len(n.keys)+len(n.added))
	counts := make([]uint32, 0, cap(keys))
	push := func(k, c uint32) {
		if last := len(keys) - 1; last >= 0 && keys[last] == k {
			counts[last] = satAdd(counts[last], c)
			return
		}
		keys, counts = append(keys, k), append(counts, c)
	}
	i := 0
	for _, k := range n.added {
		for ; i < len(n.keys) && n.keys[i] <= k; i++ {
			push(n.keys[i], n.counts[i])
		}
		push(k, 1)
	}
	for ; i < len(n.keys); i++ {
		push(n.keys[i], n.counts[i])
	}
	n.keys, n.counts, n.added = keys, counts, n.added[:0]
	for len(n.keys) > namedMax {
		n.shift++
		j := 0
		for i, k := range n.keys {
			if k >>= 1; j > 0 && n.keys[j-1] == k {
				n.counts[j-1] = satAdd(n.counts[j-1], n.counts[i])
				continue
			}
			n.keys[j], n.counts[j] = k, n.counts[i]
			j++
		}
		n.keys, n.counts = n.keys[:j], n.counts[:j]
	}
}

// satAdd adds without wrapping: a count that reaches the top stays there,
// so its executions are never forgotten.
func satAdd(a, b uint32) uint32 {
	if a > math.MaxUint32-b {
		return math.MaxUint32
	}
	return a + b
}

// pending reports whether some call not taken yet names key.
func (n *namedCounts) pending(key uint32) bool {
	i, ok := slices.BinarySearch(n.keys, key>>n.shift)
	return ok && n.counts[i] > 0
}

// take takes one call naming key off, and reports whether none is left.
func (n *namedCounts) take(key uint32) bool {
	i, ok := slices.BinarySearch(n.keys, key>>n.shift)
	if !ok || n.counts[i] == 0 {
		return true
	}
	if n.counts[i] < math.MaxUint32 {
		n.counts[i]--
	}
	if n.counts[i] > 0 {
		return false
	}
	if n.zeros++; n.zeros >= namedCompact && 2*n.zeros >= len(n.keys) {
		n.compact()
	}
	return true
}

// namedCompact is how many keys must have no call left, and be half the
// table, before take drops them.
const namedCompact = 1 << 12

// compact keeps only the keys that some call ahead still names, in
// smaller arrays, so that the table shrinks as the replay goes: pending
// and take answer for a dropped key as for a count of 0.
func (n *namedCounts) compact() {
	live := len(n.keys) - n.zeros
	keys, counts := make([]uint32, 0, live), make([]uint32, 0, live)
	for i, c := range n.counts {
		if c > 0 {
			keys, counts = append(keys, n.keys[i]), append(counts, c)
		}
	}
	n.keys, n.counts, n.zeros = keys, counts, 0
}

// replayFields fills what only a replay reads: the execution the call
// names (execID), the one a recorded Start returned, its token and its
// recorded outcome.
func (s *stream) replayFields(it *item, execID []byte) {
	rf := &s.f
	it.execution = string(execID)
	if it.action == model.StartPipelineExecution && len(rf.respExecARN) > 0 {
		if k := lastIndex(rf.respExecARN, execSep); k >= 0 {
			it.startsExecution = string(rf.respExecARN[k+len(execSep):])
		}
	}
	if len(rf.token) > 0 {
		it.token = string(rf.token)
	}
	if it.action == model.StartPipelineExecution {
		for _, p := range rf.pipelineParams {
			it.parameters = append(it.parameters, sim.Param{Name: string(p[0]), Value: string(p[1])})
		}
	}
	switch string(rf.errorCode) {
	case "":
	case "AccessDenied", "AccessDeniedException":
		it.recorded = sim.RecordedDenied
	default:
		it.recorded = sim.RecordedError
	}
}

func (s *stream) badTarget(f *ctFile, ref []byte) {
	s.problem(f.path, f.rec, fmt.Sprintf("%q names no pipeline or execution: want its ARN or a pipeline name", shown(ref)))
}

func itemLess(a, b *item) bool {
	return a.at < b.at || a.at == b.at && a.seq < b.seq
}

// waiting returns how many calls f's window holds.
func (f *ctFile) waiting() int { return len(f.win) + len(f.run) - f.runOff }

// head returns the earliest call of f's window, which must hold one.
func (f *ctFile) head() *item {
	if f.runFirst() {
		return &f.run[f.runOff]
	}
	return &f.win[0]
}

// runFirst reports whether the earliest call of f's window is the run's.
func (f *ctFile) runFirst() bool {
	return f.runOff < len(f.run) && (len(f.win) == 0 || itemLess(&f.run[f.runOff], &f.win[0]))
}

// pushItem adds it to f's window: to the run when it is not earlier than
// the run's last call (a file read in order only ever appends and takes
// the oldest), else to the heap.
func (f *ctFile) pushItem(it item) {
	if f.runOff == len(f.run) || !itemLess(&it, &f.run[len(f.run)-1]) {
		f.run = append(f.run, it)
		return
	}
	f.win = append(f.win, it)
	h := f.win
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !itemLess(&h[i], &h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

// popItem takes the earliest call of f's window, which must hold one.
func (f *ctFile) popItem() item {
	if f.runFirst() {
		it := f.run[f.runOff]
		f.run[f.runOff] = item{}
		f.runOff++
		switch n := len(f.run) - f.runOff; {
		case n == 0:
			f.run, f.runOff = f.run[:0], 0
		case f.runOff >= 256 && f.runOff >= n:
			copy(f.run, f.run[f.runOff:])
			clear(f.run[n:])
			f.run, f.runOff = f.run[:n], 0
		}
		return it
	}
	h := f.win
	it := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h[n] = item{}
	h = h[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if rr := l + 1; rr < n && itemLess(&h[rr], &h[l]) {
			m = rr
		}
		if !itemLess(&h[m], &h[i]) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	f.win = h
	return it
}

// Calls reads the calls of a trace without a scenario: the records the
// record rule takes, merged in time order, copies counted once. It never
// stops at a malformed record (Options.Strict is a replay's): Stats counts
// and describes them. It stops at a damaged file: see Err. Close it when
// done.
type Calls struct{ s *stream }

// Call is one call of a trace.
type Call struct {
	At     time.Time // eventTime, UTC
	Action model.Action
	Caller Principal
	// Pipeline is the pipeline the call names; zero for a Search that
	// names none.
	Pipeline Pipeline
	Region   string // awsRegion
}

// Calls starts a read of t's calls.
func (t *Trace) Calls() *Calls {
	return &Calls{s: t.newStream(forCalls)}
}

// Next fills c with the next call; false at the end.
func (cs *Calls) Next(c *Call) bool {
	it, ok := cs.s.next()
	if !ok {
		return false
	}
	*c = Call{At: time.Unix(0, it.at).UTC(), Action: it.action, Caller: it.caller.p, Region: it.region}
	if it.target != nil {
		c.Pipeline = it.target.pl
	}
	cs.s.stats.Calls++
	return true
}

// Stats returns the counts so far: every record read is a call or
// skipped, Records = Calls + the sum of Skipped.
func (cs *Calls) Stats() *Stats { return &cs.s.stats }

// Err reports why the read ended early, "FILE: ..." (nil at the end of
// the trace): a file that could not be read on.
func (cs *Calls) Err() error { return cs.s.err }

// Close closes the open files.
func (cs *Calls) Close() { cs.s.close() }
