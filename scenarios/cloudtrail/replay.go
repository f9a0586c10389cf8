package cloudtrail

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// CloudTrail replay (DESIGN.md "Real inputs"): a [Trace] reads CloudTrail
// files — a single event, {"Records": [...]}, JSON Lines, gzip of each, or
// a folder in the S3 delivery layout — and turns SageMaker pipeline events
// into [sim.TraceCall]s, streamed in time order.
//
// It takes two passes over the files. [Trace.Prepare] collects the
// principals the trace calls with, before the World is built, so that
// principals seen only in the trace get an allow-all identity
// (model.PrincipalConfig.AllowAll) and, with AddUnknownAccounts, unknown
// accounts are added outside the organization. [Trace.Source] then
// streams the calls: files are opened as the merge reaches them (a file
// whose name carries CloudTrail's delivery stamp, YYYYMMDDTHHMMZ, is opened
// one hour of event time before that stamp; other files at once), each
// file's records are reordered within a 15-minute window (and at most
// [WindowRecords] records), the files are merged by eventTime, and
// copies of one call (the same sharedEventID, else requestID, within the
// window) count once. Memory holds the open files' windows only.

// Window is how far out of order records may be inside one file and
// still be replayed in order; it is also the duplicate-copy window.
const Window = 15 * time.Minute

// WindowRecords caps each file's reordering window, and the
// duplicate-copy window, in records.
const WindowRecords = 1 << 15

// traceOpenLead is how long before its delivery stamp a file is opened.
const traceOpenLead = int64(time.Hour)

// Options tune a replay.
type Options struct {
	// Align shifts the trace so that its first SageMaker pipeline record is
	// at the scenario start; otherwise a record is replayed at its
	// eventTime minus the start and earlier records are skipped.
	Align bool
	// Strict makes a malformed record or a damaged file fatal.
	Strict bool
	// AddUnknownAccounts adds accounts seen only in the trace, outside the
	// organization; otherwise their calls are skipped as unknown callers.
	AddUnknownAccounts bool
	// Warn receives a line per malformed record ("trace: FILE:record N:
	// ..."); nil discards them.
	Warn io.Writer
}

// Skip reasons: the keys of Stats.Skipped.
const (
	SkipOtherEvent     = "other_event"          // not a SageMaker pipeline event
	SkipMalformed      = "malformed"            // not valid JSON, or no valid eventTime
	SkipDuplicate      = "duplicate"            // another copy of a call already replayed
	SkipUnknownAccount = "unknown_account"      // the caller's account is not in the scenario
	SkipUnknownCaller  = "unknown_principal"    // the caller is not in the scenario
	SkipIdentity       = "unsupported_identity" // an AWS service, a federated user, ...
	SkipUnknownTarget  = "unknown_pipeline"     // the pipeline is not in the scenario
	SkipNoTarget       = "no_target"            // no pipeline or execution named
	SkipBeforeStart    = "before_start"         // before the scenario start (without Align)
)

// Trace is a CloudTrail trace: a list of files.
type Trace struct {
	files []traceFile
	opts  Options
	// Added lists the principals Prepare added ("ACCT/role/X"), and
	// AddedAccounts the accounts.
	Added         []string
	AddedAccounts []string
}

type traceFile struct {
	path  string
	stamp int64 // delivery stamp from the name, or math.MinInt64
}

// Open lists the files of paths: each a file, or a folder walked for
// *.json, *.jsonl and *.gz files (CloudTrail-Digest folders are skipped).
func Open(paths []string, opts Options) (*Trace, error) {
	t := &Trace{opts: opts}
	for _, p := range paths {
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

// Files returns the trace's files in the order they are opened.
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
	err error
}

const chunkSize = 256 << 10

// openFile starts decompressing path (gzip detected by its magic bytes).
func openFile(path string) *fileReader {
	fr := &fileReader{ch: make(chan chunk, 4), free: make(chan []byte, 6), done: make(chan struct{})}
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
	br := bufio.NewReaderSize(f, 64<<10)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			fr.send(chunk{err: fmt.Errorf("gzip: %v", err)})
			return
		}
		r = zr
	}
	for {
		var b []byte
		select {
		case b = <-fr.free:
		default:
			b = make([]byte, chunkSize)
		}
		n := 0
		var err error
		for n < chunkSize && err == nil {
			var m int
			m, err = r.Read(b[n:chunkSize])
			n += m
		}
		if n > 0 && !fr.send(chunk{b: b[:n]}) {
			return
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			if err == io.ErrUnexpectedEOF {
				err = errors.New("truncated gzip stream (unexpected end of file)")
			}
			fr.send(chunk{err: err})
			return
		}
	}
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

