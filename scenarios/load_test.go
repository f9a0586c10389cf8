package scenarios

import (
	"errors"
	"io"
	"io/fs"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoad(t *testing.T) {
	good, _ := Builtin("quickstart")
	fsys := fstest.MapFS{
		"s/quickstart.yaml": {Data: good},
		"s/bad.yaml":        {Data: []byte(hdr + "seed: x\n")},
	}
	sc, err := Load(fsys, "s/quickstart.yaml", LoadOptions{})
	require.NoError(t, err)
	assert.Equal(t, "s/quickstart.yaml", sc.File)
	assert.Equal(t, "s/quickstart.yaml", sc.Model.Accounts[0].Pos.File)
	assert.Len(t, sc.SHA256, 64)

	sc, err = Load(fsys, "s/bad.yaml", LoadOptions{})
	assert.Nil(t, sc)
	assert.EqualError(t, err, "s/bad.yaml:5:7: seed must be an integer from 0 to 18446744073709551615, not x")

	_, err = Load(fsys, "s/missing.yaml", LoadOptions{})
	assert.True(t, errors.Is(err, fs.ErrNotExist), "%v", err)
}

// endless is a file that never ends: a regular file of size 0 when it is
// opened, that grows as it is read.
type endless struct{ read int64 }

func (e *endless) Stat() (fs.FileInfo, error) { return growing{}, nil }
func (e *endless) Close() error               { return nil }
func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '#'
	}
	e.read += int64(len(p))
	return len(p), nil
}

type growing struct{ fs.FileInfo }

func (growing) Mode() fs.FileMode { return 0 }
func (growing) Size() int64       { return 0 }

type endlessFS struct{ f *endless }

func (e endlessFS) Open(name string) (fs.File, error) { return e.f, nil }

func TestLoadTooLarge(t *testing.T) {
	f := &endless{}
	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		_, err = Load(endlessFS{f}, "huge.yaml", LoadOptions{MaxInput: 1 << 20})
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Load read an endless file")
	}
	assert.EqualError(t, err, "huge.yaml:1:1: file too large (limit 1 MiB, raise with --max-input)")
	assert.LessOrEqual(t, f.read, int64(1<<20+64<<10))
}

type failingFS struct{}

func (failingFS) Open(name string) (fs.File, error) { return failingFile{}, nil }

type failingFile struct{}

func (failingFile) Stat() (fs.FileInfo, error) { return nil, io.ErrUnexpectedEOF }
func (failingFile) Read([]byte) (int, error)   { return 0, io.ErrUnexpectedEOF }
func (failingFile) Close() error               { return nil }

func TestLoadReadError(t *testing.T) {
	_, err := Load(failingFS{}, "x.yaml", LoadOptions{})
	var pe *fs.PathError
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, "x.yaml", pe.Path)
	assert.True(t, errors.Is(err, io.ErrUnexpectedEOF))
}

func TestCompileReportsAnExpandedAccountsErrorOnce(t *testing.T) {
	src := `version: 1
name: x
start: 2026-01-05T00:00:00Z
duration: 1d
organization: {id: o-a1b2c3d4e5, management_account: "100000000000", ram_sharing: enabled}
accounts:
  - {id: "100000000000", ou: /}
  - {id_from: "300000000001", count: 5, ou: /missing}
`
	sc, err := Parse("x.yaml", []byte(src), LoadOptions{})
	require.NoError(t, err)
	_, err = Compile(sc)
	require.Error(t, err)
	assert.Equal(t, "x.yaml:8:45: unknown OU \"/missing\"\n", err.(ErrorList).String())
}

// TestScenarioTrace: a `workload: - trace: FILE` entry takes no generator
// keys, and its path is relative to the scenario file.
func TestScenarioTrace(t *testing.T) {
	_, err := Parse("x.yaml", []byte(hdr+"workload:\n  - trace: t.jsonl\n  - {trace: t.jsonl, rate: 1/h}\n"), LoadOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rate")

	sc, err := Parse("dir/x.yaml", []byte(hdr+"workload:\n  - trace: t.jsonl\n  - trace: /abs/s3\n"), LoadOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"dir/t.jsonl", "/abs/s3"}, sc.TracePaths())
}
