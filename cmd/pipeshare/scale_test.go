package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestScaleScenario runs the embedded scale scenario (10,000 accounts,
// 2,000 pipelines, 5,000 shares, count templates) for a short horizon (not
// with -short), and with -long for its default day (about 1,000,000
// calls), and checks that it is the load it claims: calls mostly allowed,
// no limit_exceeded or throttling, no wait for instances, nothing queued at
// the end.
func TestScaleScenario(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("the scale scenario takes seconds, minutes under -race")
	}
	type size struct {
		until      string
		wantCalls  float64 // expected calls (a Poisson total: within 2 %)
		minAllowed float64 // execution calls find no execution in the first hours
	}
	sizes := []size{{"6h", 1e6 / 4, 0.85}}
	if *long {
		sizes = append(sizes, size{"", 1e6, 0.95})
	}
	for _, sz := range sizes {
		t.Run("until="+sz.until, func(t *testing.T) {
			args := []string{"run", "scale", "--format", "json"}
			if sz.until != "" {
				args = append(args, "--until", sz.until)
			}
			code, stdout, stderr := pipeshare(t, "", args...)
			require.Equal(t, 0, code, stderr)
			var out struct {
				Calls struct {
					Total, Allowed, Denied, Failed int64
					ByReason                       map[string]int64 `json:"by_reason"`
				}
				Executions struct {
					Started, Succeeded int64
					InFlight           struct{ Waiting, Running int64 } `json:"in_flight_at_end"`
				}
				Steps struct {
					Granted       int64
					MeanWait      float64 `json:"mean_wait_s"`
					ResourceLimit int64   `json:"resource_limit"`
				}
			}
			require.NoError(t, json.Unmarshal([]byte(stdout), &out))
			c := out.Calls
			assert.InEpsilon(t, sz.wantCalls, float64(c.Total), 0.02)
			assert.Greater(t, float64(c.Allowed)/float64(c.Total), sz.minAllowed, "allowed share")
			assert.Less(t, float64(c.Denied)/float64(c.Total), 0.02, "denied share (association_pending in the first 2 minutes)")
			assert.Greater(t, c.ByReason["shared"], 5*c.ByReason["owner"], "mostly consumers through shares")
			assert.Zero(t, c.ByReason["limit_exceeded"])
			assert.Zero(t, c.ByReason["throttled"])
			assert.Equal(t, c.Failed, c.ByReason["not_found"], "failed calls are execution calls with no execution")
			e := out.Executions
			assert.Greater(t, e.Started, int64(c.Total/100), "about 2 % of the calls start an execution")
			assert.Greater(t, e.Succeeded, e.Started*3/4-int64(e.InFlight.Running))
			assert.Zero(t, e.InFlight.Waiting, "no execution waits at the end")
			assert.Greater(t, out.Steps.Granted, e.Started)
			assert.Zero(t, out.Steps.MeanWait, "instances are sized for the load")
			assert.Zero(t, out.Steps.ResourceLimit)
		})
	}
}

// TestScaleHTML: the HTML report of the scale scenario draws a bounded
// heat map (the whole access matrix has 40 million cells): a row per OU,
// the first 50 pipelines, and says so.
func TestScaleHTML(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("the scale scenario's HTML report takes seconds")
	}
	code, stdout, stderr := pipeshare(t, "", "run", "scale", "--until", "1h", "--format", "html")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "each row is an OU and its cells the mean over its principals. The first 50 of 2000 pipelines are shown.")
	assert.Contains(t, stdout, "OU /teams/bu-1 · 1,970 principals")
	assert.Less(t, len(stdout), 20<<20, "a page a browser opens")
}