// Close stops the goroutine.
func (fr *fileReader) Close() {
	select {
	case <-fr.done:
	default:
		close(fr.done)
	}
	for range fr.ch { // let the goroutine finish
	}
}

// parseEventTime parses an eventTime: RFC 3339, usually
// "2025-10-27T00:00:52Z".
func parseEventTime(b []byte) (int64, bool) {
	if len(b) == 20 && b[4] == '-' && b[7] == '-' && b[10] == 'T' && b[13] == ':' && b[16] == ':' && b[19] == 'Z' {
		n := func(i, j int) int {
			v := 0
			for _, c := range b[i:j] {
				if c < '0' || c > '9' {
					return -1
				}
				v = v*10 + int(c-'0')
			}
			return v
		}
		y, mo, d, h, mi, s := n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19)
		if y >= 1970 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s < 61 {
			days := daysFromCivil(y, mo, d)
			return ((days*24+int64(h))*60+int64(mi))*60*1e9 + int64(s)*1e9, true
		}
	}
	tm, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return 0, false
	}
	return tm.UnixNano(), true
}

// daysFromCivil returns the days since 1970-01-01 (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097 + doe - 719468)
}

const sagemakerSource = "sagemaker.amazonaws.com"

// pipelineAction returns the action of a SageMaker pipeline event.
func pipelineAction(f *ctFields) (model.Action, bool) {
	if string(f.eventSource) != sagemakerSource {
		return 0, false
	}
	switch string(f.eventName) {
	case "DescribePipeline":
		return model.DescribePipeline, true
	case "DescribePipelineDefinitionForExecution":
		return model.DescribePipelineDefinitionForExecution, true
	case "DescribePipelineExecution":
		return model.DescribePipelineExecution, true
	case "ListPipelineExecutions":
		return model.ListPipelineExecutions, true
	case "ListPipelineExecutionSteps":
		return model.ListPipelineExecutionSteps, true
	case "ListPipelineParametersForExecution":
		return model.ListPipelineParametersForExecution, true
	case "Search":
		return model.Search, true
	case "StartPipelineExecution":
		return model.StartPipelineExecution, true
	case "StopPipelineExecution":
		return model.StopPipelineExecution, true
	case "RetryPipelineExecution":
		return model.RetryPipelineExecution, true
	}
	return 0, false
}

// callerOf returns the caller's account and principal name ("root",
// "role/X", "user/p/Y"), or the skip reason.
func callerOf(f *ctFields) (model.AccountID, string, string) {
	var arn []byte
	switch string(f.uType) {
	case "AssumedRole":
		arn = f.issuerARN
		if len(arn) == 0 {
			arn = f.uARN
		}
	case "IAMUser":
		arn = f.uARN
	case "Root":
		if acct, err := model.ParseAccountID(string(f.uAccount)); err == nil {
			return acct, "root", ""
		}
		arn = f.uARN
	default:
		return "", "", SkipIdentity
	}
	acct, name, err := model.ParsePrincipalARN(string(arn))
	if err != nil {
		return "", "", SkipMalformed
	}
	return acct, name, ""
}

