package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pipeshare/pipeshare/model"
	"github.com/pipeshare/pipeshare/sim"
)

// seriesFixture is fixtureResult with activity over time: calls in every
// bucket, each ledger row's cost spread over buckets, grants and waits.
func seriesFixture(t *testing.T) *Summary {
	w := fixtureWorld(t)
	r := fixtureResult(t, w)
	r.Series.Bucket = r.Duration/sim.SeriesBuckets + 1
	for i := range sim.SeriesBuckets {
		r.Series.Calls[i] = [3]int64{int64(5 + i%7), int64(i % 3), int64(i % 11 / 10)}
	}
	for i := range r.Ledger {
		row := &r.Ledger[i]
		row.Buckets = make([]int64, sim.SeriesBuckets)
		// Spread the row evenly over the buckets from i*10 on.
		n := int64(sim.SeriesBuckets - i*10)
		for b := i * 10; b < sim.SeriesBuckets; b++ {
			row.Buckets[b] = row.InstanceNs / n
		}
		row.Buckets[sim.SeriesBuckets-1] += row.InstanceNs - row.InstanceNs/n*n
		row.Grants = int64(i + 1)
		row.WaitNs = int64(i) * int64(time.Minute)
	}
	return Summarize(r, fixtureMeta())
}

func TestSummarizeOverTime(t *testing.T) {
	s := seriesFixture(t)
	se := &s.Series
	require.Len(t, se.Calls, sim.SeriesBuckets)
	require.Len(t, se.Starts, sim.SeriesBuckets)
	assert.Equal(t, model.Time(0), se.Starts[0])
	assert.Equal(t, se.Bucket, se.Starts[1])

	// Cost groups: every initiator (4 < CostGroups) by name (by ID
	// without one), costliest first, and the series sum to the total.
	assert.Equal(t, []string{"research/role/DataScientist", "ml-platform/role/PipelineAdmin",
		partner + "/role/Partner", "research/role/Scoped"}, se.CostGroups)
	assert.False(t, se.CostOther)
	assert.False(t, se.CostByGroup)
	var sum float64
	for _, g := range se.Cost {
		for _, v := range g {
			sum += v
		}
	}
	assert.InDelta(t, s.Cost.USD, sum, 1e-9)

	// Waits by initiator, by account then principal.
	var got []string
	for _, iw := range s.Steps.ByInitiator {
		got = append(got, string(iw.Account)+"/"+iw.Principal)
	}
	assert.Equal(t, []string{ownerAcct + "/role/PipelineAdmin", resAcct + "/role/DataScientist",
		resAcct + "/role/Scoped", partner + "/role/Partner"}, got)
	assert.EqualValues(t, 4+5, s.Steps.ByInitiator[0].Grants)

	// The wait histogram keeps the zero bucket and the log buckets up to
	// the longest wait.
	var n int64
	for _, b := range s.Steps.WaitHist {
		n += b.Count
		if b.Hi > 0 {
			assert.InDelta(t, b.Hi, b.Lo*math.Pow(2, 0.25), b.Hi*1e-9)
		}
	}
	assert.EqualValues(t, 6, n)
	assert.Zero(t, s.Steps.WaitHist[0].Hi)
	assert.EqualValues(t, 2, s.Steps.WaitHist[0].Count)

	// The access matrix at the end, one row per principal and pipeline.
	assert.Nil(t, s.Access) // computed on first use
	access := slices.Collect(s.AccessRows(true))
	assert.Len(t, access, access[0].reasonCountRows(t, fixtureWorld(t)))

	// The heat map asks the world for the pipelines it draws only, and
	// draws what the whole matrix gives: the same cells from the rows.
	g := s.accessGrid()
	fromRows := *s
	fromRows.accessWorld, fromRows.Access = nil, access
	g2 := fromRows.accessGrid()
	assert.Equal(t, g2.cols, g.cols)
	assert.Equal(t, g2.sum, g.sum)
	assert.Equal(t, g2.n, g.n)
	assert.False(t, g.grouped)
	assert.Len(t, g.rows, fixtureWorld(t).NumPrincipals(), "a row per principal")
	assert.Contains(t, g.rows, "research/role/DataScientist")
	assert.Contains(t, g2.rows, resAcct+"/role/DataScientist")
	svg, g3, err := s.accessChart()
	require.NoError(t, err)
	assert.Equal(t, g, g3)
	assert.Contains(t, svg, `style="width:`)
}

