package cloudtrail

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"unicode/utf8"
)

// The CloudTrail scanner: a streaming reader that finds one record at a
// time in a CloudTrail file (a single event, {"Records": [...]}, a bare
// array or JSON Lines) and extracts only the fields the record rule reads,
// skipping everything else without allocating. encoding/json into structs
// is about 2.5× slower on ≈1.4 KB records.

// ctFields are the fields of one record the record rule reads. The slices
// point into the scanner's buffer (or its unescape arena) and are valid
// until the next record.
type ctFields struct {
	eventSource, eventName, eventTime, region []byte
	uType, uARN, uAccount, issuerARN          []byte
	pipelineName, pipelineARN, execARN        []byte
	searchARN                                 []byte // a Search's PipelineArn filter
	token, respExecARN                        []byte
	errorCode, recipient, shared, reqID       []byte
	pipelineParams                            [][2][]byte // a Start's pipelineParameters: name, value
}

// errIncomplete means the record continues past the buffered bytes.
var errIncomplete = errors.New("incomplete")

// ctSyntaxError is a malformed record.
type ctSyntaxError struct {
	msg string
	off int  // offset in the record
	nul bool // a NUL byte where a JSON token belongs: the file is binary
}

func (e *ctSyntaxError) Error() string { return e.msg }

// jcur is a cursor over a buffered record. Its methods stop at the first
// error, which they keep in err.
type jcur struct {
	b     []byte
	i     int
	err   error
	arena []byte // unescaped strings; capacity never exceeded
}

func (c *jcur) fail(msg string) {
	if c.err == nil {
		c.err = &ctSyntaxError{msg: msg, off: c.i}
	}
}

// failNUL records a NUL byte at c.i.
func (c *jcur) failNUL() {
	if c.err == nil {
		c.err = &ctSyntaxError{msg: "byte 0x00", off: c.i, nul: true}
	}
}

func (c *jcur) incomplete() {
	if c.err == nil {
		c.err = errIncomplete
	}
}