// Prepare reads the trace once and adds to sc every principal it calls
// with that sc lacks, with an allow-all identity (flagged as seen only in
// the trace) and, with AddUnknownAccounts, every unknown account, outside
// the organization. Call it before the world is built.
func (t *Trace) Prepare(cfg *model.Config) error {
	type key struct {
		acct model.AccountID
		name string
	}
	seen := map[string]bool{} // by caller ARN or account ID
	var callers []key
	var f ctFields
	for _, tf := range t.files {
		fr := openFile(tf.path)
		s := newCTScanner(fr)
		for {
			res, _ := s.next(&f)
			if res == scanEnd {
				break
			}
			if res != scanRecord {
				continue
			}
			if _, ok := pipelineAction(&f); !ok {
				continue
			}
			id := f.issuerARN
			if len(id) == 0 {
				id = f.uARN
			}
			if len(id) == 0 {
				id = f.uAccount
			}
			if seen[string(id)] {
				continue
			}
			seen[string(id)] = true
			if acct, name, why := callerOf(&f); why == "" {
				callers = append(callers, key{acct, name})
			}
		}
		fr.Close()
	}
	slices.SortFunc(callers, func(a, b key) int {
		return strings.Compare(string(a.acct)+"/"+a.name, string(b.acct)+"/"+b.name)
	})
	callers = slices.Compact(callers)
	accts := map[string]int{}
	for i := range cfg.Accounts {
		accts[cfg.Accounts[i].ID.S] = i
	}
	for _, c := range callers {
		ai, ok := accts[string(c.acct)]
		if !ok {
			if !t.opts.AddUnknownAccounts {
				continue
			}
			cfg.Accounts = append(cfg.Accounts, model.AccountConfig{
				ID: model.Ref{S: string(c.acct)}, Name: "trace-" + string(c.acct), FullAccess: true})
			ai = len(cfg.Accounts) - 1
			accts[string(c.acct)] = ai
			t.AddedAccounts = append(t.AddedAccounts, string(c.acct))
		}
		if c.name == "root" {
			continue
		}
		a := &cfg.Accounts[ai]
		if slices.ContainsFunc(a.Principals, func(p model.PrincipalConfig) bool { return p.Name.S == c.name }) {
			continue
		}
		a.Principals = append(a.Principals, model.PrincipalConfig{Name: model.Ref{S: c.name}, AllowAll: true})
		t.Added = append(t.Added, string(c.acct)+"/"+c.name)
	}
	return nil
}

// Stats counts what a replay read and skipped.
type Stats struct {
	Files   int
	Records int64            // records read (every event)
	Calls   int64            // records handed to the simulation
	Skipped map[string]int64 // by Skip* reason
	// UnknownAccounts counts the skipped calls of each unknown account.
	UnknownAccounts map[string]int64
}

// Replay streams a trace's calls: a [sim.TraceSource].
type Replay struct {
	t       *Trace
	w       *model.World
	start   int64 // the scenario start, Unix ns
	shift   int64 // added to eventTime with Align
	aligned bool
	stats   Stats
	err     error
	warned  int

	next   int // the next file of t.files to open
	active []*ctFile
	seq    uint64

	callers  map[string]callerRes
	acctIdx  map[model.AccountID]bool
	byName   map[string]model.PipelineID // "ACCT/lower-case name"
	byARN    map[string]model.PipelineID // pipeline ARN
	firstPl  map[model.AccountID]model.PipelineID
	scratch  []byte
	seed     maphash.Seed
	dedup    map[uint64]struct{}
	dedupQ   []dedupEntry
	dedupOff int
	f        ctFields
}

type callerRes struct {
	p    model.PrincipalID
	acct model.AccountID
	why  string
}

type dedupEntry struct {
	at  int64
	key uint64
}

// ctItem is a mapped record waiting in a file's window.
type ctItem struct {
	at    int64 // eventTime, Unix ns
	seq   uint64
	dedup uint64 // 0 for none
	call  sim.TraceCall
}

// ctFile is an open file of the merge.
type ctFile struct {
	path    string
	fr      *fileReader
	sc      *ctScanner
	rec     int      // records read
	win     []ctItem // a min-heap by (at, seq)
	maxSeen int64
	eof     bool
}

// Source returns the replay of t in world w, from the world's start. Close
// it after the run.
func (t *Trace) Source(w *model.World) *Replay {
	r := &Replay{t: t, w: w, start: w.StartUnixNano(), aligned: !t.opts.Align,
		stats:   Stats{Files: len(t.files), Skipped: map[string]int64{}, UnknownAccounts: map[string]int64{}},
		callers: map[string]callerRes{}, acctIdx: map[model.AccountID]bool{},
		byName: map[string]model.PipelineID{}, byARN: map[string]model.PipelineID{},
		firstPl: map[model.AccountID]model.PipelineID{}, seed: maphash.MakeSeed(), dedup: map[uint64]struct{}{}}
	for _, id := range w.AccountIDs() {
		r.acctIdx[id] = true
	}
	for p := range model.PipelineID(w.NumPipelines()) {
		owner := w.PipelineOwner(p)
		r.byName[string(owner)+"/"+strings.ToLower(w.PipelineName(p))] = p
		r.byARN[w.PipelineARN(p)] = p
		if _, ok := r.firstPl[owner]; !ok {
			r.firstPl[owner] = p
		}
	}
	return r
}

// Stats returns the counts so far.
func (r *Replay) Stats() *Stats { return &r.stats }

// Err reports why the trace ended early (sim.TraceSource).
func (r *Replay) Err() error { return r.err }