func (AccessRow) reasonCountRows(t *testing.T, w *model.World) int {
	return w.NumPrincipals() * w.NumPipelines()
}

// manyWorld is the fixture with n more accounts, each with its root
// principal only, and a timeline event at hour 10. The accounts are in OU
// ou, or, when it ends in "-", each in its own OU (ou1, ou2, …).
func manyWorld(t *testing.T, n int, ou string) *model.World {
	c := fixtureConfig()
	for i := range n {
		id := fmt.Sprintf("3%011d", i+1)
		a := model.AccountConfig{ID: ref(id, 70), Name: fmt.Sprintf("team-%d", i+1), FullAccess: true, Pos: pos(70, 5),
			OU: ref(ou, 70)}
		if strings.HasSuffix(ou, "-") {
			a.OU = ref(fmt.Sprint(ou, i+1), 70)
			c.Org.Units = append(c.Org.Units, model.UnitConfig{Path: a.OU, FullAccess: true, Pos: pos(70, 5)})
		}
		c.Accounts = append(c.Accounts, a)
	}
	c.Events = []model.EventConfig{{At: 10 * hour, Kind: model.EventSetPermission, Share: ref("churn-to-research", 80),
		Permission: model.PermissionReadOnly, Pos: pos(80, 5)}}
	w, errs := model.NewWorld(c)
	require.Empty(t, errs)
	return w
}

// spreadCost gives each principal of w the same cost in bucket 3, plus
// extra[p] more, as its own ledger row.
func spreadCost(t *testing.T, w *model.World, extra map[model.PrincipalID]int64) *sim.Result {
	r := fixtureResult(t, w)
	var rows []sim.LedgerRow
	for p := range model.PrincipalID(w.NumPrincipals()) {
		row := r.Ledger[0]
		row.Initiator = p
		row.InstanceNs = int64(hour) + extra[p]
		row.Buckets = make([]int64, sim.SeriesBuckets)
		row.Buckets[3] = row.InstanceNs
		rows = append(rows, row)
	}
	r.Ledger = rows
	return r
}

func TestNamedGroups(t *testing.T) {
	gs := func(totals ...float64) []*costSeries {
		out := make([]*costSeries, len(totals))
		for i, v := range totals {
			out[i] = &costSeries{total: v}
		}
		return out
	}
	for _, c := range []struct {
		totals []float64
		n      int
		rest   float64
	}{
		{[]float64{5, 3}, 2, 0},                                     // all, when few
		{[]float64{50, 35, 5, 4, 3, 1, 1, 1}, 2, 0.15},              // the fewest leaving at most a fifth
		{[]float64{40, 20, 20, 5, 5, 5, 2, 2, 1}, 3, 0.20},          // exactly a fifth is fine
		{[]float64{10, 10, 10, 10, 10, 10, 10, 10, 10, 10}, 7, 0.3}, // CostGroups when none do
	} {
		var total float64
		for _, v := range c.totals {
			total += v
		}
		n, rest := namedGroups(gs(c.totals...), total)
		assert.Equal(t, c.n, n, "%v", c.totals)
		assert.InDelta(t, c.rest, rest, 1e-9, "%v", c.totals)
	}
}

func TestCostGroupsOther(t *testing.T) {
	// Equal costs for 66 principals: the 7 costliest leave most of it, so
	// the groups are the OUs (/prod, /research) and the partner outside.
	w := manyWorld(t, 60, "/research")
	s := Summarize(spreadCost(t, w, nil), fixtureMeta())
	assert.True(t, s.Series.CostByGroup)
	assert.False(t, s.Series.CostOther)
	assert.Equal(t, []string{"OU /research", "OU /prod", "outside the organization"}, s.Series.CostGroups)

	// 60 accounts in as many OUs: the 7 costliest OUs leave over a fifth,
	// but less than the 7 costliest initiators do, and the rest is one
	// labelled group.
	w = manyWorld(t, 60, "/team-")
	s = Summarize(spreadCost(t, w, nil), fixtureMeta())
	require.Len(t, s.Series.CostGroups, CostGroups+1)
	assert.True(t, s.Series.CostByGroup)
	assert.True(t, s.Series.CostOther)
	assert.Equal(t, []string{"OU /research", "OU /prod", "outside the organization", "OU /team-1", "OU /team-10",
		"OU /team-11", "OU /team-12", "56 others"}, s.Series.CostGroups)
	var sum float64
	for _, g := range s.Series.Cost {
		for _, v := range g {
			sum += v
		}
	}
	assert.InDelta(t, s.Cost.USD, sum, 1e-9, "the groups hold all the cost")
}

