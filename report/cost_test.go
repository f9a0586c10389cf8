package report

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
)

func TestSummarizeExecutionsSteps(t *testing.T) {
	w := fixtureWorld(t)
	r := fixtureResult(t, w)
	s := Summarize(r, fixtureMeta())

	assert.Equal(t, Executions{Started: 268, Succeeded: 201, Failed: 30, Stopped: 5, TimedOut: 2,
		FailedAtEnd: 30, WaitingAtEnd: 11, RunningAtEnd: 21}, s.Executions)

	st := s.Steps
	assert.EqualValues(t, 6, st.Granted)
	assert.EqualValues(t, 5, st.Completed)
	assert.EqualValues(t, 6, st.ResourceLimit)
	assert.EqualValues(t, 2, st.NeverStartable)
	assert.Equal(t, float64(3*time.Minute), st.MeanWait, "(0+0+30s+90s+4m+12m)/6")
	// p95 of 6 waits is the largest, 12m, reported as its bucket's upper bound.
	assert.GreaterOrEqual(t, st.P95Wait, float64(12*time.Minute))
	assert.Less(t, st.P95Wait, 1.19*float64(12*time.Minute))
	assert.Equal(t, r.Steps.Waits.Quantile(0.95), st.P95Wait)
}

func TestSummarizeCost(t *testing.T) {
	w := fixtureWorld(t)
	r := fixtureResult(t, w)
	c := Summarize(r, fixtureMeta()).Cost

	// Sorted by payer, account, principal, pipeline, share (owner first),
	// instance type.
	var keys []string
	for _, ic := range c.ByInitiator {
		share := ic.Share
		if ic.Own {
			share = "(own)"
		}
		keys = append(keys, string(ic.Account)+" "+ic.Principal+" "+ic.Pipeline+" "+share+" "+ic.InstanceType)
	}
	assert.Equal(t, []string{
		ownerAcct + " role/PipelineAdmin churn-training (own) ml.g5.xlarge",
		ownerAcct + " role/PipelineAdmin eval (own) ml.m5.xlarge",
		resAcct + " role/DataScientist churn-training churn-to-research ml.g5.xlarge",
		resAcct + " role/DataScientist churn-training churn-to-research ml.m5.xlarge",
		resAcct + " role/Scoped churn-training churn-to-research ml.m5.xlarge",
		partner + " role/Partner churn-training churn-to-research ml.g5.xlarge",
	}, keys)
	for _, ic := range c.ByInitiator {
		assert.Equal(t, model.AccountID(ownerAcct), ic.Payer)
		assert.Equal(t, ic.Account == ownerAcct, ic.Own, "only the admin's rows are the owner's own")
		if ic.Own {
			assert.Empty(t, ic.Share)
		}
	}
	assert.Equal(t, "research", c.ByInitiator[2].AccountName)
	assert.Equal(t, "", c.ByInitiator[5].AccountName)

	// The total is the sum of the rows, exactly, in ByInitiator order; the
	// instance nanoseconds are exact integers everywhere.
	var usd, inFlight float64
	var ns, inFlightNs int64
	for _, ic := range c.ByInitiator {
		usd += ic.USD
		inFlight += ic.InFlightUSD
		ns += ic.InstanceNs
		inFlightNs += ic.InFlightNs
	}
	assert.Equal(t, c.USD, usd, "Σ by_initiator usd == total_usd")
	assert.Equal(t, c.InFlightUSD, inFlight)
	assert.Equal(t, c.InstanceNs, ns)
	assert.Equal(t, c.InFlightNs, inFlightNs)

	var want float64
	var wantNs int64
	for i := range r.Ledger {
		want += r.Ledger[i].USD()
		wantNs += r.Ledger[i].InstanceNs
	}
	assert.InEpsilon(t, want, c.USD, 1e-12)
	assert.Equal(t, wantNs, c.InstanceNs)
	h := float64(time.Hour)
	assert.InEpsilon(t, 18*priceG5+float64(9000123456789)/h*priceM5+(1.5*h+7)/h*priceG5+(4*h+333)/h*priceG5+
		float64(777777777777)/h*priceM5+float64(60000000001)/h*priceM5, c.USD, 1e-12)
	assert.InEpsilon(t, float64(1234567890123)/h*priceG5+priceG5/3, c.InFlightUSD, 1e-12)

	require.Len(t, c.ByPayer, 1)
	assert.Equal(t, model.AccountID(ownerAcct), c.ByPayer[0].Account)
	assert.Equal(t, "ml-platform", c.ByPayer[0].AccountName)
	assert.InEpsilon(t, c.USD, c.ByPayer[0].USD, 1e-12, "Σ by_payer usd == total_usd")
	assert.Equal(t, c.InstanceNs, c.ByPayer[0].InstanceNs)

	require.Len(t, c.ByPipeline, 2)
	assert.Equal(t, "churn-training", c.ByPipeline[0].Pipeline)
	assert.Equal(t, "eval", c.ByPipeline[1].Pipeline)
	assert.Equal(t, model.AccountID(ownerAcct), c.ByPipeline[1].Owner)
	assert.InEpsilon(t, c.USD, c.ByPipeline[0].USD+c.ByPipeline[1].USD, 1e-12, "Σ by_pipeline usd == total_usd")
	assert.Equal(t, c.InstanceNs, c.ByPipeline[0].InstanceNs+c.ByPipeline[1].InstanceNs)
	assert.InEpsilon(t, float64(777777777777)/h*priceM5, c.ByPipeline[1].USD, 1e-12)
	assert.Equal(t, c.InFlightNs, c.ByPipeline[0].InFlightNs, "only churn-training holds in flight")
}