func (c *jcur) ws() {
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte, or 0 at the end of the
// buffer (recording errIncomplete) or at a NUL byte (recording an error).
func (c *jcur) peek() byte {
	c.ws()
	if c.i >= len(c.b) {
		c.incomplete()
		return 0
	}
	ch := c.b[c.i]
	if ch == 0 {
		c.failNUL()
	}
	return ch
}

// rawString consumes a string at c.i (after its opening quote has been
// checked) and returns its raw contents and whether it has escapes. One
// pass finds the closing quote, the escapes and any newline (which a
// string cannot hold: the record was cut).
func (c *jcur) rawString() ([]byte, bool) {
	b := c.b
	start := c.i + 1
	esc := false
	nl := -1 // the first newline inside the string
	for j := start; ; {
		j = strStop(b, j)
		if j >= len(b) {
			c.incomplete()
			return nil, false
		}
		switch b[j] {
		case '"':
			if nl >= 0 {
				c.i = nl
				c.fail("newline inside a string")
				return nil, false
			}
			c.i = j + 1
			return b[start:j], esc
		case '\\':
			esc = true
			if j+1 < len(b) && b[j+1] == '\n' && nl < 0 {
				nl = j + 1
			}
			j += 2
		default: // '\n'
			if nl < 0 {
				nl = j
			}
			j++
		}
	}
}

// strStop returns the index of the first '"', '\\' or '\n' in b from i
// on, or len(b) (at least): eight bytes at a time.
func strStop(b []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		q, bs, nl := w^(ones*'"'), w^(ones*'\\'), w^(ones*'\n')
		// A byte of q, bs or nl is 0 where w has the byte looked for; the
		// lowest high bit set is the first such byte (borrows only carry
		// upwards).
		if m := ((q-ones)&^q | (bs-ones)&^bs | (nl-ones)&^nl) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(b); i++ {
		if ch := b[i]; ch == '"' || ch == '\\' || ch == '\n' {
			return i
		}
	}
	return i
}

// str consumes a string value and returns its contents (unescaped), or
// consumes any other value and returns nil.
func (c *jcur) str() []byte {
	if c.peek() != '"' {
		c.skip()
		return nil
	}
	s, esc := c.rawString()
	if esc && c.err == nil {
		return c.unescape(s)
	}
	return s
}

// unescape decodes the escapes of s into the arena. The arena is sized
// at a record's first escape to the bytes the cursor holds, which its
// unescaped strings cannot exceed; a record without escapes needs none.
func (c *jcur) unescape(s []byte) []byte {
	if len(c.arena) == 0 && cap(c.arena) < len(c.b) {
		c.arena = make([]byte, 0, len(c.b))
	}
	start := len(c.arena)
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch != '\\' {
			c.arena = append(c.arena, ch)
			continue
		}
		i++
		if i >= len(s) {
			c.fail("bad escape")
			return nil
		}
		switch s[i] {
		case '"', '\\', '/':
			c.arena = append(c.arena, s[i])
		case 'b':
			c.arena = append(c.arena, '\b')
		case 'f':
			c.arena = append(c.arena, '\f')
		case 'n':
			c.arena = append(c.arena, '\n')
		case 'r':
			c.arena = append(c.arena, '\r')
		case 't':
			c.arena = append(c.arena, '\t')
		case 'u':
			if i+4 >= len(s) {
				c.fail("bad \\u escape")
				return nil
			}
			r := rune(0)
			for _, h := range s[i+1 : i+5] {
				r <<= 4
				switch {
				case h >= '0' && h <= '9':
					r |= rune(h - '0')
				case h >= 'a' && h <= 'f':
					r |= rune(h - 'a' + 10)
				case h >= 'A' && h <= 'F':
					r |= rune(h - 'A' + 10)
				default:
					c.fail("bad \\u escape")
					return nil
				}
			}
			i += 4
			if !utf8.ValidRune(r) {
				r = utf8.RuneError
			}
			// Surrogate pairs are left as replacement characters: no
			// field the replay reads holds them.
			c.arena = utf8.AppendRune(c.arena, r)
		default:
			c.fail("bad escape")
			return nil
		}
	}
	return c.arena[start:len(c.arena):len(c.arena)]
}

// scalar classes: bytes that may appear in a number or literal.
var literalByte = func() (t [256]bool) {
	for _, ch := range []byte("0123456789+-.eEtruefalsn") {
		t[ch] = true
	}
	return
}()

// skip consumes one value of any kind.
func (c *jcur) skip() {
	switch ch := c.peek(); ch {
	case 0:
		return
	case '"':
		c.rawString()
	case '{', '[':
		c.skipNested()
	default:
		start := c.i
		for c.i < len(c.b) && literalByte[c.b[c.i]] {
			c.i++
		}
		if c.i == len(c.b) {
			c.incomplete()
			return
		}
		if c.i == start {
			c.fail("unexpected character " + quoteByte(ch))
		}
	}
}

// skipNested consumes an object or array, checking only that brackets and
// strings balance.
func (c *jcur) skipNested() {
	var stack [64]byte
	depth := 0
	for c.i < len(c.b) {
		ch := c.b[c.i]
		switch ch {
		case '"':
			c.rawString()
			if c.err != nil {
				return
			}
			continue
		case '{', '[':
			if depth == len(stack) {
				c.fail("nested too deeply")
				return
			}
			stack[depth] = ch + 2 // '}' or ']'
			depth++
		case '}', ']':
			if depth == 0 || stack[depth-1] != ch {
				c.fail("mismatched " + quoteByte(ch))
				return
			}
			depth--
			if depth == 0 {
				c.i++
				return
			}
		case '\n':
			// JSON Lines: a line starting with '{' inside a value means the
			// previous record was cut.
			if c.i+1 < len(c.b) && c.b[c.i+1] == '{' {
				c.i++
				c.fail("record cut before the next line")
				return
			}
		}
		c.i++
	}
	c.incomplete()
}

