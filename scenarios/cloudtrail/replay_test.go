package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/scenarios"
	"github.com/pipeshare/pipeshare/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const ctDir = "../testdata/real/cloudtrail"

// loadReplay parses the replay scenario, prepares trace paths into it and
// compiles it.
func loadReplay(t testing.TB, opts Options, paths ...string) (*scenarios.Compiled, *Trace) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(ctDir, "replay.yaml"))
	require.NoError(t, err)
	sc, err := scenarios.Parse(filepath.Join(ctDir, "replay.yaml"), data, scenarios.LoadOptions{})
	require.NoError(t, err)
	if paths == nil {
		paths = sc.TracePaths()
	}
	tr, err := Open(paths, opts)
	require.NoError(t, err)
	require.NoError(t, tr.Prepare(&sc.Model))
	c, err := scenarios.Compile(sc)
	require.NoError(t, err)
	return c, tr
}

// collect reads every call of the replay.
func ctCollect(t *testing.T, opts Options, paths ...string) ([]sim.TraceCall, *Replay, *scenarios.Compiled) {
	t.Helper()
	c, tr := loadReplay(t, opts, paths...)
	src := tr.Source(c.World)
	defer src.Close()
	var out []sim.TraceCall
	var call sim.TraceCall
	for src.Next(&call) {
		out = append(out, call)
	}
	return out, src, c
}

// ctDescribe formats calls as "offset caller action pipeline exec starts recorded".
func ctDescribe(c *scenarios.Compiled, calls []sim.TraceCall) []string {
	var out []string
	for _, k := range calls {
		out = append(out, fmt.Sprintf("%s %s %s %s exec=%s starts=%s %s", model.Time(k.At), c.World.CallerString(k.Caller),
			k.Action.Name(), c.World.PipelineName(k.Pipeline), k.Execution, k.StartsExecution, k.Recorded))
	}
	return out
}

func TestCloudTrailFormats(t *testing.T) {
	var want []string
	for _, f := range []string{"records.json", "calls.jsonl", "calls.jsonl.gz"} {
		t.Run(f, func(t *testing.T) {
			calls, src, c := ctCollect(t, Options{}, filepath.Join(ctDir, f))
			got := ctDescribe(c, calls)
			if want == nil {
				want = got
			}
			assert.Equal(t, want, got, "every format gives the same calls")
			st := src.Stats()
			assert.Equal(t, int64(1), st.Skipped[SkipUnknownAccount])
			assert.Equal(t, int64(1), st.UnknownAccounts["444444444444"])
			assert.Contains(t, st.UnknownAccountsLine(), "444444444444: 1")
		})
	}
	require.Len(t, want, 10)
	assert.Equal(t, []string{
		"2h0m0s 222222222222/role/DataScientist StartPipelineExecution churn-training exec= starts=exec000000a1 ok",
		"2h5m0s 222222222222/role/DataScientist DescribePipelineExecution churn-training exec=exec000000a1 starts= ok",
		"2h6m0s 222222222222/role/DataScientist DescribePipeline churn-training exec= starts= ok",
		"2h7m0s 111111111111/user/mlops-ci ListPipelineExecutions churn-training exec= starts= ok",
		"2h10m0s 222222222222/role/DataScientist StopPipelineExecution churn-training exec=exec000000a1 starts= denied",
		"3h0m0s 111111111111/user/mlops-ci StartPipelineExecution churn-training exec= starts=exec000000b2 ok",
		"3h30m0s 111111111111/user/mlops-ci StopPipelineExecution churn-training exec=exec000000b2 starts= ok",
		"4h0m0s 222222222222/role/Analyst StartPipelineExecution churn-training exec= starts=exec000000c3 ok",
		"5h0m0s 222222222222/role/DataScientist Search churn-training exec= starts= ok",
		"5h10m0s 222222222222/role/DataScientist RetryPipelineExecution churn-training exec=exec000000zz starts= error",
	}, want)
}

func TestCloudTrailRecordsSkipsOtherEvents(t *testing.T) {
	_, src, _ := ctCollect(t, Options{}, filepath.Join(ctDir, "records.json"))
	st := src.Stats()
	assert.Equal(t, int64(13), st.Records)
	assert.Equal(t, int64(2), st.Skipped[SkipOtherEvent], "ListNotebookInstances and a RAM event")
}

func TestCloudTrailSingleEvent(t *testing.T) {
	calls, _, c := ctCollect(t, Options{}, filepath.Join(ctDir, "single-event.json"))
	assert.Equal(t, []string{"1h0m0s 111111111111/user/mlops-ci StartPipelineExecution churn-training exec= starts=a1b2c3d4e5f6 ok"},
		ctDescribe(c, calls))
	assert.Equal(t, []sim.Param{{Name: "TrainInstanceType", Value: "ml.g5.xlarge"}}, calls[0].Parameters,
		"a Start's pipelineParameters are replayed")
}

