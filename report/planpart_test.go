package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/sim/plan"
)

// testPlanParts are the k part files of a small sharded plan.
func testPlanParts(t testing.TB, k int) (*plan.Plan, [][]byte) {
	sp := &plan.Space{
		Axes:        []plan.Axis{{Name: "gpus", Values: []string{"2", "4", "8"}, Base: 1}},
		Constraints: []plan.Constraint{{Metric: plan.BlockedStartShare, Stat: plan.StatMean, Max: 0.2, HasMax: true}},
		Objectives:  []plan.Objective{{Metric: plan.OwnerCostUSDMonth, Stat: plan.StatP95}},
	}
	p, err := plan.New(sp, plan.Options{Replicas: 4, Budget: 10, Seed: 3})
	require.NoError(t, err)
	all := p.AllJobs()
	var out [][]byte
	for i := range k {
		lo, hi := ShardRange(len(all), i, k)
		part := &PlanPart{Meta: Meta{Scenario: "s", ScenarioSHA256: "ab", Version: "test"}, SpaceFile: "space.yaml",
			SpaceSHA256: "cd", Seed: 3, Space: sp, Options: p.Options, Points: len(p.Points), Shard: i, Shards: k}
		for _, job := range all[lo:hi] {
			var v plan.Values
			gpus := float64(p.Points[job.Point][0] + 1)
			v[plan.OwnerCostUSDMonth] = 100*gpus + float64(job.Replica)
			v[plan.BlockedStartShare] = 0.3 / gpus
			v[plan.BlockedStarts] = float64(job.Replica)
			part.Values = append(part.Values, v)
		}
		var b bytes.Buffer
		require.NoError(t, WritePlanPart(&b, part))
		out = append(out, b.Bytes())
	}
	return p, out
}

func TestPlanPartsMerge(t *testing.T) {
	p, data := testPlanParts(t, 3)
	files := []string{"a.json", "b.json", "c.json"}
	parts := make([]*PlanPart, 3)
	for j := range data {
		var err error
		parts[j], err = ReadPlanPart(files[j], data[j])
		require.NoError(t, err)
	}
	values, err := MergePlanParts(files, data, parts)
	require.NoError(t, err)
	assert.Len(t, values, len(p.Points)*4)
	assert.Equal(t, 3.0, values[3][plan.BlockedStarts], "point 0, replica 3")

	_, err = MergePlanParts(files[:2], data[:2], parts[:2])
	assert.EqualError(t, err, "merge: shard 2 of 3 is missing")
	_, err = MergePlanParts([]string{"a.json", "a2.json", "c.json"}, [][]byte{data[0], data[0], data[2]}, []*PlanPart{parts[0], parts[0], parts[2]})
	assert.ErrorContains(t, err, "a2.json:")
	assert.ErrorContains(t, err, "shard 0 of 3 again (also in a.json)")

	edited := strings.Replace(string(data[1]), `"blocked_start_share": 0.3`, `"blocked_start_share": 1.5`, 1)
	require.NotEqual(t, string(data[1]), edited)
	_, err = ReadPlanPart("b.json", []byte(edited))
	assert.ErrorContains(t, err, "blocked_start_share is 1.5: a share is at most 1")
	edited = strings.Replace(string(data[1]), `"blocked_starts": 1`, `"blocked_starts": 0.5`, 1)
	_, err = ReadPlanPart("b.json", []byte(edited))
	assert.ErrorContains(t, err, "a count must be an integer")
}

func FuzzReadPlanPart(f *testing.F) {
	_, data := testPlanParts(f, 2)
	for _, d := range data {
		f.Add(d)
	}
	f.Add([]byte(`{"format": "pipeshare-plan-part", "version": 1, "replicas": 1, "budget": 1, "points": 1, "shards": 1, "objectives": [{"metric": "owner_cost_usd", "stat": "mean", "goal": "minimize"}], "values": [{}]}`))
	fuzzPartRoundTrip(f, ReadPlanPart, WritePlanPart)
}
