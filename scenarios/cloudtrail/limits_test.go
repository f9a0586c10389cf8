package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pipeshare/pipeshare/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// assertEveryRecordCounted checks that every record read is a call or
// skipped for one reason.
func assertEveryRecordCounted(t testing.TB, st *Stats) {
	t.Helper()
	sum := st.Calls
	for _, n := range st.Skipped {
		sum += n
	}
	assert.Equal(t, st.Records, sum, "records = calls + skipped %v", st.Skipped)
}

// readToEnd opens paths and reads every call with Trace.Calls.
func readToEnd(t testing.TB, opts Options, paths ...string) (*Trace, *Calls) {
	t.Helper()
	tr, err := Open(paths, opts)
	require.NoError(t, err)
	cs := tr.Calls()
	for cs.Next(&Call{}) {
	}
	cs.Close()
	return tr, cs
}

func gzipped(t testing.TB, parts ...[]byte) []byte {
	var buf bytes.Buffer
	for _, p := range parts { // one member each
		zw := gzip.NewWriter(&buf)
		_, err := zw.Write(p)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
	}
	return buf.Bytes()
}

// s3Line is a record that is not a pipeline call.
const s3Line = `{"eventVersion":"1.11","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2025-10-27T00:00:00Z","awsRegion":"us-east-1"}` + "\n"

// TestDamagedFiles: a file that cannot be read to its end stops every
// read of the trace, run --trace's (Prepare and the replay) and import
// cloudtrail's (Calls), with an error that names the file and says what is
// wrong, with or without Strict.
func TestDamagedFiles(t *testing.T) {
	calls := readString(t, filepath.Join(ctDir, "calls.jsonl"))
	callsGz, err := os.ReadFile(filepath.Join(ctDir, "calls.jsonl.gz"))
	require.NoError(t, err)
	badCRC := bytes.Clone(callsGz)
	badCRC[len(badCRC)-8] ^= 0xff
	for _, tc := range []struct {
		name, file string
		data       []byte
		want       string // in the error, after the file's path
	}{
		{"NUL bytes", "zeros.json", make([]byte, 4096), ": a NUL byte at offset 0: binary data, not JSON text"},
		{"NUL bytes after two records (a zero-filled tail)", "tail.jsonl",
			append([]byte(strings.Join(strings.SplitAfter(calls, "\n")[:2], "")), make([]byte, 100)...),
			": after record 2: a NUL byte at offset " + strconv.Itoa(len(strings.Join(strings.SplitAfter(calls, "\n")[:2], ""))) + ": binary data"},
		{"NUL byte inside a record", "inside.jsonl", []byte(`{"eventSource":` + "\x00" + `"x"}`), ": a NUL byte at offset 15: "},
		{"NUL bytes gzipped", "zeros.json.gz", gzipped(t, make([]byte, 4096)), ": a NUL byte at offset 0: "},
		{"truncated gzip", "cut.jsonl.gz", callsGz[:len(callsGz)*2/3], ": after record 4: truncated gzip stream (unexpected end of file)"},
		{"gzip magic, no gzip header", "bad.json.gz", []byte("\x1f\x8bnot gzip at all"), ": gzip: invalid header"},
		{"gzip checksum", "crc.jsonl.gz", badCRC, ": after record 11: gzip: invalid checksum"},
		{"gzip bomb of valid records", "bomb.jsonl.gz", gzipped(t, bytes.Repeat([]byte(s3Line), 64<<10)),
			", over the limit of 1 MiB plus 100 times the compressed size (a gzip bomb?)"},
		{"gzip bomb in a second member", "members.jsonl.gz", gzipped(t, []byte(calls), bytes.Repeat([]byte(" "), 16<<20)),
			", over the limit of 1 MiB plus 100 times the compressed size (a gzip bomb?)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeTemp(t, tc.file, tc.data)
			for _, strict := range []bool{false, true} {
				tr, cs := readToEnd(t, Options{Strict: strict}, p)
				require.Error(t, cs.Err())
				assert.Contains(t, cs.Err().Error(), tc.want)
				assert.True(t, strings.HasPrefix(cs.Err().Error(), p+": "), cs.Err().Error())

				c, _ := loadReplay(t, Options{})
				err := tr.Prepare(&c.Scenario.Model)
				require.Error(t, err)
				assert.Equal(t, cs.Err().Error(), err.Error(), "run --trace and import cloudtrail say the same")

				src := tr.Source(c.World)
				for src.Next(&sim.TraceCall{}) {
				}
				err = src.Finish(0)
				require.Error(t, err)
				assert.Equal(t, cs.Err().Error(), err.Error())
			}
		})
	}
}