func quoteByte(ch byte) string {
	if ch >= 0x20 && ch < 0x7f {
		return "'" + string(rune(ch)) + "'"
	}
	return "byte 0x" + string("0123456789abcdef"[ch>>4]) + string("0123456789abcdef"[ch&15])
}

// object consumes '{' and reports true, or consumes null and reports false.
func (c *jcur) object() bool {
	switch c.peek() {
	case '{':
		c.i++
		return true
	case 'n':
		c.skip()
		return false
	case 0:
		return false
	}
	c.skip()
	return false
}

// key returns the next key of the object being read (consuming its ':'),
// or false at its closing '}' (consumed) or an error.
func (c *jcur) key(first *bool) ([]byte, bool) {
	ch := c.peek()
	if ch == '}' {
		c.i++
		return nil, false
	}
	if !*first {
		if ch != ',' {
			if ch != 0 {
				c.fail("expected ',' or '}' after a value, found " + quoteByte(ch))
			}
			return nil, false
		}
		c.i++
		ch = c.peek()
	}
	*first = false
	if ch != '"' {
		if ch != 0 {
			c.fail("expected a key, found " + quoteByte(ch))
		}
		return nil, false
	}
	k, _ := c.rawString()
	if c.err != nil {
		return nil, false
	}
	if ch := c.peek(); ch != ':' {
		if ch != 0 {
			c.fail("expected ':' after a key")
		}
		return nil, false
	}
	c.i++
	return k, true
}

// fields reads the object at the cursor, calling fn with each key: fn
// reads the value and returns true, or returns false to have it skipped. A
// value that is not an object (null included) is skipped whole.
func (c *jcur) fields(fn func(k []byte) bool) {
	if c.object() {
		c.keys(fn)
	}
}

// elements reads the array at the cursor, calling fn to read each element.
// A value that is not an array (null included) is skipped whole.
func (c *jcur) elements(fn func()) {
	if c.peek() != '[' {
		c.skip()
		return
	}
	c.i++
	if c.peek() == ']' {
		c.i++
		return
	}
	for c.err == nil {
		fn()
		if c.err != nil {
			return
		}
		switch ch := c.peek(); ch {
		case ',':
			c.i++
		case ']':
			c.i++
			return
		case 0:
		default:
			c.fail("expected ',' or ']' after a value, found " + quoteByte(ch))
		}
	}
}

// keys reads the keys of an object whose '{' is consumed; see fields.
func (c *jcur) keys(fn func(k []byte) bool) {
	first := true
	for {
		k, ok := c.key(&first)
		if !ok {
			return
		}
		if !fn(k) {
			c.skip()
		}
		if c.err != nil {
			return
		}
	}
}

// record parses one record starting at c.i ('{') into f.
func (c *jcur) record(f *ctFields) {
	*f = ctFields{}
	if !c.object() {
		if c.err == nil {
			c.fail("a record must be an object")
		}
		return
	}
	c.keys(func(k []byte) bool {
		switch string(k) {
		case "eventSource":
			f.eventSource = c.str()
		case "eventName":
			f.eventName = c.str()
		case "eventTime":
			f.eventTime = c.str()
		case "awsRegion":
			f.region = c.str()
		case "errorCode":
			f.errorCode = c.str()
		case "recipientAccountId":
			f.recipient = c.str()
		case "sharedEventID":
			f.shared = c.str()
		case "requestID":
			f.reqID = c.str()
		case "userIdentity":
			c.identity(f)
		case "requestParameters":
			c.params(f)
		case "responseElements":
			c.fields(func(k []byte) bool {
				if string(k) != "pipelineExecutionArn" {
					return false
				}
				f.respExecARN = c.str()
				return true
			})
		default:
			return false
		}
		return true
	})
}

