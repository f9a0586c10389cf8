package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
)

func TestParsePolicy(t *testing.T) {
	for in, want := range map[string]Policy{
		"cost-increase=10%":    {Kind: PolicyCostIncrease, Limit: 10, Percent: true},
		"cost-increase=250":    {Kind: PolicyCostIncrease, Limit: 250},
		"cost-increase=$12.5":  {Kind: PolicyCostIncrease, Limit: 12.5},
		"cost-increase=0":      {Kind: PolicyCostIncrease},
		"new-access":           {Kind: PolicyNewAccess},
		"new-external":         {Kind: PolicyNewExternal},
		"severity=warning":     {Kind: PolicySeverity, Severity: SeverityWarning},
		"severity=error":       {Kind: PolicySeverity, Severity: SeverityError},
		"cost-increase=0.5%":   {Kind: PolicyCostIncrease, Limit: 0.5, Percent: true},
		"cost-increase=1e3":    {Kind: PolicyCostIncrease, Limit: 1000},
		"cost-increase=100.0%": {Kind: PolicyCostIncrease, Limit: 100, Percent: true},
	} {
		p, err := ParsePolicy(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, p, in)
	}
	assert.Equal(t, "cost-increase=12.5", Policy{Kind: PolicyCostIncrease, Limit: 12.5}.String())
	assert.Equal(t, "cost-increase=10%", Policy{Kind: PolicyCostIncrease, Limit: 10, Percent: true}.String())
	assert.Equal(t, "severity=note", Policy{Kind: PolicySeverity, Severity: SeverityNote}.String())
	for _, in := range []string{"", "cost-increase", "cost-increase=", "cost-increase=x", "cost-increase=-1",
		"cost-increase=NaN", "cost-increase=Inf%", "cost-increase=10%%", "new-access=1", "new-external=", "severity",
		"severity=high", "Severity=error", "fail"} {
		_, err := ParsePolicy(in)
		assert.Error(t, err, in)
	}
}

func TestCostPolicy(t *testing.T) {
	pct := Policy{Kind: PolicyCostIncrease, Limit: 10, Percent: true}
	usd := Policy{Kind: PolicyCostIncrease, Limit: 250}
	assert.False(t, costPolicy(pct, 1000, 1100).Failed, "exactly 10 % is within")
	assert.True(t, costPolicy(pct, 1000, 1100.01).Failed)
	assert.False(t, costPolicy(pct, 1000, 500).Failed, "a saving never fails")
	assert.True(t, costPolicy(pct, 0, 0.01).Failed, "any increase over nothing")
	assert.False(t, costPolicy(pct, 0, 0).Failed)
	assert.False(t, costPolicy(usd, 1000, 1250).Failed)
	r := costPolicy(usd, 1000, 1250.01)
	assert.True(t, r.Failed)
	assert.Equal(t, "cost-increase=250 FAILS: the owner's cost goes from $1,000.00 to $1,250.01 (+$250.01, +25.0%), above $250.00",
		r.String())
}

func TestGained(t *testing.T) {
	g := func(p, arn string, as ...model.Action) grant {
		var set model.ActionSet
		for _, a := range as {
			set = set.With(a)
		}
		return grant{principal: p, pipeline: "pipe-" + arn, arn: arn, actions: set}
	}
	a := []grant{g("1/root", "x", model.DescribePipeline), g("2/root", "x", model.DescribePipeline, model.StartPipelineExecution)}
	b := []grant{
		g("1/root", "x", model.DescribePipeline, model.StartPipelineExecution), // gains Start
		g("1/root", "y", model.DescribePipeline),                               // a new pipeline
		g("2/root", "x", model.DescribePipeline),                               // loses Start: no gain
		g("3/root", "x", model.DescribePipeline),                               // a new principal
	}
	got := gained(a, b)
	assert.Equal(t, []grant{g("1/root", "x", model.StartPipelineExecution), g("1/root", "y", model.DescribePipeline),
		g("3/root", "x", model.DescribePipeline)}, got)
	assert.Equal(t, "2 principals gain 3 actions: 1/root gains StartPipelineExecution on pipe-x; 1/root gains DescribePipeline on pipe-y; "+
		"3/root gains DescribePipeline on pipe-x", gainsText(got))
	assert.Empty(t, gained(b, b))
}

func TestSeverityPolicy(t *testing.T) {
	fs := []Finding{
		{Rule: "PS001", Severity: SeverityWarning, Subject: "s → 1"},
		{Rule: "PS002", Severity: SeverityError, Subject: "s → 1", Waived: true},
		{Rule: "PS005", Severity: SeverityNote, Subject: "s → 2"},
	}
	p := Policy{Kind: PolicySeverity, Severity: SeverityError}
	assert.Equal(t, "severity=error passes: no finding at or above error", severityPolicy(p, fs, "").String(), "waived findings do not count")
	p.Severity = SeverityNote
	assert.Equal(t, "severity=note FAILS: 2 findings at or above note: PS001 s → 1 and PS005 s → 2", severityPolicy(p, fs, "").String())

	r := &CheckReport{Findings: fs}
	rs, err := r.ApplyPolicies([]Policy{{Kind: PolicySeverity, Severity: SeverityWarning}}, nil)
	require.NoError(t, err)
	assert.Len(t, Failures(rs), 1)
	assert.Equal(t, rs, r.Policies)
	assert.Nil(t, r.Baseline)
	_, err = r.ApplyPolicies([]Policy{{Kind: PolicyNewAccess}}, nil)
	assert.EqualError(t, err, "new-access compares two runs: give a baseline to compare with, or use pipeshare diff")
}

// TestCheckPoliciesAgainstBaseline: with a baseline, check's cost-increase
// is diff's, verdict and reason, while severity=LEVEL stays check's (any
// finding of this run, not only those the baseline lacks); the title names
// the baseline.
func TestCheckPoliciesAgainstBaseline(t *testing.T) {
	base, run := diffFixture() // the run costs the owner less than its baseline
	run.Findings = []Finding{{Rule: "PS001", Severity: SeverityWarning, Subject: "s → 1"}}
	base.Findings = run.Findings
	d := CompareSummaries(base, run)
	ps := []Policy{{Kind: PolicyCostIncrease}, {Kind: PolicySeverity, Severity: SeverityWarning}}
	r := &CheckReport{Findings: run.Findings}
	rs, err := r.ApplyPolicies(ps, d)
	require.NoError(t, err)
	assert.Equal(t, d.ApplyPolicies(ps[:1]), rs[:1], "cost-increase as diff decides it")
	assert.False(t, rs[0].Failed)
	assert.True(t, rs[1].Failed, "a finding the baseline has too still fails check's severity policy")
	assert.False(t, d.ApplyPolicies(ps[1:])[0].Failed, "where diff's counts only new ones")
	assert.Equal(t, &base.Meta, r.Baseline)

	rs, err = (&CheckReport{}).ApplyPolicies(ps[:1], CompareSummaries(run, base))
	require.NoError(t, err)
	assert.True(t, rs[0].Failed, "the baseline's cost up to this run's")
	var b strings.Builder
	writePoliciesText(&errWriter{w: &b}, rs, &run.Meta)
	assert.Equal(t, "--fail-on against b (sha256 "+shortHash(run.ScenarioSHA256)+"): 1 of 1 policy failed\n  "+rs[0].String()+"\n\n", b.String())
}