// Close closes the open files.
func (r *Replay) Close() {
	for _, f := range r.active {
		f.fr.Close()
	}
	r.active = nil
	r.next = len(r.t.files)
	if r.warned > maxTraceWarnings && r.t.opts.Warn != nil {
		fmt.Fprintf(r.t.opts.Warn, "trace: %d more malformed records not shown\n", r.warned-maxTraceWarnings)
	}
	r.warned = 0
}

const maxTraceWarnings = 20

func (r *Replay) warn(file string, rec int, msg string) {
	r.warned++
	if r.t.opts.Warn != nil && r.warned <= maxTraceWarnings {
		fmt.Fprintf(r.t.opts.Warn, "trace: %s:record %d: %s\n", file, rec, msg)
	}
}

// fail records a fatal error (Strict).
func (r *Replay) fail(file string, rec int, msg string) {
	if r.err == nil {
		if rec > 0 {
			r.err = fmt.Errorf("%s:record %d: %s", file, rec, msg)
		} else {
			r.err = fmt.Errorf("%s: %s", file, msg)
		}
	}
}

// Next fills c with the next call (sim.TraceSource).
func (r *Replay) Next(c *sim.TraceCall) bool {
	for r.err == nil {
		it, ok := r.pop()
		if !ok {
			return false
		}
		if it.dedup != 0 && r.seen(it.at, it.dedup) {
			r.stats.Skipped[SkipDuplicate]++
			continue
		}
		if !r.aligned {
			r.aligned = true
			r.shift = r.start - it.at
		}
		at := it.at + r.shift - r.start
		if at < 0 {
			r.stats.Skipped[SkipBeforeStart]++
			continue
		}
		*c = it.call
		c.At = sim.Time(at)
		r.stats.Calls++
		return true
	}
	return false
}

// seen reports whether key was seen within the window, adding it.
func (r *Replay) seen(at int64, key uint64) bool {
	for r.dedupOff < len(r.dedupQ) && (r.dedupQ[r.dedupOff].at < at-int64(Window) || len(r.dedupQ)-r.dedupOff > WindowRecords) {
		delete(r.dedup, r.dedupQ[r.dedupOff].key)
		r.dedupOff++
	}
	if r.dedupOff > 4096 && r.dedupOff*2 > len(r.dedupQ) {
		r.dedupQ = append(r.dedupQ[:0], r.dedupQ[r.dedupOff:]...)
		r.dedupOff = 0
	}
	if _, ok := r.dedup[key]; ok {
		return true
	}
	r.dedup[key] = struct{}{}
	r.dedupQ = append(r.dedupQ, dedupEntry{at, key})
	return false
}

// pop returns the earliest ready record across the files.
func (r *Replay) pop() (ctItem, bool) {
	for {
		// The earliest head among the open files.
		best := -1
		for i, f := range r.active {
			if len(f.win) > 0 && (best < 0 || itemLess(&f.win[0], &r.active[best].win[0])) {
				best = i
			}
		}
		// Open the files the merge has reached.
		if r.next < len(r.t.files) {
			tf := r.t.files[r.next]
			if best < 0 || tf.stamp == math.MinInt64 || tf.stamp-traceOpenLead <= r.active[best].win[0].at {
				r.next++
				r.open(tf.path)
				if r.err != nil {
					return ctItem{}, false
				}
				continue
			}
		}
		if best < 0 {
			return ctItem{}, false
		}
		f := r.active[best]
		it := f.popItem()
		r.fill(f)
		if r.err != nil {
			return ctItem{}, false
		}
		if len(f.win) == 0 && f.eof {
			f.fr.Close()
			r.active = slices.Delete(r.active, best, best+1)
		}
		return it, true
	}
}

func (r *Replay) open(path string) {
	f := &ctFile{path: path, fr: openFile(path), maxSeen: math.MinInt64}
	f.sc = newCTScanner(f.fr)
	r.fill(f)
	if len(f.win) == 0 && f.eof {
		f.fr.Close()
		return
	}
	r.active = append(r.active, f)
}

