package importer

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/pipeshare/pipeshare/internal/input"
	"github.com/pipeshare/pipeshare/internal/jsonpos"
)

// This file reads a JSON document as a stream, for documents too large to
// hold (an AWS price list of hundreds of MiB): the caller walks the
// objects it expects ([jsonStream.object]) and skips the rest
// ([jsonStream.skip]) without building it. Memory is the buffer, the
// strings it keeps (each at most maxJSONString bytes) and a byte per level
// of nesting (at most maxJSONDepth); errors are at exact positions, as
// package jsonpos counts them. encoding/json's Decoder cannot serve: the
// offsets of its errors inside a value are not offsets in the stream once
// Token and Decode are mixed.

// Limits of a streamed JSON document.
const (
	maxJSONString = 1 << 20
	maxJSONDepth  = 10_000
)

type jsonStream struct {
	file string
	pos  *jsonpos.Reader
	r    *bufio.Reader
	off  int64  // offset of the next byte
	sb   []byte // the string being read
}

func newJSONStream(file string, pos *jsonpos.Reader, r *bufio.Reader) *jsonStream {
	return &jsonStream{file: file, pos: pos, r: r}
}

// fail is an error at offset off.
func (s *jsonStream) fail(off int64, format string, args ...any) error {
	return s.pos.At(s.file, off, fmt.Sprintf(format, args...))
}

// next reads one byte; the end of the document is a truncation.
func (s *jsonStream) next() (byte, error) {
	c, err := s.r.ReadByte()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, s.fail(s.off, "invalid JSON: unexpected end of input (truncated file?)")
		}
		return 0, err
	}
	s.off++
	return c, nil
}

// peek skips blanks and returns the next byte, unread.
func (s *jsonStream) peek() (byte, error) {
	for {
		c, err := s.next()
		if err != nil {
			return 0, err
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			s.unread()
			return c, nil
		}
	}
}

func (s *jsonStream) unread() {
	_ = s.r.UnreadByte() // after a ReadByte, never fails
	s.off--
}

// end checks that only blanks follow the document.
func (s *jsonStream) end() error {
	for {
		c, err := s.r.ReadByte()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return s.fail(s.off, "unexpected data after the JSON document")
		}
		s.off++
	}
}

// kind names the JSON value that starts with c.
func kind(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "true or false"
	case 'n':
		return "null"
	}
	if c == '-' || c >= '0' && c <= '9' {
		return "a number"
	}
	return "character " + strconv.QuoteRune(rune(c))
}

// object reads an object, calling fn with each key and the offset of its
// value; fn reads the value (or skips it). what names the object in
// messages.
func (s *jsonStream) object(what string, fn func(key string, at int64) error) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c != '{' {
		return s.fail(s.off, "%s must be an object, not %s", what, kind(c))
	}
	s.consume()
	for first := true; ; first = false {
		s.pos.Forget(s.off)
		if c, err = s.peek(); err != nil {
			return err
		}
		if c == '}' {
			_, err = s.next()
			return err
		}
		if !first {
			if c != ',' {
				return s.fail(s.off, "invalid JSON: %s after a member of %s, want ',' or '}'", kind(c), what)
			}
			s.consume()
			if c, err = s.peek(); err != nil {
				return err
			}
		}
		if c != '"' {
			return s.fail(s.off, "invalid JSON: %s where a key of %s (a string) was expected", kind(c), what)
		}
		key, err := s.str()
		if err != nil {
			return err
		}
		if c, err = s.peek(); err != nil {
			return err
		}
		if c != ':' {
			return s.fail(s.off, "invalid JSON: %s after the key %s of %s, want ':'", kind(c), input.Quote(key), what)
		}
		s.consume()
		if _, err = s.peek(); err != nil {
			return err
		}
		if err := fn(key, s.off); err != nil {
			return err
		}
	}
}

// text reads a string, or a number as it is written; what names the value
// in messages.
func (s *jsonStream) text(what string) (string, error) {
	c, err := s.peek()
	if err != nil {
		return "", err
	}
	switch {
	case c == '"':
		return s.str()
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	}
	return "", s.fail(s.off, "%s must be a string, not %s", what, kind(c))
}

// str reads a string at the next byte, a '"'.
func (s *jsonStream) str() (string, error) {
	start := s.off
	if _, err := s.next(); err != nil {
		return "", err
	}
	s.sb = s.sb[:0]
	escaped, err := s.stringBody(start, true)
	if err != nil || !escaped {
		return string(s.sb), err
	}
	// The escapes are checked: encoding/json decodes them (a lone
	// surrogate is U+FFFD).
	var out string
	err = json.Unmarshal(append(append([]byte{'"'}, s.sb...), '"'), &out)
	return out, err
}

// skipString reads past a string without keeping it.
func (s *jsonStream) skipString() error {
	start := s.off
	if _, err := s.next(); err != nil {
		return err
	}
	_, err := s.stringBody(start, false)
	return err
}

