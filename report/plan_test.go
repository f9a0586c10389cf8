package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/sim/plan"
)

// testPlan is a small plan run to the end: GPUs 8 as written, 2 or 4;
// the owner's cost $100 a GPU a month, blocked Starts 60% over the GPUs,
// at most 20%: 2 GPUs break it, 4 are the cheapest feasible.
func testPlan(t *testing.T) *Plan {
	t.Helper()
	sp := &plan.Space{
		Axes:        []plan.Axis{{Name: "gpus", Values: []string{"2", "4", "8"}, Base: 2}},
		Constraints: []plan.Constraint{{Metric: plan.BlockedStartShare, Stat: plan.StatMean, Max: 0.2, HasMax: true}},
		Objectives:  []plan.Objective{{Metric: plan.OwnerCostUSDMonth, Stat: plan.StatP95}},
	}
	p, err := plan.New(sp, plan.Options{Replicas: 2})
	require.NoError(t, err)
	res, err := p.Run(func(jobs []plan.Job, record func(int, *plan.Values)) error {
		for j, job := range jobs {
			gpus := []float64{2, 4, 8}[p.Points[job.Point][0]]
			var v plan.Values
			v[plan.OwnerCostUSDMonth] = 100 * gpus
			v[plan.BlockedStartShare] = 0.6 / gpus
			record(j, &v)
		}
		return nil
	})
	require.NoError(t, err)
	return &Plan{Meta: Meta{Scenario: "s", Version: "test"}, SpaceFile: "space.yaml", Seed: 1, Result: res}
}

// The reports for people name the metrics in words with their units, show
// a share's bound as a percentage and a monthly cost's change per month;
// the JSON keeps the space file's keys and numbers.
func TestPlanWordsForPeople(t *testing.T) {
	r := testPlan(t)
	require.Equal(t, 2, r.Recommended, "4 GPUs")
	const con = "blocked Starts (% of Starts) ≤ 20%"
	rec := r.Recommendation()
	assert.Equal(t, "Point #2. Set gpus to 4 (was 8). Against the scenario as written: owner cost ($/month), p95 $800.00 → $400.00 (-$400.00/month); blocked Starts (% of Starts) 7.5% → 15.0%.", rec)
	for _, format := range []string{"text", "md", "html"} {
		var b strings.Builder
		require.NoError(t, r.Render(&b, format))
		out := b.String()
		assert.Contains(t, out, rec, format)
		assert.Contains(t, out, "Constraints: "+con+" rules out 1.", format)
		assert.Contains(t, out, "breaks "+con, format)
		assert.Contains(t, out, "minimize owner cost ($/month), p95", format)
		assert.NotContains(t, out, "≤ 0.2", format)
	}
	var b strings.Builder
	require.NoError(t, r.Render(&b, "json"))
	var out struct {
		Constraints []struct {
			Metric string  `json:"metric"`
			Max    float64 `json:"max"`
			Text   string  `json:"text"`
		} `json:"constraints"`
		Objectives []struct {
			Metric, Goal string
		} `json:"objectives"`
		Recommendation string `json:"recommendation"`
	}
	require.NoError(t, json.Unmarshal([]byte(b.String()), &out))
	assert.Equal(t, "blocked_start_share", out.Constraints[0].Metric)
	assert.Equal(t, 0.2, out.Constraints[0].Max)
	assert.Equal(t, "blocked_start_share ≤ 0.2", out.Constraints[0].Text)
	assert.Equal(t, "minimize", out.Objectives[0].Goal)
	assert.Equal(t, rec, out.Recommendation)
}

func TestBoundText(t *testing.T) {
	for _, tc := range []struct {
		m    plan.Metric
		v    float64
		want string
	}{
		{plan.BlockedStartShare, 0.07, "7%"}, // not 7.000000000000001%
		{plan.BlockedStartShare, 0.125, "12.5%"},
		{plan.BlockedCallShare, 0.0005, "0.05%"},
		{plan.OwnerCostUSDMonth, 2500, "$2,500"},
		{plan.OwnerCostUSD, 0.5, "$0.50"},
		{plan.OwnerCostUSD, 1234.567, "$1,234.567"},
		{plan.OtherAccountsCostUSDMonth, -3, "-$3"},
		{plan.WaitP95S, 600, "600s"},
		{plan.BlockedCalls, 10000, "10,000"},
		{plan.FindingsError, 0, "0"},
	} {
		assert.Equal(t, tc.want, boundText(tc.m, tc.v), "%s %v", tc.m, tc.v)
	}
}