func TestCloudTrailTraceOnlyPrincipals(t *testing.T) {
	c, tr := loadReplay(t, Options{}, filepath.Join(ctDir, "records.json"))
	assert.Equal(t, []string{"222222222222/role/Analyst"}, tr.Added)
	assert.Empty(t, tr.AddedAccounts)
	ps, err := c.World.LookupCallers("222222222222/role/Analyst")
	require.NoError(t, err)
	assert.True(t, c.World.PrincipalSynthetic(ps[0]))

	calls, src, c := ctCollect(t, Options{AddUnknownAccounts: true}, filepath.Join(ctDir, "records.json"))
	assert.Len(t, calls, 11)
	assert.Zero(t, src.Stats().Skipped[SkipUnknownAccount])
	_, err = c.World.LookupCallers("444444444444/role/Auditor")
	assert.NoError(t, err)
}

func TestCloudTrailS3FolderMergeAndDedup(t *testing.T) {
	calls, src, c := ctCollect(t, Options{}) // the scenario's own `trace: s3`
	assert.Equal(t, []string{
		"2h0m0s 222222222222/role/DataScientist StartPipelineExecution churn-training exec= starts=exec000000e5 ok",
		"2h2m0s 111111111111/user/mlops-ci StartPipelineExecution churn-training exec= starts=exec000000f6 ok",
		"2h3m0s 222222222222/role/DataScientist DescribePipelineExecution churn-training exec=exec000000e5 starts= ok",
		"33h0m0s 111111111111/user/mlops-ci StopPipelineExecution churn-training exec=exec000000f6 starts= ok",
		"33h1m0s 111111111111/user/mlops-ci StartPipelineExecution churn-training exec= starts=exec000000g7 ok",
		"33h4m0s 222222222222/role/DataScientist ListPipelineExecutionSteps churn-training exec=exec000000g7 starts= ok",
		"33h10m0s 222222222222/role/DataScientist StartPipelineExecution churn-training exec= starts=exec000000h8 ok",
	}, ctDescribe(c, calls), "merged by eventTime across files; reordered within a file")
	st := src.Stats()
	assert.Equal(t, 4, st.Files)
	assert.Equal(t, int64(1), st.Skipped[SkipDuplicate], "the owner's copy of the shared Start")
}

func TestCloudTrailAlignAndBeforeStart(t *testing.T) {
	calls, _, _ := ctCollect(t, Options{Align: true}, filepath.Join(ctDir, "calls.jsonl"))
	require.NotEmpty(t, calls)
	assert.Equal(t, sim.Time(0), calls[0].At)
	assert.Equal(t, sim.Time(5*60e9), calls[1].At)

	dir := t.TempDir()
	early := strings.Replace(readString(t, filepath.Join(ctDir, "calls.jsonl")), "2025-10-27T02:00:00Z", "2025-10-26T23:00:00Z", 1)
	p := filepath.Join(dir, "early.jsonl")
	require.NoError(t, os.WriteFile(p, []byte(early), 0o644))
	calls, src, _ := ctCollect(t, Options{}, p)
	assert.Equal(t, int64(1), src.Stats().Skipped[SkipBeforeStart])
	assert.Len(t, calls, 9)
}

func readString(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return string(b)
}