// stringBody reads the rest of a string that starts at start, checking its
// escapes, up to and past its closing quote; with keep, its bytes as
// written (escapes undecoded) are appended to s.sb.
func (s *jsonStream) stringBody(start int64, keep bool) (escaped bool, err error) {
	for {
		c, err := s.next()
		if err != nil {
			return escaped, err
		}
		switch {
		case c == '"':
			return escaped, nil
		case c < 0x20:
			return escaped, s.fail(s.off-1, "invalid JSON: control character %q in a string", rune(c))
		case c == '\\':
			escaped = true
			at := s.off - 1
			e, err := s.next()
			if err != nil {
				return escaped, err
			}
			if keep {
				s.sb = append(s.sb, c, e)
			}
			switch e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				for range 4 {
					h, err := s.next()
					if err != nil {
						return escaped, err
					}
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return escaped, s.fail(at, "invalid JSON: invalid \\u escape in a string")
					}
					if keep {
						s.sb = append(s.sb, h)
					}
				}
			default:
				return escaped, s.fail(at, "invalid JSON: invalid escape \\%c in a string", e)
			}
		case keep:
			s.sb = append(s.sb, c)
		}
		if keep && len(s.sb) > maxJSONString {
			return escaped, s.fail(start, "a string longer than %s", input.FormatSize(maxJSONString))
		}
	}
}

// number reads a number as written: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *jsonStream) number() (string, error) {
	start := s.off
	s.sb = s.sb[:0]
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return "", err
		}
		if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
			_ = s.r.UnreadByte()
			break
		}
		s.off++
		s.sb = append(s.sb, c)
		if len(s.sb) > maxJSONString {
			return "", s.fail(start, "a number longer than %s", input.FormatSize(maxJSONString))
		}
	}
	if !validNumber(s.sb) {
		return "", s.fail(start, "invalid JSON: invalid number %s", input.Quote(string(s.sb)))
	}
	return string(s.sb), nil
}

// validNumber reports whether b is a JSON number.
func validNumber(b []byte) bool {
	i := 0
	digits := func() bool {
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(b)
}

// literal reads true, false or null.
func (s *jsonStream) literal() error {
	start := s.off
	var word [5]byte
	n := 0
	for n < len(word) {
		c, err := s.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return err
		}
		if c < 'a' || c > 'z' {
			_ = s.r.UnreadByte()
			break
		}
		word[n] = c
		n++
		s.off++
	}
	switch string(word[:n]) {
	case "true", "false", "null":
		return nil
	}
	if n == 0 {
		c, err := s.peek()
		if err != nil {
			return err
		}
		return s.fail(start, "invalid JSON: %s where a value was expected", kind(c))
	}
	return s.fail(start, "invalid JSON: invalid literal %s", input.Quote(string(word[:n])))
}

// skip reads past one value of any kind without keeping it.
func (s *jsonStream) skip() error {
	var open []byte // the brackets of the arrays and objects being skipped
	for value := true; ; {
		if value {
			c, err := s.peek()
			if err != nil {
				return err
			}
			switch {
			case c == '{' || c == '[':
				if len(open) == maxJSONDepth {
					return s.fail(s.off, "JSON nested more than %d deep", maxJSONDepth)
				}
				s.consume()
				open = append(open, c)
				next, err := s.peek()
				if err != nil {
					return err
				}
				if next != closer(c) { // else empty: closed below
					if err := s.member(open); err != nil {
						return err
					}
					continue
				}
			case c == '"':
				err = s.skipString()
			case c == '-' || c >= '0' && c <= '9':
				_, err = s.number()
			default:
				err = s.literal()
			}
			if err != nil {
				return err
			}
		}
		// After a value: close what ends here, or go on to the next member.
		if len(open) == 0 {
			return nil
		}
		s.pos.Forget(s.off)
		c, err := s.peek()
		if err != nil {
			return err
		}
		switch top := open[len(open)-1]; {
		case c == closer(top):
			s.consume()
			open, value = open[:len(open)-1], false
		case c == ',':
			s.consume()
			if err := s.member(open); err != nil {
				return err
			}
			value = true
		default:
			return s.fail(s.off, "invalid JSON: %s after a value, want ',' or %q", kind(c), closer(top))
		}
	}
}

// consume reads the byte peek returned.
func (s *jsonStream) consume() {
	s.off++
	_, _ = s.r.ReadByte()
}

// member reads the key and colon that start an object's member, when the
// innermost of open is an object.
func (s *jsonStream) member(open []byte) error {
	if open[len(open)-1] != '{' {
		return nil
	}
	c, err := s.peek()
	if err != nil {
		return err
	}
	if c != '"' {
		return s.fail(s.off, "invalid JSON: %s where an object key (a string) was expected", kind(c))
	}
	if err := s.skipString(); err != nil {
		return err
	}
	if c, err = s.peek(); err != nil {
		return err
	}
	if c != ':' {
		return s.fail(s.off, "invalid JSON: %s after an object key, want ':'", kind(c))
	}
	s.consume()
	return nil
}

// closer is the bracket that closes open.
func closer(open byte) byte {
	if open == '{' {
		return '}'
	}
	return ']'
}
