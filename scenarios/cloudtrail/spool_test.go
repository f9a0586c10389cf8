package cloudtrail

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pipeshare/pipeshare/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// spoolReplay is what a replay handed over and reported.
type spoolReplay struct {
	calls []sim.TraceCall
	stats Stats
	warn  string
	err   error
}

// replayAll prepares paths and replays them to the end.
func replayAll(t *testing.T, opts Options, paths ...string) spoolReplay {
	t.Helper()
	var warn bytes.Buffer
	opts.Warn = &warn
	c, tr := loadReplay(t, opts, paths...)
	src := tr.Source(c.World)
	var out spoolReplay
	var call sim.TraceCall
	for src.Next(&call) {
		out.calls = append(out.calls, call)
	}
	out.err = src.Finish(int64(len(out.calls)))
	out.stats, out.warn = *src.Stats(), warn.String()
	return out
}

// openSpools lists this process's open files in dir (Linux: nil where
// /proc/self/fd is not there).
func openSpools(t *testing.T, dir string) []string {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	var open []string
	for _, fd := range fds {
		if l, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && strings.HasPrefix(l, dir+"/") {
			open = append(open, l)
		}
	}
	return open
}

// TestSpoolFile: a replay hands over the same calls, counts the same
// records and reports the same malformed ones (more than it describes, and
// with Strict the first) whether its first pass kept the spool in memory or
// wrote it to a temporary file (read back through a buffer of a few
// bytes, which the longer fields outgrow); the file is gone from its folder from the
// start and is closed by the replay, or by Trace.Close when no replay took
// it.
func TestSpoolFile(t *testing.T) {
	lines := strings.SplitAfter(readString(t, filepath.Join(ctDir, "calls.jsonl")), "\n")
	// More malformed records than are described, another event, a copy of
	// a call and one at a fraction of a second.
	bad := lines[0] + strings.Repeat("{\"eventSource\": oops}\n", maxWarnings+5) + s3Line + lines[1] + lines[1] +
		strings.Replace(lines[2], "02:06:00Z", "02:06:00.25Z", 1) + strings.Join(lines[3:], "")
	paths := [][]string{
		{filepath.Join(ctDir, "s3")},
		{filepath.Join(ctDir, "records.json"), filepath.Join(ctDir, "calls.jsonl.gz")},
		{writeTemp(t, "bad.jsonl", []byte(bad))},
	}
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	defer func(m, b int) { spoolMem, spoolBuf = m, b }(spoolMem, spoolBuf)
	for _, p := range paths {
		for _, strict := range []bool{false, true} {
			spoolMem = 1 << 20
			inMemory := replayAll(t, Options{Strict: strict}, p...)
			spoolMem, spoolBuf = 0, 7 // a file, read across many refills
			inFile := replayAll(t, Options{Strict: strict}, p...)
			assert.Equal(t, inMemory, inFile, "%s strict=%v", p, strict)
			switch {
			case p[0] != paths[2][0]:
				assert.NotEmpty(t, inFile.calls)
			case strict:
				require.Error(t, inFile.err)
				assert.Contains(t, inFile.err.Error(), ":record 2: ")
			default:
				assert.NotEmpty(t, inFile.calls)
				assert.Equal(t, int64(maxWarnings+5), inFile.stats.Skipped[SkipMalformed])
				assert.Equal(t, int64(1), inFile.stats.Skipped[SkipDuplicate])
				assert.Contains(t, inFile.warn, "trace: 5 more malformed records not shown\n")
				assert.True(t, slices.ContainsFunc(inFile.calls, func(c sim.TraceCall) bool { return c.At%1e9 == 25e7 }))
			}
		}
	}

	c, tr := loadReplay(t, Options{}, paths[0]...)
	require.NotNil(t, tr.spool.f, "spoolMem 0 sends the spool to a file")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "the spool file is gone from its folder at once")
	assert.Len(t, openSpools(t, dir), 1)
	src := tr.Source(c.World)
	src.Close()
	assert.Empty(t, openSpools(t, dir), "the replay closed it")

	_, tr = loadReplay(t, Options{}, paths[0]...)
	assert.Len(t, openSpools(t, dir), 1)
	tr.Close()
	assert.Empty(t, openSpools(t, dir), "Trace.Close closed a spool no replay took")
}

// TestSpoolDamaged: a spool that does not read back whole, cut anywhere
// or with any byte changed, ends the replay with an error, never a panic.
func TestSpoolDamaged(t *testing.T) {
	c, tr := loadReplay(t, Options{}, filepath.Join(ctDir, "calls.jsonl"), filepath.Join(ctDir, "records.json"))
	mem := bytes.Clone(tr.spool.mem)
	tr.Close()
	replay := func(b []byte) error {
		tr.spool = &spool{mem: b}
		src := tr.Source(c.World)
		for src.Next(&sim.TraceCall{}) {
		}
		return src.Finish(0)
	}
	require.NoError(t, replay(mem))
	for n := range len(mem) {
		require.ErrorIs(t, replay(mem[:n]), errSpoolCorrupt, "cut at %d of %d bytes", n, len(mem))
	}
	for i := range mem {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			b := bytes.Clone(mem)
			b[i] ^= x
			replay(b)
		}
	}
}

// TestSpoolUnwritable: a spool that cannot be written (no temporary
// folder) is Prepare's error, and a replay's without Prepare, never a
// replay cut short; a small one needs no folder.
func TestSpoolUnwritable(t *testing.T) {
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "gone"))
	defer func(m int) { spoolMem = m }(spoolMem)
	path := filepath.Join(ctDir, "calls.jsonl")
	c, tr := loadReplay(t, Options{}, path)
	require.Nil(t, tr.spool.f, "a small spool stays in memory")
	tr.Close()

	spoolMem = 0
	err := tr.Prepare(&c.Scenario.Model)
	require.Error(t, err)
	assert.Equal(t, "the replay's temporary file in "+os.Getenv("TMPDIR")+": no such file or directory (set TMPDIR to a writable folder with room for it)", err.Error())
	assert.Nil(t, tr.spool)
	src := tr.Source(c.World)
	assert.False(t, src.Next(&sim.TraceCall{}))
	assert.Equal(t, err.Error(), src.Finish(0).Error())
}
