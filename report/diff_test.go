package report

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
)

func diffCaller(acct model.AccountID, name, principal string, counts map[model.Action]map[model.Reason]int64) Caller {
	c := Caller{Account: acct, AccountName: name, Principal: principal}
	for a, rs := range counts {
		for r, n := range rs {
			c.Calls.ByAction[a][r] += n
			c.Calls.ByReason[r] += n
		}
	}
	c.Calls.Total = c.Calls.ByReason.Total()
	c.Calls.Allowed = c.Calls.ByReason.Allowed()
	c.Calls.Failed = c.Calls.ByReason.Failed()
	c.Calls.Denied = c.Calls.ByReason.Denied()
	return c
}

func diffSummary(name string, callers []Caller, cost []InitiatorCost) *Summary {
	s := &Summary{Meta: Meta{Scenario: name, ScenarioSHA256: strings.Repeat("ab", 32), Version: "test"},
		Seed: 1, Duration: 24 * hour, Callers: callers}
	for _, c := range callers {
		for a := range model.Action(model.NumActions) {
			s.Calls.ByAction[a].add(&c.Calls.ByAction[a])
		}
		s.Calls.ByReason.add(&c.Calls.ByReason)
	}
	s.Calls.Total = s.Calls.ByReason.Total()
	s.Calls.Allowed = s.Calls.ByReason.Allowed()
	s.Calls.Failed = s.Calls.ByReason.Failed()
	s.Calls.Denied = s.Calls.ByReason.Denied()
	s.Cost.ByInitiator = cost
	for _, ic := range cost {
		s.Cost.add(&ic.Amount)
	}
	return s
}

const (
	start    = model.StartPipelineExecution
	describe = model.DescribePipeline
)

func diffFixture() (a, b *Summary) {
	own := InitiatorCost{Payer: ownerAcct, Account: ownerAcct, Principal: "root", Pipeline: "p", Own: true,
		InstanceType: "ml.m5.xlarge", Amount: Amount{USD: 1.5, InstanceNs: 3600e9}}
	team := InitiatorCost{Payer: ownerAcct, Account: resAcct, AccountName: "research", Principal: "role/DS",
		Pipeline: "p", Share: "s|1", InstanceType: "ml.g5.xlarge", Amount: Amount{USD: 2.816, InstanceNs: 7200e9}}
	a = diffSummary("a", []Caller{
		diffCaller(ownerAcct, "owner", "root", map[model.Action]map[model.Reason]int64{start: {model.ReasonOwner: 4}}),
		diffCaller(resAcct, "research", "role/DS", map[model.Action]map[model.Reason]int64{
			start: {model.ReasonShared: 5}, describe: {model.ReasonShared: 7}}),
	}, []InitiatorCost{own, team})
	b = diffSummary("b", []Caller{
		diffCaller(ownerAcct, "owner", "root", map[model.Action]map[model.Reason]int64{start: {model.ReasonOwner: 4}}),
		diffCaller(resAcct, "research", "role/DS", map[model.Action]map[model.Reason]int64{
			start: {model.ReasonActionNotPermitted: 5}, describe: {model.ReasonShared: 7}}),
		diffCaller(partner, "", "root", map[model.Action]map[model.Reason]int64{describe: {model.ReasonNotShared: 2}}),
	}, []InitiatorCost{own})
	a.Executions.Started, b.Executions.Started = 9, 4
	return a, b
}

func TestCompareSummariesIdentical(t *testing.T) {
	a, _ := diffFixture()
	d := CompareSummaries(a, a)
	assert.True(t, d.Identical())
	assert.Empty(t, d.Decisions)
	assert.Empty(t, d.Cost)
	var buf bytes.Buffer
	require.NoError(t, d.Render(&buf, "text"))
	assert.Contains(t, buf.String(), "result     identical\n")
	assert.Equal(t, 1, strings.Count(buf.String(), "(no differences)"), "the decisions say (no differences)")
	assert.Contains(t, buf.String(), "$4.32  $4.32  $0.00\n")
}

func TestCompareSummaries(t *testing.T) {
	a, b := diffFixture()
	d := CompareSummaries(a, b)
	assert.False(t, d.Identical())
	assert.Equal(t, []DecisionDelta{
		{Account: resAcct, AccountName: "research", Principal: "role/DS", Action: start, Reason: model.ReasonShared, A: 5, B: 0},
		{Account: resAcct, AccountName: "research", Principal: "role/DS", Action: start, Reason: model.ReasonActionNotPermitted, A: 0, B: 5},
		{Account: partner, Principal: "root", Action: describe, Reason: model.ReasonNotShared, A: 0, B: 2},
	}, d.Decisions)
	assert.True(t, slices.IsSortedFunc(d.Decisions, func(x, y DecisionDelta) int {
		return cmp.Or(strings.Compare(string(x.Account), string(y.Account)), strings.Compare(x.Principal, y.Principal),
			strings.Compare(x.Action.Name(), y.Action.Name()), cmp.Compare(x.Reason, y.Reason))
	}))
	assert.Contains(t, d.Calls, CountDelta{"total", 16, 18})
	assert.Contains(t, d.Calls, CountDelta{"denied", 0, 7})
	assert.Contains(t, d.Calls, CountDelta{"not_shared", 0, 2})
	assert.NotContains(t, d.Calls, CountDelta{"scp", 0, 0}, "reasons nobody got are left out")
	assert.Contains(t, d.Executions, CountDelta{"started", 9, 4})
	require.Len(t, d.Cost, 1, "only the row that differs")
	assert.Equal(t, model.AccountID(resAcct), d.Cost[0].Key.Account)
	assert.Equal(t, 2.816, d.Cost[0].A.USD)
	assert.Zero(t, d.Cost[0].B.USD)
	assert.InDelta(t, -2.816, d.TotalB.USD-d.TotalA.USD, 1e-12)

	for _, f := range []struct {
		name  string
		write func(*bytes.Buffer, *Diff) error
	}{
		{"diff.txt", func(b *bytes.Buffer, d *Diff) error { return d.Render(b, "text") }},
		{"diff.json", func(b *bytes.Buffer, d *Diff) error { return d.Render(b, "json") }},
		{"diff.md", func(b *bytes.Buffer, d *Diff) error { return d.Render(b, "md") }},
	} {
		var buf bytes.Buffer
		require.NoError(t, f.write(&buf, d))
		golden(t, f.name, buf.Bytes())
	}
	var md bytes.Buffer
	require.NoError(t, d.Render(&md, "md"))
	assert.Contains(t, md.String(), `s\|1`, "user strings are escaped in Markdown")
}

// A cost change with the same instance time (a price change) is a
// difference; a sub-cent float wobble below the printed precision is not.
func TestCompareCostPrecision(t *testing.T) {
	a, _ := diffFixture()
	b, _ := diffFixture()
	b.Cost.ByInitiator[1].USD *= 2
	b.Cost.USD += 2.816
	d := CompareSummaries(a, b)
	assert.False(t, d.Identical())
	require.Len(t, d.Cost, 1)

	c, _ := diffFixture()
	c.Cost.ByInitiator[1].USD += 1e-9
	c.Cost.USD += 1e-9
	assert.True(t, CompareSummaries(a, c).Identical())
}

func TestMarkdownEscape(t *testing.T) {
	assert.Equal(t, `a\|b &lt;i&gt; \*x\* a&amp;b`, mdEscape("a|b <i> *x* a&b"))
	assert.Equal(t, "two lines", mdEscape("two\nlines"))
}