func (c *jcur) identity(f *ctFields) {
	c.fields(func(k []byte) bool {
		switch string(k) {
		case "type":
			f.uType = c.str()
		case "arn":
			f.uARN = c.str()
		case "accountId":
			f.uAccount = c.str()
		case "sessionContext":
			c.fields(func(k []byte) bool {
				if string(k) != "sessionIssuer" {
					return false
				}
				c.fields(func(k []byte) bool {
					if string(k) != "arn" {
						return false
					}
					f.issuerARN = c.str()
					return true
				})
				return true
			})
		default:
			return false
		}
		return true
	})
}

func (c *jcur) params(f *ctFields) {
	c.fields(func(k []byte) bool {
		switch string(k) {
		case "pipelineName":
			f.pipelineName = c.str()
		case "pipelineArn":
			f.pipelineARN = c.str()
		case "pipelineExecutionArn":
			f.execARN = c.str()
		case "clientRequestToken":
			f.token = c.str()
		case "pipelineParameters":
			c.elements(func() { c.pipelineParam(f) })
		case "searchExpression":
			c.fields(func(k []byte) bool {
				if string(k) != "filters" {
					return false
				}
				c.elements(func() { c.searchFilter(f) })
				return true
			})
		default:
			return false
		}
		return true
	})
}

// nameValue reads one {"name": N, "value": V} object: a Search filter
// or a Start's pipeline parameter.
func (c *jcur) nameValue() (name, value []byte) {
	c.fields(func(k []byte) bool {
		switch string(k) {
		case "name":
			name = c.str()
		case "value":
			value = c.str()
		default:
			return false
		}
		return true
	})
	return name, value
}

// pipelineParam reads one parameter of a Start's pipelineParameters.
func (c *jcur) pipelineParam(f *ctFields) {
	if name, value := c.nameValue(); name != nil {
		f.pipelineParams = append(f.pipelineParams, [2][]byte{name, value})
	}
}

// searchFilter reads one filter of a Search's searchExpression and keeps
// the value of the first {"name": "PipelineArn", "value": ARN}.
func (c *jcur) searchFilter(f *ctFields) {
	name, value := c.nameValue()
	if f.searchARN == nil && value != nil && bytes.EqualFold(name, []byte("PipelineArn")) {
		f.searchARN = value
	}
}

// maxRecord caps a record: one longer than 1 MiB is not kept but skipped,
// as malformed ("unreadable"). CloudTrail's own limit is 256 KB an event
// (AWS CloudTrail User Guide, "Quotas in AWS CloudTrail", event size:
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html).
const maxRecord = 1 << 20

// errTooLong is the malformed record longer than maxRecord.
var errTooLong = errors.New("record longer than 1 MiB (a CloudTrail event is at most 256 KB): skipped unread")

// ctScanner reads the records of one decompressed CloudTrail stream.
type ctScanner struct {
	r       io.Reader
	buf     []byte
	base    int64 // the stream offset of buf[0]
	start   int   // unread bytes are buf[start:end]
	end     int
	eof     bool
	full    bool  // the unread bytes fill maxRec: the record is too long
	more    bool  // the last read filled the buffer
	rerr    error // the reader's error other than io.EOF, or binary data
	state   int8  // scanTop, scanArray
	wrapped bool  // the array is a {"Records": [...]} wrapper's
	cur     jcur
	recLen  int // the bytes of the record next returned
	maxRec  int // maxRecord; smaller in tests
}

const (
	scanTop = iota
	scanArray
	scanDone
)

func newCTScanner(r io.Reader) *ctScanner {
	return &ctScanner{r: r, buf: make([]byte, firstScanSize), maxRec: maxRecord}
}

// A scanner's buffer starts at firstScanSize and doubles while reads fill
// it, up to scanSize (and up to maxRec for a longer record): a small file
// keeps a small one.
const (
	firstScanSize = 16 << 10
	scanSize      = 64 << 10
)

