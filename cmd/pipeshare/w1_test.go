package main

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// w1Output is the part of `run --format json` that bench/README.md maps onto the
// baseline's keys.
type w1Output struct {
	Calls struct {
		Total          int64                       `json:"total"`
		ByAction       map[string]int64            `json:"by_action"`
		ByActionReason map[string]map[string]int64 `json:"by_action_reason"`
	} `json:"calls"`
	Executions struct {
		Started, Succeeded, Failed, Stopped, Retried int64
		FailedAtEnd                                  int64 `json:"failed_at_end"`
		InFlight                                     struct {
			Waiting, Running int64
		} `json:"in_flight_at_end"`
	} `json:"executions"`
	Steps struct {
		Granted, Completed int64
		MeanWaitS          float64 `json:"mean_wait_s"`
	} `json:"steps"`
	Cost struct {
		TotalUSD        float64 `json:"total_usd"`
		InstanceSeconds float64 `json:"instance_seconds"`
	} `json:"cost"`
}

// TestW1AgreesWithBaseline runs the embedded W1 scenarios and checks each
// statistic against the reference baseline's output (stored in testdata):
// within max(3 %, 4/√n) of the baseline's value n (bench/README.md#checking-that-pipeshare-runs-w1;
// different generators, so agreement is statistical, never exact). Both
// values are random, so the 4/√n bound — four standard deviations of a
// count n — is taken on their difference, 4·√(n+g): the same bound when
// they agree, wider only for tiny counts such as stop_noop (the baseline
// itself gives 3 to 11 across seeds 1–6, pipeshare 5 to 16).
func TestW1AgreesWithBaseline(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ scenario, baseline string }{
		{"w1", "testdata/w1-baseline-a50.txt"},
		{"w1-steady", "testdata/w1-baseline-a5.txt"},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			if testing.Short() && tc.scenario == "w1" {
				t.Skip("w1 runs 2 million calls")
			}
			want := readBaseline(t, tc.baseline)
			code, stdout, stderr := pipeshare(t, "", "run", tc.scenario, "--format", "json")
			require.Equal(t, 0, code, stderr)
			var out w1Output
			require.NoError(t, json.Unmarshal([]byte(stdout), &out))
			got := map[string]float64{
				"calls_total":           float64(out.Calls.Total),
				"calls_read":            float64(out.Calls.ByAction["DescribePipeline"]),
				"calls_start":           float64(out.Calls.ByAction["StartPipelineExecution"]),
				"calls_stop":            float64(out.Calls.ByAction["StopPipelineExecution"]),
				"calls_retry":           float64(out.Calls.ByAction["RetryPipelineExecution"]),
				"stop_noop":             float64(out.Calls.ByActionReason["StopPipelineExecution"]["not_found"]),
				"retry_noop":            float64(out.Calls.ByActionReason["RetryPipelineExecution"]["not_found"]),
				"exec_started":          float64(out.Executions.Started),
				"exec_succeeded":        float64(out.Executions.Succeeded),
				"exec_failed":           float64(out.Executions.Failed),
				"exec_stopped":          float64(out.Executions.Stopped),
				"exec_retried":          float64(out.Executions.Retried),
				"inflight_waiting_at_T": float64(out.Executions.InFlight.Waiting),
				"inflight_holding_at_T": float64(out.Executions.InFlight.Running),
				"failed_at_T":           float64(out.Executions.FailedAtEnd),
				"steps_granted":         float64(out.Steps.Granted),
				"step_ends":             float64(out.Steps.Completed),
				"instance_minutes":      out.Cost.InstanceSeconds / 60,
				"cost_usd":              out.Cost.TotalUSD,
				"mean_step_wait_min":    out.Steps.MeanWaitS / 60,
			}
			for k, g := range got {
				n, ok := want[k]
				require.True(t, ok, "baseline has no %s", k)
				tol := math.Max(0.03*n, 4*math.Sqrt(n+g))
				assert.InDelta(t, n, g, tol, "%s: pipeshare %.1f, baseline %.1f (tolerance ±%.1f)", k, g, n, tol)
			}
		})
	}
}

func readBaseline(t *testing.T, path string) map[string]float64 {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if n, err := strconv.ParseFloat(v, 64); ok && err == nil {
			out[k] = n
		}
	}
	return out
}