func TestHeatMapGroups(t *testing.T) {
	w := manyWorld(t, 60, "/research") // 66 principals: more than heatMapRows
	s := Summarize(spreadCost(t, w, nil), fixtureMeta())
	g := s.accessGrid()
	assert.True(t, g.grouped)
	assert.Equal(t, []string{"OU /prod · 2 principals", "OU /research · 64 principals", "outside the organization · 2 principals"}, g.rows)
	assert.Equal(t, []string{"churn-training", "eval"}, g.cols)
	// The research OU's cells are the mean over its 64 principals of what
	// the matrix says.
	var sum float64
	n := 0
	for r := range s.AccessRows(true) {
		if r.Pipeline == "eval" && w.AccountOU(model.AccountID(r.Principal[:12])) == "/research" {
			sum += float64(len(r.Allowed))
			n++
		}
	}
	assert.Equal(t, 64, n)
	assert.Equal(t, n, g.n[1*2+1])
	assert.InDelta(t, sum, g.sum[1*2+1], 1e-9)
	page := string(render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "html") }))
	assert.Contains(t, page, "each row is an OU")
	assert.Contains(t, page, "OU /research · 64 principals")
}

func TestSeriesEvents(t *testing.T) {
	w := manyWorld(t, 0, "/research")
	r := fixtureResult(t, w)
	r.QuotaEvents = []sim.QuotaEvent{
		{At: 10 * hour, Quota: sim.AccountQuota{Account: ref(ownerAcct, 90), ConcurrentExecutions: 5, HasConcurrent: true,
			Instances: map[string]int{"ml.m5.xlarge": 4, "ml.g5.xlarge": sim.Unlimited}}},
		{At: 30 * hour, Quota: sim.AccountQuota{Account: ref(ownerAcct, 91), HasConcurrent: true}}, // after the horizon
	}
	s := Summarize(r, fixtureMeta())
	assert.Equal(t, []SeriesEvent{
		{At: 10 * hour, What: "share churn-to-research becomes read-only"},
		{At: 10 * hour, What: "quota of ml-platform: concurrent_executions 5, ml.g5.xlarge unlimited, ml.m5.xlarge 4"},
	}, s.Series.Events)
	// One marker per instant, labelled in the run's unit (hours: under two days).
	ms := s.eventMarkers()
	require.Len(t, ms, 1)
	assert.Equal(t, 10.0, ms[0].x)
	assert.Equal(t, "hour 10: share churn-to-research becomes read-only; quota of ml-platform: concurrent_executions 5, ml.g5.xlarge unlimited, ml.m5.xlarge 4", ms[0].text)
	// Every time chart of every layout draws it, and the page lists it.
	for _, sz := range chartSizes {
		for _, chart := range []func(chartSize) (string, error){s.callsChart, s.costChart} {
			svg, err := chart(sz)
			require.NoError(t, err)
			assert.Contains(t, svg, ">hour 10: share churn-to-research", sz.class)
			assert.Contains(t, svg, "stroke-dasharray", sz.class)
		}
	}
	page := string(render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "html") }))
	assert.Contains(t, page, "<li>hour 10: share churn-to-research becomes read-only; quota of ml-platform")
}

func TestEventText(t *testing.T) {
	w := fixtureWorld(t)
	for desc, want := range map[string]string{
		"set_permission s read-only":               "share s becomes read-only",
		"associate s":                              "share s adds associations",
		"disassociate s":                           "share s drops associations",
		"delete_share s":                           "share s is deleted",
		"move_account 222222222222 /prod":          "research moves to OU /prod",
		"leave_organization 999999999999":          "999999999999 leaves the organization",
		"attach_policy deny-stop ou:/research":     "policy deny-stop attached to OU /research",
		"detach_policy p 222222222222/role/Scoped": "policy p detached from research/role/Scoped",
		"attach_policy p 111111111111":             "policy p attached to ml-platform",
		"rename_everything x":                      "rename_everything x", // unknown: as it is
	} {
		assert.Equal(t, want, eventText(w, desc), desc)
	}
}