func writeTemp(t *testing.T, name string, data []byte) string {
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

func TestCloudTrailMalformed(t *testing.T) {
	lines := strings.SplitAfter(readString(t, filepath.Join(ctDir, "calls.jsonl")), "\n")
	bad := lines[0] + "{\"eventTime\": \"2025-10-27T02:05:00Z\", \"eventSource\": oops}\n" + lines[1][:100] + "\n" +
		strings.Replace(lines[2], "2025-10-27T02:06:00Z", "yesterday", 1) + strings.Join(lines[3:], "")
	p := writeTemp(t, "bad.jsonl", []byte(bad))
	var warn bytes.Buffer
	calls, src, _ := ctCollect(t, Options{Warn: &warn}, p)
	assert.Len(t, calls, 8, "the malformed records are skipped, the rest replayed")
	assert.Equal(t, int64(3), src.Stats().Skipped[SkipMalformed])
	assert.Contains(t, warn.String(), p+":record 2: unexpected character 'o'")
	assert.Contains(t, warn.String(), p+":record 3: ")
	assert.Contains(t, warn.String(), p+":record 4: eventTime \"yesterday\" is not an RFC 3339 time")

	// --strict: the first malformed record is fatal.
	c, tr := loadReplay(t, Options{Strict: true}, p)
	strict := tr.Source(c.World)
	var call sim.TraceCall
	n := 0
	for strict.Next(&call) {
		n++
	}
	strict.Close()
	require.Error(t, strict.Err())
	assert.Contains(t, strict.Err().Error(), p+":record 2: ")
}

func TestCloudTrailArrayCut(t *testing.T) {
	data := readString(t, filepath.Join(ctDir, "records.json"))
	cut := data[:len(data)/2]
	p := writeTemp(t, "cut.json", []byte(cut))
	var warn bytes.Buffer
	calls, _, _ := ctCollect(t, Options{Warn: &warn}, p)
	assert.NotEmpty(t, calls)
	assert.Contains(t, warn.String(), "unexpected end of input inside a record")

	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(data[:strings.LastIndex(data, "},{")+1]))
	zw.Close()
	p = writeTemp(t, "cut2.json.gz", buf.Bytes())
	warn.Reset()
	_, _, _ = ctCollect(t, Options{Warn: &warn}, p)
	assert.Contains(t, warn.String(), "unexpected end of input inside a Records array")
}

func TestCloudTrailWindowReorder(t *testing.T) {
	lines := strings.SplitAfter(readString(t, filepath.Join(ctDir, "calls.jsonl")), "\n")
	// Swap two records 5 minutes apart: within the window, replayed in order.
	swapped := lines[1] + lines[0] + strings.Join(lines[2:], "")
	calls, _, _ := ctCollect(t, Options{}, writeTemp(t, "swap.jsonl", []byte(swapped)))
	for i := 1; i < len(calls); i++ {
		assert.LessOrEqual(t, calls[i-1].At, calls[i].At)
	}
	// A record an hour late is beyond the window: handed over out of order
	// (the simulation replays it at the previous call's time).
	late := strings.Join(lines[1:6], "") + lines[0] + strings.Join(lines[6:], "")
	calls, _, _ = ctCollect(t, Options{}, writeTemp(t, "late.jsonl", []byte(late)))
	out := 0
	for i := 1; i < len(calls); i++ {
		if calls[i].At < calls[i-1].At {
			out++
		}
	}
	assert.Equal(t, 1, out)
}

func TestParseEventTime(t *testing.T) {
	for _, s := range []string{"2025-10-27T00:00:52Z", "2024-02-29T23:59:59Z", "1999-12-31T00:00:00Z", "2025-10-27T00:00:52.123Z", "2025-10-27T02:00:52+02:00"} {
		got, ok := parseEventTime([]byte(s))
		require.True(t, ok, s)
		want, _ := timeParse(s)
		assert.Equal(t, want, got, s)
	}
	_, ok := parseEventTime([]byte("2025-13-01T00:00:00Z"))
	assert.False(t, ok)
}

func timeParse(s string) (int64, error) {
	tm, err := time.Parse(time.RFC3339Nano, s)
	return tm.UnixNano(), err
}

// TestReplayTellsWhenNoLaterCallNames checks the lifetimes a replay hands
// the simulation against their definition over the handed-over calls: a
// call is the last naming its execution when no later call names it, and a
// Start's execution is unnamed when no later call names it.
func TestReplayTellsWhenNoLaterCallNames(t *testing.T) {
	calls, _, _ := ctCollect(t, Options{})
	namedAfter := func(i int, id string) bool {
		return slices.ContainsFunc(calls[i+1:], func(c sim.TraceCall) bool { return c.Execution == id })
	}
	var last, notLast, unnamed, named int
	for i, c := range calls {
		if c.Execution != "" {
			assert.Equal(t, !namedAfter(i, c.Execution), c.LastNaming, "call %d naming %s", i, c.Execution)
			if c.LastNaming {
				last++
			} else {
				notLast++
			}
		} else {
			assert.False(t, c.LastNaming, "call %d names no execution", i)
		}
		if c.StartsExecution != "" {
			assert.Equal(t, !namedAfter(i, c.StartsExecution), c.StartsUnnamed, "Start %d of %s", i, c.StartsExecution)
			if c.StartsUnnamed {
				unnamed++
			} else {
				named++
			}
		}
	}
	assert.Positive(t, last, "some call is the last to name its execution")
	assert.Positive(t, named, "some Start's execution is named later")
	assert.Positive(t, unnamed+notLast, "the trace also has the other cases")
	t.Logf("%d calls: %d last, %d not last; Starts %d named later, %d not", len(calls), last, notLast, named, unnamed)
}
