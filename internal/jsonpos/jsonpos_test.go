package jsonpos

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type doc struct {
	Name  string         `json:"name"`
	N     int            `json:"n"`
	Items []item         `json:"items"`
	Extra map[string]any `json:"extra"`
}

type item struct {
	ID   string `json:"id"`
	Flag bool   `json:"flag"`
}

func TestDecodePositions(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"ok", `{"name": "a", "n": 1}`, ""},
		{"syntax", "{\n  \"name\": \"a\",\n  \"n\": 1,,\n}", `f.json:3:10: invalid JSON: invalid character ','`},
		{"string for number", "{\n  \"n\": \"7\"\n}", `f.json:2:8: n must be a number, not a JSON string`},
		{"escaped quote", "{\"items\": [{\"id\": \"x\"}, {\"flag\": \"a\\\"b\"}]}", `f.json:1:34: items.flag must be true or false, not a JSON string`},
		{"number for string", "{\"items\": [{\"id\": 12.5}]}", `f.json:1:19: items.id must be a string, not a JSON number`},
		{"object for array", "{\"items\": {}}", `f.json:1:11: items must be an array, not a JSON object`},
		{"array for document", "[1]", `f.json:1:1: the document must be an object, not a JSON array`},
		{"truncated", "{\"name\": \"a\"", `f.json:1:13: invalid JSON: unexpected end of input`},
		{"empty", "", `f.json:1:1: invalid JSON: unexpected end of input`},
		{"trailing", "{}\n\n  {}", `f.json:3:3: unexpected data after the JSON document`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d doc
			err := Decode("f.json", []byte(tc.in), &d)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), tc.want), "got %q, want prefix %q", err, tc.want)
		})
	}
}

func TestOffset(t *testing.T) {
	in := []byte("{\n  \"name\": \"a\",\n  \"items\": [\n    {\"id\": \"x\"},\n    {\"id\": \"y\", \"flag\": true}\n  ],\n  \"n\": 3\n}")
	for _, tc := range []struct {
		path      []any
		line, col int
		ok        bool
	}{
		{nil, 1, 1, true},
		{[]any{"name"}, 2, 11, true},
		{[]any{"n"}, 7, 8, true},
		{[]any{"items"}, 3, 12, true},
		{[]any{"items", 0}, 4, 5, true},
		{[]any{"items", 1, "flag"}, 5, 25, true},
		{[]any{"items", 2}, 0, 0, false},
		{[]any{"nope"}, 0, 0, false},
		{[]any{"name", "x"}, 0, 0, false},
		{[]any{"items", "x"}, 0, 0, false},
		{[]any{1.5}, 0, 0, false},
	} {
		off, ok := Offset(in, tc.path...)
		assert.Equal(t, tc.ok, ok, "%v", tc.path)
		if ok {
			line, col := LineCol(in, off)
			assert.Equal(t, [2]int{tc.line, tc.col}, [2]int{line, col}, "%v", tc.path)
		}
	}
}

func TestLineCol(t *testing.T) {
	data := []byte("ab\ncd\n")
	for off, want := range [][2]int{{1, 1}, {1, 2}, {1, 3}, {2, 1}, {2, 2}, {2, 3}, {3, 1}} {
		line, col := LineCol(data, off)
		assert.Equal(t, want, [2]int{line, col}, "offset %d", off)
	}
	line, col := LineCol(data, 99)
	assert.Equal(t, [2]int{3, 1}, [2]int{line, col}, "past the end clamps")
	line, col = LineCol(data, -3)
	assert.Equal(t, [2]int{1, 1}, [2]int{line, col}, "before the start clamps")
}

// TestColumnsCountCharacters pins the one convention on a line with
// non-ASCII text: the 'x' after "Zürich ✓" is column 28 (as an editor shows
// it), not column 31 (its byte), in LineCol, Lines and Decode's errors alike.
func TestColumnsCountCharacters(t *testing.T) {
	in := []byte("{\n  \"name\": \"Zürich ✓\", \"n\": x}\n")
	off := strings.IndexByte(string(in), 'x')
	require.Equal(t, 32, off, "ü is 2 bytes, ✓ is 3")
	line, col := LineCol(in, off)
	assert.Equal(t, [2]int{2, 28}, [2]int{line, col})
	line, col = NewLines(in).LineCol(off)
	assert.Equal(t, [2]int{2, 28}, [2]int{line, col})
	err := Decode("f.json", in, &doc{})
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "f.json:2:28: invalid JSON: invalid character 'x'"), err.Error())

	// A byte that is not valid UTF-8 is one column too.
	line, col = LineCol([]byte("\"\xff\xfe\" x"), 5)
	assert.Equal(t, [2]int{1, 6}, [2]int{line, col})
}

// TestLinesAgreesWithLineCol checks every offset of a document with empty
// lines, CR LF, multi-byte characters and no final newline.
func TestLinesAgreesWithLineCol(t *testing.T) {
	for _, in := range []string{"", "\n", "a", "ab\ncd\n", "\n\nü\r\n✓x\n\ny", "{\"k\": \"日本語\"}\n[1,\n 2]"} {
		data := []byte(in)
		l := NewLines(data)
		for off := -1; off <= len(data)+1; off++ {
			line, col := LineCol(data, off)
			lline, lcol := l.LineCol(off)
			assert.Equal(t, [2]int{line, col}, [2]int{lline, lcol}, "%q at %d", in, off)
		}
	}
	line, col := NewLines([]byte("ab\ncd")).LineCol(4)
	assert.Equal(t, [2]int{2, 2}, [2]int{line, col})
}

// TestReaderKeepsOnlyWhatIsAhead: a stream read in small pieces and
// forgotten as it goes keeps only what follows the last Forget, and gives
// the positions LineCol gives in the whole document.
func TestReaderKeepsOnlyWhatIsAhead(t *testing.T) {
	var b strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&b, "{\"id\": \"ü%d\"},\n", i)
	}
	data := b.String()
	r := NewReader(iotest.HalfReader(strings.NewReader(data)))
	p := make([]byte, 100)
	var off int64
	maxKept := 0
	for {
		n, err := r.Read(p)
		for k := range n {
			at := off + int64(k)
			if at%9973 == 0 {
				line, col := r.LineCol(at)
				wantLine, wantCol := LineCol([]byte(data), int(at))
				require.Equal(t, [2]int{wantLine, wantCol}, [2]int{line, col}, "offset %d", at)
			}
		}
		off += int64(n)
		r.Forget(off - 10)
		maxKept = max(maxKept, len(r.kept()))
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}
	assert.Equal(t, int64(len(data)), off)
	assert.LessOrEqual(t, maxKept, 100)
	assert.Less(t, cap(r.buf), 4*minCompact, "the forgotten bytes are dropped")
}

func TestReaderColumn(t *testing.T) {
	data := "a,b\n\"é\",ü,x\nlast,line\n"
	r := NewReader(strings.NewReader(data))
	_, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, 7, r.Column(2, 9), "x is the 7th character of line 2, its 9th byte")
	r.Forget(4) // line 1 is consumed
	assert.Equal(t, 7, r.Column(2, 9))
	assert.Equal(t, 6, r.Column(3, 6))
	r.Forget(7) // into line 2, after é
	assert.Equal(t, 7, r.Column(2, 9))
	assert.Equal(t, 1, r.Column(1, 1), "a forgotten line counts bytes")
	line, col := r.LineCol(int64(strings.Index(data, "last")))
	assert.Equal(t, [2]int{3, 1}, [2]int{line, col})
}
