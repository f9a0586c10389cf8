package input

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadLimit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		size  int
		limit int64
		err   string
	}{
		{"under", 9, 10, ""},
		{"at", 10, 10, ""},
		{"over by one", 11, 10, "file too large (limit 10 bytes, raise with --max-input)"},
		{"far over", 1 << 20, 2 << 10, "file too large (limit 2 KiB, raise with --max-input)"},
		{"no limit", 1 << 20, -1, ""},
		{"default", 3, DefaultLimit, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := strings.Repeat("x", tc.size)
			// A stream: no size to look at before reading.
			got, err := Read(strings.NewReader(data), tc.limit)
			// A file: refused on its size before it is read.
			got2, err2 := ReadFile(fstest.MapFS{"f": {Data: []byte(data)}}, "f", tc.limit)
			if tc.err == "" {
				require.NoError(t, err)
				require.NoError(t, err2)
				assert.Equal(t, data, string(got))
				assert.Equal(t, data, string(got2))
				return
			}
			assert.EqualError(t, err, tc.err)
			var tl *TooLargeError
			require.ErrorAs(t, err2, &tl)
			assert.Equal(t, "read f: "+tc.err, err2.Error())
		})
	}
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// zeros is an endless stream, as /dev/zero.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestReadStopsAtTheLimit(t *testing.T) {
	c := &countingReader{r: zeros{}}
	_, err := Read(c, 1000)
	var tl *TooLargeError
	require.ErrorAs(t, err, &tl)
	assert.Equal(t, int64(1001), c.n, "nothing past limit+1 is read")
}

func TestReadFileRefusesWhatIsNotAFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("devices and named pipes")
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	require.NoError(t, os.Symlink("/dev/zero", filepath.Join(dir, "zero-link")))
	for _, tc := range []struct{ name, want string }{
		{"/dev/zero", "is a device, not a regular file"},
		{"/dev/null", "is a device, not a regular file"},
		{filepath.Join(dir, "zero-link"), "is a device, not a regular file"},
		{fifo, "is a named pipe, not a regular file"}, // opening it would block
		{dir, "is a folder, not a file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys, name := os.DirFS(filepath.Dir(tc.name)), filepath.Base(tc.name)
			_, err := ReadFile(fsys, name, DefaultLimit)
			var nr *NotRegularError
			require.ErrorAs(t, err, &nr)
			assert.Equal(t, tc.want, nr.Error())
			var pe *fs.PathError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, name, pe.Path)
		})
	}
	_, err := ReadFile(os.DirFS(dir), "missing", DefaultLimit)
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func TestFSBoundsReadFile(t *testing.T) {
	fsys := FS(fstest.MapFS{"a.json": {Data: []byte("[1, 2, 3]")}, "d": {Mode: fs.ModeDir}}, 4)
	_, err := fs.ReadFile(fsys, "a.json")
	var tl *TooLargeError
	assert.ErrorAs(t, err, &tl)
	_, err = fs.ReadFile(fsys, "d")
	var nr *NotRegularError
	assert.ErrorAs(t, err, &nr)
	fi, err := fs.Stat(fsys, "a.json")
	require.NoError(t, err)
	assert.Equal(t, int64(9), fi.Size())
}

func TestConfine(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	outside := filepath.Join(base, "secret.txt")
	require.NoError(t, os.MkdirAll(filepath.Join(root, "sub"), 0o755))
	require.NoError(t, os.WriteFile(outside, []byte("TOP-SECRET"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(root, "sub", "a.yaml"), nil, 0o600))
	require.NoError(t, os.Symlink(outside, filepath.Join(root, "escape.yaml")))
	require.NoError(t, os.Symlink("sub/a.yaml", filepath.Join(root, "inside.yaml")))
	require.NoError(t, os.Symlink(base, filepath.Join(root, "up")))
	r, err := NewRoot(root)
	require.NoError(t, err)

	for _, tc := range []struct {
		name, path string
		want       string // the resolved path, relative to root; or "outside", "link", "missing"
	}{
		{"file", "sub/a.yaml", "sub/a.yaml"},
		{"dot dot inside", "sub/../sub/a.yaml", "sub/a.yaml"},
		{"link inside", "inside.yaml", "sub/a.yaml"},
		{"the root", ".", "."},
		{"dot dot out", "../secret.txt", "outside"},
		{"far out", "../../../../../../etc/shadow", "outside"},
		{"absolute", "/etc/shadow", "outside"},
		{"missing outside", "../nope.yaml", "outside"}, // refused before it is looked for
		{"link out", "escape.yaml", "link"},
		{"folder link out", "up/secret.txt", "link"},
		{"missing inside", "sub/nope.yaml", "missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.path
			if !filepath.IsAbs(p) {
				p = filepath.Join(root, p)
			}
			got, err := r.Confine(p)
			var oe *OutsideError
			switch tc.want {
			case "outside", "link":
				require.ErrorAs(t, err, &oe)
				assert.Equal(t, tc.want == "link", oe.Link)
				assert.Equal(t, root, oe.Root)
				assert.NotContains(t, err.Error(), "TOP-SECRET")
				assert.False(t, errors.Is(err, fs.ErrNotExist))
			case "missing":
				assert.ErrorIs(t, err, fs.ErrNotExist)
			default:
				require.NoError(t, err)
				want, _ := filepath.EvalSymlinks(filepath.Join(root, tc.want))
				assert.Equal(t, want, got)
			}
		})
	}

	// Relative paths are taken from the current folder.
	t.Chdir(root)
	r, err = NewRoot("")
	require.NoError(t, err)
	_, err = r.Confine("sub/a.yaml")
	assert.NoError(t, err)
	_, err = r.Confine("../secret.txt")
	assert.ErrorContains(t, err, "outside "+root+" (files named in a scenario must be under the folder pipeshare started in, or under --root DIR)")

	_, err = NewRoot(outside)
	assert.ErrorContains(t, err, "not a folder")
}