func TestSummarizeCostOrderAndMerge(t *testing.T) {
	w := fixtureWorld(t)
	r := fixtureResult(t, w)
	s := Summarize(r, fixtureMeta())

	// The ledger's order does not matter: same summary, same bytes.
	rev := *r
	rev.Ledger = slices.Clone(r.Ledger)
	slices.Reverse(rev.Ledger)
	s2 := Summarize(&rev, fixtureMeta())
	assert.Equal(t, s.Cost, s2.Cost)
	assert.Equal(t, render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "json") }),
		render(t, func(b *bytes.Buffer) error { return RunView{Summary: s2}.Render(b, "json") }))

	// Rows with the same keys merge.
	split := *r
	split.Ledger = slices.Clone(r.Ledger)
	half := split.Ledger[0]
	half.InstanceNs /= 2
	split.Ledger[0].InstanceNs -= half.InstanceNs
	split.Ledger = append(split.Ledger, half)
	s3 := Summarize(&split, fixtureMeta())
	require.Len(t, s3.Cost.ByInitiator, len(s.Cost.ByInitiator))
	for i := range s.Cost.ByInitiator {
		assert.Equal(t, s.Cost.ByInitiator[i].InstanceNs, s3.Cost.ByInitiator[i].InstanceNs)
		assert.InEpsilon(t, s.Cost.ByInitiator[i].USD, s3.Cost.ByInitiator[i].USD, 1e-12)
	}
	assert.Equal(t, s.Cost.InstanceNs, s3.Cost.InstanceNs)
}

// fixedDecimals matches a money or seconds key and its value.
var fixedDecimals = regexp.MustCompile(`"(\w*usd|\w*_s|instance_seconds)": (-?[0-9.]+)`)

