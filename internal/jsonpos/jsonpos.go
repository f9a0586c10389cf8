// Package jsonpos is the one place that turns a byte offset in a JSON
// document into line:col ([LineCol], [Lines]): lines count from 1, columns
// count characters. It decodes JSON documents with errors at
// file:line:col, the position format of every pipeshare input error, and
// finds where a value sits in a document so that errors found after
// decoding can point at it. A document read as a stream, too large to hold,
// gets the same positions from a [Reader].
package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pipeshare/pipeshare/model"
)

// LineCol converts a 0-based byte offset in data to a 1-based line and
// column, the one position convention of every JSON input: lines count
// from 1 after each '\n', and columns count characters as a person does
// (a UTF-8 encoded character is one column, and so is each byte that is
// not valid UTF-8), so "ü" is one column, not two. An offset past the end
// is just past the last byte. To find many offsets in one document, use
// [Lines].
func LineCol(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return 1 + bytes.Count(data[:start], []byte{'\n'}), column(data, start, off)
}

// column is the 1-based column of off in the line that starts at start.
func column(data []byte, start, off int) int {
	return utf8.RuneCount(data[start:off]) + 1
}

// Lines finds the line and column of many offsets in one document: it
// indexes where the lines start once, so that each look-up costs a binary
// search and a count of one line's characters instead of a scan from the
// start. Its positions are those of [LineCol].
type Lines struct {
	data   []byte
	starts []int // offsets where lines start; starts[0] == 0
}

// NewLines indexes the lines of data, which it keeps and must not change.
func NewLines(data []byte) *Lines {
	l := &Lines{data: data, starts: []int{0}}
	for i := 0; ; {
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			return l
		}
		i += j + 1
		l.starts = append(l.starts, i)
	}
}

// LineCol returns the line and column of byte offset off, as [LineCol].
func (l *Lines) LineCol(off int) (line, col int) {
	off = min(max(off, 0), len(l.data))
	line, _ = slices.BinarySearch(l.starts, off+1) // the lines starting at or before off
	return line, column(l.data, l.starts[line-1], off)
}

// At returns a *model.PosError at byte offset off of file's data.
func At(file string, data []byte, off int, msg string) *model.PosError {
	line, col := LineCol(data, off)
	return &model.PosError{Pos: model.Pos{File: file, Line: line, Col: col}, Msg: msg}
}

// Decode decodes the one JSON value in data into v. A syntax error, a
// value of the wrong type, a truncated document or data after the value
// is a *model.PosError at its position in file.
func Decode(file string, data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(v)
	if err == nil {
		off := int(dec.InputOffset())
		if _, terr := dec.Token(); terr != io.EOF {
			for off < len(data) && strings.IndexByte(" \t\r\n", data[off]) >= 0 {
				off++
			}
			return At(file, data, off, "unexpected data after the JSON document")
		}
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		// The offset is just after the offending byte.
		return At(file, data, int(se.Offset)-1, "invalid JSON: "+strings.TrimPrefix(se.Error(), "json: "))
	case errors.As(err, &te):
		where := te.Field
		if where == "" {
			where = "the document"
		}
		return At(file, data, valueStart(data, int(te.Offset)), where+" must be "+Kind(te.Type)+", not a JSON "+te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return At(file, data, len(data), "invalid JSON: unexpected end of input (truncated file?)")
	}
	return At(file, data, 0, err.Error())
}

// valueStart returns where the value that ends at end starts: a type
// error's offset is just past a scalar value, or just past the opening
// bracket of an object or array.
func valueStart(data []byte, end int) int {
	end = min(max(end, 1), len(data))
	i := end - 1
	switch data[i] {
	case '{', '[':
		return i
	case '"':
		for i--; i > 0; i-- {
			if data[i] == '"' && !escaped(data, i) {
				return i
			}
		}
		return 0
	}
	for i > 0 && strings.IndexByte(" \t\r\n:,[{", data[i-1]) < 0 {
		i--
	}
	return i
}

// escaped reports whether the byte at i follows an odd number of backslashes.
func escaped(data []byte, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && data[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// Kind names the JSON kind that Go type t decodes from: "an object",
// "an array", "a string", "true or false" or "a number".
func Kind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Pointer:
		return Kind(t.Elem())
	case reflect.Interface:
		return "a value"
	}
	return "a number"
}

// Offset returns the byte offset in data of the value at path: object
// keys as strings, array indexes as ints. It reports false when data is
// not valid JSON or has no such value.
func Offset(data []byte, path ...any) (int, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	for _, step := range path {
		tok, err := dec.Token()
		if err != nil {
			return 0, false
		}
		switch want := step.(type) {
		case string:
			if tok != json.Delim('{') {
				return 0, false
			}
			for {
				k, err := dec.Token()
				if err != nil || k == json.Delim('}') {
					return 0, false
				}
				if k == want {
					break
				}
				if skip(dec) != nil {
					return 0, false
				}
			}
		case int:
			if tok != json.Delim('[') {
				return 0, false
			}
			for i := 0; i < want; i++ {
				if !dec.More() || skip(dec) != nil {
					return 0, false
				}
			}
			if !dec.More() {
				return 0, false
			}
		default:
			return 0, false
		}
	}
	// The next value starts after blanks and the separator just read past.
	off := int(dec.InputOffset())
	for off < len(data) && strings.IndexByte(" \t\r\n:,", data[off]) >= 0 {
		off++
	}
	return off, off < len(data)
}

// skip reads past one value.
func skip(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}