// TestLongRecords: a record longer than 1 MiB is skipped unread as
// malformed, without the buffer growing past 1 MiB, and the records after
// it are read; with Strict a replay stops at it.
func TestLongRecords(t *testing.T) {
	lines := strings.SplitAfter(readString(t, filepath.Join(ctDir, "calls.jsonl")), "\n")
	rng := rand.New(rand.NewPCG(1, 2))
	name := make([]byte, 5<<20) // 5 MiB that gzip cannot squeeze below 100:1
	for i := range name {
		name[i] = 'a' + byte(rng.IntN(26))
	}
	long := `{"eventSource":"sagemaker.amazonaws.com","requestParameters":{"pipelineName":"` + string(name) + `"},"x":[{"y":"}]"}]}` + "\n"
	records := readString(t, filepath.Join(ctDir, "records.json"))
	k := strings.Index(records, `{"eventVersion"`)
	for _, tc := range []struct {
		name, file string
		data       []byte
		calls      int64 // taken by Calls
		rec        int   // the long record's number
	}{
		{"JSON Lines", "long.jsonl", []byte(lines[0] + long + strings.Join(lines[1:], "")), 11, 2},
		{"cut, then the next line", "cut.jsonl", []byte(lines[0] + long[:3<<20] + "\n" + strings.Join(lines[1:], "")), 11, 2},
		{"in a Records array", "long.json", []byte(records[:k] + strings.TrimSpace(long) + "," + records[k:]), 11, 1},
		{"gzipped", "long.jsonl.gz", gzipped(t, []byte(long+strings.Join(lines, ""))), 11, 1},
		{"at the end, cut", "end.jsonl", []byte(strings.Join(lines, "") + long[:2<<20]), 11, 12},
		{"a long key and a long run of white space", "ws.jsonl",
			[]byte(`{"` + strings.Repeat("k", 1<<20) + `":1}` + "\n" + strings.Repeat(" ", 3<<20) + lines[0]), 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeTemp(t, tc.file, tc.data)
			_, cs := readToEnd(t, Options{}, p)
			require.NoError(t, cs.Err())
			st := cs.Stats()
			assert.Equal(t, tc.calls, st.Calls)
			assert.Equal(t, int64(1), st.Skipped[SkipMalformed], st.Malformed)
			want := p + ":record " + strconv.Itoa(tc.rec) + ": record longer than 1 MiB (a CloudTrail event is at most 256 KB): skipped unread"
			assert.Equal(t, []string{want}, st.Malformed)
			assertEveryRecordCounted(t, st)

			c, tr := loadReplay(t, Options{Strict: true}, p)
			src := tr.Source(c.World)
			for src.Next(&sim.TraceCall{}) {
			}
			err := src.Finish(0)
			require.Error(t, err)
			assert.Equal(t, want, err.Error())
		})
	}

	// The scanner never holds more than 1 MiB.
	s := newCTScanner(strings.NewReader(long + lines[0]))
	var f ctFields
	res, err := s.next(&f)
	assert.Equal(t, scanMalformed, res)
	assert.Equal(t, errTooLong, err)
	res, _ = s.next(&f)
	assert.Equal(t, scanRecord, res)
	assert.Equal(t, "StartPipelineExecution", string(f.eventName))
	assert.LessOrEqual(t, len(s.buf), maxRecord)
	assert.LessOrEqual(t, cap(s.cur.arena), maxRecord)
}