func TestRunJSONExecutionsStepsCost(t *testing.T) {
	w := fixtureWorld(t)
	s := Summarize(fixtureResult(t, w), fixtureMeta())
	got := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "json") })

	var doc map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(got, &doc))
	assert.Equal(t, []string{"started", "succeeded", "failed", "stopped", "retried", "timed_out",
		"failed_at_end", "in_flight_at_end"}, topKeys(t, doc["executions"]))
	assert.Equal(t, []string{"granted", "completed", "mean_wait_s", "p95_wait_s",
		"resource_limit", "never_startable", "waits_by_initiator"}, topKeys(t, doc["steps"]))
	assert.Equal(t, []string{"total_usd", "in_flight_usd", "instance_seconds",
		"by_payer", "by_pipeline", "by_initiator"}, topKeys(t, doc["cost"]))

	var cost struct {
		TotalUSD        float64           `json:"total_usd"`
		InFlightUSD     float64           `json:"in_flight_usd"`
		InstanceSeconds float64           `json:"instance_seconds"`
		ByPayer         []json.RawMessage `json:"by_payer"`
		ByPipeline      []json.RawMessage `json:"by_pipeline"`
		ByInitiator     []json.RawMessage `json:"by_initiator"`
	}
	require.NoError(t, json.Unmarshal(doc["cost"], &cost))
	require.Len(t, cost.ByInitiator, 6)
	var sum float64
	for i, raw := range cost.ByInitiator {
		assert.Equal(t, []string{"payer", "account", "principal", "pipeline", "share", "instance_type",
			"usd", "instance_seconds"}, topKeys(t, raw), "by_initiator[%d] keys", i)
		var row struct {
			Account string
			Share   *string
			USD     float64 `json:"usd"`
		}
		require.NoError(t, json.Unmarshal(raw, &row))
		sum += row.USD
		if row.Account == ownerAcct {
			assert.Nil(t, row.Share, "share is null for the owner's own calls")
			assert.Contains(t, string(raw), `"share": null`)
		} else if assert.NotNil(t, row.Share) {
			assert.Equal(t, "churn-to-research", *row.Share)
		}
	}
	// Printed values are rounded to 4 decimals: their sum is within half a
	// unit per row of the printed total.
	assert.InDelta(t, cost.TotalUSD, sum, 0.00005*float64(len(cost.ByInitiator)+1))
	assert.InDelta(t, s.Cost.USD, cost.TotalUSD, 0.00005)
	assert.InDelta(t, s.Cost.InstanceSeconds(), cost.InstanceSeconds, 0.0005)
	require.Len(t, cost.ByPayer, 1)
	assert.Equal(t, []string{"account", "usd", "instance_seconds"}, topKeys(t, cost.ByPayer[0]))
	require.Len(t, cost.ByPipeline, 2)
	assert.Equal(t, []string{"pipeline", "usd", "owner", "instance_seconds"}, topKeys(t, cost.ByPipeline[0]))
	var ex struct {
		InFlightAtEnd json.RawMessage `json:"in_flight_at_end"`
	}
	require.NoError(t, json.Unmarshal(doc["executions"], &ex))
	assert.Equal(t, []string{"waiting", "running"}, topKeys(t, ex.InFlightAtEnd))

	// Money has exactly 4 decimals, seconds exactly 3, everywhere.
	ms := fixedDecimals.FindAllSubmatch(got, -1)
	require.NotEmpty(t, ms)
	money := regexp.MustCompile(`^-?\d+\.\d{4}$`)
	secs := regexp.MustCompile(`^-?\d+\.\d{3}$`)
	for _, m := range ms {
		key, val := string(m[1]), string(m[2])
		switch {
		case key == "duration_s":
			// written by encoding/json since schema 1
		case key == "usd" || key == "total_usd" || key == "in_flight_usd":
			assert.Regexp(t, money, val, key)
		default:
			assert.Regexp(t, secs, val, key)
		}
	}
}

func TestFixedJSON(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		prec int
		want string
	}{
		{0, 4, "0.0000"},
		{math.Copysign(0, -1), 4, "0.0000"},
		{-0.00001, 4, "0.0000"},
		{-0.0001, 4, "-0.0001"},
		{1.23456, 4, "1.2346"},
		{25.344, 4, "25.3440"},
		{1e9 + 0.5, 3, "1000000000.500"},
		{64800, 3, "64800.000"},
	} {
		b, err := fixedJSON(tc.v, tc.prec)
		require.NoError(t, err)
		assert.Equal(t, tc.want, string(b), "%v", tc.v)
	}
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		_, err := fixedJSON(v, 4)
		assert.Error(t, err, "%v", v)
	}

	// A price that is not a number is an error, not invalid JSON.
	w := fixtureWorld(t)
	r := fixtureResult(t, w)
	r.Ledger[0].USDPerHour = math.NaN()
	assert.Error(t, RunView{Summary: Summarize(r, fixtureMeta())}.Render(&bytes.Buffer{}, "json"))
}

func TestHumanDuration(t *testing.T) {
	for _, tc := range []struct {
		ns   float64
		want string
	}{
		{0, "0s"},
		{0.4, "0s"},
		{999, "999ns"},
		{1234.4, "1.23µs"},
		{1.5e6, "1.5ms"},
		{1234567890, "1.23s"},
		{30e9, "30s"},
		{59.96e9, "1m0s"},
		{float64(4*time.Minute + 16*time.Second + 400*time.Millisecond), "4m16s"},
		{float64(26*time.Hour + 30*time.Second), "26h0m30s"},
		{math.Exp2(40.25), "21m48s"},
	} {
		assert.Equal(t, tc.want, humanDuration(tc.ns), "%v ns", tc.ns)
	}
}