func TestRunMarkdown(t *testing.T) {
	s := seriesFixture(t)
	s.Callers[0].AccountName = "ml|platform <b>*x*</b> _y_ `z`"
	got := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "md") })
	golden(t, "run.md", got)
	md := string(got)
	assert.Contains(t, md, "ml\\|platform &lt;b&gt;\\*x\\*&lt;/b&gt; \\_y\\_ \\`z\\`")
	assert.NotContains(t, md, "<b>")
	// Every table row has as many cells as its header.
	for _, block := range strings.Split(md, "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		if !strings.HasPrefix(lines[0], "| ") {
			continue
		}
		cells := func(l string) int { return len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(l, -1)) }
		for _, l := range lines {
			assert.Equal(t, cells(lines[0]), cells(l), "row %q", l)
		}
	}
}

func TestRunHTML(t *testing.T) {
	s := seriesFixture(t)
	s.Callers[0].AccountName = `<script>alert("x")</script>`
	s.Scenario = "fix<ture>"
	got := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "html") })
	golden(t, "run.html", got)
	page := string(got)
	assert.NotContains(t, strings.ToLower(page), "<script")
	assert.Contains(t, page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;")
	assert.Contains(t, page, "fix&lt;ture&gt;")
	for _, u := range regexp.MustCompile(`https?://[^"\s<>]+`).FindAllString(page, -1) {
		assert.Contains(t, []string{"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, u)
	}
	assert.Equal(t, 7, strings.Count(page, "<svg"), "three charts in two layouts and the heat map")
	assert.Equal(t, 3, strings.Count(page, `<svg class="chart wide"`))
	assert.Equal(t, 3, strings.Count(page, `<svg class="chart narrow"`))
	assert.NotContains(t, page, "<?xml")
	assert.NotRegexp(t, `<svg[^>]* (width|height)="`, page, "CSS sizes the charts")
	// Money and durations for people.
	assert.Regexp(t, `>\$[0-9,]+\.[0-9]{2} \([0-9]+%\)</text>`, page)
	assert.NotContains(t, page, "e+0")

	again := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "html") })
	assert.Equal(t, got, again, "deterministic")
}

func TestRunHTMLEmpty(t *testing.T) {
	w := fixtureWorld(t)
	s := Summarize(&sim.Result{World: w, Seed: 1, Duration: hour}, Meta{Scenario: "empty"})
	got := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "html") })
	assert.Contains(t, string(got), "<svg", "the calls chart, even empty")
	assert.Contains(t, string(got), "No instance use.")
}

func TestRunCSV(t *testing.T) {
	s := seriesFixture(t)
	for _, table := range []string{"calls", "cost", "access"} {
		got := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s, Table: table}.Render(b, "csv") })
		recs, err := csv.NewReader(bytes.NewReader(got)).ReadAll()
		require.NoError(t, err, table)
		require.NotEmpty(t, recs)
		golden(t, "run-"+table+".csv", got)
	}
	calls := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s, Table: "calls"}.Render(b, "csv") })
	assert.Contains(t, string(calls), "222222222222,research,role/DataScientist,StartPipelineExecution,200,180,0,20,")
	assert.Error(t, RunView{Summary: s, Table: "nope"}.Render(&bytes.Buffer{}, "csv"))

	s.Findings = []Finding{{Rule: "PS001", Severity: SeverityWarning, Subject: `a,"b"`,
		Message: "m", Pos: model.Pos{File: "f.yaml", Line: 3, Col: 5}}}
	got := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s, Table: "findings"}.Render(b, "csv") })
	assert.Equal(t, "rule,severity,subject,message,file,line,col,waived\nPS001,warning,\"a,\"\"b\"\"\",m,f.yaml,3,5,false\n", string(got))
}

func TestWaitsByInitiatorTextJSON(t *testing.T) {
	s := seriesFixture(t)
	txt := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "text") })
	assert.Contains(t, string(txt), "wait for instances by initiator")
	assert.Regexp(t, `222222222222\s+research\s+role/DataScientist\s+3\s+20s`, string(txt))
	js := render(t, func(b *bytes.Buffer) error { return RunView{Summary: s}.Render(b, "json") })
	assert.Contains(t, string(js), `"waits_by_initiator": [`)
	assert.Contains(t, string(js), "\"principal\": \"role/DataScientist\",\n        \"grants\": 3,\n        \"mean_wait_s\": 20.000")
}

func BenchmarkRunHTML(b *testing.B) {
	t := &testing.T{}
	s := seriesFixture(t)
	for range b.N {
		if err := (RunView{Summary: s}).Render(&bytes.Buffer{}, "html"); err != nil {
			b.Fatal(err)
		}
	}
}
