package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// jsonOut writes JSON indented by two spaces, byte for byte as
// [writeIndentedJSON] writes the same values through encoding/json, but
// appended value by value without reflection: the run report's row lists
// (tens of MB at scale) are written this way. It keeps up to 64 KiB and
// writes to w in pieces of that size; err is w's first error, after which
// nothing more is written.
//
// Write an object as open('{'), then key and a value for each member, then
// close('}'); an array as open('['), item and a value for each element,
// close(']').
type jsonOut struct {
	w     io.Writer
	b     []byte
	depth int
	empty bool // the innermost object or array has no member yet
	err   error
}

const jsonOutChunk = 64 << 10

func newJSONOut(w io.Writer) *jsonOut {
	return &jsonOut{w: w, b: make([]byte, 0, jsonOutChunk+4<<10)}
}

// newline starts a line indented to the current depth.
func (o *jsonOut) newline() {
	o.b = append(o.b, '\n')
	for range o.depth {
		o.b = append(o.b, ' ', ' ')
	}
}

// item starts an element of the innermost array.
func (o *jsonOut) item() {
	if !o.empty {
		o.b = append(o.b, ',')
	}
	o.empty = false
	o.newline()
}

// key starts the member k of the innermost object.
func (o *jsonOut) key(k string) {
	o.item()
	o.b = appendJSONString(o.b, k)
	o.b = append(o.b, ':', ' ')
}

// open starts an object ('{') or an array ('[').
func (o *jsonOut) open(c byte) {
	o.b = append(o.b, c)
	o.depth++
	o.empty = true
}

// close ends the innermost object ('}') or array (']'); an empty one
// stays on its line ({} or []).
func (o *jsonOut) close(c byte) {
	o.depth--
	if !o.empty {
		o.newline()
	}
	o.empty = false
	o.b = append(o.b, c)
	o.flushFull()
}

func (o *jsonOut) str(s string) { o.b = appendJSONString(o.b, s) }

// strKey, intKey and fixedKey write a member with its value.
func (o *jsonOut) strKey(k, s string) {
	o.key(k)
	o.str(s)
}

func (o *jsonOut) intKey(k string, n int64) {
	o.key(k)
	o.int(n)
}

func (o *jsonOut) fixedKey(k string, v float64, prec int) {
	o.key(k)
	o.fixed(v, prec)
}

func (o *jsonOut) int(n int64) { o.b = strconv.AppendInt(o.b, n, 10) }

func (o *jsonOut) uint(n uint64) { o.b = strconv.AppendUint(o.b, n, 10) }

func (o *jsonOut) bool(v bool) { o.b = strconv.AppendBool(o.b, v) }

func (o *jsonOut) null() { o.b = append(o.b, "null"...) }

// fixed writes v with prec decimals, as [usd] (4) and [seconds] (3) do.
func (o *jsonOut) fixed(v float64, prec int) {
	b, err := appendFixed(o.b, v, prec)
	if err != nil {
		o.fail(err)
		return
	}
	o.b = b
}

// value writes v through encoding/json, for the parts of a report that
// are small or rare.
func (o *jsonOut) value(v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		o.fail(err)
		return
	}
	o.indented(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// indented writes src, one JSON value as encoding/json writes it (no space
// outside strings), indented from the current depth as json.Indent would,
// in one pass without the decoder's scanner.
func (o *jsonOut) indented(src []byte) {
	for i := 0; i < len(src); i++ {
		c := src[i]
		if o.empty && c != '}' && c != ']' {
			o.item()
		}
		switch c {
		case '"':
			end := closingQuote(src, i+1)
			o.b = append(o.b, src[i:end+1]...)
			i = end
		case '{', '[':
			o.open(c)
			continue
		case ',':
			o.b = append(o.b, c)
			o.newline()
		case ':':
			o.b = append(o.b, c, ' ')
		case '}', ']':
			o.close(c)
			continue
		default:
			o.b = append(o.b, c)
		}
		o.flushFull()
	}
}

func (o *jsonOut) fail(err error) {
	if o.err == nil {
		o.err = err
	}
}

// flushFull writes what is kept once it reaches 64 KiB.
func (o *jsonOut) flushFull() {
	if len(o.b) >= jsonOutChunk {
		o.flush()
	}
}

// flush writes what is kept and returns the first error.
func (o *jsonOut) flush() error {
	if o.err == nil && len(o.b) > 0 {
		_, o.err = o.w.Write(o.b)
	}
	o.b = o.b[:0]
	return o.err
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// does with SetEscapeHTML(false): printable ASCII but " and \ is copied,
// anything else goes through encoding/json.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.Encode(s) // a string always encodes
			return append(dst, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// appendFixed appends v as a JSON number with prec decimals ("-0.000" is
// written "0.000"). NaN and infinities are an error, as in encoding/json.
func appendFixed(dst []byte, v float64, prec int) ([]byte, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return dst, fmt.Errorf("report: %v is not a JSON number", v)
	}
	n := len(dst)
	dst = strconv.AppendFloat(dst, v, 'f', prec, 64)
	if dst[n] == '-' && strings.Trim(string(dst[n+1:]), "0.") == "" {
		dst = append(dst[:n], dst[n+1:]...)
	}
	return dst, nil
}