// TestEveryRecordCounted: on every sample trace, by Calls and by a replay
// whose run ends after n calls, every record is a call or skipped for one
// reason; the calls the run did not reach are past_end.
func TestEveryRecordCounted(t *testing.T) {
	for _, paths := range [][]string{
		{filepath.Join(ctDir, "records.json")},
		{filepath.Join(ctDir, "calls.jsonl")},
		{filepath.Join(ctDir, "calls.jsonl.gz")},
		{filepath.Join(ctDir, "single-event.json")},
		{filepath.Join(ctDir, "s3")},
		{ctDir, "../../cmd/pipeshare/testdata/cloudtrail-sample.jsonl"},
	} {
		t.Run(strings.Join(paths, "+"), func(t *testing.T) {
			_, cs := readToEnd(t, Options{}, paths...)
			require.NoError(t, cs.Err())
			all := cs.Stats()
			assertEveryRecordCounted(t, all)
			assert.Zero(t, cs.s.winBytes, "the windows are empty at the end")

			c, tr := loadReplay(t, Options{}, paths...)
			for _, n := range []int64{0, 1, 3, 1 << 20} {
				src := tr.Source(c.World)
				var got int64
				for got < n && src.Next(&sim.TraceCall{}) {
					got++
				}
				replayed := max(got-1, 0) // the last one pulled is past the end
				if n == 1<<20 {
					replayed = got // the run reached the end of the trace
				}
				require.NoError(t, src.Finish(replayed))
				st := src.Stats()
				assertEveryRecordCounted(t, st)
				assert.Equal(t, all.Records, st.Records, "a finished replay reads every record")
				assert.Equal(t, replayed, st.Calls)
				if n < 1<<20 {
					assert.Positive(t, st.Skipped[SkipPastEnd], "n=%d", n)
				} else {
					assert.Zero(t, st.Skipped[SkipPastEnd])
				}
			}
		})
	}
}

// TestPastEnd: a run that ends before the trace does counts the calls it
// did not reach as past_end and the other records under their reasons.
func TestPastEnd(t *testing.T) {
	c, tr := loadReplay(t, Options{}, filepath.Join(ctDir, "records.json"))
	src := tr.Source(c.World)
	var calls []sim.TraceCall
	var call sim.TraceCall
	for src.Next(&call) {
		calls = append(calls, call)
		if call.At > sim.Time(3*3600e9) { // the run ends at 3h
			break
		}
	}
	require.NoError(t, src.Finish(int64(len(calls)-1)))
	st := src.Stats()
	assert.Equal(t, int64(13), st.Records)
	assert.Equal(t, int64(6), st.Calls)
	assert.Equal(t, map[string]int64{SkipPastEnd: 5, SkipOtherEvent: 2}, st.Skipped, "the unknown account's call is past the end")
	assert.Equal(t, "other_event 2, past_end 5", st.SkippedLine())
}

// TestProgress: Options.Progress sees the records and decompressed bytes
// grow, every progressEvery records and at each file's end, and its last
// call counts every record and byte of the trace (a gzip file counts its
// JSON, not its compressed bytes).
func TestProgress(t *testing.T) {
	n := progressEvery + 10
	big, small := bytes.Repeat([]byte(s3Line), n), bytes.Repeat([]byte(s3Line), 100)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.jsonl"), big, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.jsonl.gz"), gzipped(t, small), 0o644))
	var records, read []int64
	_, cs := readToEnd(t, Options{Progress: func(r, b int64) { records, read = append(records, r), append(read, b) }}, dir)
	require.NoError(t, cs.Err())
	assert.Equal(t, []int64{progressEvery, int64(n), int64(n + 100)}, records)
	assert.Equal(t, int64(len(big)+len(small)), read[len(read)-1])
	assert.IsNonDecreasing(t, read)
}
