// Package jsonpos decodes JSON documents with errors at file:line:col, the
// position format of every pipeshare input error, and finds where a value
// sits in a document so that errors found after decoding can point at it.
package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"

	"github.com/pipeshare/pipeshare/model"
)

// LineCol converts a 0-based byte offset in data to a 1-based line and
// column (in bytes); an offset past the end is just past the last byte.
func LineCol(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	line = 1 + bytes.Count(data[:off], []byte{'\n'})
	col = off - bytes.LastIndexByte(data[:off], '\n')
	return line, col
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
