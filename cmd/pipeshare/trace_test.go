package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/scenarios"
)

const replayScenario = "../../scenarios/testdata/real/cloudtrail/replay.yaml"

// inRepo lets a scenario of the repository name files anywhere in it,
// when the test runs in cmd/pipeshare.
var inRepo = []string{"--root", "../.."}

// TestRunTraceGolden replays CloudTrail traces: the scenario's own
// `workload: - trace: s3` folder, and --trace FILE with the options.
func TestRunTraceGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"run-trace-s3", []string{"run", replayScenario}, 0},
		{"run-trace-s3-json", []string{"run", replayScenario, "--format", "json"}, 0},
		{"run-trace-records", []string{"run", replayScenario, "--trace", "../../scenarios/testdata/real/cloudtrail/records.json"}, 0},
		{"run-trace-align-unknown", []string{"run", replayScenario, "--trace", "../../scenarios/testdata/real/cloudtrail/calls.jsonl.gz",
			"--align", "--add-unknown-accounts", "--format", "json"}, 0},
		{"run-trace-missing", []string{"run", replayScenario, "--trace", "nope.jsonl"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := pipeshare(t, "", append(tc.args, inRepo...)...)
			assert.Equal(t, tc.code, code, "stderr: %s", stderr)
			golden(t, tc.name+".stdout", stdout)
			golden(t, tc.name+".stderr", stderr)
		})
	}
}

func TestRunTraceJSONReplayKey(t *testing.T) {
	code, stdout, stderr := pipeshare(t, "", append([]string{"run", replayScenario, "--format", "json"}, inRepo...)...)
	require.Equal(t, 0, code, stderr)
	var out struct {
		Replay struct {
			Records        int64            `json:"records"`
			Skipped        map[string]int64 `json:"skipped"`
			ByCallerAction []struct {
				Account   string         `json:"account"`
				Principal string         `json:"principal"`
				Action    string         `json:"action"`
				Recorded  map[string]int `json:"recorded"`
				Simulated map[string]int `json:"simulated"`
				OKDenied  int            `json:"recorded_ok_now_denied"`
			} `json:"by_caller_action"`
		} `json:"replay"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))
	assert.Equal(t, int64(9), out.Replay.Records)
	assert.Equal(t, int64(1), out.Replay.Skipped["duplicate"])
	found := false
	for _, r := range out.Replay.ByCallerAction {
		if r.Principal == "role/DataScientist" && r.Action == "StartPipelineExecution" {
			found = true
			assert.Equal(t, 2, r.Recorded["ok"])
			assert.Equal(t, 2, r.OKDenied, "the read-only share denies the recorded Starts")
		}
	}
	assert.True(t, found)

	// No trace: no replay key.
	code, stdout, _ = pipeshare(t, "", "run", "--format", "json")
	require.Equal(t, 0, code)
	assert.NotContains(t, stdout, `"replay"`)
}

// TestRunTraceEveryRecordCounted: the replay summary counts every record
// of the trace, those after the run's end (--until) as past_end; a trace
// of which no call is replayed is exit 2 with the records by reason.
func TestRunTraceEveryRecordCounted(t *testing.T) {
	records := "../../scenarios/testdata/real/cloudtrail/records.json"
	code, stdout, stderr := pipeshare(t, "", "run", replayScenario, "--root", "../..", "--trace", records, "--until", "3h")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "  13 records in 1 file: 6 calls replayed, 7 skipped (other_event 2, past_end 5)\n")

	code, stdout, stderr = pipeshare(t, "", "run", replayScenario, "--root", "../..", "--trace", records, "--until", "3h", "--format", "json")
	require.Equal(t, 0, code, stderr)
	var out struct {
		Replay struct {
			Records  int64            `json:"records"`
			Replayed int64            `json:"replayed"`
			Skipped  map[string]int64 `json:"skipped"`
		} `json:"replay"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))
	assert.Equal(t, int64(13), out.Replay.Records)
	assert.Equal(t, int64(6), out.Replay.Replayed)
	assert.Equal(t, map[string]int64{"other_event": 2, "past_end": 5}, out.Replay.Skipped)

	code, _, stderr = pipeshare(t, "", "run", replayScenario, "--root", "../..", "--trace", records, "--until", "1h")
	assert.Equal(t, 2, code)
	assert.Equal(t, "trace: "+records+": no call replayed (13 records: other_event 2, past_end 11)\n", stderr)

	early := filepath.Join(t.TempDir(), "early.json")
	data, err := os.ReadFile(records)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(early, bytes.ReplaceAll(data, []byte("2025-10-27T"), []byte("2025-10-20T")), 0o644))
	code, _, stderr = pipeshare(t, "", "run", replayScenario, "--root", "../..", "--trace", early)
	assert.Equal(t, 2, code)
	assert.Equal(t, "trace: 1 call from an unknown account skipped (444444444444: 1); --add-unknown-accounts adds them outside the organization\n"+
		"trace: "+early+": no call replayed (13 records: before_start 10, other_event 2, unknown_account 1); --align moves the trace's first call to the scenario start\n", stderr)
	code, _, stderr = pipeshare(t, "", "run", replayScenario, "--root", "../..", "--trace", early, "--align")
	assert.Equal(t, 0, code, stderr)
}

