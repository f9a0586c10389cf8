package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCallsRoundTripThroughTrace writes quickstart's simulated CloudTrail
// (with the owners' copies) and replays it: the same calls by caller,
// action and reason, the same executions and the same cost.
func TestCallsRoundTripThroughTrace(t *testing.T) {
	t.Parallel()
	trace := filepath.Join(t.TempDir(), "calls.jsonl.gz")
	code, a, stderr := pipeshare(t, "", "run", "quickstart", "--calls", trace, "--owner-copies", "--format", "json")
	require.Equal(t, 0, code, stderr)
	code, b, stderr := pipeshare(t, "", "run", "quickstart", "--trace", trace, "--format", "json")
	require.Equal(t, 0, code, stderr)

	type out struct {
		Calls struct {
			Total    int64            `json:"total"`
			ByReason map[string]int64 `json:"by_reason"`
		} `json:"calls"`
		CallsByCaller []json.RawMessage `json:"calls_by_caller"`
		Executions    json.RawMessage   `json:"executions"`
		Cost          struct {
			TotalUSD float64 `json:"total_usd"`
		} `json:"cost"`
		Replay struct {
			Records int64            `json:"records"`
			Skipped map[string]int64 `json:"skipped"`
		} `json:"replay"`
	}
	var ga, gb out
	require.NoError(t, json.Unmarshal([]byte(a), &ga))
	require.NoError(t, json.Unmarshal([]byte(b), &gb))
	require.Positive(t, ga.Calls.Total)
	assert.Equal(t, ga.Calls, gb.Calls)
	assert.Equal(t, ga.CallsByCaller, gb.CallsByCaller)
	assert.JSONEq(t, string(ga.Executions), string(gb.Executions))
	assert.Equal(t, ga.Cost.TotalUSD, gb.Cost.TotalUSD)
	assert.Equal(t, 2*ga.Calls.Total, gb.Replay.Records, "every call and its owner copy")
	assert.Equal(t, ga.Calls.Total, gb.Replay.Skipped["duplicate"], "owner copies count once")
}

// TestDiffOnRealTraffic replays one trace under two permissions: with the
// share read-only every recorded Start is denied and none of the owner's
// cost is spent.
func TestDiffOnRealTraffic(t *testing.T) {
	t.Parallel()
	trace := filepath.Join(t.TempDir(), "calls.jsonl")
	code, _, stderr := pipeshare(t, "", "run", "quickstart", "--calls", trace)
	require.Equal(t, 0, code, stderr)
	code, stdout, stderr := pipeshare(t, "", "diff", "quickstart", "quickstart", "--trace", trace,
		"--set", "shares.churn-to-research.permission=read-only", "--format", "json")
	require.Equal(t, 1, code, stderr)
	var d struct {
		Executions map[string]struct{ A, B, Delta float64 } `json:"executions"`
		Cost       struct {
			Total struct{ A, B, Delta float64 } `json:"total_usd"`
		} `json:"cost"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &d), stdout)
	assert.Positive(t, d.Executions["started"].A)
	assert.Zero(t, d.Executions["started"].B)
	assert.Positive(t, d.Cost.Total.A)
	assert.Zero(t, d.Cost.Total.B)
}