// fill reads f until its earliest record is ready: older than the newest
// by the window, or the window is full, or the file has ended.
func (r *Replay) fill(f *ctFile) {
	for !f.eof && (len(f.win) == 0 || (f.win[0].at > f.maxSeen-int64(Window) && len(f.win) < WindowRecords)) {
		res, err := f.sc.next(&r.f)
		switch res {
		case scanEnd:
			f.eof = true
			if err != nil {
				r.stats.Skipped[SkipMalformed]++
				if r.t.opts.Strict {
					r.fail(f.path, 0, err.Error())
					return
				}
				r.warnFile(f.path, f.rec, err.Error())
			}
			continue
		case scanMalformed:
			f.rec++
			r.stats.Records++
			r.stats.Skipped[SkipMalformed]++
			if r.t.opts.Strict {
				r.fail(f.path, f.rec, err.Error())
				return
			}
			r.warn(f.path, f.rec, err.Error())
			continue
		}
		f.rec++
		r.stats.Records++
		r.mapRecord(f)
		if r.err != nil {
			return
		}
	}
}

func (r *Replay) warnFile(file string, after int, msg string) {
	r.warned++
	if r.t.opts.Warn != nil && r.warned <= maxTraceWarnings {
		fmt.Fprintf(r.t.opts.Warn, "trace: %s: after record %d: %s\n", file, after, msg)
	}
}

// malformed reports a record that parsed but is not usable.
func (r *Replay) malformed(f *ctFile, msg string) {
	r.stats.Skipped[SkipMalformed]++
	if r.t.opts.Strict {
		r.fail(f.path, f.rec, msg)
		return
	}
	r.warn(f.path, f.rec, msg)
}

// mapRecord maps the record in r.f and adds it to f's window.
func (r *Replay) mapRecord(f *ctFile) {
	rf := &r.f
	action, ok := pipelineAction(rf)
	if !ok {
		r.stats.Skipped[SkipOtherEvent]++
		return
	}
	at, ok := parseEventTime(rf.eventTime)
	if !ok {
		r.malformed(f, fmt.Sprintf("eventTime %q is not an RFC 3339 time", rf.eventTime))
		return
	}
	// The caller.
	id := rf.issuerARN
	if string(rf.uType) != "AssumedRole" || len(id) == 0 {
		id = rf.uARN
	}
	if string(rf.uType) == "Root" {
		id = rf.uAccount
	}
	cr, ok := r.callers[string(rf.uType)+string(id)]
	if !ok {
		cr = r.resolveCaller(rf)
		if len(r.callers) < 1<<16 {
			r.callers[string(rf.uType)+string(id)] = cr
		}
	}
	if cr.why != "" {
		if cr.why == SkipMalformed {
			r.malformed(f, fmt.Sprintf("userIdentity %q of type %q names no IAM principal", id, rf.uType))
			return
		}
		r.stats.Skipped[cr.why]++
		if cr.why == SkipUnknownAccount {
			if len(r.stats.UnknownAccounts) < 1000 || r.stats.UnknownAccounts[string(cr.acct)] > 0 {
				r.stats.UnknownAccounts[string(cr.acct)]++
			}
		}
		return
	}
	it := ctItem{at: at, call: sim.TraceCall{Caller: cr.p, Action: action}}
	// The target.
	switch {
	case len(rf.execARN) > 0:
		pl, exec, why := r.execTarget(rf.execARN)
		if why != "" {
			r.skipTarget(f, why, rf.execARN)
			return
		}
		it.call.Pipeline, it.call.Execution = pl, exec
	case len(rf.pipelineARN) > 0:
		pl, ok := r.pipelineByARN(rf.pipelineARN)
		if !ok {
			r.skipTarget(f, SkipUnknownTarget, rf.pipelineARN)
			return
		}
		it.call.Pipeline = pl
	case len(rf.pipelineName) > 0:
		if bytes := rf.pipelineName; len(bytes) > 4 && string(bytes[:4]) == "arn:" {
			pl, ok := r.pipelineByARN(bytes) // PipelineName accepts an ARN too
			if !ok {
				r.skipTarget(f, SkipUnknownTarget, bytes)
				return
			}
			it.call.Pipeline = pl
			break
		}
		recipient := rf.recipient
		if len(recipient) == 0 {
			recipient = []byte(cr.acct)
		}
		r.scratch = append(append(append(r.scratch[:0], recipient...), '/'), rf.pipelineName...)
		lowerASCII(r.scratch[len(recipient)+1:])
		pl, ok := r.byName[string(r.scratch)]
		if !ok {
			r.skipTarget(f, SkipUnknownTarget, rf.pipelineName)
			return
		}
		it.call.Pipeline = pl
	case action == model.Search:
		pl, ok := r.firstPl[cr.acct]
		if !ok {
			if r.w.NumPipelines() == 0 {
				r.stats.Skipped[SkipNoTarget]++
				return
			}
			pl = 0
		}
		it.call.Pipeline = pl
	default:
		r.stats.Skipped[SkipNoTarget]++
		return
	}
	if action == model.StartPipelineExecution && len(rf.respExecARN) > 0 {
		if k := lastIndex(rf.respExecARN, "/execution/"); k >= 0 {
			it.call.StartsExecution = string(rf.respExecARN[k+len("/execution/"):])
		}
	}
	if len(rf.token) > 0 {
		it.call.Token = string(rf.token)
	}
	switch string(rf.errorCode) {
	case "":
	case "AccessDenied", "AccessDeniedException":
		it.call.Recorded = sim.RecordedDenied
	default:
		it.call.Recorded = sim.RecordedError
	}
	switch {
	case len(rf.shared) > 0:
		it.dedup = maphash.Bytes(r.seed, rf.shared) | 1
	case len(rf.reqID) > 0:
		it.dedup = maphash.Bytes(r.seed, rf.reqID) | 1
	}
	r.seq++
	it.seq = r.seq
	f.maxSeen = max(f.maxSeen, at)
	f.pushItem(it)
}