func TestCut(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"short", "short"},
		{strings.Repeat("é", 120), strings.Repeat("é", 120)},
		{strings.Repeat("é", 121), strings.Repeat("é", 120) + "…"},
		{long, strings.Repeat("x", 120) + "…"},
		{"\xff" + long, "\xff" + strings.Repeat("x", 119) + "…"},
	} {
		assert.Equal(t, tc.want, Cut(tc.in))
	}
	assert.Equal(t, `"`+strings.Repeat("x", 120)+`…"`, Quote(long))
	assert.Equal(t, `"a\nb"`, Quote("a\nb"))
}

func TestCutQuoted(t *testing.T) {
	long := strings.Repeat("y", 5000)
	q120 := `"` + strings.Repeat("y", 120) + `…"`
	for _, tc := range []struct{ in, want string }{
		{`unknown key "a" in the top level`, `unknown key "a" in the top level`},
		{`unknown share "` + long + `"`, `unknown share ` + q120},
		{`step "` + long + `" depends on "` + long + `" (and "b")`, `step ` + q120 + ` depends on ` + q120 + ` (and "b")`},
		{`definition: '{"Version": ...}' ` + long, `definition: '{"Version": ...}' ` + long}, // not quoted: kept
		{`odd " quote ` + long, `odd " quote ` + long},
		{`escaped "\"` + long + `"`, `escaped "\"` + strings.Repeat("y", 119) + `…"`},
	} {
		assert.Equal(t, tc.want, CutQuoted(tc.in))
	}
}

func TestCutArgs(t *testing.T) {
	long := strings.Repeat("z", 300)
	cut := strings.Repeat("z", 120) + "…"
	got := fmt.Sprintf("%s %v %q %d %s", CutArgs(long, errors.New(long), long, 7, stringer(long))...)
	assert.Equal(t, cut+" "+cut+" \""+cut+"\" 7 "+cut, got)
}

type stringer string

func (s stringer) String() string { return string(s) }

func TestOpenStream(t *testing.T) {
	fsys := fstest.MapFS{
		"offer.json": {Data: []byte(strings.Repeat("x", 100))},
		"folder":     {Mode: fs.ModeDir},
	}
	s, err := OpenStream(fsys, "offer.json", 100)
	require.NoError(t, err)
	assert.Equal(t, int64(100), s.Size)
	data, err := io.ReadAll(s)
	require.NoError(t, err)
	assert.Len(t, data, 100)
	assert.Equal(t, int64(100), s.Offset())
	require.NoError(t, s.Close())

	_, err = OpenStream(fsys, "offer.json", 99)
	var tl *TooLargeError
	assert.ErrorAs(t, err, &tl, "refused before a byte is read")
	var pe *fs.PathError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "offer.json", pe.Path)
	_, err = OpenStream(fsys, "folder", 99)
	var nr *NotRegularError
	assert.ErrorAs(t, err, &nr)

	// A stream of unknown size fails once past its limit, having read
	// no more than limit+1 bytes.
	src := strings.NewReader(strings.Repeat("y", 1000))
	s = NewStream(src, 10)
	assert.Equal(t, int64(-1), s.Size)
	data, err = io.ReadAll(s)
	assert.ErrorAs(t, err, &tl)
	assert.Len(t, data, 10)
	assert.Equal(t, 1000-11, src.Len())
	n, err := s.Read(make([]byte, 10))
	assert.Equal(t, 0, n, "and so does every read after")
	assert.ErrorAs(t, err, &tl)
}
