package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