func (r *Replay) skipTarget(f *ctFile, why string, what []byte) {
	if why == SkipMalformed {
		r.malformed(f, fmt.Sprintf("malformed pipeline or execution ARN %q", what))
		return
	}
	r.stats.Skipped[why]++
}

func (r *Replay) resolveCaller(rf *ctFields) callerRes {
	acct, name, why := callerOf(rf)
	if why != "" {
		return callerRes{why: why}
	}
	if !r.acctIdx[acct] {
		return callerRes{acct: acct, why: SkipUnknownAccount}
	}
	ps, err := r.w.LookupCallers(string(acct) + "/" + name)
	if err != nil || len(ps) != 1 {
		return callerRes{acct: acct, why: SkipUnknownCaller}
	}
	return callerRes{p: ps[0], acct: acct}
}

// pipelineByARN resolves a pipeline ARN (in any case).
func (r *Replay) pipelineByARN(b []byte) (model.PipelineID, bool) {
	if pl, ok := r.byARN[string(b)]; ok {
		return pl, true
	}
	r.scratch = append(r.scratch[:0], b...)
	lowerASCII(r.scratch)
	pl, ok := r.byARN[string(r.scratch)]
	return pl, ok
}

// execTarget resolves an execution ARN to its pipeline and execution ID.
func (r *Replay) execTarget(b []byte) (model.PipelineID, string, string) {
	k := lastIndex(b, "/execution/")
	if k < 0 {
		return 0, "", SkipMalformed
	}
	id := b[k+len("/execution/"):]
	if len(id) == 0 {
		return 0, "", SkipMalformed
	}
	pl, ok := r.pipelineByARN(b[:k])
	if !ok {
		if _, err := model.ParsePipelineARN(string(b)); err != nil {
			return 0, "", SkipMalformed
		}
		return 0, "", SkipUnknownTarget
	}
	return pl, string(id), ""
}

func lastIndex(b []byte, sep string) int {
	n := len(sep)
	for i := len(b) - n; i >= 0; i-- {
		if string(b[i:i+n]) == sep {
			return i
		}
	}
	return -1
}

func lowerASCII(b []byte) {
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
}

func itemLess(a, b *ctItem) bool {
	return a.at < b.at || a.at == b.at && a.seq < b.seq
}

func (f *ctFile) pushItem(it ctItem) {
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

func (f *ctFile) popItem() ctItem {
	h := f.win
	it := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h[n] = ctItem{}
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

// SkippedKeys returns the keys of skipped in a stable order.
func SkippedKeys(skipped map[string]int64) []string {
	keys := make([]string, 0, len(skipped))
	for k := range skipped {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// UnknownAccountsLine describes the unknown accounts of st in one line,
// or "" when there were none.
func (st *Stats) UnknownAccountsLine() string {
	if len(st.UnknownAccounts) == 0 {
		return ""
	}
	ids := SkippedKeys(st.UnknownAccounts)
	var b strings.Builder
	b.WriteString("trace: ")
	b.WriteString(strconv.FormatInt(st.Skipped[SkipUnknownAccount], 10))
	b.WriteString(" calls from unknown accounts skipped (")
	for i, id := range ids {
		if i == 5 {
			fmt.Fprintf(&b, ", and %d more", len(ids)-5)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s: %d", id, st.UnknownAccounts[id])
	}
	b.WriteString("); --add-unknown-accounts adds them outside the organization")
	return b.String()
}