// fill reads more input, growing the buffer (up to maxRec) when the unread
// part fills it. It reports false at the end of the input, or when the
// unread part is maxRec bytes (full).
func (s *ctScanner) fill() bool {
	if s.eof {
		return false
	}
	if s.start > 0 {
		n := copy(s.buf, s.buf[s.start:s.end])
		s.base += int64(s.start)
		s.start, s.end = 0, n
	}
	if s.end == len(s.buf) && len(s.buf) >= s.maxRec {
		s.full = true
		return false
	}
	if s.end == len(s.buf) || s.more && len(s.buf) < min(scanSize, s.maxRec) {
		nb := make([]byte, min(2*len(s.buf), s.maxRec))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		s.more = s.end == len(s.buf)
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.rerr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// skipWS skips white space (and a UTF-8 byte order mark), filling as
// needed; it returns the next byte, or 0 at the end of the input (or at a
// NUL byte, then s.start < s.end).
func (s *ctScanner) skipWS() byte {
	for {
		for s.start < s.end {
			switch s.buf[s.start] {
			case ' ', '\t', '\n', '\r':
				s.start++
				continue
			case 0xef:
				if s.end-s.start >= 3 && s.buf[s.start+1] == 0xbb && s.buf[s.start+2] == 0xbf {
					s.start += 3
					continue
				}
			}
			return s.buf[s.start]
		}
		if !s.fill() {
			return 0
		}
	}
}

// scanResult is what next found.
type scanResult int8

const (
	scanRecord scanResult = iota
	scanMalformed
	scanEnd
)

// next reads the next record into f. On scanMalformed, err describes the
// problem and the scanner has moved past the record when it could.
// On scanEnd, err is nil at a clean end, else why the input cannot be read
// on: the reader's error, or binary data.
func (s *ctScanner) next(f *ctFields) (scanResult, error) {
	for {
		switch s.state {
		case scanDone:
			return scanEnd, s.rerr
		case scanTop:
			ch := s.skipWS()
			switch ch {
			case 0:
				if s.start < s.end {
					return s.binary(s.start)
				}
				s.state = scanDone
				continue
			case '[':
				s.start++
				s.state, s.wrapped = scanArray, false
				continue
			case '{':
				if s.isWrapper() {
					s.state, s.wrapped = scanArray, true
					continue
				}
				return s.parseRecord(f)
			default:
				return s.resync("expected '{' or '[', found " + quoteByte(ch))
			}
		case scanArray:
			ch := s.skipWS()
			switch ch {
			case 0:
				if s.start < s.end {
					return s.binary(s.start)
				}
				s.state = scanDone
				if s.rerr != nil {
					continue
				}
				return scanMalformed, errors.New("unexpected end of input inside a Records array")
			case ',':
				s.start++
				continue
			case ']':
				s.start++
				s.state = scanTop
				if s.wrapped {
					if ch := s.skipWS(); ch != '}' {
						if ch == 0 && s.start < s.end {
							return s.binary(s.start)
						}
						return s.resync("expected '}' after the Records array")
					}
					s.start++
				}
				continue
			case '{':
				return s.parseRecord(f)
			default:
				return s.resync("expected a record, found " + quoteByte(ch))
			}
		}
	}
}

// binary ends the input at the NUL byte buf[i]: CloudTrail files are JSON
// text, so the file is damaged or not a CloudTrail file.
func (s *ctScanner) binary(i int) (scanResult, error) {
	s.state = scanDone
	s.rerr = fmt.Errorf("a NUL byte at offset %d: binary data, not JSON text", s.base+int64(i))
	return scanEnd, s.rerr
}

// isWrapper reports whether the object at s.start is {"Records": [ and, if
// so, consumes up to the '['. Records must be the wrapper's first key, as
// CloudTrail writes it.
func (s *ctScanner) isWrapper() bool {
	for {
		c := jcur{b: s.buf[s.start:s.end], i: 1}
		ch := c.peek()
		if ch == '"' {
			k, _ := c.rawString()
			if c.err == nil {
				if string(k) != "Records" {
					return false
				}
				if ch := c.peek(); ch == ':' {
					c.i++
					if ch := c.peek(); ch == '[' {
						s.start += c.i + 1
						return true
					} else if ch != 0 {
						return false
					}
				} else if ch != 0 {
					return false
				}
			}
		} else if ch != 0 {
			return false
		}
		if c.err != errIncomplete || !s.fill() {
			return false
		}
	}
}

// parseRecord parses the record at s.start, reading more input as needed.
func (s *ctScanner) parseRecord(f *ctFields) (scanResult, error) {
	for {
		b := s.buf[s.start:s.end]
		s.cur = jcur{b: b, arena: s.cur.arena[:0]}
		s.cur.record(f)
		switch err := s.cur.err; {
		case err == nil:
			s.start += s.cur.i
			s.recLen = s.cur.i
			return scanRecord, nil
		case err == errIncomplete:
			if s.fill() {
				continue
			}
			if s.full {
				return s.skipLong()
			}
			s.state = scanDone
			s.start = s.end
			if s.rerr != nil {
				return scanEnd, s.rerr
			}
			return scanMalformed, errors.New("unexpected end of input inside a record")
		default:
			e := err.(*ctSyntaxError)
			if e.nul {
				return s.binary(s.start + e.off)
			}
			return s.resyncAt(e)
		}
	}
}

// skipLong moves past the record at s.start, which is longer than maxRec,
// without keeping it: to its closing brace by bracket balance, or to the
// next line's record when it is cut ("\n{" cannot be inside a record of
// JSON Lines), or to the end of the input.
func (s *ctScanner) skipLong() (scanResult, error) {
	s.full = false
	depth := 0
	inString, escaped, newline := false, false, false
	for {
		for i := s.start; i < s.end; i++ {
			ch := s.buf[i]
			if inString {
				switch {
				case escaped:
					escaped = false
				case ch == '\\':
					escaped = true
				case ch == '"':
					inString = false
				case ch == '\n': // a string cannot hold one: the record was cut
					inString, newline = false, true
				}
				continue
			}
			switch ch {
			case '"':
				inString = true
			case '{', '[':
				if ch == '{' && newline {
					s.start = i
					if s.state == scanArray {
						s.state = scanTop
					}
					return scanMalformed, errTooLong
				}
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					s.start = i + 1
					return scanMalformed, errTooLong
				}
			case 0:
				return s.binary(i)
			}
			newline = ch == '\n'
		}
		s.start = s.end
		if !s.fill() {
			s.state = scanDone
			if s.rerr != nil {
				return scanEnd, s.rerr
			}
			return scanMalformed, errTooLong
		}
	}
}

// resyncAt moves past a malformed record: to where the error was found
// when that starts a new line's record, else past the record's closing
// brace (by bracket balance) or, failing that, to the next line.
func (s *ctScanner) resyncAt(e *ctSyntaxError) (scanResult, error) {
	b := s.buf[s.start:s.end]
	if e.off > 0 && e.off < len(b) && b[e.off] == '{' && b[e.off-1] == '\n' {
		s.start += e.off
		return scanMalformed, errors.New(e.msg)
	}
	if e.msg != "record cut before the next line" {
		c := jcur{b: b}
		c.skipNested()
		if c.err == nil {
			s.start += c.i
			return scanMalformed, errors.New(e.msg)
		}
	}
	return s.resync(e.msg)
}

// resync skips to the next line and reports msg.
func (s *ctScanner) resync(msg string) (scanResult, error) {
	for {
		if k := bytes.IndexByte(s.buf[s.start:s.end], '\n'); k >= 0 {
			s.start += k + 1
			break
		}
		s.start = s.end
		if !s.fill() {
			s.state = scanDone
			break
		}
	}
	if s.state == scanArray {
		s.state = scanTop
	}
	return scanMalformed, errors.New(msg)
}
