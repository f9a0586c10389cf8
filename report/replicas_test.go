package report

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
)

func TestNewReplicaStat(t *testing.T) {
	s := NewReplicaStat([]float64{5, 1, 4, 2, 3}) // unsorted on purpose
	assert.Equal(t, 3.0, s.Mean)
	assert.Equal(t, 3.0, s.P50)
	assert.Equal(t, 1.0, s.P5)
	assert.Equal(t, 5.0, s.P95)
	require.True(t, s.HasCI)
	// mean ± t(0.975, 4) · s/√5 with s = √2.5 and t = 2.7764451051977987.
	half := 2.7764451051977987 * math.Sqrt(2.5) / math.Sqrt(5)
	assert.InDelta(t, 3-half, s.CILow, 1e-9)
	assert.InDelta(t, 3+half, s.CIHigh, 1e-9)

	// Percentiles are order statistics: the lowest value with at least a
	// fraction p of the values at or below it.
	s = NewReplicaStat([]float64{0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180, 190})
	assert.Equal(t, 0.0, s.P5)
	assert.Equal(t, 90.0, s.P50)
	assert.Equal(t, 180.0, s.P95)
	assert.InDelta(t, 95, s.Mean, 1e-12)

	one := NewReplicaStat([]float64{7})
	assert.False(t, one.HasCI)
	assert.Equal(t, ReplicaStat{Mean: 7, P5: 7, P50: 7, P95: 7}, one)

	same := NewReplicaStat([]float64{2, 2, 2})
	assert.True(t, same.HasCI)
	assert.InDelta(t, 2, same.CILow, 1e-12)
	assert.InDelta(t, 2, same.CIHigh, 1e-12)

	assert.Panics(t, func() { NewReplicaStat(nil) })
}

// replicaSummary is a hand-made summary whose counts scale with k.
func replicaSummary(k int64, withTeam bool) *Summary {
	s := &Summary{Meta: Meta{Scenario: "fixture", ScenarioSHA256: "abcdef0123456789", Version: "test"},
		Seed: uint64(k), Duration: 10 * hour}
	s.Calls.ByReason[model.ReasonShared] = 10 * k
	s.Calls.ByReason[model.ReasonSCP] = k
	s.Calls.Total, s.Calls.Allowed, s.Calls.Denied = 11*k, 10*k, k
	s.Executions.Started = 3 * k
	s.Steps.Granted, s.Steps.MeanWait = 2*k, float64(k)*1e9
	own := InitiatorCost{Payer: ownerAcct, Account: ownerAcct, Principal: "root", Pipeline: "p", Own: true,
		InstanceType: "ml.m5.xlarge", Amount: Amount{USD: float64(k)}}
	s.Cost.ByInitiator = []InitiatorCost{own}
	s.Cost.ByPipeline = []PipelineCost{{Pipeline: "p", Owner: ownerAcct, Amount: Amount{USD: float64(k)}}}
	s.Cost.USD = float64(k)
	if withTeam {
		team := InitiatorCost{Payer: ownerAcct, Account: resAcct, Principal: "role/<x>", Pipeline: "p",
			Share: "s", InstanceType: "ml.g5.xlarge", Amount: Amount{USD: 100}}
		s.Cost.ByInitiator = append(s.Cost.ByInitiator, team)
		s.Cost.ByPipeline[0].USD += 100
		s.Cost.USD += 100
	}
	return s
}

func TestSummarizeReplicas(t *testing.T) {
	samples := replicaSamples(replicaSummary(1, false), replicaSummary(2, true), replicaSummary(3, false))
	for i, seed := range []uint64{9, 8, 7} {
		samples[i].Seed = seed
	}
	r := SummarizeReplicas(replicaSummary(1, false).Meta, samples)
	assert.Equal(t, 3, r.N())
	assert.Equal(t, "fixture", r.Scenario)
	assert.Equal(t, 22.0, r.Calls[0].Mean) // total: 11, 22, 33
	assert.Equal(t, "total", r.Calls[0].Name)
	var scp ReplicaMetric
	for _, m := range r.ByReason {
		if m.Name == "scp" {
			scp = m
		}
	}
	assert.Equal(t, 2.0, scp.Mean)
	assert.Len(t, r.ByReason, int(model.NumReasons)-1)
	assert.Equal(t, 6.0, r.Executions[0].Mean)
	assert.Equal(t, "mean_wait_s", r.Steps[3].Name)
	assert.Equal(t, 2.0, r.Steps[3].Mean)
	assert.InDelta(t, 2+100.0/3, r.CostTotal.Mean, 1e-9)
	// The team row exists in one replica only: 0 in the others.
	require.Len(t, r.ByInitiator, 2)
	assert.True(t, r.ByInitiator[0].Key.Own, "the owner's own row sorts first")
	assert.Equal(t, model.AccountID(resAcct), r.ByInitiator[1].Key.Account)
	assert.InDelta(t, 100.0/3, r.ByInitiator[1].USD.Mean, 1e-9)
	assert.Equal(t, 0.0, r.ByInitiator[1].USD.P50)
	assert.Zero(t, r.ByInitiator[1].Key.USD, "keys carry no amount")
	require.Len(t, r.ByPipeline, 1)
	assert.InDelta(t, r.CostTotal.Mean, r.ByPipeline[0].USD.Mean, 1e-9)

	var text, js bytes.Buffer
	require.NoError(t, r.Render(&text, "text"))
	require.NoError(t, r.Render(&js, "json"))
	golden(t, "replicas.txt", text.Bytes())
	golden(t, "replicas.json", js.Bytes())
	assert.Contains(t, js.String(), `"seeds": [
      9,
      8,
      7
    ]`)
	assert.Contains(t, text.String(), "role/<x>")
	assert.NotContains(t, text.String(), "reason not_found", "reasons nobody got are left out of the text")
	assert.Contains(t, text.String(), "reason scp")

	// One replica: no interval, written n/a and null.
	r = SummarizeReplicas(r.Meta, samples[:1])
	text.Reset()
	js.Reset()
	require.NoError(t, r.Render(&text, "text"))
	require.NoError(t, r.Render(&js, "json"))
	assert.Contains(t, text.String(), "n/a")
	assert.NotContains(t, text.String(), "NaN")
	assert.Equal(t, strings.Count(js.String(), `"mean"`), strings.Count(js.String(), `"ci_low": null`))

	assert.Panics(t, func() { SummarizeReplicas(r.Meta, nil) })
	assert.Panics(t, func() { SummarizeReplicas(r.Meta, samples[1:]) }, "sample 0 must be replica 0")
}

// replicaSamples makes summary i replica i's sample.
func replicaSamples(sums ...*Summary) []ReplicaSample {
	out := make([]ReplicaSample, len(sums))
	for i, s := range sums {
		out[i] = NewReplicaSample(i, s)
	}
	return out
}