// TestReplayGCTarget checks that a replay runs the garbage collector at
// replayGCPercent from its first pass and puts Go's target back after,
// also when diff prepares two traces, and that GOGC, when set, is left
// alone.
func TestReplayGCTarget(t *testing.T) {
	records := "../../scenarios/testdata/real/cloudtrail/records.json"
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	current := func() int { p := debug.SetGCPercent(-1); debug.SetGCPercent(p); return p }
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Setenv(env, "")
		require.NoError(t, os.Unsetenv(env))
	}
	data, err := os.ReadFile(replayScenario)
	require.NoError(t, err)
	sc, err := scenarios.Parse(replayScenario, data, scenarios.LoadOptions{})
	require.NoError(t, err)
	e := &env{ctx: context.Background(), stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, files: &files{}}
	tf := traceFlags{path: &records, align: new(bool), strict: new(bool), addUnknown: new(bool)}
	first, err := tf.prepare(e, sc, e.stderr)
	require.NoError(t, err)
	assert.Equal(t, replayGCPercent, current(), "from the first pass on")
	second, err := tf.prepare(e, sc, e.stderr) // diff's second trace
	require.NoError(t, err)
	first.restoreGC()
	second.restoreGC()
	assert.Equal(t, 100, current(), "Go's target is back")

	code, _, stderr := pipeshare(t, "", "diff", replayScenario, replayScenario, "--root", "../..", "--trace", records, "--until", "3h")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, 100, current(), "diff puts Go's target back")

	t.Setenv("GOGC", "100")
	_, err = tf.prepare(e, sc, e.stderr)
	require.NoError(t, err)
	assert.Equal(t, 100, current(), "GOGC is the user's")
}

// TestDiffReplayWarnsOnce: diff's two replays run side by side; what they
// warn is printed after them, in order, and a warning both give (one trace
// replayed twice) once.
func TestDiffReplayWarnsOnce(t *testing.T) {
	calls := "../../scenarios/testdata/real/cloudtrail/calls.jsonl"
	data, err := os.ReadFile(calls)
	require.NoError(t, err)
	lines := bytes.SplitAfter(data, []byte("\n"))
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	require.NoError(t, os.WriteFile(bad, slices.Concat(bytes.Join(lines[:3], nil), []byte("not json\n"), bytes.Join(lines[3:], nil)), 0o644))
	want := "trace: " + bad + ":record 4: expected '{' or '[', found 'n'\n" +
		"trace: 1 call from an unknown account skipped (444444444444: 1); --add-unknown-accounts adds them outside the organization\n"
	for range 3 { // the replays race: one run could pass by luck
		code, _, stderr := pipeshare(t, "", "diff", replayScenario, replayScenario, "--root", "../..", "--trace", bad, "--quiet")
		require.Equal(t, 0, code, stderr)
		assert.Equal(t, want, stderr)
	}
}

// TestTraceFromStdinRefused: "-" is not a trace (diff reads a trace once
// per replay, and an output is checked against the trace's files), and
// the message says so instead of "stat -: no such file or directory".
func TestTraceFromStdinRefused(t *testing.T) {
	sample, err := os.ReadFile(ctSample)
	require.NoError(t, err)
	const want = "-: a trace is read from its files or folders, not from stdin (write it to a file)\n"
	code, _, stderr := pipeshare(t, string(sample), "run", "quickstart", "--trace", "-")
	assert.Equal(t, 2, code)
	assert.Equal(t, "trace: "+want, stderr)
	code, _, stderr = pipeshare(t, string(sample), "import", "cloudtrail", "-")
	assert.Equal(t, 2, code)
	assert.Equal(t, want, stderr)
}

// TestReplayUnpassedParameter: replayed Starts that pass no value for a
// parameter without a default are replayed with an empty value, and a
// warning counts them.
func TestReplayUnpassedParameter(t *testing.T) {
	data, err := os.ReadFile(replayScenario)
	require.NoError(t, err)
	withParam := strings.Replace(string(data), "    account: \"111111111111\"\n", "    account: \"111111111111\"\n    parameters: {RunDate: null}\n", 1)
	require.NotEqual(t, string(data), withParam)
	sc := filepath.Join(t.TempDir(), "replay.yaml")
	require.NoError(t, os.WriteFile(sc, []byte(withParam), 0o644))
	code, _, stderr := pipeshare(t, "", "run", sc, "--root", "/", "--trace", "../../scenarios/testdata/real/cloudtrail/calls.jsonl", "--quiet")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "trace: 3 replayed Starts of pipeline churn-training passed no RunDate, which it declares without a default (SageMaker rejects such a Start; replayed with an empty value)\n")

	code, _, stderr = pipeshare(t, "", "run", replayScenario, "--root", "../..", "--trace", "../../scenarios/testdata/real/cloudtrail/calls.jsonl", "--quiet")
	require.Equal(t, 0, code, stderr)
	assert.NotContains(t, stderr, "passed no")
}
